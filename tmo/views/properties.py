"""The property import page: the secretary or administrator uploads the council's CSV export. The
first button (and the Enter key) only checks it and shows, line by line, what importing would do;
importing is the second button, and an import that would end tenancies or cease memberships above
the constitution's limit is refused, with nothing changed, until the number is typed."""

import deform

from tmo.forms import AccessibleForm, FormPage, form_page
from tmo.permissions import Permission
from tmo.schemas.properties import PropertyImportSchema, read_upload
from tmo.services.properties import (
    ImportNotConfirmed,
    PropertyImportError,
    describe_error,
    import_properties,
)

# How many of a file's problems the error summary names before "and N more".
PROBLEMS_LISTED = 20


class ImportForm(AccessibleForm):
    """The import form, whose error summary also names each wrong line of the file, each linking
    to the file field (the fix is to correct the file and choose it again)."""

    row_problems: tuple[str, ...] = ()

    def error_summary(self):
        found = super().error_summary()
        if self.row_problems:
            file_id = self["csv_file"].oid
            found += [(file_id, problem) for problem in self.row_problems[:PROBLEMS_LISTED]]
            unlisted = len(self.row_problems) - PROBLEMS_LISTED
            if unlisted > 0:
                found.append((file_id, f"and {unlisted} more"))
        return found


@form_page("properties_import", "properties/import.jinja2", Permission.ADMIN_PROPERTIES_IMPORT)
class PropertyImportPage(FormPage):
    schema = PropertyImportSchema
    heading = "Import the property register"
    default_field = "confirm"
    report = None

    def intro(self):
        return [
            "Upload the council's export of the homes on our estates and who holds each tenancy "
            "or lease. Homes are matched by their property reference and tenancies by their "
            "reference and holder number: new ones are added and changed ones updated. Homes "
            "missing from the file are kept. A tenancy missing from the file is ended today, and "
            "so is any membership that rests on it.",
            '"Check the file" saves nothing: it shows every home, tenancy and membership '
            'importing would change. "Import the file" saves it, and only if every row is '
            "correct. An import that would cease or end more than "
            f"{self.request.constitution.membership.import_confirm_percent}% of the memberships "
            "or tenancies must be confirmed by typing the number.",
        ]

    def make_form(self) -> ImportForm:
        return ImportForm(
            self.make_schema(),
            # The check comes first, so that pressing Enter checks and never imports.
            buttons=(
                deform.Button("check", "Check the file"),
                deform.Button("import", "Import the file"),
            ),
            formid="form",
            action=self.request.path_qs,
        )

    def extra(self):
        return {"report": self.report}

    def succeed(self, form, appstruct):
        upload = appstruct["csv_file"]
        self.report = import_properties(
            self.request.dbsession,
            read_upload(upload),
            as_of=self.request.today,
            actor_id=self.request.account.id,
            confirm_percent=self.request.constitution.membership.import_confirm_percent,
            confirmed=appstruct["confirm"],
            dry_run="import" not in self.request.POST,
            file_name=upload["filename"],
        )
        fresh = self.make_form()
        return self.page(fresh, fresh.render())

    def refused(self, form, refusal):
        if isinstance(refusal, ImportNotConfirmed):
            # What the import would do stays on the page, beside the box to type the number in.
            self.report = refusal.report
            return super().refused(form, refusal)
        if not isinstance(refusal, PropertyImportError):
            return super().refused(form, refusal)
        # The summary counts the problems and the error summary names each wrong line.
        form.row_problems = tuple(describe_error(*problem) for problem in refusal.errors)
        count = len(refusal.errors)
        return self.refuse(
            form,
            f"The file has {count} problem{'s' if count != 1 else ''}, so nothing was "
            "imported. Correct the file and choose it again.",
            "csv_file",
        )
