"""Membership contexts: the asker's own application and membership, found from who they are, and
for the secretary an application to join and an entry in the register, loaded from the path.

A page about something of one's own does not exist for a person who has nothing of the kind (no
application waiting, no current membership): a 404, as a page about another's would be. A purged
entry of the register keeps only its number and dates and is listed nowhere: a 404 for everyone.
"""

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound

from tmo.contexts import SITE, Context, load
from tmo.models.membership import Member, MembershipApplication
from tmo.permissions import Permission
from tmo.services import membership


class OwnContext(Context):
    """Something of the asker's own. Whoever may not use such pages at all is refused by the
    view's permission (403, or sent to log in first); whoever may, but has nothing of the kind,
    finds no such page."""

    #: Who may use such pages at all (the permission of the navigation's link to them).
    role_permission: Permission

    def __init__(self, request):
        super().__init__(request)
        if request.has_permission(self.role_permission, SITE):
            self.conceal_unless_readable()

    def the_askers(self, find):
        """What ``find(dbsession, account_id)`` finds for the asker; nothing for someone not
        logged in."""
        account_id = self.request.identity.account_id
        return None if account_id is None else find(self.request.dbsession, account_id)


class OwnApplicationContext(OwnContext):
    role_permission = Permission.MEMBERSHIP_SELF_MANAGE
    read_permission = Permission.MEMBERSHIP_APPLICATION_WITHDRAW

    @cached_property
    def application(self) -> MembershipApplication | None:
        """The asker's application waiting for a decision, if they have one."""
        return self.the_askers(membership.pending_application)


class OwnMembershipContext(OwnContext):
    role_permission = Permission.MEMBERSHIP_SELF_MANAGE
    read_permission = Permission.MEMBERSHIP_MEMBER_OWN

    @cached_property
    def member(self) -> Member | None:
        """The asker's current membership, if they hold one."""
        return self.request.identity.member


class ApplicationContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.application: MembershipApplication = load(
            request, MembershipApplication, "application_id"
        )


class RegisterEntryContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.member: Member = load(request, Member, "member_id")
        if self.member.purged:
            raise HTTPNotFound()
