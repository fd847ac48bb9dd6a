"""The property import form: the council's CSV file, checked for what a form can tell (a file was
chosen, at most 20 MB, UTF-8 text; the rows are ``tmo.services.properties``'s business), and a
"check only" box. deform's file widget wants a store to keep an upload across a failed submission;
tmo reads the file in the same request, so a plain in-memory store made for each form will do."""

import colander
import deform

from tmo.forms import CSRFSchema
from tmo.services.properties import COLUMNS

MAXIMUM_UPLOAD_BYTES = 20 * 1024 * 1024
CSV_ACCEPT = ".csv,text/csv"


class RequestFileStore(dict):
    """deform's FileUploadTempStore for one request: nothing outlives the form it was made for."""

    def preview_url(self, uid):
        return None


class CSVUploadWidget(deform.widget.FileUploadWidget):
    """deform's file upload, taking a field sent without a file as "no file" rather than as a
    malformed upload: WebOb hands over a part that has no filename as a string, which deform's
    own widget refuses with "Invalid pstruct"."""

    def deserialize(self, field, pstruct):
        if isinstance(pstruct, dict) and pstruct.get("upload") in ("", b""):
            pstruct = {key: value for key, value in pstruct.items() if key != "upload"}
        return super().deserialize(field, pstruct)


@colander.deferred
def deferred_upload_widget(node, kw):
    return CSVUploadWidget(RequestFileStore(), accept=CSV_ACCEPT)


def read_upload(upload) -> bytes:
    """The uploaded file's content, read no further than one byte past the size limit."""
    upload["fp"].seek(0)
    return upload["fp"].read(MAXIMUM_UPLOAD_BYTES + 1)


def check_csv_upload(node, upload):
    content = read_upload(upload)
    if len(content) > MAXIMUM_UPLOAD_BYTES:
        raise colander.Invalid(node, "The file must be 20 MB or smaller.")
    if not content.strip():
        raise colander.Invalid(node, "The file is empty.")
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise colander.Invalid(
            node,
            "The file is not a CSV file in UTF-8. In your spreadsheet, save it as "
            "“CSV UTF-8 (comma delimited)” and choose it again.",
        ) from None


class PropertyImportSchema(CSRFSchema):
    csv_file = colander.SchemaNode(
        deform.FileData(),
        title="The council's CSV export",
        description=(
            "One row for each tenancy holder, with the columns "
            + ", ".join(COLUMNS)
            + ". A void home leaves the tenancy columns empty; dates are written YYYY-MM-DD. "
            "UTF-8 CSV, at most 20 MB."
        ),
        missing_msg="Choose the council's CSV file.",
        validator=check_csv_upload,
        widget=deferred_upload_widget,
    )
    dry_run = colander.SchemaNode(
        colander.Boolean(),
        title="Check only, do not import",
        description="Check every row and show what would change, without saving anything.",
        missing=False,
        widget=deform.widget.CheckboxWidget(),
    )
