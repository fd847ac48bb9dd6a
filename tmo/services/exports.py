"""CSV exports (the register of members, the board's roster, the youth ledger, a print run's
addresses): one writer, every text cell made safe to open in a spreadsheet, which must never run
a cell as a formula (OWASP "CSV injection": a name typed as ``=HYPERLINK(...)``)."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from pyramid.response import Response

from tmo.rules.letters import spreadsheet_safe

# A plain number (an amount, say) is left as it is: "-40.00" is not a formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(cell):
    if isinstance(cell, str) and not NUMBER.fullmatch(cell):
        return spreadsheet_safe(cell)
    return cell


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A CSV download of ``rows`` under ``header``, named ``filename``."""
    response = Response(csv_text(header, rows), content_type="text/csv", charset="utf-8")
    response.content_disposition = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
