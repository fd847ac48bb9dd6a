"""Meetings contexts: a body, a seat on one, a meeting (and its published minutes), an agenda item,
a paper, an action, a requisition, and the owner of a calendar-feed address, loaded from the path.

Unpublished minutes and a confidential paper are a 404 for those who may not read them, as if
they did not exist; so is a calendar address nobody holds.
"""

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound

from tmo.contexts import Context, load
from tmo.models.meetings import (
    AgendaItem,
    AgendaPaper,
    Body,
    BodyMember,
    Meeting,
    MeetingAction,
    Requisition,
)
from tmo.permissions import Permission
from tmo.services import meetings


class BodyContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.body: Body = load(request, Body, "body_id")


class SeatContext(Context):
    """A seat on a body (``seat_id``)."""

    def __init__(self, request):
        super().__init__(request)
        self.seat: BodyMember = load(request, BodyMember, "seat_id")
        self.body: Body = self.seat.body


class OfAMeeting(Context):
    """Anything about one meeting: the facts about the asker that its permits read."""

    meeting: Meeting

    @cached_property
    def asker_sits_on_the_body(self) -> bool:
        """Whether the asker is a member of the meeting's body on the day of the meeting."""
        account_id = self.request.identity.account_id
        return account_id is not None and meetings.belongs(
            self.request.dbsession, self.meeting, account_id
        )


class MeetingContext(OfAMeeting):
    def __init__(self, request):
        super().__init__(request)
        self.meeting = load(request, Meeting, "meeting_id")
        self.conceal_unless_readable()


class MinutesContext(MeetingContext):
    """A meeting's public minutes: they exist once signed."""

    read_permission = Permission.MEETINGS_MINUTES_READ


class ItemContext(OfAMeeting):
    def __init__(self, request):
        super().__init__(request)
        self.item: AgendaItem = load(request, AgendaItem, "item_id")
        self.meeting = self.item.meeting


class PaperContext(OfAMeeting):
    """A paper of an agenda item: a confidential one exists only for the readers of the record."""

    read_permission = Permission.MEETINGS_PAPER_READ

    def __init__(self, request):
        super().__init__(request)
        self.paper: AgendaPaper = load(request, AgendaPaper, "paper_id")
        self.item: AgendaItem = self.paper.item
        self.meeting = self.item.meeting
        self.conceal_unless_readable()


class ActionContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.action: MeetingAction = load(request, MeetingAction, "action_id")


class RequisitionContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.requisition: Requisition = load(request, Requisition, "requisition_id")


class CalendarFeedContext(Context):
    """The person whose secret calendar-feed address this is (a calendar app sends no log-in)."""

    def __init__(self, request):
        super().__init__(request)
        account = meetings.account_for_calendar(request.dbsession, request.matchdict["token"])
        if account is None:
            raise HTTPNotFound()
        self.account = account
