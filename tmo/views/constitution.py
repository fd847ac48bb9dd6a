"""The administrator's constitution page: the rules in force, their history, and a new version."""

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.schemas.constitution import appstruct_from, constitution_from, constitution_schema
from tmo.services.constitution import adopt_constitution, history


@form_page("constitution_edit", "constitution/edit.jinja2", Permission.ADMIN_CONSTITUTION_EDIT)
class ConstitutionPage(FormPage):
    submit_label = "Adopt these rules"
    heading = "Edit the constitution"
    # Where a contradiction between rules is shown on the form: the rule's section.
    field_aliases = {
        "board.maximum_directors": "board",
        "youth.maximum_age": "youth",
        "membership.eligible_tenures": "membership",
    }

    def make_schema(self):
        return constitution_schema(self.request.constitution).bind(request=self.request)

    def intro(self):
        return [
            "Record rules the members have adopted. Each change is kept as a new version with the "
            "date it takes effect; the old versions stay on record below."
        ]

    def initial(self):
        return appstruct_from(self.request.constitution, self.request.today)

    def extra(self):
        return {"history": history(self.request.dbsession)}

    def succeed(self, form, appstruct):
        proposed = constitution_from(appstruct, self.request.constitution)
        adopt_constitution(
            self.request.dbsession,
            proposed,
            effective_from=appstruct["effective_from"],
            note=appstruct["note"],
            actor_id=self.request.account.id,
        )
        when = appstruct["effective_from"]
        message = (
            "The new rules are in force."
            if when <= self.request.today
            else f"The new rules will take effect on {when:%-d %B %Y}."
        )
        return self.redirect("constitution_edit", message)
