"""Who is asking: the account of the login session, its roles, and the memberships the permits
ask about (found once a request, and only when a permit asks)."""

from functools import cached_property

from sqlalchemy import and_, bindparam, select

from tmo.models.accounts import Account
from tmo.models.membership import Member
from tmo.models.youth import YouthMember
from tmo.permissions import Role
from tmo.rules.youth import MemberStatus

# Built once: the permits and the navigation's count ask, of most people logged in, both whether
# they are a member (``tmo.services.membership.active_membership``) and whether they are in the
# Youth Forum (``tmo.services.youth.live_membership``); one statement answers both (each is
# unique to an account).
MEMBERSHIPS = (
    select(Member, YouthMember)
    .select_from(Account)
    .outerjoin(Member, and_(Member.account_id == Account.id, Member.ceased_on.is_(None)))
    .outerjoin(
        YouthMember,
        and_(YouthMember.account_id == Account.id, YouthMember.status != MemberStatus.REJECTED),
    )
    .where(Account.id == bindparam("account_id"))
)


class Identity:
    """The person behind a request; ``account`` is None for someone not logged in."""

    def __init__(self, request, account: Account | None, roles: frozenset[Role] | None = None):
        self.request = request
        self.account = account
        self.account_id = account.id if account else None
        # The roles as the login session's query read them (tmo.services.accounts.session_login).
        if roles is None:
            roles = account.roles if account else frozenset()
        self.roles: frozenset[Role] = roles

    def __bool__(self) -> bool:
        return self.account is not None

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @cached_property
    def _memberships(self) -> tuple[Member | None, YouthMember | None]:
        if self.account is None:
            return None, None
        found = self.request.dbsession.execute(MEMBERSHIPS, {"account_id": self.account.id})
        row = found.first()
        return (row[0], row[1]) if row else (None, None)

    @cached_property
    def member(self) -> Member | None:
        """Their current membership of the TMO, if they hold one."""
        return self._memberships[0]

    @cached_property
    def youth_member(self) -> YouthMember | None:
        """Their Youth Forum application or membership (not a rejected one), if any."""
        return self._memberships[1]

    @cached_property
    def in_youth_forum(self) -> bool:
        """Whether they are a member of the Youth Forum today (members age out by date)."""
        from tmo.services.youth import in_forum

        return in_forum(self.youth_member, self.request.constitution, self.request.today)
