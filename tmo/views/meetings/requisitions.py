"""Members' requisitions of a general meeting: the list with each one's signatures and deadline,
starting one, and signing one. Only a current member of the TMO starts or signs."""

from pyramid.view import view_config

from tmo.forms import act, form_page
from tmo.permissions import Permission
from tmo.schemas import meetings as schemas
from tmo.services import meetings
from tmo.views import READ
from tmo.views.meetings import SecretaryPage


@view_config(
    route_name="requisitions",
    renderer="meetings/requisitions.jinja2",
    request_method=READ,
    permission=Permission.MEETINGS_REQUISITIONS_READ,
)
def requisitions(request):
    dbsession = request.dbsession
    member = request.identity.member
    found = meetings.requisitions(dbsession)
    return {
        "requisitions": found,
        "signed": {r.id for r in found if meetings.signed_by(r, member)},
        "called": {r.id: meetings.called_meeting(dbsession, r) for r in found},
        "threshold": meetings.requisition_threshold(dbsession, request.constitution, request.today),
        "member": member,
    }


@form_page(
    "requisition_new",
    "form.jinja2",
    Permission.MEETINGS_REQUISITIONS_READ,
    post_permission=Permission.MEETINGS_REQUISITION_SIGN,
)
class RequisitionNewPage(SecretaryPage):
    submit_label = "Start the requisition and sign it"
    heading = "Requisition a general meeting"
    default_field = "purpose"

    def back(self):
        return self.request.route_url("requisitions"), "Back to requisitions"

    def make_schema(self):
        return schemas.requisition_schema().bind(request=self.request)

    def intro(self):
        rules = self.request.constitution.meetings
        return [
            f"Once {rules.requisition_percent}% of the members entitled to vote have signed, the "
            f"board must call the meeting within {rules.requisition_call_days} days (Companies "
            "Act 2006 s303 and s304)."
        ]

    def succeed(self, form, appstruct):
        meetings.start_requisition(self.request, self.request.identity.member, appstruct["purpose"])
        return self.redirect("requisitions", "Your requisition is started and signed.")


@view_config(
    route_name="requisition_sign",
    request_method="POST",
    permission=Permission.MEETINGS_REQUISITION_SIGN,
)
def requisition_sign(context, request):
    def sign():
        meetings.sign_requisition(request, context.requisition, request.identity.member)
        return "You have signed the requisition."

    return act(request, sign, request.route_url("requisitions"))
