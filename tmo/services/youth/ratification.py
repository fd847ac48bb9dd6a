"""The board's ratification of a spend above the constitution's threshold: the board's decisions
a ratification may cite, and the secretary recording the board's decision (a refusal releases
the committed money back to the budget)."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from tmo.clock import london_day, london_midnight
from tmo.models.meetings import AgendaItem, Body, Decision, Meeting
from tmo.models.youth import YouthProposal
from tmo.rules import meetings as meeting_rules
from tmo.rules import youth as rules
from tmo.rules.youth import Step, YouthError
from tmo.services.youth.budget import add_entry, lock_year, outstanding
from tmo.services.youth.proposals import lock_proposal, move

# How much of a decision's text its label in the list shows.
LABEL_TEXT_CHARACTERS = 150


def proposed_on(proposal: YouthProposal) -> date:
    """The day the proposal was sent to the youth worker (or drafted, if it never was): the
    board cannot have ratified it before."""
    return london_day(proposal.submitted_at or proposal.created_at)


def board_decisions_query(now: datetime, since: date):
    """The board's recorded decisions a ratification may cite, most recent meeting first: from
    board meetings that have taken place (not cancelled) on or after ``since`` (the day of the
    proposal), never under a confidential item (the forum reads its proposals' pages), and not
    the approval of earlier minutes."""
    return (
        select(Decision)
        .join(AgendaItem, Decision.item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            Body.kind == meeting_rules.BOARD,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at <= now,
            Meeting.starts_at >= london_midnight(since),
            AgendaItem.confidential.is_(False),
            Decision.approves_meeting_id.is_(None),
        )
        .order_by(Meeting.starts_at.desc(), AgendaItem.position, Decision.id)
        .options(contains_eager(Decision.item).contains_eager(AgendaItem.meeting))
    )


def board_decisions(dbsession: Session, now: datetime, since: date) -> list[Decision]:
    return list(dbsession.scalars(board_decisions_query(now, since)).unique())


def decision_day(decision: Decision) -> date:
    """The day of the meeting that made ``decision``, in London."""
    return london_day(decision.item.meeting.starts_at)


def decision_label(decision: Decision) -> str:
    """The meeting's date and the decision's text, shortened for a list."""
    text = " ".join(decision.text.split())
    if len(text) > LABEL_TEXT_CHARACTERS:
        text = text[: LABEL_TEXT_CHARACTERS - 1].rstrip() + "…"
    return f"{decision_day(decision):%-d %B %Y}: {text}"


def board_decision(dbsession: Session, decision_id: int, now: datetime, since: date) -> Decision:
    """The board's decision ``decision_id``, if a ratification of a proposal made on ``since``
    may cite it at ``now``; refused otherwise, saying why."""
    field = "board_decision"
    decision = dbsession.get(Decision, decision_id)
    if decision is None:
        raise YouthError("That decision is not in tmo: choose one from the list.", field)
    meeting = decision.item.meeting
    if meeting.body.kind != meeting_rules.BOARD:
        raise YouthError(
            f"That decision was made by {meeting.body.name}, not the board: only the board "
            "ratifies a Youth Forum spend.",
            field,
        )
    if meeting.cancelled_at is not None:
        raise YouthError("That board meeting was cancelled: choose a decision it made.", field)
    if meeting.starts_at > now:
        raise YouthError("That board meeting has not taken place yet.", field)
    if decision_day(decision) < since:
        raise YouthError(before_the_proposal(decision_day(decision), since), field)
    if decision.item.confidential:
        raise YouthError(
            "That decision is under a confidential item, which the forum may not read: type the "
            "minute in words instead.",
            field,
        )
    if decision.approves_meeting_id is not None:
        raise YouthError(
            "That decision approved the minutes of an earlier meeting: choose the board's "
            "decision on this spend.",
            field,
        )
    return decision


def before_the_proposal(day: date, since: date) -> str:
    return (
        f"That decision was made on {day:%-d %B %Y}, before the proposal was sent on "
        f"{since:%-d %B %Y}: choose the board's decision made on or after that day."
    )


def record_ratification(
    dbsession: Session,
    proposal: YouthProposal,
    *,
    ratified: bool,
    decision_id: int | None = None,
    reference: str = "",
    decided_on: date | None = None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """The board's minuted decision on a proposal above the threshold: one of the board's
    decisions recorded in tmo (``decision_id``, dated by its meeting, which must have taken place
    by ``now``) or, where the meeting is not in tmo yet, the minute in words (``reference``) and
    its date. Refused: the committed money is released back to the budget."""
    step = Step.RATIFY if ratified else Step.REFUSE_RATIFICATION
    rules.check_transition(proposal.status, step)
    since = proposed_on(proposal)
    decision = None
    if decision_id is not None:
        if reference:
            raise YouthError(
                "You chose the board's decision from the list: leave the minute in words empty.",
                "reference",
            )
        decision = board_decision(dbsession, decision_id, now, since)
        decided_on = decision_day(decision)
    else:
        if not reference:
            raise YouthError(
                "Choose the board's decision from the list, or type its minute, for example "
                "“Board 3 June, minute 6”.",
                "reference",
            )
        if decided_on is None:
            raise YouthError("Enter the date of the decision.", "decided_on")
        if decided_on < since:
            raise YouthError(before_the_proposal(decided_on, since), "decided_on")
    detail = {
        "reference": reference,
        "decision": decision.id if decision else None,
        "meeting": decision.item.meeting_id if decision else None,
    }
    if not ratified:
        year = lock_year(dbsession, proposal.year_id)
        proposal = lock_proposal(dbsession, proposal.id)
        rules.check_transition(proposal.status, step)
        add_entry(
            dbsession,
            year,
            rules.RELEASE,
            outstanding(dbsession, year, proposal),
            on=decided_on,
            actor_id=actor_id,
            proposal=proposal,
            reason="Not ratified by the board",
        )
    proposal.ratification_decision = decision
    proposal.ratification_reference = reference
    proposal.ratification_date = decided_on
    move(dbsession, proposal, step, actor_id, **detail)
