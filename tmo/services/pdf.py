"""PDFs: a page's Jinja2 template rendered to HTML and printed by WeasyPrint (result sheets,
agenda packs, minutes, reports). WeasyPrint lays out HTML and CSS for print, so a PDF is written
like any other page; it fetches nothing from the network: only ``data:`` URLs (an embedded photo)
are read, and every other address is refused. Every PDF is tagged for assistive technology
(PDF/UA-1). Pages of other PDFs (an agenda pack's papers) are printed in place: the HTML keeps a
page for each, which carries the pack's header and page number, and the paper's page is drawn on it.
"""

from importlib.resources import files
from io import BytesIO

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pyramid.renderers import render
from pyramid.response import Response

PRINT_CSS = (files("tmo") / "static" / "print.css").read_text(encoding="utf-8")
# The space a printed-in page leaves at the foot of the page for the page number: print.css's
# bottom margin (20 mm).
FOOT = 20 * 72 / 25.4
KEPT_PAGE = "kept-page-{key}-{number}"


def pages_of(content: bytes) -> list[PageObject] | None:
    """The pages of a PDF file, or None when it cannot be read (damaged, or locked)."""
    try:
        reader = PdfReader(BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        # A writer's own copy, so a turned page can be turned upright in its content.
        pages = list(PdfWriter(clone_from=reader).pages)
        for page in pages:
            if page.rotation:
                page.transfer_rotation_to_content()
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return pages or None


def kept_page_id(key: str, number: int) -> str:
    """The ``id`` of the element that keeps a page for page ``number`` (from 1) of ``key``."""
    return KEPT_PAGE.format(key=key, number=number)


def html_to_pdf(html: str, inserts: dict[str, list[PageObject]] | None = None) -> bytes:
    """``inserts``: pages printed in place, each on the page the HTML keeps for it (an element
    with the ``id`` ``kept_page_id(key, number)``)."""
    # Imported here: WeasyPrint loads Pango at import, which only the PDF pages need.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    document = HTML(string=html, url_fetcher=fetcher, base_url="data:,").render(
        stylesheets=[CSS(string=PRINT_CSS)]
    )
    content = document.write_pdf(pdf_variant="pdf/ua-1")
    if not inserts:
        return content
    wanted = {
        kept_page_id(key, number): page
        for key, pages in inserts.items()
        for number, page in enumerate(pages, start=1)
    }
    writer = PdfWriter(clone_from=BytesIO(content))
    for index, laid_out in enumerate(document.pages):
        for anchor in laid_out.anchors:
            if anchor in wanted:
                draw_within(writer.pages[index], wanted[anchor])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def draw_within(target: PageObject, page: PageObject) -> None:
    """Draw ``page`` on ``target``, as large as fits above its foot, centred, never enlarged."""
    width, height = float(target.mediabox.width), float(target.mediabox.height) - FOOT
    box = page.cropbox
    scale = min(width / float(box.width), height / float(box.height), 1.0)
    placed = (
        Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .scale(scale)
        .translate(
            (width - float(box.width) * scale) / 2,
            FOOT + height - float(box.height) * scale,
        )
    )
    target.merge_transformed_page(page, placed)


def render_pdf(template: str, values: dict, request, inserts=None) -> bytes:
    """The PDF of ``template`` (a Jinja2 page written for print, extending ``pdf/base.jinja2``)."""
    return html_to_pdf(render(template, values, request=request), inserts)


def pdf_response(content: bytes, filename: str, *, attachment: bool = False) -> Response:
    disposition = "attachment" if attachment else "inline"
    response = Response(
        body=content,
        content_type="application/pdf",
        content_disposition=f'{disposition}; filename="{filename}"',
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
