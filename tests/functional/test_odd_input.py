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


# The 500s of issue 14's fuzzing, each through the page that gave it -------------------------------


def test_a_proposals_vote_page_when_no_vote_is_open_says_so_not_a_500(testapp, dbsession):
    from sqlalchemy import select

    from tests.conftest import log_in
    from tests.functional.test_youth import member, open_budget, propose
    from tmo.models.youth import YouthProposal

    open_budget(dbsession)
    proposer = member(dbsession, "Amara")
    dbsession.commit()
    log_in(testapp, proposer.account.email)
    assert propose(testapp).status_int == 302
    proposal = dbsession.scalar(select(YouthProposal))
    page = testapp.get(f"/youth/proposals/{proposal.id}/vote", expect_errors=True)
    assert page.status_int < 500
    assert "Sorry, there is a problem" not in page.text


def test_a_chair_vote_for_a_candidate_that_is_not_a_number_is_refused_not_a_500(
    testapp, dbsession, logged_in
):
    from webtest.forms import Radio

    from tests.conftest import log_in
    from tests.functional.test_youth import member

    voter = member(dbsession, "Maya", age=19, surname="Hussain")
    member(dbsession, "Leo", age=17, surname="Grant")
    logged_in(Role.YOUTH_WORKER)
    form = testapp.get("/youth/chair/open").forms["form"]
    form.get("checkbox", index=0).checked = True
    form.get("checkbox", index=1).checked = True
    form.submit("submit")
    testapp.reset()
    log_in(testapp, voter.account.email)
    form = testapp.get("/youth/chair/vote").forms["form"]
    (radio,) = [name for name, fields in form.fields.items() if isinstance(fields[0], Radio)]
    for odd in ("abc", "1e9", "99999999999999999999", ""):
        form[radio].force_value(odd)
        page = form.submit("submit", expect_errors=True)
        assert page.status_int == 200, (odd, page.status_int)
        assert "There is a problem" in page.text


def test_many_messages_waiting_unread_never_make_the_page_a_500(testapp, dbsession, logged_in):
    """Each POST below flashes a message and its redirect is never followed: the flash cookie
    grew past the 4 KB a browser takes, and the response failed with a 500 after its request
    had committed."""
    from sqlalchemy import func, select

    from tests.functional.test_youth import member, open_budget
    from tmo.models.audit import AuditEntry
    from tmo.models.youth import YouthProposal
    from tmo.rules.youth import ProposalStatus

    open_budget(dbsession)
    proposer = member(dbsession, "Amara")
    member(dbsession, "Leo")
    proposal = YouthProposal(
        proposer=proposer,
        status=ProposalStatus.VOTING,
        title="Football goals",
        what_and_why="Two goals for the ball court.",
        who_benefits="Everyone.",
        category="sport",
        cost_pence=50_000,
        cost_breakdown="2 goals",
    )
    dbsession.add(proposal)
    dbsession.commit()
    logged_in(Role.YOUTH_WORKER)
    before = dbsession.scalar(select(func.count()).select_from(AuditEntry))
    # One form sent again and again: a page shown between would read the messages.
    form = testapp.get(f"/youth/proposals/{proposal.id}/remind").forms["form"]
    for _ in range(60):
        sent = form.submit("submit", expect_errors=True)
        assert sent.status_int == 302
        assert len(sent.headers.get("Set-Cookie", "")) < 4096
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry)) > before
    assert testapp.get("/youth/forum").status_int == 200


def test_a_title_or_name_stored_with_a_line_break_leaves_the_blt_export_whole(
    testapp, dbsession, app
):
    """Forms and the property import now keep titles and names to one line; an election or a
    candidate stored before with a line break in its title or name was a 500 on the BLT
    export. It is written on one line."""
    from tests.elections_setup import KEY, count, fresh, now, poll_open, shift, web_request
    from tmo.rules.counting.ballots import read_blt
    from tmo.services import elections

    election, people = poll_open(dbsession, web_request(app, dbsession))
    first, second, _ = elections.accepted(election)
    election.title = "Board election\r\n2027"
    first.name = "Ada\nBrown"
    second.name = "Ben\tCarter\x1b"
    elections.cast(dbsession, election.id, people[-1].id, (first.id,), key=KEY, now=now())
    shift(election, 30)
    count(dbsession, election)
    dbsession.commit()
    export = testapp.get(f"/elections/{fresh(dbsession, election).id}/ballots.blt")
    assert export.status_int == 200
    read = read_blt(export.text)
    assert read.title == "Board election 2027"
    assert read.candidates[:2] == ["Ada Brown", "Ben Carter"]
