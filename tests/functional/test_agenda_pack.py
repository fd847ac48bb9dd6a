"""The agenda pack through the whole stack: one PDF, numbered "Page N of M" throughout, each PDF
paper's pages printed in place after its item's heading, a confidential item an "exempt"
placeholder in the public pack and in full in the directors', a paper a PDF cannot hold named
with where to get it, and the whole tagged for assistive technology (PDF/UA-1)."""

import zipfile
from io import BytesIO

import pypdfium2
from pypdf import PdfReader

from tests.functional.test_meetings import committee, fresh, past_meeting
from tmo.constitution import Constitution
from tmo.permissions import Role
from tmo.services import meetings
from tmo.services.pdf import html_to_pdf


def a_word_file() -> bytes:
    content = BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return content.getvalue()


def a_site_plan() -> bytes:
    """A small PNG: a plan or photo sent as a paper."""
    from PIL import Image

    content = BytesIO()
    Image.new("RGB", (120, 60), (0, 112, 60)).save(content, format="PNG")
    return content.getvalue()


def two_page_paper(first: str, second: str) -> bytes:
    return html_to_pdf(
        f'<html lang="en-GB"><title>Paper</title><p>{first}</p>'
        f'<p style="break-before: page">{second}</p></html>'
    )


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, its lines joined by single spaces."""
    return [
        " ".join(page.get_textpage().get_text_range().split())
        for page in pypdfium2.PdfDocument(pdf)
    ]


def with_papers(dbsession, meeting, title, confidential, papers):
    item = meetings.add_item(
        dbsession,
        meeting,
        title=title,
        presenter="Estate manager",
        summary="",
        confidential=confidential,
        actor_id=None,
    )
    for paper_title, content, filename in papers:
        meetings.add_paper(
            dbsession,
            item,
            title=paper_title,
            content=content,
            filename=filename,
            constitution=Constitution(),
            actor_id=None,
        )
    return item


def a_meeting_with_papers(dbsession, extra=()):
    """A committee meeting in five days: its standing items (1 to 4), item 5 with a paper of two
    pages (and ``extra`` papers), item 6 confidential with its own paper."""
    meeting = past_meeting(dbsession, committee(dbsession), -5, title="Ordinary meeting")
    cleaning = two_page_paper(
        "Cleaning scores rose in every block.", "Second page: the caretakers' rota."
    )
    with_papers(
        dbsession,
        meeting,
        "Estate cleaning",
        False,
        [("Cleaning scores", cleaning, "cleaning.pdf"), *extra],
    )
    secret = two_page_paper("Investigation report on the caretaker.", "Witness statements.")
    with_papers(dbsession, meeting, "Staff disciplinary case", True, [("Report", secret, "x.pdf")])
    dbsession.commit()
    return meeting


def test_the_public_agenda_pack_prints_each_paper_in_place_numbered_with_exempt_items(
    testapp, dbsession
):
    meeting = a_meeting_with_papers(dbsession)
    response = testapp.get(f"/meetings/{meeting.id}/agenda.pdf")
    assert response.content_type == "application/pdf"
    pages = pages_text(response.body)

    assert len(pages) == 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of 5" in text
    # Page 1: the agenda, numbered as in full, saying where the paper is.
    assert "Agenda: Finance and Audit Committee, Ordinary meeting" in pages[0]
    assert "Estate cleaning" in pages[0] and "Paper: Cleaning scores, page 2" in pages[0]
    assert "Exempt item: confidential, so not published." in pages[0]
    # Page 2: the item's heading; pages 3 and 4: the paper itself, stamped with the pack's numbers.
    assert "Item 5: Estate cleaning" in pages[1]
    assert "Its 2 pages follow: page 3 to page 4" in pages[1]
    assert "Cleaning scores rose in every block." in pages[2] and "Page 3 of 5" in pages[2]
    assert "Second page: the caretakers' rota." in pages[3] and "Page 4 of 5" in pages[3]
    # Page 5: the confidential item is a placeholder, never its title or its paper.
    assert "Item 6: exempt" in pages[4]
    everything = "".join(pages)
    for secret in ("Staff disciplinary case", "Investigation report", "Witness statements"):
        assert secret not in everything

    # Tagged for assistive technology, declared PDF/UA-1, and nothing hidden in attachments.
    catalog = PdfReader(BytesIO(response.body)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert 'pdfuaid:part="1"' in catalog["/Metadata"].get_object().get_data().decode()
    assert "/EmbeddedFiles" not in catalog.get("/Names", {})


def test_the_directors_pack_prints_the_confidential_papers_an_image_and_names_a_word_file(
    testapp, dbsession, logged_in
):
    extra = [("Budget", a_word_file(), "budget.docx"), ("Site plan", a_site_plan(), "plan.png")]
    meeting = a_meeting_with_papers(dbsession, extra=extra)
    budget = fresh(dbsession, meeting).items[-2].papers[1]
    logged_in(Role.DIRECTOR)
    pdf = testapp.get(f"/meetings/{meeting.id}/record-agenda.pdf").body
    pages = pages_text(pdf)

    # The agenda; item 5: its PDF paper's two pages, then the Word file named and the plan drawn
    # in place; item 6 and its paper's two pages.
    assert len(pages) == 8
    assert "Page 8 of 8" in pages[7]
    assert "Staff disciplinary case (confidential)" in pages[0]
    assert "Second page: the caretakers' rota." in pages[3]
    assert "Paper: Budget" in pages[4] and "Word file (budget.docx)" in pages[4]
    assert f"/meetings/papers/{budget.id}" in pages[4]
    assert "Paper: Site plan" in pages[4]
    images = pypdfium2.PdfDocument(pdf)[4].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])
    assert len(list(images)) == 1
    assert "Item 6: Staff disciplinary case" in pages[5]
    assert "Investigation report on the caretaker." in pages[6] and "Page 7 of 8" in pages[6]
    assert "Witness statements." in pages[7]
