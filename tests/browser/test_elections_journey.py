"""A board election in a real browser: the returning officer sets it up and opens nominations, a
member is nominated, the proposer and seconder confirm, the candidate consents; the returning
officer accepts the candidates, closes nominations and opens the poll; three members vote (one of
them with the keyboard alone, putting right a ballot the page refuses); the poll closes, the votes
are counted and the result is declared onto the board. axe checks every page on the way.

The app checks the clock at every step, so between steps the test moves the election's dates into
the past in the database, as tests/elections_setup.py's ``shift`` does, and commits."""

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests.browser.conftest import fill_date, main_menu
from tests.elections_setup import RULES, shift, stand
from tmo.demo import DEMO_PASSWORD
from tmo.models import get_session_factory
from tmo.models.accounts import Account
from tmo.models.board import Director
from tmo.models.elections import Candidate, Election
from tmo.models.membership import Member
from tmo.services import board

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

TITLE = "By-election for a resident seat"
OFFICER = "returning.officer@example.org"
SECRETARY = "secretary@example.org"
CHAIR = "chair@example.org"
DIRECTOR = "director@example.org"
MAYA = "member@example.org"
STATEMENT = (
    "I have lived in Maple House for eleven years. I will ask the board to publish every repair "
    "it is waiting for, block by block, and to say each month what has been done."
)


@contextmanager
def database(live_server):
    """A session on the live server's database, committed at the end so the server sees it."""
    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession, dbsession.begin():
        yield dbsession


def move_the_clock(live_server, election_id: int, days: float) -> None:
    """``days`` pass: every date of the election moves that far into the past."""
    with database(live_server) as dbsession:
        shift(dbsession.get(Election, election_id), days)


def member_of(dbsession, email: str) -> Member:
    return dbsession.scalar(
        select(Member).join(Account, Member.account_id == Account.id).where(Account.email == email)
    )


@dataclass(frozen=True)
class People:
    numbers: dict[str, str]  # account email -> member number, as M000123
    rival: str  # the other candidate: a member with no account, nominated on paper
    rival_id: int
    retiring: str  # the resident director whose seat retires first at the next AGM


@pytest.fixture(scope="module")
def people(live_server) -> People:
    """The demo members taking part; the register gets the paper candidate's date of birth
    (directors must be old enough, and the demo register has none)."""
    with database(live_server) as dbsession:
        numbers = {
            email: member_of(dbsession, email).number_label
            for email in (MAYA, SECRETARY, CHAIR, DIRECTOR)
        }
        directors = set(
            dbsession.scalars(select(Director.member_id).where(Director.member_id.is_not(None)))
        )
        others = dbsession.scalars(
            select(Member)
            .where(Member.account_id.is_(None), Member.ceased_on.is_(None))
            .order_by(Member.member_number.desc())
        ).all()
        rival = next(m for m in others if m.id not in directors)
        rival.date_of_birth = date(1969, 11, 23)
        today = date.today()
        agm = board.next_elected_end(dbsession, today)
        retiring = next(
            term.director.name
            for term in board.retiring(dbsession, agm, today)
            if term.seat_category == "resident"
        )
        return People(numbers, rival.name, rival.id, retiring)


def nominate_on_paper(live_server, election_id: int, rival_id: int) -> None:
    """The rival's nomination, handed in on paper: two other members support it and the rival
    consents, through the election service; the returning officer decides it in the browser."""
    with database(live_server) as dbsession:
        election = dbsession.get(Election, election_id)
        rival = dbsession.get(Member, rival_id)
        supporters = dbsession.scalars(
            select(Member)
            .where(Member.account_id.is_(None), Member.ceased_on.is_(None), Member.id != rival.id)
            .order_by(Member.member_number)
            .limit(2)
        ).all()
        stand(dbsession, election, rival, *supporters, accept=None)


def heading(page):
    return page.get_by_role("heading", level=1)


def nav(page):
    return main_menu(page)


def flash(page, text):
    return page.get_by_role("status").get_by_text(text)


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(flash(page, "You are logged in as")).to_be_visible()


def log_out(page):
    nav(page).get_by_role("button", name="Log out").click()
    expect(flash(page, "You have logged out.")).to_be_visible()


def the_election(page, assert_accessible):
    nav(page).get_by_role("link", name="Elections").click()
    expect(heading(page)).to_have_text("Elections")
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(heading(page)).to_have_text(TITLE)
    assert_accessible(page)


