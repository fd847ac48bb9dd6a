"""Meetings in a real browser: the secretary schedules a board meeting, builds its agenda (one item
confidential), records the attendance, a declaration and a vote, and drafts the minutes; at the
next meeting they are approved, the chair signs them, and the public reads them without the
confidential item. axe checks every page on the way."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import main_menu
from tmo.constitution import Constitution
from tmo.demo import DEMO_PASSWORD
from tmo.models import get_session_factory
from tmo.models.meetings import Meeting
from tmo.rules.notices import POST, notice_given_on

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

FIRST = "Board meeting: lift and staffing"
NEXT = "Board meeting: the following month"


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status").get_by_text("You are logged in as")).to_be_visible()


def log_out(page):
    main_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").get_by_text("You have logged out.")).to_be_visible()


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def time_passes(live_server, title, hours_ago):
    """The day of the meeting arrives: it is moved to ``hours_ago`` hours before now."""
    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession, dbsession.begin():
        meeting = dbsession.scalar(select(Meeting).where(Meeting.title == title))
        meeting.starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)


def schedule(page, title, days_ahead, assert_accessible):
    main_menu(page).get_by_role("link", name="Manage meetings").click()
    heading(page, "Manage meetings")
    page.get_by_role("link", name="Schedule a meeting of The board").click()
    heading(page, "Schedule a meeting of The board")
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill(title)
    # Counted from the day letters posted now are deemed delivered: some directors get post.
    given_on = notice_given_on(datetime.now(UTC), Constitution().notices, POST)
    day = given_on + timedelta(days=days_ahead)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill("19:00")
    page.get_by_label("Place").fill("Community room, Elm House")
    page.get_by_role("button", name="Schedule and send the notice").click()
    expect(page.get_by_role("status").get_by_text("The meeting is scheduled")).to_be_visible()
    heading(page, f"The board: {title}")


def record_everyone_present(page, assert_accessible, apologies=0):
    page.get_by_role("link", name="Record the attendance").click()
    assert_accessible(page)
    choices = page.get_by_label("Present", exact=True)
    for number in range(choices.count()):
        choices.nth(number).check()
    for number in range(apologies):
        page.get_by_label("Apologies", exact=True).nth(number).check()
    page.get_by_role("button", name="Record the attendance").click()
    expect(page.get_by_role("status").get_by_text("The attendance is recorded.")).to_be_visible()


def test_a_board_meeting_from_notice_to_signed_public_minutes(page, live_server, assert_accessible):
    log_in(page, "secretary@example.org")
    schedule(page, FIRST, 8, assert_accessible)
    assert_accessible(page)
    meeting_url = page.url

    # The agenda: the standing items are there; two items join them, one confidential.
    expect(page.get_by_role("link", name="4. Matters arising and actions")).to_be_visible()
    for title, confidential in (
        ("Lift refurbishment at Oak Court", False),
        ("Staff restructure", True),
    ):
        page.get_by_role("link", name="Add an item to the agenda").click()
        assert_accessible(page)
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Presenter").fill("Chief executive")
        if confidential:
            page.get_by_label("Confidential (exempt from publication)").check()
        page.get_by_role("button", name="Add the item").click()
        expect(page.get_by_role("status").get_by_text("is on the agenda")).to_be_visible()
    expect(page.get_by_text("6. Staff restructure (confidential)")).to_be_visible()

    # The evening of the meeting.
    time_passes(live_server, FIRST, 2)
    page.goto(meeting_url)
    record_everyone_present(page, assert_accessible, apologies=1)
    assert_accessible(page)

    page.get_by_role("link", name="5. Lift refurbishment at Oak Court").click()
    heading(page, "Item 5: Lift refurbishment at Oak Court")
    quorum = page.get_by_role("status").filter(has_text="Quorate")
    expect(quorum).to_contain_text(re.compile(r"Quorate: \d+ counted, 5 needed\."))
    assert_accessible(page)
    page.get_by_role("link", name="Record a declaration of interest").click()
    page.get_by_label("Who declares").select_option(label="Grace Ellison")
    page.get_by_label("The interest").fill("Her firm quoted for the lift work")
    page.get_by_role("button", name="Record the declaration").click()
    expect(page.get_by_role("status").filter(has_text="Quorate")).to_contain_text(
        "(1 left out for a declared interest)"
    )

    page.get_by_role("link", name="Record a motion and vote").click()
    assert_accessible(page)
    page.get_by_label("The motion").fill("That the lift refurbishment contract is awarded")
    # Grace Ellison declared an interest: she is still offered, and refused.
    page.get_by_label("Proposed by").select_option(label="Grace Ellison")
    page.get_by_label("Seconded by").select_option(label="Chris Walsh")
    page.get_by_label("Votes for").fill("9")
    page.get_by_label("Votes against").fill("2")
    page.get_by_label("Abstentions").fill("1")
    page.get_by_role("button", name="Record the motion and vote").click()
    summary = page.get_by_role("alert", name="There is a problem")
    expect(summary).to_contain_text("Grace Ellison declared an interest in this item")
    assert_accessible(page)
    page.get_by_label("Proposed by").select_option(label="Dana Kowalski")
    page.get_by_role("button", name="Record the motion and vote").click()
    expect(page.get_by_role("status").get_by_text("The motion is carried.")).to_be_visible()
    expect(page.get_by_text("for 9, against 2, abstentions 1: carried")).to_be_visible()

    page.get_by_role("link", name="Write the minute").click()
    page.get_by_label("Minute of the discussion").fill("The board discussed three tenders.")
    page.get_by_role("button", name="Save the minute").click()
    expect(page.get_by_role("status").get_by_text("The minute is saved.")).to_be_visible()

    page.goto(meeting_url)
    page.get_by_role("link", name="6. Staff restructure").click()
    page.get_by_role("link", name="Write the minute").click()
    page.get_by_label("Minute of the discussion").fill("Two caretaker posts are to be merged.")
    page.get_by_role("button", name="Save the minute").click()

    page.goto(meeting_url)
    page.get_by_role("link", name="Read the draft minutes").click()
    expect(page.get_by_text("Two caretaker posts are to be merged.")).to_be_visible()
    assert_accessible(page)
    page.goto(meeting_url)
    page.get_by_role("button", name="Circulate the draft minutes").click()
    expect(page.get_by_role("status").get_by_text("have been circulated")).to_be_visible()
    expect(page.get_by_text("Circulated to the members", exact=True)).to_be_visible()

    # The next meeting approves them as a true record.
    schedule(page, NEXT, 9, assert_accessible)
    time_passes(live_server, NEXT, 1)
    page.reload()
    record_everyone_present(page, assert_accessible)
    page.get_by_role("link", name="3. Minutes of the last meeting").click()
    assert_accessible(page)
    page.get_by_role(
        "button", name=re.compile("^Approve the minutes of .* as a true record$")
    ).click()
    expect(page.get_by_role("status").get_by_text("approved as a true record")).to_be_visible()
    log_out(page)

    # The chair signs them.
    log_in(page, "chair@example.org")
    page.goto(meeting_url.replace("/secretary/meetings/", "/meetings/") + "/record")
    page.get_by_role("link", name="Sign the minutes").click()
    assert_accessible(page)
    page.get_by_label("I sign these minutes as a true record, as approved").check()
    page.get_by_role("button", name="Sign the minutes").click()
    expect(page.get_by_role("status").get_by_text("signed and published")).to_be_visible()
    log_out(page)

    # The public finds them, without the confidential item.
    main_menu(page).get_by_role("link", name="Meetings").click()
    heading(page, "Meetings and minutes")
    page.get_by_label("Search the minutes").fill("tenders")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"^Minutes: The board, {FIRST}")).click()
    expect(page.get_by_text("The board discussed three tenders.")).to_be_visible()
    expect(page.get_by_text("Grace Ellison declared an interest")).to_be_visible()
    expect(page.get_by_text("Signed by the chair, Chris Walsh, on", exact=False)).to_be_visible()
    expect(page.get_by_text("Staff restructure")).to_have_count(0)
    expect(page.get_by_text("caretaker posts")).to_have_count(0)
    assert_accessible(page)


def test_the_other_meetings_pages_are_accessible(page, live_server, assert_accessible):
    log_in(page, "secretary@example.org")
    main_menu(page).get_by_role("link", name="Manage meetings").click()
    assert_accessible(page)
    page.get_by_role("link", name="Finance and Audit Committee", exact=True).click()
    heading(page, "Finance and Audit Committee")
    expect(page.get_by_role("table").filter(has_text="Attendance")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    # Short notice is refused, with the reason and the earliest date.
    page.get_by_role("link", name="Back to meetings").click()
    page.get_by_role("link", name="Schedule a meeting of General meeting of members").click()
    page.get_by_label("Title", exact=True).fill("Special general meeting")
    kinds = page.get_by_role("group", name="Kind of meeting")
    kinds.get_by_label("General meeting", exact=True).check()
    soon = datetime.now(UTC).date() + timedelta(days=3)
    page.get_by_label("Date", exact=True).fill(soon.isoformat())
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("Place").fill("Community hall")
    page.get_by_role("button", name="Schedule and send the notice").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "at least 14 clear days' notice"
    )
    assert_accessible(page)

    page.goto("/secretary/meetings")
    page.get_by_role("link", name=re.compile("^Mark “.*” as done$")).first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("status").get_by_text("The action is done.")).to_be_visible()

    # The demo's next board meeting: its agenda, an item, the action and decision forms.
    page.get_by_role("link", name=re.compile("^The board: Board meeting$")).first.click()
    assert_accessible(page)
    # Its agenda is not yet published: an item can still be changed.
    page.get_by_role("link", name=re.compile("^Change.*Estate cleaning contract renewal")).click()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^\d+\. Estate cleaning contract renewal$")).click()
    assert_accessible(page)
    for link in ("Record an action", "Record a decision without a vote", "Add a paper"):
        page.get_by_role("link", name=link).click()
        assert_accessible(page)
        page.go_back()
    log_out(page)

    log_in(page, "member@example.org")
    main_menu(page).get_by_role("link", name="Requisitions").click()
    heading(page, "Requisition a general meeting")
    assert_accessible(page)
    page.get_by_role("link", name="Start a requisition").click()
    page.get_by_role("button", name="Start the requisition and sign it").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "Say what the meeting is for."
    )
    assert_accessible(page)
    page.get_by_label("The business of the meeting").fill("To discuss the service charges")
    page.get_by_role("button", name="Start the requisition and sign it").click()
    expect(page.get_by_role("status").get_by_text("Your requisition is started")).to_be_visible()
    assert_accessible(page)

    main_menu(page).get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Your meetings in your calendar app").click()
    page.get_by_role("button", name="Make a calendar address").click()
    expect(page.get_by_label("Your calendar address")).to_have_value(
        re.compile(r"/meetings/calendar/[\w-]+\.ics$")
    )
    assert_accessible(page)
    page.get_by_role("link", name="Back to meetings").click()
    page.locator("#main-content").get_by_role("link", name="Youth Forum").click()
    heading(page, "Youth Forum")
    expect(page.get_by_text("Amira")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Back to meetings").click()
    page.get_by_role("link", name="The board", exact=True).last.click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Board meeting, ")).first.click()
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    assert_accessible(page)


def test_a_director_sends_apologies_and_the_secretary_sees_them(
    page, live_server, assert_accessible
):
    log_in(page, "director@example.org")
    page.goto("/meetings")
    # The demo's next board meeting (the other journeys schedule theirs under other titles).
    page.get_by_role("link", name=re.compile("^The board: Board meeting$")).first.click()
    meeting_url = page.url
    page.get_by_role("link", name="Send your apologies").click()
    assert_accessible(page)
    page.get_by_label("Why you cannot come").fill("Away with work 🚆")
    page.get_by_role("button", name="Send my apologies").click()
    expect(page.get_by_role("status").get_by_text("Your apologies are sent")).to_be_visible()
    expect(page.get_by_text("You sent your apologies on")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, "secretary@example.org")
    page.goto(meeting_url.replace("/meetings/", "/secretary/meetings/"))
    expect(
        page.get_by_text("Dana Kowalski: Apologies (sent online: “Away with work 🚆”)")
    ).to_be_visible()
    assert_accessible(page)
