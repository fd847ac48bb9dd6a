"""Checked uploads: a file's kind is worked out from its first bytes (never from its name or the
browser's word), its size is capped, and it is stored with a safe download name. Downloads are
served as attachments with ``nosniff``, so no uploaded file ever runs in tmo's pages.
"""

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO

from pyramid.response import Response

from tmo.models.files import StoredFile
from tmo.refusal import Refusal


@dataclass(frozen=True)
class Kind:
    media_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", "pdf", "PDF")
PNG = Kind("image/png", "png", "PNG")
JPEG = Kind("image/jpeg", "jpg", "JPEG")
WEBP = Kind("image/webp", "webp", "WebP")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word"
)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel")
ODT = Kind("application/vnd.oasis.opendocument.text", "odt", "OpenDocument text")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", "ods", "OpenDocument spreadsheet")

IMAGES = (PNG, JPEG, WEBP)
DOCUMENTS = (PDF, DOCX, XLSX, ODT, ODS)
# What a meeting's paper may be: a document, or a plan or photo, which the agenda pack prints.
PAPERS = (*DOCUMENTS, *IMAGES)
# What a quote or a receipt may be: a scan, a photo or a document.
EVIDENCE = (PDF, PNG, JPEG, WEBP)

MEGABYTE = 1024 * 1024


class FileRefused(Refusal, ValueError):
    """The file cannot be kept; the message says why in words a person can act on."""


def _zip_kind(content: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return next((kind for kind in (ODT, ODS) if kind.media_type == declared), None)
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def sniff(content: bytes) -> Kind | None:
    """The kind of file ``content`` is, from its first bytes; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def kinds_text(kinds: tuple[Kind, ...]) -> str:
    """``PDF, Word or Excel``."""
    labels = [kind.label for kind in kinds]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def describe(kinds: tuple[Kind, ...], maximum_bytes: int) -> str:
    """``PDF, Word or Excel, at most 10 MB``: the hint under an upload field."""
    return f"{kinds_text(kinds)}, at most {maximum_bytes // MEGABYTE} MB"


def check(content: bytes, kinds: tuple[Kind, ...], maximum_bytes: int) -> Kind:
    """The kind of an acceptable file; FileRefused says what is wrong with any other."""
    if not content:
        raise FileRefused("The file is empty.")
    if len(content) > maximum_bytes:
        raise FileRefused(f"The file must be {maximum_bytes // MEGABYTE} MB or smaller.")
    kind = sniff(content)
    if kind not in kinds:
        raise FileRefused(f"The file must be {kinds_text(kinds)}.")
    return kind


def safe_filename(name: str, kind: Kind) -> str:
    """A download name: the stem as typed, reduced to plain letters, digits, dots, dashes and
    underscores, with the extension of what the file really is."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:100] or "file"
    return f"{stem}.{kind.extension}"


def store(
    dbsession,
    content: bytes,
    filename: str,
    *,
    kinds: tuple[Kind, ...],
    maximum_bytes: int,
    actor_id: int | None,
) -> StoredFile:
    kind = check(content, kinds, maximum_bytes)
    stored = StoredFile(
        filename=safe_filename(filename, kind),
        media_type=kind.media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=actor_id,
    )
    dbsession.add(stored)
    dbsession.flush()
    return stored


def download(stored: StoredFile, *, inline: bool = False) -> Response:
    """The file as a response: an attachment (or inline, for an image shown in a page)."""
    disposition = "inline" if inline else "attachment"
    response = Response(
        body=stored.content,
        content_type=stored.media_type,
        content_disposition=f'{disposition}; filename="{stored.filename}"',
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
