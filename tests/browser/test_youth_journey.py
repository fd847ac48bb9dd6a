"""The Youth Forum in a real browser: Amara, who is 15, proposes a spend with its quote; the youth
worker checks it and puts it to the vote; the forum votes, and the vote closes itself once all
have, committing the money; the worker records the spend with its receipt; the dashboard shows
it. axe checks every page on the way."""

import re
from datetime import date

import pytest

from tests.browser.conftest import fill_date, main_menu
from tmo.demo import DEMO_PASSWORD, DEMO_YOUTH_ACCOUNTS
from tmo.rules.youth import format_pounds, parse_pounds

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

QUOTE = {"name": "quote.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 quote\n"}
RECEIPT = {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 paid\n"}
FORUM = ["youth@example.org", *(email for email, *_ in DEMO_YOUTH_ACCOUNTS)]


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(main_menu(page).get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    main_menu(page).get_by_role("button", name="Log out").click()


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def left_to_spend(page) -> int:
    lead = page.get_by_text(re.compile(r"is left to spend this year")).inner_text()
    return parse_pounds(lead.split(" is left")[0])


def test_a_15_year_old_proposes_the_forum_decides_and_the_spend_shows_on_the_dashboard(
    page, assert_accessible
):
    log_in(page, "youth.worker@example.org")
    main_menu(page).get_by_role("link", name="Youth budget").click()
    heading(page, re.compile(r"^The Youth Forum's budget"))
    assert_accessible(page)
    before = left_to_spend(page)
    log_out(page)

    # Amara (15) suggests an idea, with the supplier's quote.
    log_in(page, "amara.youth@example.org")
    main_menu(page).get_by_role("link", name="Youth Forum").click()
    page.get_by_role("link", name="Your Youth Forum").click()
    heading(page, "Your Youth Forum")
    assert_accessible(page)
    page.get_by_role("link", name="Suggest an idea").click()
    heading(page, "Suggest a way to spend the budget")
    page.get_by_label("Give your idea a short name").fill("Basketball hoops")
    page.get_by_label("What do you want to do, and why?").fill("New hoops for the ball court.")
    page.get_by_label("Who will it help?").fill("Everyone who plays on the court.")
    page.get_by_role("group", name="What kind of idea is it?").get_by_label(
        "Sport and games"
    ).check()
    page.get_by_label("How much will it cost (£)?").fill("four fifty")
    page.get_by_label("What does the money pay for?").fill("2 hoops at £225 each")
    page.get_by_label("A quote or price from the supplier").set_input_files(QUOTE)
    page.get_by_role("button", name="Save my idea").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "Enter an amount of money in pounds"
    )
    assert_accessible(page)
    page.get_by_label("How much will it cost (£)?").fill("450")
    page.get_by_label("A quote or price from the supplier").set_input_files(QUOTE)
    page.get_by_role("button", name="Save my idea").click()
    heading(page, "Basketball hoops")
    expect(page.get_by_role("status").get_by_text("Your idea is saved")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Send it to the youth worker").click()
    page.get_by_role("button", name="Send it to the youth worker").click()
    expect(page.get_by_text("Waiting for the youth worker")).to_be_visible()
    proposal_url = page.url
    log_out(page)

    # The youth worker checks it can be done, and puts it to the forum's vote.
    log_in(page, "youth.worker@example.org")
    page.goto(proposal_url)
    page.get_by_role("link", name="Check the proposal").click()
    heading(page, "Check the proposal")
    assert_accessible(page)
    page.get_by_role("group", name="Your check").get_by_label(
        "It is feasible and allowed: put it to the forum's vote"
    ).check()
    page.get_by_role("textbox", name="Comments (optional)").fill(
        "The supplier can fit them in a week."
    )
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_role("status").get_by_text("The forum's vote is open.")).to_be_visible()
    log_out(page)

    # Every forum member votes.
    for email in FORUM:
        log_in(page, email)
        page.goto(proposal_url)
        page.get_by_role("link", name="Vote on this proposal").click()
        heading(page, "Vote on this proposal")
        if email == FORUM[0]:
            assert_accessible(page)
        page.get_by_role("group", name="Your vote").get_by_label("For", exact=True).check()
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.get_by_role("status").get_by_text("Your vote is in")).to_be_visible()
        log_out(page)

    # Everyone has voted, so the vote has closed itself: the money is committed at once.
    log_in(page, "youth.worker@example.org")
    page.goto(proposal_url)
    expect(page.get_by_text("5 for, 0 against, 0 abstaining.")).to_be_visible()
    expect(page.get_by_role("link", name="Count the votes")).to_have_count(0)
    expect(page.get_by_text("Money committed", exact=True)).to_be_visible()
    assert_accessible(page)

    # The spend, with its receipt.
    page.get_by_role("link", name="Record the spend").click()
    heading(page, "Record the spend")
    assert_accessible(page)
    page.get_by_label("How much was spent (£)?").fill("430")
    page.get_by_label("The receipt").set_input_files(RECEIPT)
    page.get_by_role("button", name="Record the spend").click()
    expect(
        page.get_by_role("status").get_by_text("Underspent by £20.00: released back to the budget")
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Download the receipt"))).to_be_visible()
    assert_accessible(page)

    # The dashboard shows the money spent.
    main_menu(page).get_by_role("link", name="Youth budget").click()
    expect(
        page.get_by_text(f"{format_pounds(before - 43_000)} is left to spend this year")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("^Money committed and spent, month"))
    ).to_be_visible()
    by_kind = re.compile("^Money committed and spent by kind of idea")
    expect(page.get_by_role("img", name=by_kind)).to_be_visible()
    expect(page.get_by_role("table", name="By kind of idea")).to_contain_text("Sport and games")
    assert_accessible(page)


