"""The administrator's constitution page: the rules in force, their history, and a new version.
A new version is never saved in one click: the first press shows every rule it changes, old and
new, any rule it would break, and from when it would apply; "Save this version" then saves exactly
what was shown (a change made after the preview is previewed again)."""

import hashlib
import json

import colander
import deform

from tmo.constitution import to_dict
from tmo.forms import AccessibleForm, FormPage, form_page
from tmo.permissions import Permission
from tmo.schemas.constitution import appstruct_from, constitution_from, constitution_schema
from tmo.services.constitution import (
    ConstitutionConflict,
    adopt_constitution,
    changes_between,
    check_version,
    history,
    version_in_force,
    when_it_applies,
)


def fingerprint(rules: dict, appstruct: dict) -> str:
    """What a preview showed: the rules, their date and the note."""
    shown = {
        "rules": rules,
        "from": appstruct["effective_from"].isoformat(),
        "note": appstruct["note"],
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


@form_page("constitution_edit", "constitution/edit.jinja2", Permission.ADMIN_CONSTITUTION_EDIT)
class ConstitutionPage(FormPage):
    heading = "Edit the constitution"
    # Where a contradiction between rules is shown on the form: the rule's section.
    field_aliases = {
        "board.maximum_directors": "board",
        "meetings.board_quorum": "meetings",
        "youth.maximum_age": "youth",
        "membership.eligible_tenures": "membership",
    }
    preview = None

    def make_schema(self):
        return constitution_schema(self.request.constitution).bind(request=self.request)

    def make_form(self, *, previewed: bool = False) -> AccessibleForm:
        # Previewing comes first, so that pressing Enter previews and never saves.
        buttons = [
            deform.Button("preview", "Preview the changes" if not previewed else "Preview again")
        ]
        if previewed:
            buttons.append(deform.Button("save", "Save this version"))
        return AccessibleForm(
            self.make_schema(), buttons=buttons, formid="form", action=self.request.path_qs
        )

    def intro(self):
        return [
            "Record rules the members have adopted. Each change is kept as a new version with the "
            "date it takes effect; the old versions stay on record below. You will see what "
            "changes before anything is saved."
        ]

    def initial(self):
        return appstruct_from(self.request.constitution, self.request.today)

    def extra(self):
        today = self.request.today
        return {
            "history": history(self.request.dbsession),
            "in_force": version_in_force(self.request.dbsession, today),
            "today": today,
            "preview": self.preview,
        }

    def refused(self, form, refusal):
        if isinstance(refusal, ConstitutionConflict):
            return self.refuse_all(form, refusal.problems)
        return super().refused(form, refusal)

    def refuse_all(self, form, problems):
        """Every contradiction at once, each against its own rule's section."""
        schema = form.schema
        error = colander.Invalid(schema, None)
        by_field: dict[str, list[str]] = {}
        for path, message in problems:
            name = self.field_aliases.get(path, path.split(".")[0])
            if name not in schema:
                name = None
            by_field.setdefault(name, []).append(message)
        for name, messages in by_field.items():
            if name is None:
                error.msg = " ".join(messages)
                continue
            node = schema[name]
            error.add(colander.Invalid(node, " ".join(messages)), schema.children.index(node))
        form.widget.handle_error(form, error)
        failure = deform.ValidationFailure(form, form.cstruct, error)
        return self.page(form, failure.render(), failed=True)

    def succeed(self, form, appstruct):
        request = self.request
        proposed = constitution_from(appstruct, request.constitution)
        when = appstruct["effective_from"]
        check_version(request.dbsession, proposed, effective_from=when, today=request.today)
        shown = fingerprint(to_dict(proposed), appstruct)
        if "save" not in request.POST or appstruct["previewed"] != shown:
            self.preview = {
                "changes": changes_between(request.constitution, proposed),
                "applies": when_it_applies(request.dbsession, when, request.today, saved=False),
                "changed_since": "save" in request.POST,
            }
            fresh = self.make_form(previewed=True)
            return self.page(fresh, fresh.render({**appstruct, "previewed": shown}))
        adopt_constitution(
            request.dbsession,
            proposed,
            effective_from=when,
            note=appstruct["note"],
            actor_id=request.account.id,
            today=request.today,
        )
        return self.redirect(
            "constitution_edit", when_it_applies(request.dbsession, when, request.today)
        )
