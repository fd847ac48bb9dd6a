"""Committees and meetings: bodies and their members, scheduling with the notice checked and sent,
agendas with standing items and papers, the record kept at the meeting (attendance, declarations,
motions, votes, decisions, actions) with its quorum, the minutes' lifecycle, attendance statistics
and the board's absence flag, published minutes, calendar feeds, and requisitions.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.board import Director
from tmo.models.meetings import (
    AgendaItem,
    AgendaPaper,
    Attendance,
    Body,
    BodyMember,
    CalendarToken,
    Decision,
    Declaration,
    Meeting,
    MeetingAction,
    MinutesAmendment,
    Motion,
    MotionVote,
    Requisition,
    RequisitionSignature,
)
from tmo.models.membership import Member
from tmo.models.meta import utcnow
from tmo.permissions import Role
from tmo.rules import board as board_rules
from tmo.rules import meetings as rules
from tmo.rules import voting
from tmo.rules.meetings import MeetingError
from tmo.rules.membership import may_vote
from tmo.services import audit, files
from tmo.services import board as board_service
from tmo.services.mail import send_mail
from tmo.services.search import LIKE_ESCAPE, contains_pattern

LONDON = ZoneInfo("Europe/London")


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def today() -> date:
    return london_day(utcnow())


# -- Bodies and their members --------------------------------------------------------------------


def add_body(
    dbsession: Session,
    *,
    name: str,
    kind: str,
    parent: Body | None,
    terms_of_reference: str,
    quorum_number: int | None,
    quorum_of: int | None,
    actor_id: int | None,
) -> Body:
    if kind not in rules.BODY_KINDS:
        raise MeetingError("Choose what kind of body it is.")
    check_body(kind, parent, quorum_number, quorum_of)
    body = Body(name=name, kind=kind, parent=parent, terms_of_reference=terms_of_reference)
    body.quorum_number, body.quorum_of = quorum_number, quorum_of
    dbsession.add(body)
    audit.record(dbsession, "meetings.body_added", actor_id=actor_id, target=body, kind=kind)
    return body


def check_body(kind: str, parent: Body | None, quorum_number, quorum_of, body=None) -> None:
    if kind == rules.SUB_COMMITTEE and parent is None:
        raise MeetingError("A sub-committee reports to a parent body: choose it.")
    if quorum_of is not None and (quorum_number is None or quorum_number > quorum_of):
        raise MeetingError("A fractional quorum is a number of members out of a larger number.")
    above = parent
    while above is not None:
        if above is body:
            raise MeetingError("A body cannot report to itself or to a body that reports to it.")
        above = above.parent


def update_body(
    dbsession: Session,
    body: Body,
    *,
    name: str,
    parent: Body | None,
    terms_of_reference: str,
    quorum_number: int | None,
    quorum_of: int | None,
    actor_id: int | None,
) -> None:
    """Change a body's name, parent, terms of reference or quorum (never its kind, which decides
    who its members are)."""
    check_body(body.kind, parent, quorum_number, quorum_of, body)
    body.name, body.parent, body.terms_of_reference = name, parent, terms_of_reference
    body.quorum_number, body.quorum_of = quorum_number, quorum_of
    audit.record(dbsession, "meetings.body_changed", actor_id=actor_id, target=body)


def add_body_member(
    dbsession: Session,
    body: Body,
    *,
    name: str,
    role: str,
    from_date: date,
    to_date: date | None,
    email: str = "",
    account_id: int | None = None,
    director_id: int | None = None,
    actor_id: int | None,
) -> BodyMember:
    if role not in rules.MEMBER_ROLES:
        raise MeetingError("Choose the member's role.")
    if to_date is not None and to_date <= from_date:
        raise MeetingError("A membership must end after it begins.")
    if body.kind == rules.GENERAL_MEETING:
        raise MeetingError("Every member of the TMO belongs to the general meeting.")
    seat = BodyMember(
        body=body,
        name=name,
        role=role,
        from_date=from_date,
        to_date=to_date,
        email=email,
        account_id=account_id,
        director_id=director_id,
    )
    dbsession.add(seat)
    audit.record(dbsession, "meetings.member_added", actor_id=actor_id, target=seat, role=role)
    return seat


def end_body_member(
    dbsession: Session, seat: BodyMember, *, to_date: date, actor_id: int | None
) -> None:
    if seat.to_date is not None:
        raise MeetingError(f"{seat.name}'s membership has already ended.")
    if to_date <= seat.from_date:
        raise MeetingError("A membership must end after it begins.")
    seat.to_date = to_date
    audit.record(
        dbsession, "meetings.member_ended", actor_id=actor_id, target=seat, on=to_date.isoformat()
    )


def current_on(seat: BodyMember, day: date) -> bool:
    return seat.from_date <= day and (seat.to_date is None or seat.to_date > day)


@dataclass(frozen=True)
class Participant:
    """A member of a body on a day: whom the quorum counts and the notice goes to."""

    key: str
    name: str
    role: str
    email: str
    account_id: int | None
    # A general meeting's members: their member number.
    number: int | None = None


def director_email(director: Director) -> str:
    if director.account is not None:
        return director.account.email
    return director.member.contact_email if director.member else ""


def participants(dbsession: Session, body: Body, day: date) -> list[Participant]:
    """The board's members are the directors serving on ``day`` (its officers from the body's
    list); the general meeting's, the members entitled to vote; any other body's, its list."""
    seats = [seat for seat in body.members if current_on(seat, day)]
    if body.kind == rules.BOARD:
        officers = {seat.director_id: seat.role for seat in seats if seat.director_id}
        return [
            Participant(
                f"director:{d.id}",
                d.name,
                officers.get(d.id, "member"),
                director_email(d),
                d.account_id,
            )
            for d in board_service.serving_directors(dbsession, day)
        ]
    if body.kind == rules.GENERAL_MEETING:
        members = dbsession.scalars(
            select(Member)
            .where(Member.admitted_on <= day, Member.associate.is_(False))
            .where(or_(Member.ceased_on.is_(None), Member.ceased_on > day))
            .order_by(Member.name)
        )
        return [
            Participant(
                f"member:{m.id}",
                m.name,
                "member",
                m.contact_email or (m.account.email if m.account else ""),
                m.account_id,
                m.member_number,
            )
            for m in members
        ]
    return sorted(
        (
            Participant(f"body_member:{seat.id}", seat.name, seat.role, seat.email, seat.account_id)
            for seat in seats
        ),
        key=lambda p: p.name,
    )


def belongs(dbsession: Session, meeting: Meeting, account_id: int) -> bool:
    """Whether the account is a member of the meeting's body on the day of the meeting."""
    day = london_day(meeting.starts_at)
    return any(p.account_id == account_id for p in participants(dbsession, meeting.body, day))


