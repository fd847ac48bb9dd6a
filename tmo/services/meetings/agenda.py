"""The agenda: items after the standing ones, their order and their papers (checked uploads);
the actions carried into matters arising; and what a page or PDF of a meeting shows, in full to
those who may read the whole record and without anything confidential to everyone else."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.meetings import AgendaItem, AgendaPaper, Meeting, MeetingAction, MinutesAmendment
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError
from tmo.services import audit, files


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


def agenda_changeable(meeting: Meeting, now: datetime) -> bool:
    return agenda_problem(meeting, now) is None


def agenda_problem(meeting: Meeting, now: datetime) -> str | None:
    published = meeting.agenda_published_at
    return rules.agenda_change_problem(
        london_day(published) if published else None, meeting.starts_at <= now
    )


def ensure_changeable(item: AgendaItem, now: datetime) -> None:
    """An item changes, moves or is withdrawn only while the agenda is not yet published (nor
    the meeting begun); the standing items never do."""
    ensure_editable(item.meeting)
    problem = agenda_problem(item.meeting, now)
    if problem:
        raise MeetingError(problem)
    if item.kind != rules.GENERAL_ITEM:
        raise MeetingError("The standing items keep their titles and places.")


def publish_agenda(
    dbsession: Session, meeting: Meeting, *, actor_id: int | None, now: datetime
) -> None:
    """The agenda as the members and the public are to read it: its items change no more."""
    if meeting.cancelled_at is not None:
        raise MeetingError("The meeting is cancelled: it has no agenda to publish.")
    problem = agenda_problem(meeting, now)
    if problem:
        raise MeetingError(problem)
    meeting.agenda_published_at = now
    audit.record(
        dbsession,
        "meetings.agenda_published",
        actor_id=actor_id,
        target=meeting,
        items=len(meeting.items),
    )


def change_item(
    dbsession: Session,
    item: AgendaItem,
    *,
    title: str,
    presenter: str,
    summary: str,
    confidential: bool,
    actor_id: int | None,
    now: datetime,
) -> None:
    ensure_changeable(item, now)
    before = {
        "title": item.title,
        "presenter": item.presenter,
        "summary": item.summary,
        "confidential": item.confidential,
    }
    item.title, item.presenter, item.summary = title, presenter, summary
    item.confidential = confidential
    audit.record(dbsession, "meetings.item_changed", actor_id=actor_id, target=item, before=before)


def withdraw_item(
    dbsession: Session, item: AgendaItem, *, actor_id: int | None, now: datetime
) -> None:
    """Take an item off the agenda with its papers; the items after it move up one place."""
    ensure_changeable(item, now)
    if item.declarations or item.motions or item.decisions or item.actions:
        raise MeetingError("Something is already recorded under this item: it stays.")
    meeting = item.meeting
    audit.record(
        dbsession,
        "meetings.item_withdrawn",
        actor_id=actor_id,
        target=item,
        meeting=meeting.id,
        title=item.title,
        papers=[paper.title for paper in item.papers],
    )
    for paper in item.papers:
        dbsession.delete(paper)
        dbsession.delete(paper.file)
    meeting.items.remove(item)
    dbsession.delete(item)
    dbsession.flush()
    for later in meeting.items:
        if later.position > item.position:
            later.position -= 1


def move_item(
    dbsession: Session, item: AgendaItem, *, by: int, actor_id: int | None, now: datetime
) -> None:
    """Move an item one place up (``by`` -1) or down (+1) among the items after the standing
    ones, which keep their places at the head of the agenda."""
    meeting = item.meeting
    ensure_editable(meeting)
    movable = [i for i in meeting.items if i.kind == rules.GENERAL_ITEM]
    if item not in movable:
        raise MeetingError("The standing items keep their places.")
    ensure_changeable(item, now)
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
            kinds=files.PAPERS,
            maximum_bytes=paper_limit(constitution),
            actor_id=actor_id,
        )
    except files.FileRefused as refused:
        raise MeetingError(str(refused), "paper") from None
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


@dataclass(frozen=True)
class Shown:
    """What a page or PDF of a meeting shows. In ``full``, everything; otherwise the public's
    part, which never holds a confidential item, an action raised or an amendment made under one,
    nor (the Youth Forum's papers: ``anonymous``) the name of a young person."""

    meeting: Meeting
    full: bool
    items: list[AgendaItem]
    carried: list[MeetingAction]
    amendments: list[MinutesAmendment]
    anonymous: bool


def shown(dbsession: Session, meeting: Meeting, *, full: bool) -> Shown:
    items = meeting.items if full else public_items(meeting)
    listed = {item.id for item in items}
    carried = carried_forward_actions(dbsession, meeting)
    return Shown(
        meeting=meeting,
        full=full,
        items=items,
        carried=carried if full else [a for a in carried if not a.item.confidential],
        amendments=[a for a in meeting.amendments if a.item_id is None or a.item_id in listed],
        anonymous=not full and meeting.body.kind == rules.YOUTH_FORUM,
    )
