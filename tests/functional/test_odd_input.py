"""No page answers 500 to odd input: every route that answers GET, visited by a person holding
every role, with query strings a confused browser or a curious person might send."""

import re

import pytest

from tests.factories import AccountFactory, MemberFactory
from tmo.permissions import Role
from tmo.views import ROUTES

# A route's placeholder, such as {member_id:\d{1,9}} (one level of braces inside).
PLACEHOLDER = re.compile(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")

ODD_QUERIES = [
    {},
    {"page": "-1"},
    {"page": "99999999999999999999"},
    {"q": "%_'\"<script>"},
    {"q": "x" * 5000},
    {"status": "nonsense", "estate": "abc", "block": "-2", "role": "emperor"},
    {"postcode": "not a postcode at all, clearly"},
    {"agm": "2026-02-31"},
    {"action": "\u0000"},
    {"next": "//evil.example/"},
    {"seat": "councillor:999", "director": "x", "start": "yesterday"},
]
# Query strings as sent, not as a form would encode them: bytes that are not UTF-8, a
# character outside Latin-1 and a line break where a page address is expected.
RAW_QUERIES = ["q=%FF&status=%C3%28", "next=%E2%82%AC%F0%9F%8F%A0", "next=%0D%0ALocation:%20x"]


@pytest.fixture
def everyone(testapp):
    account = AccountFactory(roles=list(Role))
    MemberFactory(account=account)
    from tests.conftest import log_in

    log_in(testapp, account.email)
    return account


def concrete(pattern: str) -> str:
    """A route pattern with each placeholder filled by a plausible (or missing) id."""
    return re.sub(PLACEHOLDER, "1", pattern)


@pytest.mark.parametrize("name,pattern", [r for r in ROUTES if r[0] != "logout"])
def test_no_get_route_answers_500_to_odd_queries(testapp, everyone, name, pattern):
    for params in ODD_QUERIES:
        response = testapp.get(concrete(pattern), params=params, expect_errors=True)
        assert response.status_int < 500, (name, params, response.status)
    for query in RAW_QUERIES:
        response = testapp.get(f"{concrete(pattern)}?{query}", expect_errors=True)
        assert response.status_int < 500, (name, query, response.status)


@pytest.mark.parametrize("name,pattern", [r for r in ROUTES if "_id:" in r[1]])
def test_an_id_too_large_for_the_database_is_a_404_not_a_500(testapp, everyone, name, pattern):
    path = re.sub(PLACEHOLDER, "9" * 20, pattern)
    assert testapp.get(path, expect_errors=True).status_int == 404, name
    longest = re.sub(PLACEHOLDER, "9" * 9, pattern)
    assert testapp.get(longest, expect_errors=True).status_int < 500, name


def test_a_nul_character_is_refused_with_a_400_not_a_500(testapp):
    page = testapp.get("/login", params={"next": "/\x00"}, expect_errors=True)
    assert page.status_int == 400
    assert "could not be understood" in page.text
    form = testapp.get("/register").forms["form"]
    form["display_name"] = "Ruth\x00"
    assert form.submit("submit", expect_errors=True).status_int == 400


def test_a_query_string_that_is_not_utf8_is_refused_with_a_400(testapp):
    page = testapp.get("/meetings?q=%FF", expect_errors=True)
    assert page.status_int == 400
    assert "could not be understood" in page.text


def test_an_upload_part_without_a_filename_is_no_file_not_a_500(testapp, dbsession):
    """A crafted request whose file part has content but no filename: the form asks for the
    file, as for one left empty, and keeps what was typed."""
    import webtest
    from sqlalchemy import select

    from tests.conftest import choose, log_in
    from tests.functional.test_youth import PDF, member, open_budget
    from tmo.models.youth import YouthProposal

    open_budget(dbsession)
    amara = member(dbsession, "Amara")
    log_in(testapp, amara.account.email)
    form = testapp.get("/youth/proposals/new").forms["form"]
    form["title"] = "Goals"
    form["what_and_why"] = "Play"
    form["who_benefits"] = "Everyone"
    choose(form, "sport")
    form["cost_pence"] = "50"
    form["cost_breakdown"] = "2 goals"
    form["upload"] = webtest.Upload("", PDF, "application/pdf")
    saved = form.submit("submit")
    assert saved.status_int == 302  # saved as a draft, with no quote
    proposal = dbsession.scalar(select(YouthProposal))
    assert proposal.title == "Goals" and proposal.quote_file_id is None


def test_a_line_break_sent_in_a_one_line_field_is_kept_as_a_space(testapp, dbsession):
    """No browser sends one from a one-line field, but a crafted request may: kept, it broke the
    BLT export of an election whose title held it."""
    from sqlalchemy import select

    from tmo.models.accounts import Account

    form = testapp.get("/register").forms["form"]
    form["display_name"] = "Ruth\r\nAdeyemi\t"
    form["email"] = "ruth.line@example.org"
    form["password"] = "mango kettle orbit lantern"
    assert form.submit("submit").status_int == 302
    account = dbsession.scalar(select(Account).where(Account.email == "ruth.line@example.org"))
    assert account.display_name == "Ruth Adeyemi"


def test_an_estate_or_block_too_large_or_not_ascii_filters_nothing_not_a_500(testapp, everyone):
    """Found by tests/reliability/test_fuzz.py: twenty digits overflowed the database's integer,
    and "²" passed isdigit() then failed int()."""
    for odd in ("9" * 20, "\u00b2", "\u0661"):
        page = testapp.get("/secretary/register", params={"estate": odd, "block": odd})
        assert page.status_int == 200
