"""Uploads are judged by their content: what a file really is, and how big."""

import io
import zipfile

import pytest

from tmo.services import files


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", files.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", files.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", files.JPEG),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", files.WEBP),
        (zipped({"word/document.xml": b"<w/>"}), files.DOCX),
        (zipped({"xl/workbook.xml": b"<x/>"}), files.XLSX),
        (zipped({"mimetype": files.ODT.media_type.encode()}), files.ODT),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
        (zipped({"evil.sh": b"rm -rf /"}), None),
        (b"PK\x03\x04 not really a zip", None),
    ],
)
def test_a_file_is_known_by_its_first_bytes(content, kind):
    assert files.sniff(content) == kind


def test_a_script_named_like_a_pdf_is_refused_with_the_kinds_allowed():
    with pytest.raises(files.FileRefused, match="must be PDF, Word"):
        files.check(b"<script>", files.DOCUMENTS, 5 * files.MEGABYTE)


def test_an_oversized_or_empty_file_is_refused():
    with pytest.raises(files.FileRefused, match="2 MB or smaller"):
        files.check(b"%PDF-" + b"x" * (2 * files.MEGABYTE), files.DOCUMENTS, 2 * files.MEGABYTE)
    with pytest.raises(files.FileRefused, match="empty"):
        files.check(b"", files.DOCUMENTS, files.MEGABYTE)


@pytest.mark.parametrize(
    ("typed", "kind", "kept"),
    [
        ("Budget 2026.xlsx", files.XLSX, "Budget-2026.xlsx"),
        ("C:\\Users\\me\\quote.PDF", files.PDF, "quote.pdf"),
        ("../../etc/passwd", files.PDF, "passwd.pdf"),
        ("photo.exe", files.JPEG, "photo.jpg"),
        ("Café menu.pdf", files.PDF, "Cafe-menu.pdf"),
        ('"; evil=1.pdf', files.PDF, "evil-1.pdf"),
        ("....pdf", files.PDF, "file.pdf"),
    ],
)
def test_the_download_name_is_safe_and_has_the_real_extension(typed, kind, kept):
    assert files.safe_filename(typed, kind) == kept


def test_the_hint_names_the_kinds_and_the_limit():
    assert files.describe(files.IMAGES, 5 * files.MEGABYTE) == "PNG, JPEG or WebP, at most 5 MB"
