"""The property import form: the council's CSV file, checked for what a form can tell (a file was
chosen, at most 20 MB, UTF-8 text; the rows are ``tmo.services.properties``'s business), and the
number typed to confirm an import that ends tenancies or ceases memberships above the
constitution's limit. Which button was pressed (check, the default, or import) is the view's."""

import colander
import deform

from tmo.forms import CSRFSchema
from tmo.schemas.files import read_upload as read_file
from tmo.schemas.files import upload_widget
from tmo.schemas.nodes import number_node
from tmo.services.properties import COLUMNS

MAXIMUM_UPLOAD_BYTES = 20 * 1024 * 1024
CSV_ACCEPT = ".csv,text/csv"


deferred_upload_widget = upload_widget(CSV_ACCEPT)


def read_upload(upload) -> bytes:
    """The uploaded file's content, read no further than one byte past the size limit."""
    return read_file(upload, MAXIMUM_UPLOAD_BYTES)


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
    confirm = number_node(
        "confirm",
        "To import a file that ceases many memberships, type the number to confirm",
        "Only asked for when importing would cease or end more than the constitution allows "
        "without confirming: check the file first and it tells you the number.",
        minimum=0,
        missing=None,
    )
