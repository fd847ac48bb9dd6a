"""Scheduling: a meeting called with the constitution's notice and its standing items, the notice
emailed to every member of the body, a meeting cancelled before it begins; and which meetings a
body has held or will hold."""

from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.models.meetings import AgendaItem, Body, Meeting
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError
from tmo.rules.notices import (
    POST,
    Channel,
    earliest_meeting,
    general_meeting_notice_problem,
    latest_posting,
    notice_given_on,
    posting_advice,
    when,
)
from tmo.services import audit, notices
from tmo.services.meetings.bodies import meeting_participants, participants


def schedule_meeting(
    request,
    body: Body,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    place: str,
    online_link: str,
    requisition_id: int | None = None,
) -> tuple[Meeting, notices.Reach]:
    """A meeting with its standing items, if the notice given now is long enough, and how its
    notice went out to every member of the body (for a general meeting, every member of the
    TMO): by email or by post, as each has chosen."""
    dbsession, now = request.dbsession, request.now
    if not place and not online_link:
        raise MeetingError("Give the place of the meeting, an online link, or both.", "place")
    if kind not in rules.MEETING_KINDS:
        raise MeetingError("Choose the kind of meeting.", "kind")
    if (kind == rules.ORDINARY) == (body.kind == rules.GENERAL_MEETING):
        raise MeetingError("Only a general meeting is an AGM or an EGM.", "kind")
    problem = notice_problem(request, body, london_day(starts_at))
    if problem:
        raise MeetingError(problem, "day")
    meeting = Meeting(
        body=body,
        kind=kind,
        title=title,
        starts_at=starts_at,
        place=place,
        online_link=online_link,
        notice_given_at=now,
        requisition_id=requisition_id,
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
    return meeting, tell_the_members(request, meeting, "meeting_notice")


def by_post(request, body: Body, meeting_on: date) -> bool:
    """Whether the notice of a meeting of ``body`` on ``meeting_on`` goes to anyone by post."""
    return any(
        person.recipient is not None and person.recipient.channel is Channel.POST
        for person in participants(request.dbsession, body, meeting_on)
    )


def notice_problem(request, body: Body, meeting_on: date) -> str | None:
    """Why notice sent now is too short for a meeting of ``body`` on ``meeting_on``, with the
    earliest date it allows and by when its letters must then be posted; None when it is long
    enough. A general meeting's clear days count from the day the notice is deemed delivered,
    by post and by email (s307, s360, s1147); another body's days, from the day its letters
    posted now are deemed delivered when any member gets it by post, else from today."""
    constitution, now = request.constitution, request.now
    meeting_rules, notice_rules = constitution.meetings, constitution.notices
    today = london_day(now)
    if meeting_on < today:
        return "The meeting cannot be before the notice of it."
    if body.kind == rules.GENERAL_MEETING:
        needed = meeting_rules.general_meeting_notice_clear_days
        problem = general_meeting_notice_problem(now, meeting_on, needed, notice_rules)
        if problem is None:
            return None
        earliest = earliest_meeting(now, needed, notice_rules)
        return (
            f"{problem} {for_the_meeting_on(earliest, letters_deadline(request, body, earliest))}"
        )
    if not by_post(request, body, meeting_on):
        return rules.notice_problem(body.kind, today, meeting_on, meeting_rules)
    given_on = notice_given_on(now, notice_rules, POST)
    problem = rules.notice_problem(
        body.kind,
        given_on,
        meeting_on,
        meeting_rules,
        given_as=f"letters posted now are deemed delivered on {given_on:%A %-d %B %Y}, which",
    )
    if problem is None:
        return None
    earliest = given_on + timedelta(days=days_of_notice(body, meeting_rules))
    return f"{problem} {for_the_meeting_on(earliest, letters_deadline(request, body, earliest))}"


def for_the_meeting_on(day: date, advice: str) -> str:
    return f"For a meeting on {day:%-d %B %Y}, {advice[0].lower()}{advice[1:]}"


def days_of_notice(body: Body, meeting_rules) -> int:
    """The days' notice a meeting of a body other than the general meeting needs."""
    if body.kind == rules.BOARD:
        return meeting_rules.board_notice_days
    return meeting_rules.committee_notice_days


def letters_deadline(request, body: Body, meeting_on: date) -> str:
    """By when the letters of the notice of a meeting of ``body`` on ``meeting_on`` must be
    posted, and why."""
    meeting_rules, notice_rules = request.constitution.meetings, request.constitution.notices
    if body.kind == rules.GENERAL_MEETING:
        needed = meeting_rules.general_meeting_notice_clear_days
        return posting_advice(meeting_on, needed, notice_rules)
    days = days_of_notice(body, meeting_rules)
    # ``days`` days' notice is given by the day ``days`` before the meeting: ``days - 1`` clear.
    deadline = latest_posting(meeting_on, days - 1, notice_rules, POST)
    return (
        f"Post the letters to members who get notice by post by "
        f"{when(deadline)}: a letter is deemed delivered "
        f"{notice_rules.post_delivery_hours} working hours after it is posted (Companies Act "
        f"2006 s1147), and the meeting needs {days} days' notice."
    )


def tell_the_members(request, meeting: Meeting, template: str, **values) -> notices.Reach:
    """Send every member of the meeting's body the message, by email or by post as each has
    chosen; how it went out."""
    return notices.send(
        request,
        kind=template,
        template=template,
        recipients=[
            person.recipient for person in meeting_participants(request.dbsession, meeting)
        ],
        about=meeting,
        actor_id=request.account.id if request.account else None,
        meeting=meeting,
        **values,
    )


def started(meeting: Meeting, now: datetime) -> bool:
    return meeting.starts_at <= now


def attendance_recorded(meeting: Meeting) -> bool:
    """Whether the secretary has recorded the attendance (apologies sent online ahead of the
    meeting are not a record of it)."""
    return any(row.apologies_sent_at is None for row in meeting.attendance)


def cancel_meeting(request, meeting: Meeting, *, reason: str) -> notices.Reach:
    """A meeting called off before it begins; every member of the body is told why."""
    if meeting.cancelled_at is not None:
        raise MeetingError("This meeting is already cancelled.")
    if started(meeting, request.now) or attendance_recorded(meeting):
        raise MeetingError("The meeting has begun: it can no longer be cancelled.")
    meeting.cancelled_at = request.now
    audit.record(
        request.dbsession,
        "meetings.cancelled",
        actor_id=request.account.id,
        target=meeting,
        reason=reason,
    )
    return tell_the_members(request, meeting, "meeting_cancelled", reason=reason)


def add_standing_items(dbsession: Session, meeting: Meeting) -> None:
    standing = list(rules.STANDING_ITEMS)
    if meeting.kind == rules.AGM:
        standing += list(rules.AGM_ITEMS)
    for position, (kind, title) in enumerate(standing, start=1):
        dbsession.add(AgendaItem(meeting=meeting, position=position, kind=kind, title=title))


def _not_cancelled(body: Body):
    return select(Meeting).where(Meeting.body_id == body.id, Meeting.cancelled_at.is_(None))


def meetings_of(dbsession: Session, body: Body) -> list[Meeting]:
    """The body's meetings, cancelled ones left out, oldest first."""
    return list(dbsession.scalars(_not_cancelled(body).order_by(Meeting.starts_at)))


def held_and_coming_query(body: Body):
    """The body's meetings, cancelled ones left out, newest first (for paging)."""
    return _not_cancelled(body).order_by(Meeting.starts_at.desc())


def every_meeting(dbsession: Session, body: Body) -> list[Meeting]:
    """The body's meetings, cancelled ones too (a calendar marks them so), oldest first."""
    return list(
        dbsession.scalars(
            select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.starts_at)
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


# Built once: the meetings page asks it for everyone.
UPCOMING = (
    select(Meeting)
    .where(Meeting.cancelled_at.is_(None), Meeting.starts_at >= bindparam("since"))
    .order_by(Meeting.starts_at)
    .limit(bindparam("limit"))
)


def upcoming(dbsession: Session, now: datetime, limit: int = 10) -> list[Meeting]:
    """Meetings still to come (or begun in the last twelve hours), soonest first."""
    return list(dbsession.scalars(UPCOMING, {"since": now - timedelta(hours=12), "limit": limit}))
