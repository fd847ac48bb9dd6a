"""The board in a real browser: the secretary records a councillor's resignation, appoints the
council's new nominee, sees the council-influence warning, and is refused a fifth councillor;
axe checks every page on the way."""

import re
from datetime import date

import pytest

from tests.browser.conftest import fill_date, main_menu
from tmo.demo import DEMO_PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser


def nav(page):
    return main_menu(page)


def appoint(page, seat_label, name):
    page.get_by_role("link", name="Appoint a director").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appoint a director")
    page.get_by_label("Seat", exact=True).select_option(label=seat_label)
    page.get_by_role("group", name="How they come to hold it").get_by_label(
        "Appointed by the council"
    ).check()
    page.get_by_label("The term starts on").fill(date.today().isoformat())
    fill_date(page, "The council's nomination date", date.today())
    page.get_by_label("Full name (a new person)").fill(name)
    fill_date(page, "Date of birth (a new person)", "1971-08-19")
    page.get_by_role("button", name="Appoint").click()


def test_secretary_appoints_a_councillor_is_refused_a_fifth_and_sees_the_warning(
    page, live_server, assert_accessible
):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill("secretary@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    nav(page).get_by_role("link", name="Manage the board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage the board")
    assert_accessible(page)

    # Councillor Owen Pryce resigns: his seat falls vacant.
    page.get_by_role("link", name="End the term of Cllr Owen Pryce").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End the term of Cllr Owen Pryce")
    assert_accessible(page)
    page.get_by_role("group", name="Why is the term ending?").get_by_label("Resigned").check()
    page.get_by_label("The term ends on").fill(date.today().isoformat())
    page.get_by_role("button", name="End the term").click()
    expect(page.get_by_role("status").get_by_text("has ended")).to_be_visible()
    expect(page.get_by_role("link", name="Fill Councillor seat 4")).to_be_visible()

    # The council nominates a new councillor: the secretary appoints her.
    appoint(page, "Councillor seat 4: vacant", "Cllr Amina Hassan")
    expect(
        page.get_by_role("status").get_by_text("Cllr Amina Hassan holds the seat")
    ).to_be_visible()
    warning = page.get_by_role("status").get_by_text(re.compile(r"^Council influence: 25%"))
    expect(warning.first).to_be_visible()
    expect(page.get_by_text("Local Government and Housing Act 1989 s69").first).to_be_visible()
    assert_accessible(page)

    # A fifth councillor: every councillor seat is filled.
    appoint(page, "Councillor seat 1: held by Cllr Helen Marsh", "Cllr One Too Many")
    summary = page.get_by_role("alert", name="There is a problem")
    expect(summary).to_contain_text(
        "Seat limit: the constitution has 4 councillor seats, and all are filled."
    )
    expect(page).to_have_title(re.compile("^Error: Appoint a director"))
    assert_accessible(page)

    page.goto("/board")
    expect(page.get_by_role("row").filter(has_text="Cllr Amina Hassan")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Cllr One Too Many")).to_have_count(0)
    assert_accessible(page)