def test_the_other_youth_forum_pages_are_accessible(page, assert_accessible):
    """The pages the journey above does not pass through, as the demo has them."""
    page.goto("/youth")
    heading(page, "The Youth Forum")
    expect(page.get_by_role("img", name="The new kit in the community centre")).to_be_visible()
    assert_accessible(page)

    # A 12-year-old is turned away kindly.
    log_in(page, "resident@example.org")
    page.goto("/youth/join")
    heading(page, "Join the Youth Forum")
    assert_accessible(page)
    page.get_by_label("Your first name").fill("Tom")
    page.get_by_label("Your surname").fill("Baker")
    twelve = date.today().replace(year=date.today().year - 12)
    fill_date(page, "Your date of birth", twelve)
    page.get_by_label("Your postcode").fill("W10 5PA")
    page.get_by_label("I live in the area the TMO looks after").check()
    page.get_by_label("By post to my home").check()
    page.get_by_label("Your home address, for letters").fill("Flat 2, Elm Court\nW10 5PA")
    page.get_by_role("button", name="Ask to join").click()
    heading(page, "Not yet, but soon!")
    expect(page.get_by_text("We have not kept anything you typed in.")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, "youth.worker@example.org")
    nav = main_menu(page)
    nav.get_by_role("link", name="Youth members").click()
    heading(page, "Youth Forum members")
    assert_accessible(page)
    page.get_by_role("link", name="Noah Evans").click()
    heading(page, "Request to join from Noah Evans")
    assert_accessible(page)
    page.goto("/youth/budget/ledger")
    heading(page, re.compile("^The ledger"))
    assert_accessible(page)
    page.goto("/youth/proposals")
    heading(page, "Ideas for the budget")
    assert_accessible(page)
    page.goto("/youth/chair")
    heading(page, "The Youth Forum's chair")
    expect(
        page.get_by_text("Yusuf Ali chairs the forum and sits on the TMO's board.")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open a vote for the chair").click()
    heading(page, "Elect the forum's chair")
    assert_accessible(page)
    page.goto("/youth/proposals?status=spent")
    page.get_by_role("link", name="Summer trip to the coast").click()
    page.get_by_role("link", name="Report back").click()
    heading(page, "Report back: what did the money do?")
    assert_accessible(page)
    log_out(page)

    log_in(page, "secretary@example.org")
    page.goto("/youth/proposals?status=awaiting_ratification")
    page.get_by_role("link", name="Recording studio kit for the youth club").click()
    page.get_by_role("link", name="Record the board's decision").click()
    heading(page, "Record the board's decision")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "Choose the board's decision."
    )
    assert_accessible(page)
