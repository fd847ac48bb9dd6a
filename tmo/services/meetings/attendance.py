"""Attendance: who was present, sent apologies or was absent (a general meeting's from its sign-in
sheet), the live quorum of each item leaving out declared interests, and over the meetings held,
each member's attendance statistics and the board's absence flag."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.meetings import AgendaItem, Attendance, Body, Meeting
from tmo.models.membership import Member
from tmo.rules import board as board_rules
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError
from tmo.services import audit
from tmo.services.meetings.agenda import ensure_editable
from tmo.services.meetings.bodies import meeting_participants, quorum_rule
from tmo.services.meetings.scheduling import started


@dataclass(frozen=True)
class AttendanceEntry:
    key: str
    status: str
    apologies_accepted: bool = False
    arrived: str = ""
    departed: str = ""


def record_attendance(
    dbsession: Session,
    meeting: Meeting,
    entries: list[AttendanceEntry],
    guests: list[str],
    *,
    actor_id: int | None,
    today: date,
) -> None:
    """Who was present, sent apologies or was absent (every member of the body on the day), and
    who else was in attendance: from the meeting's own day."""
    ensure_editable(meeting)
    too_soon = rules.attendance_problem_on(london_day(meeting.starts_at), today)
    if too_soon:
        raise MeetingError(too_soon)
    members = {p.key: p for p in meeting_participants(dbsession, meeting)}
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
        problem = rules.attendance_problem(
            members[entry.key].name,
            entry.status,
            entry.apologies_accepted,
            entry.arrived,
            entry.departed,
        )
        if problem:
            raise MeetingError(problem[1])
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


def own_place(dbsession: Session, meeting: Meeting, account_id: int):
    """The asker's place among the members of the meeting's body, or None."""
    return next(
        (p for p in meeting_participants(dbsession, meeting) if p.account_id == account_id), None
    )


def own_apologies(meeting: Meeting, key: str) -> Attendance | None:
    """The apologies ``key`` sent online for the meeting, if they did."""
    return next(
        (
            row
            for row in meeting.attendance
            if row.person_key == key and row.apologies_sent_at is not None
        ),
        None,
    )


def before_the_meeting(meeting: Meeting, now: datetime) -> None:
    """Apologies are sent, and withdrawn, before the meeting begins."""
    if meeting.cancelled_at is not None:
        raise MeetingError("The meeting is cancelled: no apologies are needed.")
    if started(meeting, now):
        raise MeetingError(
            "The meeting has begun: apologies are sent before it. Tell the secretary instead."
        )


def withdraw_apologies(
    dbsession: Session, meeting: Meeting, *, account_id: int, now: datetime
) -> None:
    """A member who sent apologies can come after all."""
    before_the_meeting(meeting, now)
    person = own_place(dbsession, meeting, account_id)
    row = own_apologies(meeting, person.key) if person else None
    if row is None:
        raise MeetingError("You have sent no apologies for this meeting.")
    meeting.attendance.remove(row)
    dbsession.flush()
    audit.record(
        dbsession,
        "meetings.apologies_withdrawn",
        actor_id=account_id,
        target=meeting,
        person=person.key,
    )


def send_apologies(
    dbsession: Session, meeting: Meeting, *, account_id: int, reason: str, now: datetime
) -> Attendance:
    """A member of the body sends their apologies before the meeting begins, with a reason for
    the secretary if they wish; the secretary finds them in the attendance form, accepted
    until they decide otherwise. Sending again replaces the reason."""
    before_the_meeting(meeting, now)
    person = own_place(dbsession, meeting, account_id)
    if person is None:
        raise MeetingError("Only a member of the body sends apologies for its meeting.")
    row = next((r for r in meeting.attendance if r.person_key == person.key), None)
    if row is None:
        row = Attendance(person_key=person.key, name=person.name)
        meeting.attendance.append(row)
    elif row.apologies_sent_at is None:
        raise MeetingError("The secretary has already recorded your attendance at this meeting.")
    row.status, row.apologies_accepted = rules.APOLOGIES, True
    row.apologies_sent_at, row.apologies_reason = now, reason
    dbsession.flush()
    # The reason may be personal: the log keeps only that there was one.
    audit.record(
        dbsession,
        "meetings.apologies_sent",
        actor_id=account_id,
        target=meeting,
        person=person.key,
        with_reason=bool(reason),
    )
    return row


