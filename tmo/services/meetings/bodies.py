"""Bodies and who sits on them: adding and changing a body, the seats on it and their ends, who its
members are on a day (the board's are the directors serving that day, the general meeting's the
members entitled to vote), whether a person belongs to a meeting's body, and its quorum."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.board import Director
from tmo.models.meetings import Body, BodyMember, Meeting
from tmo.models.membership import Member
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError
from tmo.services import audit
from tmo.services import board as board_service
from tmo.services.notices import Recipient, member_recipient

# Built once: the meetings page lists every body.
BODIES = select(Body).order_by(Body.name)


def bodies(dbsession: Session, *, besides: Body | None = None) -> list[Body]:
    """Every body by name (but ``besides``: the bodies it might report to)."""
    query = BODIES
    if besides is not None:
        query = query.where(Body.id != besides.id)
    return list(dbsession.scalars(query))


def general_meeting_body(dbsession: Session) -> Body | None:
    """The general meeting of members, where one has been added."""
    return dbsession.scalar(
        select(Body).where(Body.kind == rules.GENERAL_MEETING).order_by(Body.id).limit(1)
    )


def _parent(dbsession: Session, parent_id: int | None) -> Body | None:
    if parent_id is None:
        return None
    parent = dbsession.get(Body, parent_id)
    if parent is None:
        raise MeetingError("Choose the body it reports to from the list.", "parent")
    return parent


def add_body(
    dbsession: Session,
    *,
    name: str,
    kind: str,
    parent_id: int | None,
    terms_of_reference: str,
    quorum_number: int | None,
    quorum_of: int | None,
    actor_id: int | None,
) -> Body:
    if kind not in rules.BODY_KINDS:
        raise MeetingError("Choose what kind of body it is.", "kind")
    parent = _parent(dbsession, parent_id)
    check_body(kind, parent, quorum_number, quorum_of)
    body = Body(name=name, kind=kind, parent=parent, terms_of_reference=terms_of_reference)
    body.quorum_number, body.quorum_of = quorum_number, quorum_of
    dbsession.add(body)
    audit.record(dbsession, "meetings.body_added", actor_id=actor_id, target=body, kind=kind)
    return body


def check_body(kind: str, parent: Body | None, quorum_number, quorum_of, body=None) -> None:
    if kind == rules.SUB_COMMITTEE and parent is None:
        raise MeetingError("A sub-committee reports to a parent body: choose it.", "parent")
    if quorum_of is not None and (quorum_number is None or quorum_number > quorum_of):
        raise MeetingError(
            "A fractional quorum is a number of members out of a larger number.", "quorum_of"
        )
    above = parent
    while above is not None:
        if above is body:
            raise MeetingError(
                "A body cannot report to itself or to a body that reports to it.", "parent"
            )
        above = above.parent


def update_body(
    dbsession: Session,
    body: Body,
    *,
    name: str,
    parent_id: int | None,
    terms_of_reference: str,
    quorum_number: int | None,
    quorum_of: int | None,
    actor_id: int | None,
) -> None:
    """Change a body's name, parent, terms of reference or quorum (never its kind, which decides
    who its members are)."""
    parent = _parent(dbsession, parent_id)
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
    director_id: int | None = None,
    actor_id: int | None,
) -> BodyMember:
    """A seat on ``body``: a person by name, or a serving director (their name and account)."""
    if role not in rules.MEMBER_ROLES:
        raise MeetingError("Choose the member's role.", "role")
    if to_date is not None and to_date <= from_date:
        raise MeetingError("A membership must end after it begins.", "to_date")
    if body.kind == rules.GENERAL_MEETING:
        raise MeetingError("Every member of the TMO belongs to the general meeting.")
    director = dbsession.get(Director, director_id) if director_id is not None else None
    if director_id is not None and director is None:
        raise MeetingError("Choose the director from the list.", "director")
    seat = BodyMember(
        body=body,
        name=director.name if director else name,
        role=role,
        from_date=from_date,
        to_date=to_date,
        email=email,
        account_id=director.account_id if director else None,
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
        raise MeetingError("A membership must end after it begins.", "to_date")
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
    # How a notice reaches them.
    recipient: Recipient | None = None


def director_email(director: Director) -> str:
    if director.account is not None:
        return director.account.email
    return director.member.contact_email if director.member else ""


def director_recipient(director: Director) -> Recipient:
    """A director who is a member is reached as they chose; one appointed from outside (a
    councillor, an independent), by email where tmo has one."""
    if director.member is not None:
        return member_recipient(director.member)
    return Recipient(
        name=director.name, email=director_email(director), account_id=director.account_id
    )


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
                recipient=director_recipient(d),
            )
            for d in board_service.serving_directors(dbsession, day)
        ]
    if body.kind == rules.GENERAL_MEETING:
        members = dbsession.scalars(
            select(Member)
            .where(Member.admitted_on <= day, Member.associate.is_(False))
            .where(or_(Member.ceased_on.is_(None), Member.ceased_on > day))
            .order_by(Member.name)
            # Their accounts' emails: in one query, not one each (thousands at an AGM).
            .options(selectinload(Member.account))
        )
        return [
            Participant(
                f"member:{m.id}",
                m.name,
                "member",
                m.contact_email or (m.account.email if m.account else ""),
                m.account_id,
                m.member_number,
                recipient=member_recipient(m),
            )
            for m in members
        ]
    return sorted(
        (
            Participant(
                f"body_member:{seat.id}",
                seat.name,
                seat.role,
                seat.email,
                seat.account_id,
                recipient=Recipient(name=seat.name, email=seat.email, account_id=seat.account_id),
            )
            for seat in seats
        ),
        key=lambda p: p.name,
    )


def meeting_participants(dbsession: Session, meeting: Meeting) -> list[Participant]:
    """The members of the meeting's body on the day of the meeting."""
    return participants(dbsession, meeting.body, london_day(meeting.starts_at))


def belongs(dbsession: Session, meeting: Meeting, account_id: int) -> bool:
    """Whether the account is a member of the meeting's body on the day of the meeting."""
    return any(p.account_id == account_id for p in meeting_participants(dbsession, meeting))


def quorum_rule(body: Body, constitution: Constitution) -> rules.QuorumRule:
    return rules.quorum_rule_for(
        body.kind, body.quorum_number, body.quorum_of, constitution.meetings
    )
