"""Who is in the Youth Forum on a day, worked out from the dates (approval, birthday, leaving),
and how a young person's name is shown; the youth worker's list of members and requests."""

from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.accounts import Account
from tmo.models.youth import YouthMember
from tmo.rules import youth as rules
from tmo.rules.youth import MemberStatus, YouthError
from tmo.services.search import LIKE_ESCAPE, contains_pattern

# Built once: the front door asks it of everyone logged in.
LIVE_MEMBERSHIP = select(YouthMember).where(
    YouthMember.account_id == bindparam("account_id"), YouthMember.status != MemberStatus.REJECTED
)


def live_membership(dbsession: Session, account_id: int) -> YouthMember | None:
    """The account's application or membership (not a rejected one)."""
    return dbsession.scalar(LIVE_MEMBERSHIP, {"account_id": account_id})


def in_forum(member: YouthMember | None, constitution: Constitution, day: date) -> bool:
    return (
        member is not None
        and member.status == MemberStatus.APPROVED
        and rules.in_forum_on(
            member.approved_on, member.date_of_birth, member.left_on, constitution.youth, day
        )
    )


def member_ends(member: YouthMember, constitution: Constitution) -> date:
    return rules.membership_ends(member.date_of_birth, member.left_on, constitution.youth)


def shown_name(member: YouthMember, day: date) -> str:
    return rules.shown_name(member.first_name, member.surname, member.date_of_birth, day)


def full_name(member: YouthMember) -> str:
    return f"{member.first_name} {member.surname}"


def forum_members(dbsession: Session, constitution: Constitution, day: date) -> list[YouthMember]:
    approved = dbsession.scalars(
        select(YouthMember)
        .where(YouthMember.status == MemberStatus.APPROVED)
        .order_by(YouthMember.first_name, YouthMember.id)
    )
    return [member for member in approved if in_forum(member, constitution, day)]


def current_member(
    dbsession: Session, constitution: Constitution, account: Account, today: date
) -> YouthMember:
    """The account's forum membership if it is current today; YouthError says why not."""
    member = live_membership(dbsession, account.id)
    if member is None or member.status != MemberStatus.APPROVED:
        raise YouthError("Only members of the Youth Forum can do this.")
    if not in_forum(member, constitution, today):
        raise YouthError(
            f"You left the Youth Forum on {member_ends(member, constitution):%-d %B %Y}."
        )
    return member


def members_query(status: MemberStatus, search: str):
    """The youth worker's list: members and requests in ``status`` whose first name or surname
    contains ``search``, by name."""
    query = (
        select(YouthMember)
        .where(YouthMember.status == status)
        .order_by(YouthMember.first_name, YouthMember.surname, YouthMember.id)
    )
    if search:
        pattern = contains_pattern(search)
        query = query.where(
            or_(
                YouthMember.first_name.ilike(pattern, escape=LIKE_ESCAPE),
                YouthMember.surname.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    return query
