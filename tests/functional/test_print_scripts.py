"""Every character a person can type prints: a letter's PDF names its addressee, and an agenda
pack an item, in any script, emoji included, with no glyph missing (WeasyPrint reports each one it
has to print as .notdef)."""

import logging
from io import BytesIO

import pypdfium2
from pypdf import PdfReader
from sqlalchemy import select

from tests.functional.test_agenda_pack import with_papers
from tests.functional.test_meetings import committee, past_meeting
from tests.functional.test_notices import letters, make_a_print_run, secretary
from tmo.models.notices import PrintRun

NAME = "Zoë Ωμέγα Дмитрий محمد অমিত 李小龍 😀"
# The words text extraction gives back as typed (shaped Bengali and colour emoji do not round-trip
# through a PDF's text layer, so those two are checked by the fonts that drew them).
READABLE = ("Zoë", "Ωμέγα", "Дмитрий", "محمد", "李小龍")


def fonts_of(pdf: bytes) -> set[str]:
    """The names of the fonts embedded in ``pdf`` (without their subset prefix)."""
    names = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_a_letter_prints_a_name_in_every_script_without_a_missing_glyph(
    testapp, dbsession, logged_in, caplog
):
    letters(dbsession, "Notice of the AGM", [NAME])
    secretary(logged_in)
    make_a_print_run(testapp)
    run = dbsession.scalar(select(PrintRun))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = testapp.get(f"/secretary/notices/print-runs/{run.id}/letters.pdf").body
    assert [r.message for r in caplog.records if ".notdef" in r.getMessage()] == []
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    for word in READABLE:
        assert word in text
    fonts = fonts_of(pdf)
    assert "Noto-Sans-Bengali" in fonts and "Noto-Color-Emoji" in fonts


def test_an_agenda_pack_prints_an_item_in_every_script_without_a_missing_glyph(
    testapp, dbsession, caplog
):
    meeting = past_meeting(dbsession, committee(dbsession), -5)
    with_papers(dbsession, meeting, f"Welcome to {NAME}", False, [])
    dbsession.commit()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = testapp.get(f"/meetings/{meeting.id}/agenda.pdf").body
    assert [r.message for r in caplog.records if ".notdef" in r.getMessage()] == []
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    for word in READABLE:
        assert word in text
