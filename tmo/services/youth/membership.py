"""Joining the Youth Forum (and being turned away kindly), a youth worker's approval, and leaving
before ageing out (a chair who leaves stops chairing)."""

from datetime import date

from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.youth import YouthMember
from tmo.permissions import Role
from tmo.rules import youth as rules
from tmo.rules.membership import ONLINE
from tmo.rules.notices import Channel
from tmo.rules.youth import MemberStatus, YouthError
from tmo.services import audit
from tmo.services.contact_choices import choose_contact
from tmo.services.youth.chair import chair_on, end_chair
from tmo.services.youth.forum import live_membership


def apply_to_join(
    dbsession: Session,
    constitution: Constitution,
    *,
    account: Account,
    first_name: str,
    surname: str,
    born: date,
    postcode: str,
    today: date,
) -> YouthMember:
    """An application waiting for a youth worker. The caller must have turned away anyone too
    young (``rules.too_young``) before calling: nothing of theirs is kept."""
    problems = rules.joining_problems(born, constitution.youth, today)
    if problems:
        raise YouthError(" ".join(problems))
    if live_membership(dbsession, account.id) is not None:
        raise YouthError("You have already applied to join the Youth Forum.")
    member = YouthMember(
        account_id=account.id,
        first_name=first_name,
        surname=surname,
        date_of_birth=born,
        postcode=postcode.upper(),
        status=MemberStatus.APPLIED,
    )
    dbsession.add(member)
    audit.record(dbsession, "youth.applied", actor_id=account.id, target=member)
    return member


def decide_application(
    dbsession: Session,
    constitution: Constitution,
    member: YouthMember,
    *,
    approve: bool,
    note: str,
    actor_id: int | None,
    today: date,
) -> None:
    target = MemberStatus.APPROVED if approve else MemberStatus.REJECTED
    rules.check_member_transition(member.status, target)
    if approve:
        problems = rules.joining_problems(member.date_of_birth, constitution.youth, today)
        if problems:
            raise YouthError(" ".join(problems))
        member.approved_on = today
        account = member.account
        if Role.YOUTH_MEMBER not in account.roles:
            account.role_grants.append(RoleGrant(role=Role.YOUTH_MEMBER, granted_by_id=actor_id))
    member.status = target
    member.decided_by_id = actor_id
    member.decision_note = note
    audit.record(
        dbsession,
        "youth.approved" if approve else "youth.rejected",
        actor_id=actor_id,
        target=member,
    )


def leave_forum(dbsession: Session, member: YouthMember, *, on: date, actor_id: int | None) -> None:
    """A member leaves before ageing out; a chair who leaves stops chairing (and their board
    seat ends with it)."""
    if member.status != MemberStatus.APPROVED or member.left_on is not None:
        raise YouthError("You are not a member of the forum.")
    member.left_on = on
    audit.record(dbsession, "youth.left", actor_id=actor_id, target=member, on=on.isoformat())
    chair = chair_on(dbsession, on)
    if chair is not None and chair.member_id == member.id:
        end_chair(dbsession, chair, on=on, actor_id=actor_id)


def choose_youth_contact(
    request, member: YouthMember, email: str, choice: Channel, address: str
) -> None:
    """How ``member`` wants the forum's messages, as they chose it online: by email to their
    account's address (their agreement), or by letter to the home address they give."""
    address = address.strip()
    if choice is Channel.POST and not address:
        raise YouthError("Letters need your home address: enter it, or choose email.", "address")
    choose_contact(request, member, choice, email, ONLINE, None)
    member.address = address
    audit.record(
        request.dbsession,
        "youth.contact_choice",
        actor_id=request.account.id,
        target=member,
        contact_by=choice.value,
    )
