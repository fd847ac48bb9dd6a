"""Staff acting for a resident who phoned, wrote or came in (assisted digital): entering their
application to join, and recording how a member wants to be contacted. The resident may have no
account and no email; what staff enter is marked "entered for them by NAME" on the record and in
the audit log. Staff never vote for anyone: a member who cannot vote alone uses a paper ballot or
their code."""

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.rules.notices import Channel
from tmo.schemas.membership import application_schema, contact_schema
from tmo.services import contact_choices
from tmo.views.membership import ApplicationFormPage, contact_words, recorded_words


@form_page("application_enter", "membership/apply.jinja2", Permission.MEMBERSHIP_APPLICATION_ENTER)
class EnterApplicationPage(ApplicationFormPage):
    """An application to join entered by staff for a resident with no account, as they told
    it; the secretary then decides it like any other."""

    heading = "Enter an application for a resident"
    submit_label = "Enter the application"

    def intro(self):
        return [
            "For a resident who phoned, wrote or came in. They need no account and no email: "
            "without an email, we post their letters to their home. The application is marked "
            "as entered for them by you."
        ]

    def back(self):
        return self.request.route_url("applications"), "Back to applications"

    def make_schema(self):
        return application_schema(
            self.homes,
            self.request.constitution.membership.associate_members,
            "",
            for_someone=True,
        ).bind(request=self.request)

    def extra(self):
        return {
            **super().extra(),
            "postcode_label": "Their postcode",
            "find_label": "Find their home",
        }

    def succeed(self, form, appstruct):
        application = self.apply(
            appstruct,
            None,
            contact_email=appstruct["contact_email"],
            told_how=appstruct["told_how"],
        )
        return self.redirect(
            "application",
            f"The application from {application.full_name} has been entered for them.",
            application_id=application.id,
        )


@form_page(
    "member_register_contact",
    "membership/register_form.jinja2",
    Permission.MEMBERSHIP_CONTACT_RECORD,
)
class RecordContactPage(FormPage):
    """How a member wants to be contacted, as they told staff."""

    submit_label = "Record their choice"

    @property
    def heading(self):
        return f"How {self.context.member.name} wants to be contacted"

    def intro(self):
        member = self.context.member
        return [
            f"Notices now: {contact_words(member)}.",
            f"Their choice recorded: {recorded_words(member)}.",
            "Record what they told you. Your name goes on the record as having entered it for "
            "them.",
        ]

    def make_schema(self):
        return contact_schema(for_someone=True).bind(request=self.request)

    def extra(self):
        return {"member": self.context.member}

    def succeed(self, form, appstruct):
        member = self.context.member
        contact_choices.record_contact_choice(
            self.request,
            member,
            contact_by=Channel(appstruct["contact_by"]),
            contact_email=appstruct["contact_email"],
            told_how=appstruct["told_how"],
        )
        return self.redirect(
            "member_register_entry",
            f"Recorded how {member.name} wants to be contacted.",
            member_id=member.id,
        )
