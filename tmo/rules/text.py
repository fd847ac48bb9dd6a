"""Text that must stay on one line (a name, an address line, a title), wherever it comes from:
a form, the council's register file. Line breaks and other control characters would break what
it is written into: the BLT ballot file, a CSV export, a letter's address block, a log line."""

import re

# C0 and C1 control characters (line feed, carriage return, tab, NUL, escape, next line...) and
# Unicode's line and paragraph separators, which Python's splitlines() also breaks at.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` with each run of control characters made a space."""
    return CONTROL_CHARACTERS.sub(" ", text)


def tidied(text: str) -> str:
    """``text`` on one line, its runs of spaces made one and none around it."""
    return " ".join(one_line(text).split())
