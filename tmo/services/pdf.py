"""PDFs: a page's Jinja2 template rendered to HTML and printed by WeasyPrint (result sheets,
agenda packs, minutes, reports). WeasyPrint lays out HTML and CSS for print, so a PDF is written
like any other page; it fetches nothing from the network: only ``data:`` URLs (an embedded photo)
are read, and every other address is refused.
"""

from importlib.resources import files
from io import BytesIO

from pyramid.renderers import render
from pyramid.response import Response

PRINT_CSS = (files("tmo") / "static" / "print.css").read_text(encoding="utf-8")


def html_to_pdf(html: str, attachments=()) -> bytes:
    """``attachments``: (file name, description, content) embedded in the PDF (an agenda pack's
    papers, say)."""
    # Imported here: WeasyPrint loads Pango at import, which only the PDF pages need.
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    document = HTML(string=html, url_fetcher=fetcher, base_url="data:,")
    embedded = [
        Attachment(file_obj=BytesIO(content), name=name, description=description)
        for name, description, content in attachments
    ]
    return document.write_pdf(stylesheets=[CSS(string=PRINT_CSS)], attachments=embedded)


def render_pdf(template: str, values: dict, request, attachments=()) -> bytes:
    """The PDF of ``template`` (a Jinja2 page written for print, extending ``pdf/base.jinja2``)."""
    return html_to_pdf(render(template, values, request=request), attachments)


def pdf_response(content: bytes, filename: str, *, attachment: bool = False) -> Response:
    disposition = "attachment" if attachment else "inline"
    response = Response(
        body=content,
        content_type="application/pdf",
        content_disposition=f'{disposition}; filename="{filename}"',
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
