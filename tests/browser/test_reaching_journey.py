"""Every member reached, in a real browser: a member who takes letters, not email, is in the poll
cards' print run; the secretary prints the run and marks it posted; the member types the voting
code from their letter at /vote on a phone 320 pixels wide, without logging in, and votes; when
they then log in to vote they are told they already have. axe checks every page on the way.

The election is made ready through the services (as tests/elections_setup.py does), so the
browser sees only what a person would: the returning officer opening the poll, the secretary's
notices and print run, the voter's phone."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser.test_elections_journey import (
    OFFICER,
    SECRETARY,
    database,
    flash,
    heading,
    log_in,
    log_out,
    nav,
)
from tests.elections_setup import RULES, new_election, now, seal_with_test_key, shift, stand
from tmo.models.accounts import Account
from tmo.models.elections import Election
from tmo.models.youth import YouthProposal
from tmo.permissions import Role
from tmo.rules.notices import Channel
from tmo.rules.youth import ProposalStatus
from tmo.services import elections
from tmo.services.elections.codes import ALPHABET

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

GRACE = "grace.okoro@example.org"
# A voting code as printed: groups of four letters and numbers, no look-alikes.
CODE = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]")
TITLE = "Board election"


def a_member(name: str, number: int, **extra):
    """A current member of the demo TMO, with a home of their own."""
    return factories.MemberFactory(
        member_number=number,
        tenancy=factories.TenancyFactory(holder_name=name, reference=f"J{number}"),
        name=name,
        date_of_birth=date(1970, 1, 1),
        **extra,
    )


def ready_for_the_poll(live_server) -> tuple[int, str]:
    """Grace, a member with an account who asked for letters (no email on record for notices),
    and an election whose two candidates are accepted and whose nominations have closed.
    Returns the election's id and Grace's postcode."""
    from tmo.models import get_session_factory

    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession:
        factories.bind(dbsession)
        account = factories.AccountFactory(
            email=GRACE, display_name="Grace Okoro", roles=[Role.MEMBER]
        )
        grace = a_member(
            "Grace Okoro",
            97001,
            account=account,
            contact_by=Channel.POST,
            email_agreed_at=None,
            contact_email="",
        )
        people = [a_member(name, 97002 + n) for n, name in enumerate(("Ada Brown", "Ben Carter"))]
        backers = [a_member(f"Backer {n} Evans", 97010 + n) for n in range(2)]
        officer = dbsession.scalar(select(Account).where(Account.email == OFFICER))
        election = new_election(dbsession, seats=1, returning_officer=officer)
        for person in people:
            stand(dbsession, election, person, *backers)
        shift(election, RULES.elections.nomination_days)
        elections.close_nominations(dbsession, election, officer.id, now())
        seal_with_test_key(dbsession, election)
        dbsession.commit()
        return election.id, grace.home.postcode


def letter_with_code(pdf: bytes, name: str) -> str:
    """The voting code printed on ``name``'s poll card in the print run's PDF."""
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    for page in document:
        text = page.get_textpage().get_text_range()
        if name in text and "Notice of poll" in text:
            found = CODE.search(text)
            assert found, f"no voting code on {name}'s letter:\n{text}"
            return found.group(0)
    raise AssertionError(f"no poll card for {name} in the print run")


def test_a_member_on_post_votes_at_320_px_with_the_code_from_their_letter(
    page, browser, live_server, assert_accessible
):
    election_id, postcode = ready_for_the_poll(live_server)

    # The returning officer opens the poll and is told the truth of who is reached how.
    log_in(page, OFFICER)
    page.goto(f"/returning-officer/elections/{election_id}")
    expect(heading(page)).to_have_text(TITLE)
    assert_accessible(page)
    page.get_by_role("button", name="Freeze the roll and open the poll").click()
    expect(flash(page, re.compile(r"letters? to print and post"))).to_be_visible()
    assert_accessible(page)
    log_out(page)
    with database(live_server) as dbsession:
        shift(dbsession.get(Election, election_id), RULES.elections.statements_days)

    # The poll is open: the pages for a lost code and for reminders, looked at and left.
    log_in(page, OFFICER)
    page.goto(f"/returning-officer/elections/{election_id}")
    page.get_by_role("link", name="Send a voter a new voting code").click()
    expect(heading(page)).to_have_text("A new voting code for a voter")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Remind those who have not voted").click()
    expect(heading(page)).to_have_text("Remind those who have not voted")
    assert_accessible(page)
    log_out(page)

    # The secretary prints the letters waiting and marks them posted.
    log_in(page, SECRETARY)
    nav(page).get_by_role("link", name="Notices").click()
    expect(heading(page)).to_have_text("Notices")
    assert_accessible(page)
    page.get_by_role("link", name=f"Notice of poll and your poll card: {TITLE}").first.click()
    expect(heading(page)).to_contain_text(f"Notice of poll and your poll card: {TITLE}")
    assert_accessible(page)
    page.go_back()
    page.get_by_role(
        "button", name=re.compile(r"^Make a print run of the \d+ letters? waiting")
    ).click()
    expect(heading(page)).to_have_text(re.compile(r"^Print run \d+$"))
    assert_accessible(page)
    pdf_link = page.get_by_role("link", name="The letters (PDF)")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    code = letter_with_code(pdf.body(), "Grace Okoro")
    page.get_by_role("link", name="Mark the letters posted").click()
    assert_accessible(page)
    page.get_by_label(re.compile("^I have posted every letter")).check()
    page.get_by_role("button", name=re.compile("posted", re.I)).click()
    expect(flash(page, re.compile(r"^Print run \d+ marked posted on"))).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # Grace, on her phone, votes with the code from her letter, without logging in.
    phone = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 320, "height": 640},
    )
    try:
        mobile = phone.new_page()
        mobile.goto(f"/elections/{election_id}")
        assert_accessible(mobile)
        mobile.get_by_role("link", name="Vote with the code on your poll card").click()
        expect(heading(mobile)).to_have_text("Vote with the code on your poll card")
        fits(mobile)
        assert_accessible(mobile)
        mobile.get_by_label("Your voting code").fill(code.lower())
        mobile.get_by_label("Your postcode").fill(postcode)
        mobile.get_by_role("button", name="Continue to the ballot").click()
        expect(heading(mobile)).to_have_text(f"Your ballot: {TITLE}")
        fits(mobile)
        assert_accessible(mobile)
        ballot = mobile.get_by_role("group", name="Number the candidates in order of your choice")
        ballot.get_by_label("Ben Carter", exact=True).fill("1")
        ballot.get_by_label("Ada Brown", exact=True).fill("2")
        mobile.get_by_role("button", name="Check your vote").click()
        expect(heading(mobile)).to_have_text("Check your vote")
        expect(mobile.get_by_role("main").get_by_role("listitem")).to_have_text(
            ["Ben Carter", "Ada Brown"]
        )
        fits(mobile)
        assert_accessible(mobile)
        mobile.get_by_role("button", name="Cast your vote").click()
        expect(heading(mobile)).to_have_text("Your vote is cast")
        fits(mobile)
        assert_accessible(mobile)
    finally:
        phone.close()

    # Logging in later to vote, she is told she already has.
    log_in_as(page, GRACE)
    page.goto(f"/elections/{election_id}")
    expect(page.get_by_text("You have voted in this election. Thank you.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/elections/{election_id}/ballot")
    expect(heading(page)).to_have_text("You have already voted")
    assert_accessible(page)


def log_in_as(page, email):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(flash(page, "You are logged in as")).to_be_visible()


def fits(page):
    """Nothing on the page is wider than the phone's screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page is {width} px wide on a 320 px screen"


def test_the_youth_forums_contact_and_reminder_pages_are_accessible(
    page, live_server, assert_accessible
):
    """A forum member's "How we contact you", and the youth worker's reminder page."""
    log_in(page, "youth@example.org")
    page.goto("/youth/forum")
    page.get_by_role("link", name="Change how we contact you").click()
    expect(heading(page)).to_have_text("How we contact you")
    assert_accessible(page)
    log_out(page)

    with database(live_server) as dbsession:
        proposal_id = dbsession.scalar(
            select(YouthProposal.id).where(YouthProposal.status == ProposalStatus.VOTING)
        )
    log_in(page, "youth.worker@example.org")
    page.goto(f"/youth/proposals/{proposal_id}")
    page.get_by_role("link", name="Remind those who have not voted").click()
    expect(heading(page)).to_have_text("Remind those who have not voted")
    expect(page.get_by_text(re.compile(r"\d+ forum members? who may vote"))).to_be_visible()
    assert_accessible(page)
