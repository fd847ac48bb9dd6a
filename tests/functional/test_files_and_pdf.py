"""Files kept in the database come back whole, as attachments that never run; PDFs print."""

import pytest

from tests.factories import AccountFactory
from tmo.models.files import StoredFile
from tmo.services import files
from tmo.services.pdf import html_to_pdf


def test_a_stored_file_comes_back_as_a_safe_attachment(dbsession):
    account = AccountFactory()
    content = b"%PDF-1.4\n" + bytes(range(256)) * 40
    stored = files.store(
        dbsession,
        content,
        "Minutes (draft).pdf",
        kinds=files.DOCUMENTS,
        maximum_bytes=files.MEGABYTE,
        actor_id=account.id,
    )
    dbsession.expire_all()
    again = dbsession.get(StoredFile, stored.id)
    assert again.content == content
    assert (again.media_type, again.size, again.filename) == (
        "application/pdf",
        len(content),
        "Minutes-draft.pdf",
    )
    response = files.download(again)
    assert response.body == content
    assert response.headers["Content-Disposition"] == 'attachment; filename="Minutes-draft.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_is_not_kept(dbsession):
    with pytest.raises(files.FileRefused):
        files.store(
            dbsession, b"#!/bin/sh", "x.pdf", kinds=files.DOCUMENTS, maximum_bytes=99, actor_id=None
        )
    assert dbsession.query(StoredFile).count() == 0


def test_a_page_prints_to_pdf_without_fetching_anything_remote():
    pdf = html_to_pdf(
        '<h1>Result</h1><img src="https://example.invalid/tracker.png" alt="">'
        "<table><tr><th>Candidate</th><td>1,234.00000</td></tr></table>"
    )
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
