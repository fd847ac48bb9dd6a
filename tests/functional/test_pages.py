"""What every page and form offers a person using a screen reader, a keyboard or a small phone:
landmarks, a skip link, labelled fields, an error summary that links to each field, hints and
errors tied to inputs, grouped choices; and the demo TMO."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import log_in
from tests.elections_setup import TEST_SECRET
from tmo.demo import (
    DEMO_ACCOUNTS,
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    DEMO_YOUTH_ACCOUNTS,
    load_demo,
)
from tmo.models.accounts import Account
from tmo.models.membership import Home, Member
from tmo.permissions import Role


def test_one_layout_with_landmarks_and_a_skip_link(testapp):
    page = testapp.get("/").html
    assert page.html["lang"] == "en-GB"
    assert page.select_one('meta[name="viewport"]')["content"].startswith("width=device-width")
    skip = page.select_one("a.skip-link")
    assert skip["href"] == "#main-content"
    assert page.select_one("main#main-content") is not None
    assert page.select_one("header") and page.select_one("footer")
    assert page.select_one("nav")["aria-label"] == "Main"
    assert len(page.select("h1")) == 1


def test_a_failed_form_leads_with_an_error_summary_linking_to_each_field(testapp):
    form = testapp.get("/register").forms["form"]
    page = form.submit("submit")
    html = page.html
    assert html.title.get_text().startswith("Error: ")
    summary = html.select_one(".error-summary")
    assert summary["role"] == "alert"
    assert summary.find_previous("input", {"type": "text"}) is None, "summary is not first"
    links = summary.select("a")
    assert [link.get_text() for link in links] == [
        "Enter your name.",
        "Enter your email address.",
        "Enter a password.",
    ]
    for link in links:
        target = html.select_one(link["href"])
        assert target is not None and target.name == "input", link["href"]
        assert target["aria-invalid"] == "true"
        described = target["aria-describedby"].split()
        messages = [html.select_one(f"#{ident}").get_text(" ", strip=True) for ident in described]
        assert any(link.get_text() in message for message in messages)


def test_every_input_has_a_label_and_hints_are_tied_to_their_inputs(testapp):
    html = testapp.get("/register").html
    inputs = html.select("input:not([type=hidden])")
    assert inputs
    for field in inputs:
        label = html.select_one(f'label[for="{field["id"]}"]')
        assert label is not None and label.get_text(strip=True), field
    password = html.select_one("input[type=password]")
    hint = html.select_one(f"#{password['aria-describedby']}")
    assert "At least 8 characters" in hint.get_text()
    assert password["autocomplete"] == "new-password"
    assert html.select_one("input[type=email]")["autocomplete"] == "email"


def test_choices_are_grouped_in_fieldsets_with_legends(testapp, logged_in):
    logged_in(Role.ADMINISTRATOR)
    html = testapp.get("/admin/constitution").html
    radios = html.select("input[type=radio]")
    assert radios
    for radio in radios:
        fieldset = radio.find_parent("fieldset")
        assert fieldset is not None and fieldset.find("legend").get_text(strip=True)
        assert html.select_one(f'label[for="{radio["id"]}"]') is not None


def test_flash_messages_report_what_happened(testapp, logged_in):
    logged_in()
    page = testapp.get("/account").forms[0].submit().follow()
    assert page.html.select_one('[role="status"]').get_text(strip=True) == "You have logged out."


def test_the_demo_has_an_account_for_every_role_and_loads_once(testapp, dbsession):
    assert load_demo(dbsession, date.today(), secret=TEST_SECRET) is True
    dbsession.commit()
    assert load_demo(dbsession, date.today(), secret=TEST_SECRET) is False
    accounts = dbsession.scalars(select(Account)).all()
    youth_accounts = len(DEMO_YOUTH_ACCOUNTS) + 1  # and one asking to join the forum
    assert len(accounts) == len(DEMO_ACCOUNTS) + len(DEMO_APPLICANTS) + youth_accounts
    held = set().union(*(account.roles for account in accounts))
    assert held == set(Role)
    page = log_in(testapp, "secretary@example.org", DEMO_PASSWORD)
    assert "As secretary" in page.text
    assert "Golborne Estates TMO (demo)" in page.text


def test_the_demo_shows_the_register_and_waiting_applications(testapp, dbsession):
    load_demo(dbsession, date.today(), secret=TEST_SECRET)
    dbsession.commit()
    members = dbsession.scalars(select(Member)).all()
    assert 75 <= len(members) <= 85
    assert any(m.ceased_on for m in members) and any(m.ceased_on is None for m in members)
    assert len(dbsession.scalars(select(Home)).all()) == 200
    # Every member's entry matches a tenancy in their name.
    assert all(m.tenancy.holder_name == m.name for m in members)

    log_in(testapp, "member@example.org", DEMO_PASSWORD)
    assert "Member (may vote)" in testapp.get("/membership").text
    testapp.get("/account").forms[0].submit()
    log_in(testapp, "secretary@example.org", DEMO_PASSWORD)
    waiting = testapp.get("/secretary/applications")
    assert waiting.text.count("<tr>") == len(DEMO_APPLICANTS) + 1
    current = sum(1 for m in members if m.ceased_on is None)
    assert f"({current} in all)" in testapp.get("/secretary/register").text


@pytest.mark.parametrize("email", [email for email, _, _ in DEMO_ACCOUNTS])
def test_every_demo_login_works(testapp, dbsession, email):
    load_demo(dbsession, date.today(), secret=TEST_SECRET)
    dbsession.commit()
    log_in(testapp, email, DEMO_PASSWORD)


def test_the_demo_has_a_full_rotating_board(testapp, dbsession):
    from tmo.constitution import Constitution
    from tmo.services import board

    today = date.today()
    load_demo(dbsession, today, secret=TEST_SECRET)
    dbsession.commit()
    rows = board.roster(dbsession, Constitution(), today)
    assert len(rows) == 16 and not any(row.vacant for row in rows)
    agm = board.next_elected_end(dbsession, today)
    retiring = board.retiring(dbsession, agm, today)
    # About a third of the 8 resident seats fall due at the next AGM.
    assert 2 <= len(retiring) <= 3
    roster = testapp.get("/board").text
    assert "Chris Walsh" in roster and "Cllr Helen Marsh" in roster and "Yusuf" in roster
