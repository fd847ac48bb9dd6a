"""Scheduling: a meeting called with the constitution's notice and its standing items, the notice
emailed to every member of the body, a meeting cancelled before it begins; and which meetings a
body has held or will hold."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.models.meetings import AgendaItem, Body, Meeting
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError
from tmo.services import audit, notices
from tmo.services.meetings.bodies import meeting_participants


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
    dbsession, constitution, now = request.dbsession, request.constitution, request.now
    if not place and not online_link:
        raise MeetingError("Give the place of the meeting, an online link, or both.", "place")
    if kind not in rules.MEETING_KINDS:
        raise MeetingError("Choose the kind of meeting.", "kind")
    if (kind == rules.ORDINARY) == (body.kind == rules.GENERAL_MEETING):
        raise MeetingError("Only a general meeting is an AGM or an EGM.", "kind")
    problem = rules.notice_problem(
        body.kind, london_day(now), london_day(starts_at), constitution.meetings
    )
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


def cancel_meeting(request, meeting: Meeting, *, reason: str) -> notices.Reach:
    """A meeting called off before it begins; every member of the body is told why."""
    if meeting.cancelled_at is not None:
        raise MeetingError("This meeting is already cancelled.")
    if started(meeting, request.now) or meeting.attendance:
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


def upcoming(dbsession: Session, now: datetime, limit: int = 10) -> list[Meeting]:
    """Meetings still to come (or begun in the last twelve hours), soonest first."""
    return list(
        dbsession.scalars(
            select(Meeting)
            .where(Meeting.cancelled_at.is_(None), Meeting.starts_at >= now - timedelta(hours=12))
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )
