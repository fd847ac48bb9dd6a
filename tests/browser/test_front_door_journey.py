"""Each person's most common task, in a real browser, from logging in and following only the
links of their front door ("What needs you"): a resident applies to join, a member votes, the
chair signs the minutes, the secretary decides an application, the returning officer takes an
election's next step, a youth member votes on an idea and the youth worker checks one. axe
checks every page on the way at 1280 and at 320 pixels wide. The navigation fits one line at
1280 pixels and folds into a menu at 320, which opens by keyboard, with or without JavaScript.

What each journey needs is put in the demo TMO's database first, through the models and
services, as tests/elections_setup.py does."""

import re
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser.test_elections_journey import OFFICER
from tests.elections_setup import RULES, new_election, poll_open, shift, web_request
from tests.factories import PASSWORD
from tmo.constitution import Constitution
from tmo.demo import DEMO_PASSWORD
from tmo.models import get_session_factory
from tmo.models.accounts import Account
from tmo.models.meetings import Body, Meeting
from tmo.models.membership import Home, MembershipApplication, Tenancy
from tmo.models.youth import YouthMember
from tmo.permissions import Role
from tmo.rules import meetings as meeting_rules
from tmo.rules.membership import ApplicationStatus
from tmo.services import elections, meetings, youth

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 720}
PHONE = {"width": 320, "height": 640}
PDF = b"%PDF-1.4 a quote from the supplier\n"


def unique(name: str) -> str:
    """A name no other journey uses (the browser tests share one database)."""
    return f"{name} {uuid.uuid4().hex[:6].upper()}"


@contextmanager
def database(live_server):
    """A session on the live server's database for the factories (which commit as they make),
    committed at the end so the server sees the rest."""
    with get_session_factory(live_server.app.registry["dbengine"])() as dbsession:
        factories.bind(dbsession)
        yield dbsession
        dbsession.commit()


def heading(page):
    return page.get_by_role("heading", level=1)


def flash(page, text):
    return page.get_by_role("status").get_by_text(text)


def checked(page, assert_accessible) -> None:
    """axe finds nothing on the page at 320 pixels wide nor at 1280 (where the journey goes on)."""
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.set_viewport_size(WIDE)
    assert_accessible(page)


def front_door(page, email, assert_accessible, password=PASSWORD):
    """Log in: the person lands on what needs them."""
    page.set_viewport_size(WIDE)
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(heading(page)).to_have_text("What needs you")
    checked(page, assert_accessible)
    return page.get_by_role("main")


def an_account(dbsession, name: str, *roles) -> Account:
    return factories.AccountFactory(
        email=f"{name.split()[-1].lower()}@example.org", display_name=name, roles=list(roles)
    )


def a_home_held_by(dbsession, name: str) -> Home:
    estate = dbsession.scalars(select(Home.estate_id)).first()
    reference = uuid.uuid4().hex[:8].upper()
    home = Home(
        reference=f"FD-{reference}",
        estate_id=estate,
        address_line_1=f"Flat {reference} Rowan House",
        address_line_2="Bevington Road",
        postcode="W10 5TX",
        ward="Golborne",
        tenure_type="Secure",
    )
    dbsession.add(
        Tenancy(
            reference=f"FT-{reference}",
            home=home,
            holder_name=name,
            holding="secure_tenant",
            start_date=date(2015, 6, 1),
        )
    )
    dbsession.flush()
    return home


def fill_date(page, label: str, day: date) -> None:
    """A date field, as one box (YYYY-MM-DD) or three (day, month, year)."""
    group = page.get_by_role("group", name=label)
    if group.count() and group.get_by_label("Day").count():
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    else:
        page.get_by_label(label).fill(day.isoformat())


# -- The navigation ---------------------------------------------------------------------------


