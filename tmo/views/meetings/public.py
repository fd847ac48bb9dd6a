"""The public meetings pages: bodies, meetings to come and the search of published minutes; a
body's page and its calendar feed; each person's own feed (by log-in or by its secret address);
a meeting's agenda, its agenda pack, its published minutes (page and PDF) and its papers."""

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.forms import FormPage, act, form_page
from tmo.permissions import Permission
from tmo.presenters import london
from tmo.rules import meetings as rules
from tmo.schemas import meetings as schemas
from tmo.services import meetings
from tmo.services.files import download
from tmo.services.paging import page_number, paginate
from tmo.views import READ
from tmo.views.meetings import LABELS, agenda_pdf, agenda_values, minutes_pdf, minutes_values


@view_config(
    route_name="meetings",
    renderer="meetings/index.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def index(request):
    q = request.params.get("q", "")
    page = paginate(
        request.dbsession, meetings.published_query(q), page_number(request.params.get("page"))
    )
    return {
        "bodies": meetings.bodies(request.dbsession),
        "upcoming": meetings.upcoming(request.dbsession, request.now),
        "page": page,
        "q": q[:200],
        **LABELS,
    }


@view_config(
    route_name="meetings_body",
    renderer="meetings/body.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def body_page(context, request):
    body = context.body
    people = meetings.participants(request.dbsession, body, request.today)
    quorum = meetings.quorum_rule(body, request.constitution)
    query = meetings.held_and_coming_query(body)
    return {
        "body": body,
        "page": paginate(request.dbsession, query, page_number(request.params.get("page"))),
        # The general meeting is every member; young people's names are never public.
        "people": [] if body.kind in (rules.GENERAL_MEETING, rules.YOUTH_FORUM) else people,
        "member_count": len(people),
        "quorum": quorum,
        "quorum_needed": rules.quorum_needed(quorum, len(people)),
        **LABELS,
    }


def ics_response(content: bytes, filename: str) -> Response:
    response = Response(body=content, content_type="text/calendar", charset="utf-8")
    response.content_disposition = f'inline; filename="{filename}"'
    return response


def feed(request, name: str, found) -> bytes:
    return meetings.calendar(
        name, found, lambda m: request.route_url("meetings_meeting", meeting_id=m.id)
    )


@view_config(route_name="meetings_body_ics", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def body_ics(context, request):
    body = context.body
    content = feed(request, body.name, meetings.every_meeting(request.dbsession, body))
    return ics_response(content, f"body-{body.id}.ics")


def person_calendar(request, account):
    content = feed(
        request,
        f"Meetings for {account.display_name}",
        meetings.meetings_for_account(request.dbsession, account),
    )
    response = ics_response(content, "my-meetings.ics")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@view_config(
    route_name="meetings_mine_ics", request_method=READ, permission=Permission.MEETINGS_CALENDAR_OWN
)
def my_ics(request):
    return person_calendar(request, request.account)


@view_config(
    route_name="meetings_calendar_ics", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def calendar_by_link(context, request):
    return person_calendar(request, context.account)


@view_config(
    route_name="meetings_calendar",
    renderer="meetings/calendar.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_CALENDAR_OWN,
)
def calendar_page(request):
    return {
        "token": None,
        "has_token": meetings.has_calendar_token(request.dbsession, request.account),
    }


@view_config(
    route_name="meetings_calendar",
    renderer="meetings/calendar.jinja2",
    request_method="POST",
    permission=Permission.MEETINGS_CALENDAR_OWN,
)
def calendar_link(request):
    # The address is shown on this page only: never in a redirect, a flash cookie or a log.
    token = meetings.new_calendar_token(request.dbsession, request.account, request.now)
    return {"token": token, "has_token": True}


@view_config(
    route_name="meetings_meeting",
    renderer="meetings/meeting.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def meeting_page(context, request):
    meeting = context.meeting
    sits = request.has_permission(Permission.MEETINGS_APOLOGIES_SEND, context)
    coming = meeting.cancelled_at is None and not meetings.started(meeting, request.now)
    place = meetings.own_place(request.dbsession, meeting, request.account.id) if sits else None
    return {
        **agenda_values(request, meeting, full=False),
        "published": rules.published(meeting.minutes_state),
        "can_read_record": request.has_permission(Permission.MEETINGS_RECORD_READ, context),
        "agenda_draft": meetings.agenda_changeable(meeting, request.now),
        "may_send_apologies": coming and place is not None,
        "apologies": meetings.own_apologies(meeting, place.key) if place else None,
    }


@view_config(
    route_name="meetings_apologies_withdraw",
    request_method="POST",
    permission=Permission.MEETINGS_APOLOGIES_SEND,
)
def withdraw_apologies(context, request):
    def withdraw():
        meetings.withdraw_apologies(
            request.dbsession, context.meeting, account_id=request.account.id, now=request.now
        )
        return "Your apologies are withdrawn: you are expected at the meeting."

    return act(
        request, withdraw, request.route_url("meetings_meeting", meeting_id=context.meeting.id)
    )


@form_page("meetings_apologies", "form.jinja2", Permission.MEETINGS_APOLOGIES_SEND)
class ApologiesPage(FormPage):
    """A member of the body sends their apologies for a meeting to come."""

    submit_label = "Send my apologies"
    default_field = "reason"

    @property
    def meeting(self):
        return self.context.meeting

    @property
    def heading(self):
        return f"Send your apologies for {self.meeting.title}"

    def intro(self):
        return [
            f"{self.meeting.body.name}, {london(self.meeting.starts_at)}. The secretary records "
            "your apologies in the minutes; the meeting decides whether to accept them."
        ]

    def back(self):
        return self.request.route_url("meetings_meeting", meeting_id=self.meeting.id), (
            "Back to the meeting"
        )

    def make_schema(self):
        return schemas.apologies_schema().bind(request=self.request)

    def initial(self):
        place = meetings.own_place(self.request.dbsession, self.meeting, self.request.account.id)
        sent = meetings.own_apologies(self.meeting, place.key) if place else None
        return {"reason": sent.apologies_reason} if sent else {}

    def succeed(self, form, appstruct):
        meetings.send_apologies(
            self.request.dbsession,
            self.meeting,
            account_id=self.request.account.id,
            reason=appstruct["reason"],
            now=self.request.now,
        )
        return self.redirect(
            "meetings_meeting",
            "Your apologies are sent to the secretary.",
            meeting_id=self.meeting.id,
        )


@view_config(
    route_name="meetings_agenda_pdf", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def public_agenda_pdf(context, request):
    return agenda_pdf(request, context.meeting, full=False)


# The minutes and a paper: their contexts answer 404 to those who may not read them.


@view_config(
    route_name="meetings_minutes",
    renderer="meetings/minutes.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def public_minutes(context, request):
    return minutes_values(request, context.meeting, full=False)


@view_config(
    route_name="meetings_minutes_pdf", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def public_minutes_pdf(context, request):
    return minutes_pdf(request, context.meeting, full=False, what="minutes")


@view_config(route_name="meetings_paper", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def paper(context, request):
    return download(context.paper.file)
