"""Paging: the page number read from a query string, and the links a page of results offers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmo.services.paging import PER_PAGE, Page, page_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2),
        ("1", 1),
        ("17", 17),
        ("abc", 1),
        ("-3", 1),
        ("0", 1),
        ("", 1),
        ("2.5", 1),
        ("1e3", 1),
        (None, 1),
        ("1000000", 1_000_000),
        ("1000001", 1_000_000),
        ("9" * 40, 1_000_000),
    ],
)
def test_page_number(value, expected):
    assert page_number(value) == expected


@given(st.text(max_size=20))
def test_page_number_is_always_a_usable_page(value):
    number = page_number(value)
    assert isinstance(number, int)
    assert 1 <= number <= 1_000_000


def test_twenty_five_to_a_page_by_default():
    assert PER_PAGE == 25


@pytest.mark.parametrize(
    ("total", "pages"), [(0, 1), (1, 1), (25, 1), (26, 2), (50, 2), (51, 3), (1000, 40)]
)
def test_pages(total, pages):
    assert Page([], 1, 25, total).pages == pages


def test_no_results_is_one_page_with_no_links():
    page = Page([], 1, 25, 0)
    assert (page.pages, page.previous, page.next) == (1, None, None)


def test_a_single_full_page_has_no_links():
    page = Page(list(range(25)), 1, 25, 25)
    assert (page.previous, page.next) == (None, None)


@pytest.mark.parametrize(
    ("number", "previous", "following"), [(1, None, 2), (2, 1, 3), (3, 2, None)]
)
def test_links_at_the_edges(number, previous, following):
    page = Page([], number, 25, 60)
    assert page.pages == 3
    assert page.previous == previous
    assert page.next == following


@given(
    total=st.integers(min_value=0, max_value=10_000),
    per_page=st.integers(min_value=1, max_value=100),
    data=st.data(),
)
def test_the_pages_hold_every_result_and_the_links_walk_them(total, per_page, data):
    pages = Page([], 1, per_page, total).pages
    assert pages >= 1
    assert (pages - 1) * per_page < max(total, 1) <= pages * per_page
    number = data.draw(st.integers(min_value=1, max_value=pages))
    page = Page([], number, per_page, total)
    assert page.previous == (number - 1 if number > 1 else None)
    assert page.next == (number + 1 if number < pages else None)
