"""Letters: how a notice sent by post is laid out for a window envelope and a mailing house, and
which day a print run may be marked posted on. Plain values in, plain values out: no clock, no
database, no web.

An address is kept as one line, its parts separated by commas (or line breaks), the postcode
last (``Member.address``). A mailing house's spreadsheet must not run a cell as a formula (OWASP
"CSV injection"): a cell starting with ``= + - @``, a tab or a carriage return is quoted with
``'``, the prefix spreadsheets show as text.
"""

import re
from datetime import date

from tmo.refusal import Refusal


class LetterRefused(Refusal):
    pass


# Lines of an address a window shows under the name (the postcode has a line of its own).
ADDRESS_LINES = 4

# A UK postcode, with or without its space (BS 7666): "W10 5AB", "SW1A1AA".
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}$", re.IGNORECASE)

# What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def address_lines(address: str) -> tuple[list[str], str]:
    """The lines of an address (at most ``ADDRESS_LINES``: the rest joined to the last) and its
    postcode ("" when the last part is not one)."""
    parts = [part.strip() for part in re.split(r"[,\n]", address or "") if part.strip()]
    postcode = ""
    if parts and POSTCODE.match(parts[-1]):
        postcode = " ".join(parts.pop().upper().split())
    if len(parts) > ADDRESS_LINES:
        parts = [*parts[: ADDRESS_LINES - 1], ", ".join(parts[ADDRESS_LINES - 1 :])]
    return parts, postcode


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it and never runs it: a formula's start is quoted."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def paragraphs(body: str) -> list[list[str]]:
    """A message's paragraphs (split at blank lines), each as its lines."""
    blocks = re.split(r"\n\s*\n", (body or "").strip())
    return [[line.rstrip() for line in block.splitlines()] for block in blocks if block.strip()]


def check_posting_day(posted_on: date, made_on: date, today: date) -> None:
    """A print run is posted on a day from the one it was made to today."""
    if posted_on > today:
        raise LetterRefused("The letters cannot be posted on a day still to come.", "posted_on")
    if posted_on < made_on:
        raise LetterRefused(
            f"The letters cannot have been posted before they were printed on {made_on:%-d %B %Y}.",
            "posted_on",
        )