def quorum_rule(body: Body, constitution: Constitution) -> rules.QuorumRule:
    return rules.quorum_rule_for(
        body.kind, body.quorum_number, body.quorum_of, constitution.meetings
    )


# -- Scheduling ----------------------------------------------------------------------------------


def schedule_meeting(
    request,
    body: Body,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    place: str,
    online_link: str,
    requisition: Requisition | None = None,
) -> Meeting:
    """A meeting with its standing items, if the notice is long enough; the notice is emailed to
    every member of the body (for a general meeting, every member of the TMO)."""
    dbsession, constitution = request.dbsession, request.constitution
    if not place and not online_link:
        raise MeetingError("Give the place of the meeting, an online link, or both.")
    if kind not in rules.MEETING_KINDS:
        raise MeetingError("Choose the kind of meeting.")
    if (kind == rules.ORDINARY) == (body.kind == rules.GENERAL_MEETING):
        raise MeetingError("Only a general meeting is an AGM or an EGM.")
    now = utcnow()
    problem = rules.notice_problem(
        body.kind, london_day(now), london_day(starts_at), constitution.meetings
    )
    if problem:
        raise MeetingError(problem)
    meeting = Meeting(
        body=body,
        kind=kind,
        title=title,
        starts_at=starts_at,
        place=place,
        online_link=online_link,
        notice_given_at=now,
        requisition_id=requisition.id if requisition else None,
    )
    dbsession.add(meeting)
    add_standing_items(dbsession, meeting)
    audit.record(
        dbsession,
        "meetings.scheduled",
        actor_id=request.account.id,
        target=meeting,
        body=body.id,
        starts_at=starts_at.isoformat(),
    )
    for person in participants(dbsession, body, london_day(starts_at)):
        if person.email:
            send_mail(request, person.email, "meeting_notice", meeting=meeting, person=person)
    return meeting


