"""Members' requisitions of a general meeting (Companies Act 2006 s303 and s304): starting and
signing one, the threshold of signatures with the deadline it starts, and the meeting that
answers it."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.meetings import Meeting, Requisition, RequisitionSignature
from tmo.models.membership import Member
from tmo.permissions import Role
from tmo.rules import meetings as rules
from tmo.rules.meetings import MeetingError
from tmo.rules.membership import may_vote
from tmo.services import audit, notices


def voting_members(dbsession: Session, day: date) -> int:
    members = dbsession.execute(
        select(Member.ceased_on, Member.associate).where(Member.admitted_on <= day)
    ).all()
    return sum(1 for ceased_on, associate in members if may_vote(ceased_on, associate, day))


def requisition_threshold(dbsession: Session, constitution: Constitution, today: date) -> int:
    """The signatures that requisition a general meeting ``today``."""
    return rules.requisition_threshold(voting_members(dbsession, today), constitution.meetings)


def requisitions(dbsession: Session) -> list[Requisition]:
    """Every requisition, newest first."""
    return list(dbsession.scalars(select(Requisition).order_by(Requisition.id.desc())))


def requisitions_to_call(dbsession: Session) -> list[Requisition]:
    """Requisitions that reached the threshold and whose meeting is not yet called."""
    reached = dbsession.scalars(
        select(Requisition).where(Requisition.threshold_reached_on.is_not(None))
    )
    return [r for r in reached if called_meeting(dbsession, r) is None]


def called_meeting(dbsession: Session, requisition: Requisition) -> Meeting | None:
    return dbsession.scalar(select(Meeting).where(Meeting.requisition_id == requisition.id))


def signed_by(requisition: Requisition, member: Member | None) -> bool:
    return member is not None and any(s.member_id == member.id for s in requisition.signatures)


def start_requisition(request, member: Member, purpose: str) -> Requisition:
    requisition = Requisition(
        purpose=purpose, started_by_id=request.account.id, started_at=request.now
    )
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
    dbsession, today = request.dbsession, request.today
    if not may_vote(member.ceased_on, member.associate, today):
        raise MeetingError("Only a member entitled to vote may requisition a general meeting.")
    if signed_by(requisition, member):
        raise MeetingError("You have already signed this requisition.")
    try:
        # Two clicks at once: the unique signature per member refuses the second.
        with dbsession.begin_nested():
            requisition.signatures.append(
                RequisitionSignature(member_id=member.id, signed_at=request.now)
            )
            dbsession.flush()
    except IntegrityError:
        raise MeetingError("You have already signed this requisition.") from None
    audit.record(
        dbsession, "meetings.requisition_signed", actor_id=request.account.id, target=requisition
    )
    needed = requisition_threshold(dbsession, request.constitution, today)
    if requisition.threshold_reached_on is None and len(requisition.signatures) >= needed:
        requisition.threshold_reached_on = today
        requisition.call_by = rules.requisition_deadline(today, request.constitution.meetings)
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
        notices.send(
            request,
            kind="requisition_reached",
            template="requisition_reached",
            recipients=[notices.account_recipient(secretary) for secretary in secretaries],
            about=requisition,
            requisition=requisition,
        )