def test_the_navigation_fits_one_line_wide_and_folds_into_a_menu_on_a_phone(
    page, browser, live_server, assert_accessible
):
    front_door(page, "secretary@example.org", assert_accessible, password=DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"^Needs you \(\d+\)$"))).to_be_visible()
    # Wide: every entry on one line, the groups folded until opened.
    tops = nav.locator(":scope > a, .nav-menu > ul > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, f"the navigation takes {len(set(tops))} lines at 1280 px"
    expect(nav.get_by_role("link", name="Elections")).to_be_visible()
    expect(nav.get_by_role("link", name="Applications")).to_be_hidden()
    nav.get_by_text("Your work", exact=True).click()
    expect(nav.get_by_role("link", name="Applications")).to_be_visible()
    assert_accessible(page)

    # A phone: one "Menu", opened from the keyboard.
    page.set_viewport_size(PHONE)
    page.reload()
    menu = nav.get_by_text("Menu", exact=True)
    expect(menu).to_be_visible()
    expect(nav.get_by_role("link", name="Elections")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    menu.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Elections")).to_be_visible()
    assert_accessible(page)

    # Without JavaScript the menu opens all the same.
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    try:
        plain = context.new_page()
        plain.goto("/")
        plain_nav = plain.get_by_role("navigation", name="Main")
        expect(plain_nav.get_by_role("link", name="Log in")).to_be_hidden()
        plain_nav.get_by_text("Menu", exact=True).click()
        expect(plain_nav.get_by_role("link", name="Log in")).to_be_visible()
    finally:
        context.close()


# -- A resident applies to join ---------------------------------------------------------------


def test_a_resident_applies_to_join_from_their_front_door(page, live_server, assert_accessible):
    name = unique("Tomasz Nowak")
    with database(live_server) as dbsession:
        account = an_account(dbsession, name)
        address = a_home_held_by(dbsession, name).address
        email = account.email

    main = front_door(page, email, assert_accessible)
    main.get_by_role("link", name="Apply to join").click()
    expect(heading(page)).to_have_text("Apply to join the TMO")
    checked(page, assert_accessible)
    page.get_by_label("Your postcode").fill("W10 5TX")
    page.get_by_role("button", name="Find my home").click()
    expect(page.get_by_role("heading", name="Homes at W10 5TX")).to_be_visible()
    checked(page, assert_accessible)
    page.get_by_role("group", name="Your home").get_by_label(address).check()
    page.get_by_role("group", name="How do you hold your home?").get_by_label(
        "I am the tenant"
    ).check()
    fill_date(page, "Date of birth", date(1981, 3, 14))
    page.get_by_role("group", name="How should we send you notices and letters?").get_by_label(
        re.compile("^By email")
    ).check()
    page.get_by_label("I want to become a member of the TMO").check()
    page.get_by_role("button", name="Apply to join").click()
    expect(flash(page, "Your application has been sent")).to_be_visible()
    checked(page, assert_accessible)

    # The front door now says where the application is.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Needs you").click()
    expect(page.get_by_role("link", name="Your application to join is waiting")).to_be_visible()
    checked(page, assert_accessible)


# -- A member votes ---------------------------------------------------------------------------


def test_a_member_votes_from_their_front_door(page, live_server, assert_accessible):
    """A member on the roll of an election whose poll is open, who has not voted yet."""
    name = unique("Grace Adjei")
    with database(live_server) as dbsession:
        request = web_request(live_server.app, dbsession)
        standing = tuple(unique(person) for person in ("Ada Brown", "Ben Carter", "Cy Dunn"))
        election, people = poll_open(dbsession, request, names=standing, voters=2)
        assert elections.accepting(election, datetime.now(UTC))
        voter = people[-1]
        account = an_account(dbsession, name, Role.MEMBER)
        voter.account_id = account.id
        email, title = account.email, election.title

    main = front_door(page, email, assert_accessible)
    main.get_by_role("link", name=f"Vote in {title}").click()
    expect(heading(page)).to_have_text(f"Your ballot: {title}")
    checked(page, assert_accessible)
    ranking = page.get_by_role("group", name="Number the candidates in order of your choice")
    if ranking.count():
        ranking.get_by_role("textbox").first.fill("1")
    else:
        page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Check your vote").click()
    expect(heading(page)).to_have_text("Check your vote")
    checked(page, assert_accessible)
    page.get_by_role("button", name="Cast your vote").click()
    expect(heading(page)).to_have_text("Your vote is cast")
    checked(page, assert_accessible)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Needs you").click()
    expect(page.get_by_role("link", name=f"You have voted in {title}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Vote in {title}")).to_have_count(0)


# -- The chair signs the minutes --------------------------------------------------------------


def test_the_chair_signs_the_minutes_from_their_front_door(page, live_server, assert_accessible):
    title = unique("Board meeting")
    with database(live_server) as dbsession:
        board = dbsession.scalar(select(Body).where(Body.kind == meeting_rules.BOARD))
        starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
        meeting = Meeting(
            body=board,
            title=title,
            kind=meeting_rules.ORDINARY,
            starts_at=starts,
            place="Community room",
            notice_given_at=starts - timedelta(days=10),
            minutes_state=meeting_rules.APPROVED,
        )
        dbsession.add(meeting)
        meetings.add_standing_items(dbsession, meeting)

    main = front_door(page, "chair@example.org", assert_accessible, password=DEMO_PASSWORD)
    main.get_by_role("link", name=f"Sign the minutes of {title}").click()
    expect(heading(page)).to_have_text(re.compile(f"^Full record: .*{title}$"))
    checked(page, assert_accessible)
    page.get_by_role("link", name="Sign the minutes").click()
    expect(heading(page)).to_have_text(f"Sign the minutes of {title}")
    checked(page, assert_accessible)
    page.get_by_label("I sign these minutes as a true record, as approved").check()
    page.get_by_role("button", name="Sign the minutes").click()
    expect(flash(page, "The minutes are signed and published.")).to_be_visible()
    checked(page, assert_accessible)


def test_a_director_declares_their_interests_from_their_front_door(
    page, live_server, assert_accessible
):
    main = front_door(page, "director@example.org", assert_accessible, DEMO_PASSWORD)
    main.get_by_role("link", name="Declare your interests").click()
    expect(heading(page)).to_have_text("Your declarations of interest")
    checked(page, assert_accessible)
    page.get_by_role("group", name="Kind of interest").get_by_role("radio").first.check()
    page.get_by_label("Description").fill("Governor of Golborne Primary School")
    fill_date(page, "Held since", date(2019, 9, 1))
    page.get_by_role("button", name="Record the declaration").click()
    expect(flash(page, "Your declaration is recorded.")).to_be_visible()
    checked(page, assert_accessible)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Needs you")
    ).click()
    expect(heading(page)).to_have_text("What needs you")
    expect(page.get_by_role("link", name="Declare your interests")).to_have_count(0)


# -- The secretary decides an application -----------------------------------------------------


def test_the_secretary_decides_an_application_from_their_front_door(
    page, live_server, assert_accessible
):
    name = unique("Ines Carvalho")
    with database(live_server) as dbsession:
        home = a_home_held_by(dbsession, name)
        dbsession.add(
            MembershipApplication(
                home_id=home.id,
                full_name=name,
                holding="secure_tenant",
                date_of_birth=date(1977, 8, 30),
                consented_at=datetime.now(UTC),
                status=ApplicationStatus.SUBMITTED,
                matched_tenancy_id=home.tenancies[0].id,
            )
        )

    main = front_door(page, "secretary@example.org", assert_accessible, password=DEMO_PASSWORD)
    main.get_by_role("link", name=re.compile(r"^\d+ applications? to join waiting$")).click()
    expect(heading(page)).to_have_text("Applications to join")
    checked(page, assert_accessible)
    page.get_by_role("row").filter(has_text=name).get_by_role("link", name=name).click()
    expect(heading(page)).to_have_text(f"Application from {name}")
    checked(page, assert_accessible)
    page.get_by_role("group", name="Decision").get_by_label("Admit as a member").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(flash(page, re.compile(rf"Admitted {name} as member M\d+"))).to_be_visible()
    checked(page, assert_accessible)


# -- The returning officer takes an election's next step --------------------------------------


def test_the_returning_officer_takes_the_next_step_from_their_front_door(
    page, live_server, assert_accessible
):
    title = unique("By-election")
    with database(live_server) as dbsession:
        officer = dbsession.scalar(select(Account).where(Account.email == OFFICER))
        election = new_election(dbsession, seats=1, returning_officer=officer)
        election.title = title
        shift(election, RULES.elections.nomination_days)

    main = front_door(page, OFFICER, assert_accessible, password=DEMO_PASSWORD)
    line = main.get_by_role("listitem").filter(has_text=title)
    expect(line).to_contain_text("Nominations close:")
    line.get_by_role("link", name=f"{title}: Close nominations").click()
    expect(heading(page)).to_have_text(title)
    checked(page, assert_accessible)
    page.get_by_role("button", name="Close nominations").click()
    expect(flash(page, "Nominations are closed.")).to_be_visible()
    checked(page, assert_accessible)


# -- The Youth Forum --------------------------------------------------------------------------


def forum_member(dbsession, email: str) -> YouthMember:
    """A member of the demo's Youth Forum (new ones would change the forum's count of voters)."""
    return dbsession.scalar(
        select(YouthMember)
        .join(Account, YouthMember.account_id == Account.id)
        .where(Account.email == email)
    )


def an_idea(dbsession, proposer, title: str, *, vote: bool):
    proposal = youth.draft_proposal(
        dbsession,
        proposer,
        youth.ProposalFields(title, "Somewhere to play", "Everyone", "sport", 4_000, "2 goals"),
        quote=(PDF, "quote.pdf"),
        actor_id=None,
    )
    youth.submit_proposal(dbsession, proposal, proposer, actor_id=None, now=datetime.now(UTC))
    if vote:
        youth.open_vote(
            dbsession,
            Constitution(),
            proposal,
            comments="",
            actor_id=None,
            today=date.today(),
        )
    return proposal


def test_a_youth_member_votes_on_an_idea_from_their_front_door(
    page, live_server, assert_accessible
):
    title = unique("Football goals")
    with database(live_server) as dbsession:
        an_idea(dbsession, forum_member(dbsession, "priya.youth@example.org"), title, vote=True)

    main = front_door(page, "kwame.youth@example.org", assert_accessible, DEMO_PASSWORD)
    main.get_by_role("link", name=f"Vote on {title}").click()
    expect(heading(page)).to_have_text(title)
    checked(page, assert_accessible)
    page.get_by_role("link", name="Vote on this proposal").click()
    expect(heading(page)).to_have_text("Vote on this proposal")
    checked(page, assert_accessible)
    page.get_by_role("group", name="Your vote").get_by_label("For", exact=True).check()
    page.get_by_role("button", name="Cast my vote").click()
    expect(flash(page, "Your vote is in")).to_be_visible()
    checked(page, assert_accessible)


def test_the_youth_worker_checks_an_idea_from_their_front_door(
    page, live_server, assert_accessible
):
    title = unique("Table football")
    with database(live_server) as dbsession:
        an_idea(dbsession, forum_member(dbsession, "priya.youth@example.org"), title, vote=False)

    main = front_door(page, "youth.worker@example.org", assert_accessible, DEMO_PASSWORD)
    main.get_by_role("link", name=f"Check the idea {title}").click()
    expect(heading(page)).to_have_text(title)
    checked(page, assert_accessible)
    page.get_by_role("link", name="Check the proposal").click()
    expect(heading(page)).to_have_text("Check the proposal")
    checked(page, assert_accessible)
    page.get_by_role("group", name="Your check").get_by_label(
        "It is feasible and allowed: put it to the forum's vote"
    ).check()
    page.get_by_role("button", name="Record the check").click()
    expect(flash(page, "The forum's vote is open.")).to_be_visible()
    checked(page, assert_accessible)
