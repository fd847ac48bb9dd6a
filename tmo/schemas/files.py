"""File fields: deform's upload widget made to take "no file chosen" calmly, and a field that
checks the file's real kind and size with a message a person can act on (``tmo.services.files``).

deform's file widget wants a store to keep an upload across a failed submission; tmo reads the file
in the same request, so a plain in-memory store made for each form will do (a failed form asks for
the file again, and says so).
"""

import colander
import deform

from tmo.services import files


class RequestFileStore(dict):
    """deform's FileUploadTempStore for one request: nothing outlives the form it was made for."""

    def preview_url(self, uid):
        return None


class UploadWidget(deform.widget.FileUploadWidget):
    """deform's file upload, taking a field sent without a file as "no file" rather than as a
    malformed upload: WebOb hands over a part that has no filename (empty, or with content a
    crafted request put there) as a string, which deform's own widget refuses with "Invalid
    pstruct"."""

    def deserialize(self, field, pstruct):
        if isinstance(pstruct, dict) and isinstance(pstruct.get("upload"), str | bytes):
            pstruct = {key: value for key, value in pstruct.items() if key != "upload"}
        return super().deserialize(field, pstruct)


def upload_widget(accept: str):
    @colander.deferred
    def deferred(node, kw):
        return UploadWidget(RequestFileStore(), accept=accept)

    return deferred


def read_upload(upload, maximum_bytes: int) -> bytes:
    """The uploaded file's content, read no further than one byte past the size limit."""
    upload["fp"].seek(0)
    return upload["fp"].read(maximum_bytes + 1)


def file_node(
    name: str,
    title: str,
    *,
    kinds: tuple[files.Kind, ...],
    maximum_bytes: int,
    description: str = "",
    required: bool = False,
    missing_msg: str = "Choose a file.",
) -> colander.SchemaNode:
    """An upload of one of ``kinds``, at most ``maximum_bytes``; the appstruct is deform's dict
    (``fp``, ``filename``...) or None when optional and left empty. Read it with
    ``read_upload`` and keep it with ``files.store``."""

    def check(node, upload):
        try:
            files.check(read_upload(upload, maximum_bytes), kinds, maximum_bytes)
        except files.FileRefused as refused:
            raise colander.Invalid(node, str(refused)) from None

    hint = files.describe(kinds, maximum_bytes) + "."
    return colander.SchemaNode(
        deform.FileData(),
        name=name,
        title=title,
        description=f"{description} {hint}".strip(),
        validator=check,
        widget=upload_widget(",".join(f".{kind.extension},{kind.media_type}" for kind in kinds)),
        missing=colander.required if required else None,
        missing_msg=missing_msg,
    )
