"""The minutes' lifecycle: circulated to the body's members, approved by a decision of the next
meeting, signed by the chair and published, corrected afterwards only by recorded amendments;
the published minutes and their search, the minutes still to finish, and how long minutes are
kept."""

from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from tmo.clock import london_day, london_midnight
from tmo.constitution import Constitution
from tmo.models.accounts import Account
from tmo.models.meetings import AgendaItem, Body, Decision, Meeting, MinutesAmendment
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError, MinutesStep
from tmo.rules.membership import add_years
from tmo.services import audit
from tmo.services.meetings.agenda import ensure_editable
from tmo.services.meetings.attendance import ensure_quorate
from tmo.services.meetings.scheduling import previous_meeting, started, tell_the_members
from tmo.services.notices import Reach
from tmo.services.search import LIKE_ESCAPE, contains_pattern


def lock_meeting(dbsession: Session, meeting_id: int) -> Meeting:
    """The meeting, read again under a row lock held to the commit."""
    # populate_existing: a meeting read earlier in the request must not keep a stale state.
    return dbsession.scalars(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def take_step(dbsession: Session, meeting: Meeting, step: MinutesStep) -> None:
    """Move the meeting's minutes on by ``step``, or refuse from the wrong state."""
    # Under the meeting's lock: two clicks at once take one step (and send one email).
    lock_meeting(dbsession, meeting.id)
    meeting.minutes_state = rules.check_minutes_transition(meeting.minutes_state, step)


def circulate_minutes(request, meeting: Meeting) -> Reach:
    """Draft -> circulated: the draft goes to every member of the body."""
    if not started(meeting, request.now):
        raise MeetingError("The meeting has not happened yet: there is nothing to circulate.")
    take_step(request.dbsession, meeting, MinutesStep.CIRCULATE)
    meeting.circulated_at = request.now
    audit.record(
        request.dbsession,
        "meetings.minutes_circulated",
        actor_id=request.account.id,
        target=meeting,
    )
    return tell_the_members(request, meeting, "minutes_circulated")


def approve_minutes(
    dbsession: Session,
    constitution: Constitution,
    item: AgendaItem,
    *,
    actor_id: int | None,
    now: datetime,
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
    if not started(meeting, now):
        raise MeetingError("The minutes are approved at the meeting, once it has begun.")
    ensure_quorate(dbsession, constitution, item)
    take_step(dbsession, earlier, MinutesStep.APPROVE)
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


def sign_minutes(dbsession: Session, meeting: Meeting, *, chair: Account, now: datetime) -> None:
    """Approved -> signed: the chair signs, and the minutes are locked and published."""
    take_step(dbsession, meeting, MinutesStep.SIGN)
    meeting.signed_at = now
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
    now: datetime,
) -> MinutesAmendment:
    """A correction to minutes already circulated, kept beside them (never rewriting them)."""
    if not rules.amendable(meeting.minutes_state):
        raise MeetingError(
            "Draft minutes are corrected directly: amendments begin once circulated."
        )
    amendment = MinutesAmendment(
        meeting=meeting,
        item=item,
        text=text,
        reason=reason,
        recorded_by_id=actor_id,
        recorded_at=now,
    )
    dbsession.add(amendment)
    audit.record(dbsession, "meetings.minutes_amended", actor_id=actor_id, target=amendment)
    return amendment


# Built once: the meetings page lists them for everyone, mostly without a search.
PUBLISHED = (
    select(Meeting)
    .join(Body, Meeting.body_id == Body.id)
    .where(Meeting.minutes_state == rules.SIGNED)
    .order_by(Meeting.starts_at.desc())
)


def published_query(q: str = ""):
    """Signed minutes (the published record), newest first; ``q`` searches the body's name, the
    meeting's title and every item that is not confidential."""
    query = PUBLISHED
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


def unsigned(dbsession: Session, limit: int = 50) -> list[Meeting]:
    """Meetings (not cancelled) whose minutes are still to be signed, newest first."""
    return list(
        dbsession.scalars(
            select(Meeting)
            .where(Meeting.minutes_state != rules.SIGNED, Meeting.cancelled_at.is_(None))
            .order_by(Meeting.starts_at.desc())
            .limit(limit)
        )
    )


def kept_until(meeting: Meeting, constitution: Constitution) -> date:
    """The last day the meeting's minutes must be kept, by the constitution's rule."""
    return rules.minutes_kept_until(london_day(meeting.starts_at), constitution.meetings)


def past_retention(dbsession: Session, constitution: Constitution, today: date) -> list[Meeting]:
    """Meetings held (not cancelled) whose minutes have been kept for the constitution's years by
    ``today``, oldest first: they may now be destroyed, if the board so decides."""
    # A day late enough to narrow the query (29 February included); the rule decides exactly.
    years_ago = add_years(today, -constitution.meetings.minutes_retention_years)
    before = london_midnight(years_ago + timedelta(days=1))
    held = dbsession.scalars(
        select(Meeting)
        .where(Meeting.cancelled_at.is_(None), Meeting.starts_at < before)
        .order_by(Meeting.starts_at)
    )
    return [m for m in held if kept_until(m, constitution) < today]