def officer_page(page, assert_accessible):
    nav(page).get_by_role("link", name="Run elections").click()
    expect(heading(page)).to_have_text("Running elections")
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(heading(page)).to_have_text(TITLE)
    assert_accessible(page)


def step(page, label, done):
    """The returning officer takes the next step and is told it is done."""
    page.get_by_role("button", name=label).click()
    expect(flash(page, done)).to_be_visible()


def confirm_support(page, email, role, assert_accessible):
    log_in(page, email)
    the_election(page, assert_accessible)
    supporting = page.get_by_role("listitem").filter(has_text=f"you are named as {role}")
    expect(supporting).to_contain_text("please confirm")
    supporting.get_by_role("link", name="Maya Ahmed").click()
    expect(heading(page)).to_have_text("Nomination of Maya Ahmed")
    assert_accessible(page)
    page.get_by_role("button", name=f"Confirm that I {role} Maya Ahmed").click()
    expect(
        flash(page, f"You have confirmed that you {role} Maya Ahmed's nomination.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Confirm that I"))).to_have_count(0)
    assert_accessible(page)
    log_out(page)


def decide(page, name, assert_accessible):
    page.get_by_role("link", name=f"Decide the nomination of {name}").click()
    expect(heading(page)).to_have_text(f"Nomination of {name}")
    assert_accessible(page)
    page.get_by_role("group", name="Your decision").get_by_label("Accept the nomination").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(flash(page, f"The nomination of {name} is accepted.")).to_be_visible()


def beside(box, label) -> bool:
    """Whether ``label`` sits to the right of ``box``, on the same line."""
    b, n = box.bounding_box(), label.bounding_box()
    return (
        n["x"] >= b["x"] + b["width"]
        and n["y"] < b["y"] + b["height"]
        and b["y"] < n["y"] + n["height"]
    )


def vote_with_the_mouse(page, email, ranks, assert_accessible, *, phone=False):
    """``ranks``: candidate name -> the number the voter writes beside it; ``phone``: on a
    screen 320 pixels wide, where each name must still be read beside its box."""
    if phone:
        page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, email)
    the_election(page, assert_accessible)
    page.get_by_role("link", name="Vote now").click()
    expect(heading(page)).to_have_text(f"Your ballot: {TITLE}")
    assert_accessible(page)
    ballot = page.get_by_role("group", name="Number the candidates in order of your choice")
    for name, number in ranks.items():
        box = ballot.get_by_label(name, exact=True)
        assert beside(box, ballot.get_by_text(name, exact=True)), f"{name} is not beside its box"
        box.fill(str(number))
    page.get_by_role("button", name="Check your vote").click()
    expect(heading(page)).to_have_text("Check your vote")
    order = sorted(ranks, key=ranks.get)
    expect(page.get_by_role("main").get_by_role("listitem")).to_have_text(order)
    assert_accessible(page)
    page.get_by_role("button", name="Cast your vote").click()
    receipt = cast(page, assert_accessible)
    log_out(page)
    if phone:
        page.set_viewport_size({"width": 1280, "height": 720})
    return receipt


def cast(page, assert_accessible):
    """The receipt page, once a vote is cast; returns the sealed ballot's tracker."""
    expect(heading(page)).to_have_text("Your vote is cast")
    expect(page).to_have_title(re.compile("^Your vote is cast"))
    code = page.get_by_role("status").locator("strong")
    expect(code).to_have_text(re.compile(r"^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$"))
    assert_accessible(page)
    return code.inner_text()


# -- The keyboard alone ------------------------------------------------------------------------


def focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, target, *, backwards=False, limit=60):
    """Press Tab (or Shift+Tab) until ``target`` has the focus, as a keyboard user moves."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(target):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def vote_with_the_keyboard(page, email, ranks, assert_accessible):
    """Log in, find the election, number the ballot (with a gap, which the page refuses), put it
    right and cast it: Tab, Shift+Tab, typing, Enter and Space, never a click."""
    page.goto("/login")
    tab_to(page, page.get_by_label("Email address", exact=True))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(flash(page, "You are logged in as")).to_be_visible()

    tab_to(page, nav(page).get_by_role("link", name="Elections"))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Elections")
    tab_to(page, page.get_by_role("link", name=TITLE))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(TITLE)
    tab_to(page, page.get_by_role("link", name="Vote now"))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(f"Your ballot: {TITLE}")
    assert_accessible(page)

    # The voter reads each box's label as the focus reaches it; the order is the voter's own.
    ballot = page.get_by_role("group", name="Number the candidates in order of your choice")
    boxes = ballot.get_by_role("textbox")
    expect(boxes).to_have_count(len(ranks))
    labels = [
        box.evaluate("element => element.labels[0].textContent.trim()") for box in boxes.all()
    ]
    assert sorted(labels) == sorted(ranks)
    for box, name in zip(boxes.all(), labels, strict=True):
        expect(box).to_have_accessible_name(name)
    gap = {name: (3 if number == 2 else number) for name, number in ranks.items()}
    tab_to(page, boxes.first)
    for index, name in enumerate(labels):
        if index:
            page.keyboard.press("Tab")
            expect(ballot.get_by_label(name, exact=True)).to_be_focused()
        page.keyboard.type(str(gap[name]))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check your vote")).to_be_focused()
    page.keyboard.press("Enter")

    # Refused: the summary takes the focus, says what is wrong, and leads back to the ballot.
    summary = page.get_by_role("alert", name="There is a problem")
    expect(summary).to_contain_text("Number your choices 1, 2, 3 without gaps: there is no 2.")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(f"^Error: Your ballot \N{EN DASH} {TITLE}"))
    for name, number in gap.items():  # nothing the voter wrote is lost
        expect(ballot.get_by_label(name, exact=True)).to_have_value(str(number))
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(boxes.first).to_be_focused()
    wrong = next(name for name in labels if gap[name] != ranks[name])
    for _ in labels[: labels.index(wrong)]:
        page.keyboard.press("Tab")
    expect(ballot.get_by_label(wrong, exact=True)).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(ranks[wrong]))
    # Back over the boxes with Shift+Tab to check them, then on to the button.
    for name in reversed(labels[: labels.index(wrong)]):
        page.keyboard.press("Shift+Tab")
        expect(ballot.get_by_label(name, exact=True)).to_be_focused()
    for name in labels:
        expect(ballot.get_by_label(name, exact=True)).to_have_value(str(ranks[name]))
    tab_to(page, page.get_by_role("button", name="Check your vote"))
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text("Check your vote")
    order = sorted(ranks, key=ranks.get)
    expect(page.get_by_role("main").get_by_role("listitem")).to_have_text(order)
    assert_accessible(page)
    # Past the last button, then Shift+Tab back to the one that casts the vote, and Space.
    tab_to(page, page.get_by_role("button", name="Change your vote"))
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Cast your vote")).to_be_focused()
    page.keyboard.press("Space")
    receipt = cast(page, assert_accessible)

    tab_to(page, nav(page).get_by_role("button", name="Log out"))
    page.keyboard.press("Enter")
    expect(flash(page, "You have logged out.")).to_be_visible()
    return receipt


# -- The journey -------------------------------------------------------------------------------


PASSPHRASE = "the lifts work on Tuesdays"


def make_the_sealing_key(page, tmp_path, assert_accessible):
    """The holder makes the key on the election's page: (the phrase, the saved key file)."""
    page.get_by_role("link", name="Make the sealing key").click()
    expect(heading(page)).to_have_text("Make the sealing key")
    expect(page.get_by_text("the election cannot be counted").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("A passphrase for the key file").fill(PASSPHRASE)
    page.get_by_label("The passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Make the sealing key").click()
    expect(heading(page)).to_have_text("The sealing key is made")
    assert_accessible(page)
    phrase = page.locator("#recovery-phrase").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the key file").click()
    key_file = tmp_path / download.value.suggested_filename
    download.value.save_as(key_file)
    return phrase, key_file


def test_a_member_is_nominated_elected_by_three_voters_and_joins_the_board(
    page, live_server, people, assert_accessible, tmp_path
):
    numbers = people.numbers

    # The returning officer sets the election up, notice given today, and opens nominations.
    log_in(page, OFFICER)
    nav(page).get_by_role("link", name="Run elections").click()
    expect(heading(page)).to_have_text("Running elections")
    assert_accessible(page)
    page.get_by_role("link", name="Set up an election").click()
    expect(heading(page)).to_have_text("Set up an election")
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Number of seats").fill("1")
    page.get_by_label("Which seats").fill("One resident seat, left vacant by a resignation")
    page.get_by_role("group", name="Voting method").get_by_label(
        "Single transferable vote (Scottish STV rules)"
    ).check()
    expect(page.get_by_label("Notice of election given on")).to_have_value(date.today().isoformat())
    page.get_by_role("button", name="Set up the election").click()
    expect(flash(page, "The election is set up.")).to_be_visible()
    expect(heading(page)).to_have_text(TITLE)
    election_id = int(re.search(r"/elections/(\d+)$", page.url).group(1))
    assert_accessible(page)
    step(page, "Open nominations", "Nominations are open.")
    assert_accessible(page)
    log_out(page)

    # The notice period passes: nominations are open.
    move_the_clock(live_server, election_id, RULES.elections.notice_days + 1)

    # The chair nominates Maya Ahmed; the secretary proposes her and the director seconds her.
    log_in(page, CHAIR)
    the_election(page, assert_accessible)
    page.get_by_role("link", name="Make a nomination").click()
    expect(heading(page)).to_have_text("Make a nomination")
    assert_accessible(page)
    page.get_by_label("Who are you nominating?").fill(numbers[MAYA])
    page.get_by_label("Proposer", exact=True).fill(numbers[SECRETARY])
    page.get_by_label("Seconder", exact=True).fill(numbers[DIRECTOR])
    page.get_by_role("button", name="Send the nomination").click()
    expect(flash(page, "The nomination of Maya Ahmed is sent.")).to_be_visible()
    expect(heading(page)).to_have_text("Nomination of Maya Ahmed")
    expect(page.get_by_role("listitem").filter(has_text="not yet confirmed")).to_have_count(2)
    assert_accessible(page)
    log_out(page)
    for email in (MAYA, SECRETARY, DIRECTOR):
        assert live_server.mail_to(email), f"no nomination email to {email}"

    confirm_support(page, SECRETARY, "propose", assert_accessible)
    confirm_support(page, DIRECTOR, "second", assert_accessible)

    # Maya consents to stand and writes her statement.
    log_in(page, MAYA)
    the_election(page, assert_accessible)
    page.get_by_role("link", name="Your nomination").click()
    expect(heading(page)).to_have_text("Nomination of Maya Ahmed")
    assert_accessible(page)
    page.get_by_role("link", name="Consent to stand and write your statement").click()
    expect(heading(page)).to_have_text("Consent to stand")
    assert_accessible(page)
    fill_date(page, "Your date of birth", "1984-06-02")  # the register lacks it
    page.get_by_label("Your statement to the voters").fill(STATEMENT)
    page.get_by_label(re.compile("^I consent to stand")).check()
    page.get_by_role("button", name="Consent and save my statement").click()
    expect(flash(page, "Your consent and statement are saved.")).to_be_visible()
    expect(page.get_by_text(STATEMENT)).to_be_visible()
    expect(page.get_by_role("heading", name="Still needed")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # A rival's nomination comes in on paper.
    nominate_on_paper(live_server, election_id, people.rival_id)

    # The returning officer accepts both, and once nominations have closed opens the poll.
    log_in(page, OFFICER)
    officer_page(page, assert_accessible)
    decide(page, "Maya Ahmed", assert_accessible)
    decide(page, people.rival, assert_accessible)
    expect(page.get_by_role("row").filter(has_text="accepted")).to_have_count(2)
    expect(page.get_by_role("button", name="Close nominations")).to_have_count(0)
    assert_accessible(page)
    move_the_clock(live_server, election_id, RULES.elections.nomination_days)
    page.reload()
    step(page, "Close nominations", "Nominations are closed.")
    # The poll cannot open before the sealing key is made and kept. With no scrutineer, the
    # returning officer holds it: the key file is saved, the phrase written down, and confirmed.
    page.get_by_role("button", name="Freeze the roll and open the poll").click()
    expect(page.get_by_text(re.compile("sealing key is made and confirmed"))).to_be_visible()
    phrase, key_file = make_the_sealing_key(page, tmp_path, assert_accessible)
    page.get_by_role("link", name="Confirm the sealing key").click()
    expect(heading(page)).to_have_text("Confirm you kept the sealing key")
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(key_file)
    page.get_by_label("The key file's passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Confirm the key").click()
    expect(flash(page, "The sealing key is confirmed")).to_be_visible()
    assert_accessible(page)
    step(page, "Freeze the roll and open the poll", re.compile(r"^The roll is frozen: \d+ voters"))
    assert_accessible(page)
    log_out(page)

    # The statements are published; then the poll opens.
    move_the_clock(live_server, election_id, RULES.elections.statements_days)
    page.goto(f"/elections/{election_id}")
    candidates = page.get_by_role("region", name="Maya Ahmed")
    expect(candidates).to_contain_text(STATEMENT)
    expect(page.get_by_role("region", name=people.rival)).to_be_visible()
    expect(page.get_by_role("link", name="Vote now")).to_have_count(0)  # not logged in
    assert_accessible(page)

    maya, rival = "Maya Ahmed", people.rival
    receipts = [
        vote_with_the_mouse(page, SECRETARY, {maya: 1, rival: 2}, assert_accessible),
        vote_with_the_mouse(page, DIRECTOR, {rival: 1, maya: 2}, assert_accessible, phone=True),
        vote_with_the_keyboard(page, CHAIR, {maya: 1, rival: 2}, assert_accessible),
    ]
    assert len(set(receipts)) == 3

    # One member, one vote: the secretary's ballot is closed to her now.
    log_in(page, SECRETARY)
    the_election(page, assert_accessible)
    expect(page.get_by_text("You have voted in this election. Thank you.")).to_be_visible()
    expect(page.get_by_text("Turnout so far: 3 of")).to_be_visible()
    page.goto(f"/elections/{election_id}/ballot")
    expect(heading(page)).to_have_text("You have already voted")
    assert_accessible(page)
    log_out(page)

    # The poll closes; the returning officer opens the box with the phrase written down, the
    # votes are counted, and reads the result sheet.
    move_the_clock(live_server, election_id, RULES.elections.poll_days + 1)
    log_in(page, OFFICER)
    officer_page(page, assert_accessible)
    page.get_by_role("link", name="Open the ballot box and count the votes").click()
    expect(heading(page)).to_have_text("Open the ballot box and count the votes")
    assert_accessible(page)
    page.get_by_label("Or the recovery phrase").fill(phrase)
    page.get_by_role("button", name="Open the ballot box and count").click()
    expect(flash(page, "The ballot box is opened and the votes are counted.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="The result sheet").click()
    expect(heading(page)).to_have_text(f"Result: {TITLE}")
    expect(page.get_by_text("Counted, not yet declared")).to_be_visible()
    elected = page.get_by_role("heading", name="Elected", exact=True).locator(
        "xpath=following-sibling::ol[1]"
    )
    expect(elected.get_by_role("listitem")).to_have_text([maya])
    stage = page.get_by_role("table", name=re.compile("^Stage 1"))
    expect(stage.get_by_role("row", name=re.compile(f"^{maya} 2"))).to_be_visible()
    expect(stage.get_by_role("row", name=re.compile(f"^{rival} 1"))).to_be_visible()
    assert_accessible(page)

    # Every resident seat is filled: the declaration ends the term of the first director
    # retiring by rotation at the AGM, and the winner takes the seat.
    page.get_by_role("link", name="Back to the election").click()
    page.get_by_role("link", name="The returning officer's page").click()
    step(page, "Declare the result", f"The result is declared: {maya} elected.")
    expect(page.get_by_role("button", name="Declare the result")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # Anyone can read the result, check their receipt, and see the new director on the board.
    page.goto(f"/elections/{election_id}/result")
    expect(heading(page)).to_have_text(f"Result: {TITLE}")
    expect(page.get_by_text(f"Declared on {date.today():%-d %B %Y}")).to_be_visible()
    expect(elected.get_by_role("listitem")).to_have_text([maya])
    assert_accessible(page)
    page.get_by_role("link", name="Every ballot's tracker").click()
    expect(heading(page)).to_have_text(f"The ballots of {TITLE}")
    assert_accessible(page)
    page.get_by_label("Find your tracker").fill(receipts[2].upper())
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("status")).to_have_text(f"{receipts[2]} is in the box.")
    assert_accessible(page)

    nav(page).get_by_role("link", name="The board").click()
    expect(heading(page)).to_have_text("The board")
    row = page.get_by_role("row").filter(has_text=maya)
    expect(row).to_contain_text("Elected by the members")
    expect(row.get_by_role("cell").first).to_have_text(re.compile("^Resident"))
    expect(page.get_by_role("row").filter(has_text=people.retiring)).to_have_count(0)
    assert_accessible(page)

    with database(live_server) as dbsession:
        election = dbsession.get(Election, election_id)
        assert election.status == "declared" and election.ballots_cast == 3
        winners = [dbsession.get(Candidate, int(i)) for i in election.elected_candidate_ids.split()]
        assert [candidate.name for candidate in winners] == [maya]