def cancel_meeting(request, meeting: Meeting, *, reason: str) -> None:
    """A meeting called off before it begins; every member of the body is told why."""
    if meeting.cancelled_at is not None:
        raise MeetingError("This meeting is already cancelled.")
    if meeting.starts_at <= utcnow() or meeting.attendance:
        raise MeetingError("The meeting has begun: it can no longer be cancelled.")
    meeting.cancelled_at = utcnow()
    audit.record(
        request.dbsession,
        "meetings.cancelled",
        actor_id=request.account.id,
        target=meeting,
        reason=reason,
    )
    for person in participants(request.dbsession, meeting.body, london_day(meeting.starts_at)):
        if person.email:
            send_mail(
                request,
                person.email,
                "meeting_cancelled",
                meeting=meeting,
                person=person,
                reason=reason,
            )


def add_standing_items(dbsession: Session, meeting: Meeting) -> None:
    standing = list(rules.STANDING_ITEMS)
    if meeting.kind == rules.AGM:
        standing += list(rules.AGM_ITEMS)
    for position, (kind, title) in enumerate(standing, start=1):
        dbsession.add(AgendaItem(meeting=meeting, position=position, kind=kind, title=title))


def meetings_of(dbsession: Session, body: Body) -> list[Meeting]:
    return list(
        dbsession.scalars(
            select(Meeting)
            .where(Meeting.body_id == body.id, Meeting.cancelled_at.is_(None))
            .order_by(Meeting.starts_at)
        )
    )


