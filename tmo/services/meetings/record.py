"""The record kept at the meeting, item by item: declarations of interest, motions with their
votes (by counts or by name, the chair's casting vote), decisions, actions and their completion,
and the secretary's minute of each item."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.meetings import AgendaItem, Decision, Declaration, MeetingAction, Motion, MotionVote
from tmo.rules import meetings as rules
from tmo.rules import voting
from tmo.rules.meetings import MeetingError
from tmo.services import audit
from tmo.services.meetings.agenda import ensure_editable
from tmo.services.meetings.attendance import ensure_quorate, present_members
from tmo.services.meetings.bodies import meeting_participants


def declare(
    dbsession: Session, item: AgendaItem, *, person_key: str, interest: str, actor_id: int | None
) -> Declaration:
    meeting = item.meeting
    ensure_editable(meeting)
    members = {p.key: p.name for p in meeting_participants(dbsession, meeting)}
    if person_key not in members:
        raise MeetingError("Only a member of the body declares an interest here.", "person")
    if person_key not in present_members(dbsession, meeting, set(members)):
        raise MeetingError(
            f"{members[person_key]} is not recorded as present: only a member present at the "
            "meeting declares an interest in an item. Record the attendance first.",
            "person",
        )
    if any(d.person_key == person_key for d in item.declarations):
        raise MeetingError(
            f"{members[person_key]} has already declared an interest in this item.", "person"
        )
    declaration = Declaration(
        item=item, person_key=person_key, name=members[person_key], interest=interest
    )
    dbsession.add(declaration)
    audit.record(
        dbsession, "meetings.interest_declared", actor_id=actor_id, target=declaration, item=item.id
    )
    return declaration


def voters(item: AgendaItem, present: dict[str, str]) -> list[tuple[str, str]]:
    """(key, name) of the members present who may vote on ``item`` (no declared interest in it),
    by name."""
    conflicted = {d.person_key for d in item.declarations}
    return sorted(
        ((key, name) for key, name in present.items() if key not in conflicted),
        key=lambda pair: pair[1],
    )


def record_motion(
    dbsession: Session,
    constitution: Constitution,
    item: AgendaItem,
    *,
    text: str,
    proposer_key: str,
    seconder_key: str,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
    casting_vote: str,
    actor_id: int | None,
    named_votes: dict[str, str] | None = None,
) -> Motion:
    """A motion, its vote, and the decision when it is carried. The vote is the counts, or each
    member's vote by name (a recorded vote), from which the counts follow. A member with a
    declared interest may neither propose, second nor vote."""
    meeting = item.meeting
    ensure_editable(meeting)
    found = ensure_quorate(dbsession, constitution, item)
    present = present_members(dbsession, meeting)
    conflicted = {d.person_key for d in item.declarations}
    for key, what in ((proposer_key, "proposer"), (seconder_key, "seconder")):
        if key not in present:
            raise MeetingError(f"The {what} must be a member present at the meeting.", what)
        if key in conflicted:
            raise MeetingError(
                f"{present[key]} declared an interest in this item and cannot be its {what}.", what
            )
    if proposer_key == seconder_key:
        raise MeetingError("The seconder must be someone other than the proposer.", "seconder")
    chair_has_casting_vote = rules.casting_vote_allowed(meeting.body.kind, constitution)
    if casting_vote and not chair_has_casting_vote:
        raise MeetingError("The constitution gives the chair no casting vote.", "casting_vote")
    named_votes = {key: vote for key, vote in (named_votes or {}).items() if vote}
    for key, vote in named_votes.items():
        if key not in present or key in conflicted or vote not in rules.VOTES:
            raise MeetingError("Only members present without an interest in the item vote on it.")
    given = (votes_for, votes_against, abstentions)
    if named_votes:
        counted = rules.tally(named_votes)
        if any(n is not None for n in given) and given != counted:
            raise MeetingError(
                "The counts do not match the votes recorded by name: leave the counts empty, "
                "or correct them.",
                "votes_for",
            )
        votes_for, votes_against, abstentions = counted
    elif any(n is None for n in given):
        raise MeetingError(
            "Enter the votes for, against and abstentions, or each member's vote.", "votes_for"
        )
    problems = rules.vote_problems(
        votes_for, votes_against, abstentions, found.counted, casting_vote or None
    )
    if problems:
        raise MeetingError(" ".join(problems), "votes_for")
    casting_allowed = voting.casting_vote_allowed(
        votes_for,
        votes_against,
        chair_has_casting_vote=chair_has_casting_vote,
        when_no_votes_cast=constitution.meetings.casting_vote_when_no_votes_cast,
    )
    if casting_vote and not casting_allowed:  # a tie (checked above) of no votes at all
        raise MeetingError(
            "Nobody voted for or against, and the constitution gives the chair no casting vote "
            "then: the motion falls. Leave the casting vote empty.",
            "casting_vote",
        )
    outcome = rules.vote_outcome(votes_for, votes_against, casting_vote or None, casting_allowed)
    motion = Motion(
        item=item,
        text=text,
        proposer_key=proposer_key,
        proposer_name=present[proposer_key],
        seconder_key=seconder_key,
        seconder_name=present[seconder_key],
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        casting_vote=casting_vote,
        outcome=outcome,
        votes=[
            MotionVote(person_key=key, name=present[key], vote=vote)
            for key, vote in sorted(named_votes.items(), key=lambda pair: present[pair[0]])
        ],
    )
    dbsession.add(motion)
    dbsession.flush()
    if outcome == rules.CARRIED:
        dbsession.add(Decision(item=item, motion_id=motion.id, text=text))
    audit.record(
        dbsession,
        "meetings.motion_recorded",
        actor_id=actor_id,
        target=motion,
        item=item.id,
        outcome=outcome,
        votes=[votes_for, votes_against, abstentions],
    )
    return motion


def record_decision(
    dbsession: Session,
    constitution: Constitution,
    item: AgendaItem,
    *,
    text: str,
    actor_id: int | None,
) -> Decision:
    """A decision reached without a vote (by consensus)."""
    ensure_editable(item.meeting)
    ensure_quorate(dbsession, constitution, item)
    decision = Decision(item=item, text=text)
    dbsession.add(decision)
    audit.record(dbsession, "meetings.decision_recorded", actor_id=actor_id, target=decision)
    return decision


def add_action(
    dbsession: Session,
    item: AgendaItem,
    *,
    text: str,
    owner: str,
    due_on: date | None,
    actor_id: int | None,
) -> MeetingAction:
    meeting = item.meeting
    ensure_editable(meeting)
    action = MeetingAction(
        item=item,
        body_id=meeting.body_id,
        raised_on=london_day(meeting.starts_at),
        text=text,
        owner=owner,
        due_on=due_on,
    )
    dbsession.add(action)
    audit.record(dbsession, "meetings.action_added", actor_id=actor_id, target=action)
    return action


def complete_action(
    dbsession: Session, action: MeetingAction, *, done_on: date, note: str, actor_id: int | None
) -> None:
    if action.done_on is not None:
        raise MeetingError("This action is already done.")
    if done_on < action.raised_on:
        raise MeetingError("An action cannot be done before the meeting that raised it.", "done_on")
    action.done_on, action.done_note = done_on, note
    audit.record(
        dbsession, "meetings.action_done", actor_id=actor_id, target=action, on=done_on.isoformat()
    )


def open_actions(dbsession: Session) -> list[MeetingAction]:
    """Every action not yet done, soonest due first."""
    return list(
        dbsession.scalars(
            select(MeetingAction)
            .where(MeetingAction.done_on.is_(None))
            .order_by(MeetingAction.due_on, MeetingAction.id)
        )
    )


def write_item_minutes(
    dbsession: Session, item: AgendaItem, *, text: str, actor_id: int | None
) -> None:
    ensure_editable(item.meeting)
    item.minutes_text = text
    audit.record(dbsession, "meetings.item_minuted", actor_id=actor_id, target=item)
