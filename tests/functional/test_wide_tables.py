"""Every table on every page scrolls sideways by keyboard on a narrow screen: it sits in a region
that takes focus (``tabindex="0"``) and is named by the table's caption, so at 320 px a person
without a mouse can still reach its last column."""

import re

from tests.elections_setup import TEST_SECRET
from tests.factories import AccountFactory, MemberFactory
from tests.functional.test_odd_input import concrete
from tmo.clock import SystemClock
from tmo.demo import load_demo
from tmo.permissions import Role
from tmo.views import ROUTES

# Files, not pages: PDFs, CSVs, calendars, downloads.
NOT_PAGES = re.compile(r"\.(pdf|csv|ics|blt)$|/files/|/photos/|/papers/\{")


def region_of(table):
    """The scrolling region around ``table``, or None."""
    region = table.find_parent("div", class_="table-scroll")
    if region is None or region.get("role") != "region" or region.get("tabindex") != "0":
        return None
    return region


def test_every_table_on_every_page_is_in_a_focusable_labelled_scrolling_region(testapp, dbsession):
    assert load_demo(dbsession, SystemClock().today(), secret=TEST_SECRET) is True
    dbsession.commit()
    account = AccountFactory(roles=list(Role))
    MemberFactory(account=account)
    from tests.conftest import log_in

    log_in(testapp, account.email)
    pages_with_tables = set()
    for name, pattern in ROUTES:
        if name == "logout" or NOT_PAGES.search(pattern):
            continue
        response = testapp.get(concrete(pattern), expect_errors=True)
        if response.status_int != 200 or response.content_type != "text/html":
            continue
        html = response.html
        for table in html.select("table"):
            region = region_of(table)
            assert region is not None, (name, str(table)[:120])
            label = html.find(id=region["aria-labelledby"])
            assert label is not None and label.get_text(strip=True), name
            assert label.find_parent("table") is table, name  # named by its own caption
            pages_with_tables.add(name)
        ids = [element["id"] for element in html.select("[id]")]
        assert len(ids) == len(set(ids)), name  # each region names one caption
    # The walk reached the pages that hold tables (registers, lists, ledgers, results...).
    assert len(pages_with_tables) >= 15, sorted(pages_with_tables)
