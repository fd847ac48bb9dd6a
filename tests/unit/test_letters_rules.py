"""Letters: an address split for a window and a mailing house, a cell no spreadsheet runs, a
message's paragraphs, and the day a print run may be marked posted."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmo.rules.letters import (
    FORMULA_STARTS,
    LetterRefused,
    address_lines,
    check_posting_day,
    paragraphs,
    spreadsheet_safe,
)


@pytest.mark.parametrize(
    ("address", "lines", "postcode"),
    [
        ("Flat 3, Elm House, W10 5AB", ["Flat 3", "Elm House"], "W10 5AB"),
        ("12 Oak Road\nLondon\nsw1a1aa", ["12 Oak Road", "London"], "SW1A1AA"),
        ("Flat 3, Elm House", ["Flat 3", "Elm House"], ""),
        ("a, b, c, d, e, f, W10  5AB", ["a", "b", "c", "d, e, f"], "W10 5AB"),
        ("", [], ""),
        (" ,, W10 5AB ,", [], "W10 5AB"),
    ],
)
def test_an_address_is_its_lines_and_its_postcode(address, lines, postcode):
    assert address_lines(address) == (lines, postcode)


@given(st.text(max_size=40))
def test_no_cell_starts_as_a_formula_and_its_text_is_kept(cell):
    safe = spreadsheet_safe(cell)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (cell, "'" + cell)


def test_a_message_s_paragraphs_are_split_at_blank_lines():
    body = "Dear Ann,\n\nThe meeting is on Friday\nat 7pm.\n  \n\nYours,\nThe secretary\n"
    assert paragraphs(body) == [
        ["Dear Ann,"],
        ["The meeting is on Friday", "at 7pm."],
        ["Yours,", "The secretary"],
    ]
    assert paragraphs("") == []


def test_a_run_is_posted_between_the_day_it_was_made_and_today():
    made, today = date(2026, 11, 9), date(2026, 11, 11)
    for day in (made, date(2026, 11, 10), today):
        check_posting_day(day, made, today)
    with pytest.raises(LetterRefused, match="still to come"):
        check_posting_day(date(2026, 11, 12), made, today)
    with pytest.raises(LetterRefused, match="before they were printed on 9 November 2026"):
        check_posting_day(date(2026, 11, 8), made, today)
