"""No page asks the database more as the TMO's history grows: each page of the navigation sends
the same number of statements over the demo's few years as over half a century of board terms,
five hundred meetings and the rest (``tests.history``)."""

from collections import Counter
from datetime import date

import pytest

from tests.conftest import log_in
from tests.elections_setup import TEST_SECRET
from tests.history import grow_history
from tmo.demo import DEMO_PASSWORD, load_demo

# (who is logged in, the page): every page the navigation leads to, for someone who sees it.
PAGES = [
    (None, "/"),
    ("member", "/"),
    ("member", "/account"),
    ("member", "/membership"),
    ("secretary", "/membership"),
    (None, "/meetings"),
    ("member", "/meetings"),
    (None, "/board"),
    (None, "/elections"),
    ("member", "/elections"),
    (None, "/youth"),
    ("youth", "/youth"),
    (None, "/constitution"),
    ("member", "/meetings/requisitions"),
    ("secretary", "/secretary/register"),
    ("secretary", "/secretary/applications"),
    ("secretary", "/secretary/board"),
    ("secretary", "/secretary/meetings"),
    ("secretary", "/secretary/notices"),
    ("secretary", "/youth/budget"),
    ("youth.worker", "/youth/members"),
    ("chair", "/board/my-interests"),
    ("returning.officer", "/returning-officer/elections"),
    ("admin", "/admin/accounts"),
    ("admin", "/admin/audit"),
    ("admin", "/admin/constitution"),
    ("admin", "/admin/properties/import"),
]


def statements_of(testapp, dbsession, statements, path: str) -> list[str]:
    """The statements one GET of ``path`` sends, with nothing already in the session's memory
    (the test and the app share it) and after a first GET has warmed what a process keeps: the
    page rendered, not served again from the page cache (``test_page_cache.py``)."""
    dbsession.expunge_all()
    testapp.get(path)
    dbsession.expunge_all()
    testapp.app.registry["tmo.pages"].clear()
    with statements as sent:
        testapp.get(path)
    return list(sent.sent)


def difference(small: list[str], large: list[str]) -> str:
    more = Counter(large)
    more.subtract(Counter(small))
    return "\n".join(f"{n:+d} x {text[:200]}" for text, n in more.items() if n)


@pytest.mark.parametrize(
    ("who", "path"), PAGES, ids=[f"{who or 'public'}:{path}" for who, path in PAGES]
)
def test_a_page_sends_as_many_statements_over_a_long_history_as_over_a_short_one(
    testapp, dbsession, statements, who, path
):
    today = date.today()
    load_demo(dbsession, today, secret=TEST_SECRET)
    dbsession.commit()
    if who:
        log_in(testapp, f"{who}@example.org", DEMO_PASSWORD)
    small = statements_of(testapp, dbsession, statements, path)

    grow_history(dbsession, today)
    large = statements_of(testapp, dbsession, statements, path)

    assert len(large) == len(small), difference(small, large)
