"""Who is asking: the account of the login session, its roles, and the memberships the permits
ask about (found once a request, and only when a permit asks)."""

from functools import cached_property

from tmo.models.accounts import Account
from tmo.permissions import Role


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
    def member(self):
        """Their current membership of the TMO, if they hold one."""
        from tmo.services.membership import active_membership

        if self.account is None:
            return None
        return active_membership(self.request.dbsession, self.account.id)

    @cached_property
    def youth_member(self):
        """Their Youth Forum application or membership (not a rejected one), if any."""
        from tmo.services.youth import live_membership

        if self.account is None:
            return None
        return live_membership(self.request.dbsession, self.account.id)

    @cached_property
    def in_youth_forum(self) -> bool:
        """Whether they are a member of the Youth Forum today (members age out by date)."""
        from tmo.services.youth import in_forum

        return in_forum(self.youth_member, self.request.constitution, self.request.today)