def previous_meeting(dbsession: Session, meeting: Meeting) -> Meeting | None:
    return dbsession.scalar(
        select(Meeting)
        .where(
            Meeting.body_id == meeting.body_id,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at < meeting.starts_at,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


def upcoming(dbsession: Session, limit: int = 10) -> list[Meeting]:
    return list(
        dbsession.scalars(
            select(Meeting)
            .where(
                Meeting.cancelled_at.is_(None), Meeting.starts_at >= utcnow() - timedelta(hours=12)
            )
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


# -- The agenda ----------------------------------------------------------------------------------


def ensure_editable(meeting: Meeting) -> None:
    if not rules.record_editable(meeting.minutes_state):
        raise MeetingError(
            f"The minutes of this meeting are {rules.MINUTES_STATES[meeting.minutes_state].lower()}"
            ": the record can now change only by a recorded amendment."
        )


def add_item(
    dbsession: Session,
    meeting: Meeting,
    *,
    title: str,
    presenter: str,
    summary: str,
    confidential: bool,
    actor_id: int | None,
) -> AgendaItem:
    ensure_editable(meeting)
    position = max((item.position for item in meeting.items), default=0) + 1
    item = AgendaItem(
        meeting=meeting,
        position=position,
        title=title,
        presenter=presenter,
        summary=summary,
        confidential=confidential,
    )
    dbsession.add(item)
    audit.record(
        dbsession,
        "meetings.item_added",
        actor_id=actor_id,
        target=item,
        meeting=meeting.id,
        confidential=confidential,
    )
    return item


def move_item(dbsession: Session, item: AgendaItem, *, by: int, actor_id: int | None) -> None:
    """Move an item one place up (``by`` -1) or down (+1) among the items after the standing
    ones, which keep their places at the head of the agenda."""
    meeting = item.meeting
    ensure_editable(meeting)
    movable = [i for i in meeting.items if i.kind == rules.GENERAL_ITEM]
    if item not in movable:
        raise MeetingError("The standing items keep their places.")
    index = movable.index(item) + by
    if not 0 <= index < len(movable):
        raise MeetingError("The item is already there.")
    other = movable[index]
    item.position, other.position = other.position, item.position
    meeting.items.sort(key=lambda i: i.position)
    audit.record(
        dbsession, "meetings.item_moved", actor_id=actor_id, target=item, position=item.position
    )


def paper_limit(constitution: Constitution) -> int:
    return constitution.meetings.paper_maximum_mb * files.MEGABYTE


def add_paper(
    dbsession: Session,
    item: AgendaItem,
    *,
    title: str,
    content: bytes,
    filename: str,
    constitution: Constitution,
    actor_id: int | None,
) -> AgendaPaper:
    ensure_editable(item.meeting)
    try:
        stored = files.store(
            dbsession,
            content,
            filename,
            kinds=files.DOCUMENTS,
            maximum_bytes=paper_limit(constitution),
            actor_id=actor_id,
        )
    except files.FileRefused as refused:
        raise MeetingError(str(refused)) from None
    paper = AgendaPaper(item=item, title=title, file=stored)
    dbsession.add(paper)
    audit.record(dbsession, "meetings.paper_added", actor_id=actor_id, target=paper, item=item.id)
    return paper


def carried_forward_actions(dbsession: Session, meeting: Meeting) -> list[MeetingAction]:
    """Open actions of the body's earlier meetings: this meeting's matters arising."""
    day = london_day(meeting.starts_at)
    candidates = dbsession.scalars(
        select(MeetingAction)
        .where(MeetingAction.body_id == meeting.body_id, MeetingAction.raised_on < day)
        .order_by(MeetingAction.raised_on, MeetingAction.id)
    )
    return [a for a in candidates if rules.carried_forward(a.raised_on, a.done_on, day)]


def public_items(meeting: Meeting) -> list[AgendaItem]:
    """The items the public may see: never a confidential one."""
    return [item for item in meeting.items if not item.confidential]


# -- At the meeting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    key: str
    status: str
    apologies_accepted: bool = True
    arrived: str = ""
    departed: str = ""


def record_attendance(
    dbsession: Session,
    meeting: Meeting,
    entries: list[AttendanceEntry],
    guests: list[str],
    *,
    actor_id: int | None,
) -> None:
    """Who was present, sent apologies or was absent (every member of the body on the day), and
    who else was in attendance."""
    ensure_editable(meeting)
    members = {
        p.key: p for p in participants(dbsession, meeting.body, london_day(meeting.starts_at))
    }
    # The form lists everyone afresh: a row it no longer names goes.
    given = {entry.key for entry in entries}
    wanted_guests = [name for name in dict.fromkeys(guests) if name]
    for row in list(meeting.attendance):
        if row.status == rules.IN_ATTENDANCE:
            if row.name not in wanted_guests:
                meeting.attendance.remove(row)
        elif row.person_key not in given:
            meeting.attendance.remove(row)
    existing = {row.person_key: row for row in meeting.attendance}
    for entry in entries:
        if entry.key not in members:
            raise MeetingError("Attendance can be recorded only for the body's members.")
        if entry.status not in (rules.PRESENT, rules.APOLOGIES, rules.ABSENT):
            raise MeetingError(f"Choose whether {members[entry.key].name} was present.")
        row = existing.get(entry.key)
        if row is None:
            row = Attendance(person_key=entry.key, name=members[entry.key].name)
            meeting.attendance.append(row)
        row.status = entry.status
        row.apologies_accepted = entry.apologies_accepted
        row.arrived, row.departed = entry.arrived, entry.departed
    known = {row.name for row in meeting.attendance if row.status == rules.IN_ATTENDANCE}
    dbsession.flush()
    number = max(
        (
            int(row.person_key.partition(":")[2])
            for row in meeting.attendance
            if row.person_key.startswith("guest:")
        ),
        default=0,
    )
    for name in wanted_guests:
        if name not in known:
            number += 1
            meeting.attendance.append(
                Attendance(person_key=f"guest:{number}", name=name, status=rules.IN_ATTENDANCE)
            )
    dbsession.flush()
    present = sum(1 for row in meeting.attendance if row.status == rules.PRESENT)
    audit.record(
        dbsession,
        "meetings.attendance_recorded",
        actor_id=actor_id,
        target=meeting,
        present=present,
    )


def member_numbers(text: str) -> list[int]:
    parts = text.replace(",", " ").split()
    too_long = [part for part in parts if len(part) > 9]
    if too_long:
        raise MeetingError(f"{too_long[0][:20]} is not a member number.")
    return [int(part) for part in parts]


def general_meeting_entries(
    dbsession: Session, meeting: Meeting, present: str, apologies: str
) -> list[AttendanceEntry]:
    """Attendance at a general meeting from the sign-in sheet's member numbers."""
    day = london_day(meeting.starts_at)
    wanted = {number: rules.PRESENT for number in member_numbers(present)}
    for number in member_numbers(apologies):
        if number in wanted:
            raise MeetingError(f"Member {number} cannot be both present and sending apologies.")
        wanted[number] = rules.APOLOGIES
    entitled = {p.key for p in participants(dbsession, meeting.body, day)}
    found = dict(
        dbsession.execute(
            select(Member.member_number, Member.id).where(Member.member_number.in_(list(wanted)))
        ).all()
    )
    unknown = sorted(n for n in wanted if f"member:{found.get(n)}" not in entitled)
    if unknown:
        listed = ", ".join(str(n) for n in unknown[:20])
        raise MeetingError(f"Not members entitled to vote on the day: {listed}.")
    return [AttendanceEntry(f"member:{found[n]}", status) for n, status in wanted.items()]


def meeting_members(dbsession: Session, meeting: Meeting) -> set[str]:
    return {p.key for p in participants(dbsession, meeting.body, london_day(meeting.starts_at))}


def present_members(
    dbsession: Session, meeting: Meeting, members: set[str] | None = None
) -> dict[str, str]:
    """Members of the body present at the meeting: key -> name."""
    members = meeting_members(dbsession, meeting) if members is None else members
    return {
        row.person_key: row.name
        for row in meeting.attendance
        if row.status == rules.PRESENT and row.person_key in members
    }


def meeting_quorums(
    dbsession: Session, constitution: Constitution, meeting: Meeting
) -> dict[int, rules.Quorum]:
    """The quorum for each item (the body's members worked out once, for a register of
    thousands)."""
    members = meeting_members(dbsession, meeting)
    needed = rules.quorum_needed(quorum_rule(meeting.body, constitution), len(members))
    present = present_members(dbsession, meeting, members)
    return {
        item.id: rules.quorum(present, [d.person_key for d in item.declarations], needed)
        for item in meeting.items
    }


def item_quorum(dbsession: Session, constitution: Constitution, item: AgendaItem) -> rules.Quorum:
    """The live quorum for ``item``: members present, less those who declared an interest in it."""
    return meeting_quorums(dbsession, constitution, item.meeting)[item.id]


def declare(
    dbsession: Session, item: AgendaItem, *, person_key: str, interest: str, actor_id: int | None
) -> Declaration:
    meeting = item.meeting
    ensure_editable(meeting)
    members = {
        p.key: p.name for p in participants(dbsession, meeting.body, london_day(meeting.starts_at))
    }
    if person_key not in members:
        raise MeetingError("Only a member of the body declares an interest here.")
    if any(d.person_key == person_key for d in item.declarations):
        raise MeetingError(f"{members[person_key]} has already declared an interest in this item.")
    declaration = Declaration(
        item=item, person_key=person_key, name=members[person_key], interest=interest
    )
    dbsession.add(declaration)
    audit.record(
        dbsession, "meetings.interest_declared", actor_id=actor_id, target=declaration, item=item.id
    )
    return declaration


def ensure_quorate(
    dbsession: Session, constitution: Constitution, item: AgendaItem
) -> rules.Quorum:
    found = item_quorum(dbsession, constitution, item)
    if not found.quorate:
        raise MeetingError(f"{found}: the meeting cannot decide this item.")
    return found


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
            raise MeetingError(f"The {what} must be a member present at the meeting.")
        if key in conflicted:
            raise MeetingError(
                f"{present[key]} declared an interest in this item and cannot be its {what}."
            )
    if proposer_key == seconder_key:
        raise MeetingError("The seconder must be someone other than the proposer.")
    chair_has_casting_vote = rules.casting_vote_allowed(meeting.body.kind, constitution)
    if casting_vote and not chair_has_casting_vote:
        raise MeetingError("The constitution gives the chair no casting vote.")
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
                "or correct them."
            )
        votes_for, votes_against, abstentions = counted
    elif any(n is None for n in given):
        raise MeetingError("Enter the votes for, against and abstentions, or each member's vote.")
    problems = rules.vote_problems(
        votes_for, votes_against, abstentions, found.counted, casting_vote or None
    )
    if problems:
        raise MeetingError(" ".join(problems))
    casting_allowed = voting.casting_vote_allowed(
        votes_for,
        votes_against,
        chair_has_casting_vote=chair_has_casting_vote,
        when_no_votes_cast=constitution.meetings.casting_vote_when_no_votes_cast,
    )
    if casting_vote and not casting_allowed:  # a tie (checked above) of no votes at all
        raise MeetingError(
            "Nobody voted for or against, and the constitution gives the chair no casting vote "
            "then: the motion falls. Leave the casting vote empty."
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
        raise MeetingError("An action cannot be done before the meeting that raised it.")
    action.done_on, action.done_note = done_on, note
    audit.record(
        dbsession, "meetings.action_done", actor_id=actor_id, target=action, on=done_on.isoformat()
    )


def write_item_minutes(
    dbsession: Session, item: AgendaItem, *, text: str, actor_id: int | None
) -> None:
    ensure_editable(item.meeting)
    item.minutes_text = text
    audit.record(dbsession, "meetings.item_minuted", actor_id=actor_id, target=item)


# -- The minutes' lifecycle ----------------------------------------------------------------------


def _transition(meeting: Meeting, transition: str) -> None:
    meeting.minutes_state = rules.check_minutes_transition(meeting.minutes_state, transition)


def circulate_minutes(request, meeting: Meeting) -> None:
    """Draft -> circulated: the draft goes to every member of the body."""
    if meeting.starts_at > utcnow():
        raise MeetingError("The meeting has not happened yet: there is nothing to circulate.")
    _transition(meeting, "circulate")
    meeting.circulated_at = utcnow()
    audit.record(
        request.dbsession,
        "meetings.minutes_circulated",
        actor_id=request.account.id,
        target=meeting,
    )
    for person in participants(request.dbsession, meeting.body, london_day(meeting.starts_at)):
        if person.email:
            send_mail(request, person.email, "minutes_circulated", meeting=meeting, person=person)


def approve_minutes(
    dbsession: Session, constitution: Constitution, item: AgendaItem, *, actor_id: int | None
) -> Decision:
    """Circulated -> approved: the next meeting, under its "minutes of the last meeting" item,
    records the decision that they are a true record."""
    if item.kind != rules.LAST_MINUTES_ITEM:
        raise MeetingError("Minutes are approved under the item 'Minutes of the last meeting'.")
    meeting = item.meeting
    ensure_editable(meeting)
    earlier = previous_meeting(dbsession, meeting)
    if earlier is None:
        raise MeetingError("This is the body's first meeting: there are no minutes to approve.")
    if meeting.starts_at > utcnow():
        raise MeetingError("The minutes are approved at the meeting, once it has begun.")
    ensure_quorate(dbsession, constitution, item)
    _transition(earlier, "approve")
    decision = Decision(
        item=item,
        text=f"The minutes of the meeting of {london_day(earlier.starts_at):%-d %B %Y} were "
        "approved as a true record.",
        approves_meeting_id=earlier.id,
    )
    dbsession.add(decision)
    audit.record(
        dbsession, "meetings.minutes_approved", actor_id=actor_id, target=earlier, at=meeting.id
    )
    return decision


def approving_decision(dbsession: Session, meeting: Meeting) -> Decision | None:
    return dbsession.scalar(select(Decision).where(Decision.approves_meeting_id == meeting.id))


def sign_minutes(dbsession: Session, meeting: Meeting, *, chair: Account) -> None:
    """Approved -> signed: the chair signs, and the minutes are locked and published."""
    _transition(meeting, "sign")
    meeting.signed_at = utcnow()
    meeting.signed_by_id = chair.id
    meeting.signed_by_name = chair.display_name
    audit.record(dbsession, "meetings.minutes_signed", actor_id=chair.id, target=meeting)


def amend_minutes(
    dbsession: Session,
    meeting: Meeting,
    *,
    item: AgendaItem | None,
    text: str,
    reason: str,
    actor_id: int | None,
) -> MinutesAmendment:
    """A correction to minutes already circulated, kept beside them (never rewriting them)."""
    if not rules.amendable(meeting.minutes_state):
        raise MeetingError(
            "Draft minutes are corrected directly: amendments begin once circulated."
        )
    amendment = MinutesAmendment(
        meeting=meeting, item=item, text=text, reason=reason, recorded_by_id=actor_id
    )
    dbsession.add(amendment)
    audit.record(dbsession, "meetings.minutes_amended", actor_id=actor_id, target=amendment)
    return amendment


def published_query(q: str = ""):
    """Signed minutes (the published record), newest first; ``q`` searches the body's name, the
    meeting's title and every item that is not confidential."""
    query = (
        select(Meeting)
        .join(Body, Meeting.body_id == Body.id)
        .where(Meeting.minutes_state == rules.SIGNED)
        .order_by(Meeting.starts_at.desc())
    )
    q = q.strip()[:200]
    if q:
        pattern = contains_pattern(q)
        in_items = exists().where(
            AgendaItem.meeting_id == Meeting.id,
            AgendaItem.confidential.is_(False),
            or_(
                AgendaItem.title.ilike(pattern, escape=LIKE_ESCAPE),
                AgendaItem.minutes_text.ilike(pattern, escape=LIKE_ESCAPE),
            ),
        )
        query = query.where(
            or_(
                Body.name.ilike(pattern, escape=LIKE_ESCAPE),
                Meeting.title.ilike(pattern, escape=LIKE_ESCAPE),
                in_items,
            )
        )
    return query


# -- Attendance statistics and the board's absence flag --------------------------------------------


def held_meetings(dbsession: Session, body: Body, before: datetime | None = None) -> list[Meeting]:
    before = before or utcnow()
    return [m for m in meetings_of(dbsession, body) if m.starts_at <= before and m.attendance]


def attendance_marks(dbsession: Session, body: Body) -> dict[str, tuple[str, list[str]]]:
    """person key -> (name, marks oldest first) over the body's meetings held so far."""
    marks: dict[str, tuple[str, list[str]]] = {}
    for meeting in held_meetings(dbsession, body):
        for row in meeting.attendance:
            mark = rules.absence_mark(row.status, row.apologies_accepted)
            if mark is not None:
                marks.setdefault(row.person_key, (row.name, []))[1].append(mark)
    return marks


def attendance_statistics(
    dbsession: Session, body: Body
) -> list[tuple[str, rules.AttendanceStats]]:
    return sorted(
        (
            (name, rules.attendance_stats(marks))
            for name, marks in attendance_marks(dbsession, body).values()
        ),
        key=lambda row: row[0],
    )


def board_absences(dbsession: Session, constitution: Constitution) -> dict[int, int]:
    """Serving directors flagged for missing the constitution's number of board meetings in a
    row without accepted apologies: director id -> meetings missed."""
    flagged: dict[int, int] = {}
    for body in dbsession.scalars(select(Body).where(Body.kind == rules.BOARD)):
        for key, (_, marks) in attendance_marks(dbsession, body).items():
            if key.startswith("director:") and board_rules.flagged_for_absence(
                marks, constitution.board
            ):
                director_id = int(key.partition(":")[2])
                flagged[director_id] = max(
                    flagged.get(director_id, 0), board_rules.consecutive_absences(marks)
                )
    return flagged


# -- Calendars -----------------------------------------------------------------------------------


def calendar(name: str, meetings: list[Meeting], url_for) -> bytes:
    """An iCalendar feed (RFC 5545) of ``meetings``; ``url_for(meeting)`` is its public page."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//tmo//meetings//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.id}@tmo")
        event.add("dtstamp", meeting.notice_given_at)
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("summary", f"{meeting.body.name}: {meeting.title}")
        event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
        event.add("location", meeting.place or meeting.online_link)
        event.add("url", url_for(meeting))
        description = meeting.online_link and f"Join online: {meeting.online_link}"
        if description:
            event.add("description", description)
        feed.add_component(event)
    return feed.to_ical()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_token(dbsession: Session, account: Account) -> str:
    """A fresh secret for the person's calendar-feed address (the old one stops working); only
    its digest is stored, so the address is shown once."""
    token = secrets.token_urlsafe(32)
    found = dbsession.scalar(select(CalendarToken).where(CalendarToken.account_id == account.id))
    if found is None:
        found = CalendarToken(account_id=account.id)
        dbsession.add(found)
    found.token_hash = token_digest(token)
    found.created_at = utcnow()
    audit.record(dbsession, "meetings.calendar_link_made", actor_id=account.id, target=found)
    return token


def account_for_calendar(dbsession: Session, token: str) -> Account | None:
    found = dbsession.scalar(
        select(CalendarToken).where(CalendarToken.token_hash == token_digest(token))
    )
    return dbsession.get(Account, found.account_id) if found else None


def has_calendar_token(dbsession: Session, account: Account) -> bool:
    return (
        dbsession.scalar(select(CalendarToken.id).where(CalendarToken.account_id == account.id))
        is not None
    )


def meetings_for_account(dbsession: Session, account: Account) -> list[Meeting]:
    """Meetings of every body the person belongs to on the day of the meeting."""
    found = []
    for meeting in dbsession.scalars(
        select(Meeting).where(Meeting.cancelled_at.is_(None)).order_by(Meeting.starts_at)
    ):
        if meeting.body.kind == rules.GENERAL_MEETING:
            belongs = dbsession.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.account_id == account.id, Member.ceased_on.is_(None))
            )
        else:
            day = london_day(meeting.starts_at)
            belongs = any(
                p.account_id == account.id for p in participants(dbsession, meeting.body, day)
            )
        if belongs:
            found.append(meeting)
    return found


# -- Requisitions ----------------------------------------------------------------------------------


def voting_members(dbsession: Session, day: date) -> int:
    members = dbsession.execute(
        select(Member.ceased_on, Member.associate).where(Member.admitted_on <= day)
    ).all()
    return sum(1 for ceased_on, associate in members if may_vote(ceased_on, associate, day))


def requisition_threshold(dbsession: Session, constitution: Constitution) -> int:
    return rules.requisition_threshold(voting_members(dbsession, today()), constitution.meetings)


def start_requisition(request, member: Member, purpose: str) -> Requisition:
    requisition = Requisition(purpose=purpose, started_by_id=request.account.id)
    request.dbsession.add(requisition)
    audit.record(
        request.dbsession,
        "meetings.requisition_started",
        actor_id=request.account.id,
        target=requisition,
    )
    sign_requisition(request, requisition, member)
    return requisition


def sign_requisition(request, requisition: Requisition, member: Member) -> None:
    """A member's signature; when the constitution's share have signed, the secretary is told
    and the deadline to call the meeting starts."""
    dbsession = request.dbsession
    if not may_vote(member.ceased_on, member.associate, today()):
        raise MeetingError("Only a member entitled to vote may requisition a general meeting.")
    if any(s.member_id == member.id for s in requisition.signatures):
        raise MeetingError("You have already signed this requisition.")
    try:
        # Two clicks at once: the unique signature per member refuses the second.
        with dbsession.begin_nested():
            requisition.signatures.append(RequisitionSignature(member_id=member.id))
            dbsession.flush()
    except IntegrityError:
        raise MeetingError("You have already signed this requisition.") from None
    audit.record(
        dbsession, "meetings.requisition_signed", actor_id=request.account.id, target=requisition
    )
    needed = requisition_threshold(dbsession, request.constitution)
    if requisition.threshold_reached_on is None and len(requisition.signatures) >= needed:
        requisition.threshold_reached_on = today()
        requisition.call_by = rules.requisition_deadline(today(), request.constitution.meetings)
        audit.record(
            dbsession,
            "meetings.requisition_threshold_reached",
            actor_id=None,
            target=requisition,
            signatures=len(requisition.signatures),
            call_by=requisition.call_by.isoformat(),
        )
        secretaries = dbsession.scalars(
            select(Account)
            .join(RoleGrant, RoleGrant.account_id == Account.id)
            .where(RoleGrant.role == Role.SECRETARY)
        )
        for secretary in secretaries:
            send_mail(request, secretary.email, "requisition_reached", requisition=requisition)


def called_meeting(dbsession: Session, requisition: Requisition) -> Meeting | None:
    return dbsession.scalar(select(Meeting).where(Meeting.requisition_id == requisition.id))


def pack_papers(meeting: Meeting, *, include_confidential: bool) -> list[tuple[str, str, bytes]]:
    """The papers of an agenda pack, attached to its PDF: (file name, title, content)."""
    return [
        (paper.file.filename, paper.title, paper.file.content)
        for item in meeting.items
        if include_confidential or not item.confidential
        for paper in item.papers
    ]
