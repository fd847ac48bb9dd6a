"""A meeting's full record, confidential items and papers included, for those who may read it
(the board's officers and the scrutineer, and the members of the meeting's own body): the minutes
as a page and a PDF, the full agenda pack, how long they are kept; and the chair signing them."""

from pyramid.view import view_config

from tmo.forms import form_page
from tmo.permissions import Permission
from tmo.rules import meetings as rules
from tmo.schemas import meetings as schemas
from tmo.services import meetings
from tmo.views import READ
from tmo.views.meetings import MeetingPage, agenda_pdf, minutes_pdf, minutes_values


@view_config(
    route_name="meetings_record",
    renderer="meetings/record.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_RECORD_READ,
)
def record(context, request):
    meeting = context.meeting
    return {
        **minutes_values(request, meeting, full=True),
        "kept_until": meetings.kept_until(meeting, request.constitution),
        "retention_years": request.constitution.meetings.minutes_retention_years,
    }


@view_config(
    route_name="meetings_record_pdf",
    request_method=READ,
    permission=Permission.MEETINGS_RECORD_READ,
)
def record_pdf(context, request):
    return minutes_pdf(request, context.meeting, full=True, what="minutes-full")


@view_config(
    route_name="meetings_record_agenda_pdf",
    request_method=READ,
    permission=Permission.MEETINGS_RECORD_READ,
)
def record_agenda_pdf(context, request):
    return agenda_pdf(request, context.meeting, full=True)


@form_page("meetings_sign", "form.jinja2", Permission.MEETINGS_MINUTES_SIGN)
class SignPage(MeetingPage):
    submit_label = "Sign the minutes"
    default_field = "confirm"

    @property
    def heading(self):
        return f"Sign the minutes of {self.meeting.title}"

    def back(self):
        return (
            self.request.route_url("meetings_record", meeting_id=self.meeting.id),
            "Back to the minutes",
        )

    def make_schema(self):
        return schemas.sign_schema().bind(request=self.request)

    def intro(self):
        state = rules.MINUTES_STATES[self.meeting.minutes_state].lower()
        return [
            f"The minutes are {state}. Once signed they are locked and published; any later "
            "correction is a recorded amendment."
        ]

    def succeed(self, form, appstruct):
        meetings.sign_minutes(
            self.request.dbsession, self.meeting, chair=self.request.account, now=self.request.now
        )
        return self.redirect(
            "meetings_minutes", "The minutes are signed and published.", meeting_id=self.meeting.id
        )