def member_numbers(text: str, field: str) -> list[int]:
    parts = text.replace(",", " ").split()
    too_long = [part for part in parts if len(part) > 9]
    if too_long:
        raise MeetingError(f"{too_long[0][:20]} is not a member number.", field)
    return [int(part) for part in parts]


def general_meeting_entries(
    dbsession: Session, meeting: Meeting, present: str, apologies: str
) -> list[AttendanceEntry]:
    """Attendance at a general meeting from the sign-in sheet's member numbers."""
    wanted = {number: rules.PRESENT for number in member_numbers(present, "present")}
    for number in member_numbers(apologies, "apologies"):
        if number in wanted:
            raise MeetingError(
                f"Member {number} cannot be both present and sending apologies.", "apologies"
            )
        wanted[number] = rules.APOLOGIES
    entitled = meeting_members(dbsession, meeting)
    found = dict(
        dbsession.execute(
            select(Member.member_number, Member.id).where(Member.member_number.in_(list(wanted)))
        ).all()
    )
    unknown = sorted(n for n in wanted if f"member:{found.get(n)}" not in entitled)
    if unknown:
        listed = ", ".join(str(n) for n in unknown[:20])
        raise MeetingError(f"Not members entitled to vote on the day: {listed}.", "present")
    # A sign-in sheet lists the apologies the meeting received: accepted.
    return [
        AttendanceEntry(f"member:{found[n]}", status, apologies_accepted=status == rules.APOLOGIES)
        for n, status in wanted.items()
    ]


def meeting_members(dbsession: Session, meeting: Meeting) -> set[str]:
    return {p.key for p in meeting_participants(dbsession, meeting)}


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


def ensure_quorate(
    dbsession: Session, constitution: Constitution, item: AgendaItem
) -> rules.Quorum:
    found = item_quorum(dbsession, constitution, item)
    if not found.quorate:
        raise MeetingError(f"{found}: the meeting cannot decide this item.")
    return found


# -- Over the meetings held: statistics and the board's absence flag -------------------------------


def attendance_marks(
    dbsession: Session, body: Body, now: datetime
) -> dict[str, tuple[str, list[str]]]:
    """person key -> (name, marks oldest first) over the body's meetings held by ``now``, read
    in one statement however many meetings there have been."""
    rows = dbsession.execute(
        select(
            Attendance.person_key, Attendance.name, Attendance.status, Attendance.apologies_accepted
        )
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(
            Meeting.body_id == body.id,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at <= now,
        )
        .order_by(Meeting.starts_at, Meeting.id, Attendance.id)
    )
    marks: dict[str, tuple[str, list[str]]] = {}
    for person_key, name, status, apologies_accepted in rows:
        mark = rules.absence_mark(status, apologies_accepted)
        if mark is not None:
            marks.setdefault(person_key, (name, []))[1].append(mark)
    return marks


def attendance_statistics(
    dbsession: Session, body: Body, now: datetime
) -> list[tuple[str, rules.AttendanceStats]]:
    return sorted(
        (
            (name, rules.attendance_stats(marks))
            for name, marks in attendance_marks(dbsession, body, now).values()
        ),
        key=lambda row: row[0],
    )


def board_absences(dbsession: Session, constitution: Constitution, now: datetime) -> dict[int, int]:
    """Serving directors flagged for missing the constitution's number of board meetings in a
    row without accepted apologies: director id -> meetings missed."""
    flagged: dict[int, int] = {}
    for body in dbsession.scalars(select(Body).where(Body.kind == rules.BOARD)):
        for key, (_, marks) in attendance_marks(dbsession, body, now).items():
            if key.startswith("director:") and board_rules.flagged_for_absence(
                marks, constitution.board
            ):
                director_id = int(key.partition(":")[2])
                flagged[director_id] = max(
                    flagged.get(director_id, 0), board_rules.consecutive_absences(marks)
                )
    return flagged
