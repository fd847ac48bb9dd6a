"""Joining the TMO in a real browser: a resident applies for their home, the secretary admits
them, and the new member sees their member number; the secretary enters an application for a
resident who phoned, admits them and records how they want to be contacted. axe checks every
page on the way."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.browser.conftest import fill_date, main_menu
from tmo.demo import DEMO_PASSWORD
from tmo.models import get_session_factory
from tmo.models.membership import Estate, Home, Member, Tenancy

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

POSTCODE = "W10 5QZ"


def home_held_by(live_server, holder: str, *, home: str, tenancy: str, flat: str, postcode: str):
    """A home of the TMO's on Bevington Road (added once), held by ``holder`` as a secure
    tenant; its address."""
    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession, dbsession.begin():
        if dbsession.scalar(select(Home).where(Home.reference == home)) is None:
            estate = dbsession.scalar(select(Estate).where(Estate.name == "Journey Estate"))
            dbsession.add(
                Tenancy(
                    reference=tenancy,
                    home=Home(
                        reference=home,
                        estate=estate or Estate(name="Journey Estate"),
                        address_line_1=flat,
                        address_line_2="Bevington Road",
                        postcode=postcode,
                        ward="Golborne",
                        tenure_type="Secure",
                    ),
                    holder_name=holder,
                    holding="secure_tenant",
                    start_date=date(2012, 9, 3),
                )
            )
    return f"{flat}, Bevington Road, {postcode}"


@pytest.fixture(scope="module")
def home_with_tenancy(live_server):
    """A home of the TMO's, held by the demo resident (Rob Fernandes) as a secure tenant."""
    return home_held_by(
        live_server,
        "Rob Fernandes",
        home="JOURNEY-14",
        tenancy="JT-14",
        flat="Flat 14 Maple House",
        postcode=POSTCODE,
    )


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status").get_by_text("You are logged in as")).to_be_visible()


def log_out(page):
    main_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").get_by_text("You have logged out.")).to_be_visible()


def test_resident_applies_secretary_admits_member_sees_their_number(
    page, live_server, home_with_tenancy, assert_accessible
):
    log_in(page, "resident@example.org")
    main_menu(page).get_by_role("link", name="Your membership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your membership")
    assert_accessible(page)
    page.get_by_role("link", name="Apply to join").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to join the TMO")
    assert_accessible(page)
    page.get_by_label("Your postcode").fill("w10 5qz")
    page.get_by_role("button", name="Find my home").click()

    expect(page.get_by_role("heading", name=f"Homes at {POSTCODE}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Your home").get_by_label(home_with_tenancy).check()
    expect(page.get_by_label("Your full name")).to_have_value("Rob Fernandes")
    page.get_by_role("group", name="How do you hold your home?").get_by_label(
        "I am the tenant"
    ).check()
    fill_date(page, "Date of birth", "1979-04-12")
    page.get_by_role("group", name="How should we send you notices and letters?").get_by_label(
        "By email to resident@example.org"
    ).check()
    page.get_by_role("button", name="Apply to join").click()

    # Asking to become a member forgotten: the error summary says so and nothing is lost.
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "Tick the box to confirm that you want to become a member."
    )
    expect(page).to_have_title(re.compile("^Error: Apply to join"))
    assert_accessible(page)
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Year")).to_have_value(
        "1979"
    )
    page.get_by_label("I want to become a member of the TMO").check()
    page.get_by_role("button", name="Apply to join").click()

    expect(page.get_by_role("status").get_by_text("Your application has been sent")).to_be_visible()
    expect(page.get_by_text("Waiting for the secretary's decision")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, "secretary@example.org")
    main_menu(page).get_by_role("link", name="Applications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to join")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text="Rob Fernandes")
    expect(row.get_by_role("cell", name="Yes")).to_be_visible()  # matches the tenancy records
    row.get_by_role("link", name="Rob Fernandes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Application from Rob Fernandes")
    expect(page.get_by_text("Matches the tenancy JT-14")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Decision").get_by_label("Admit as a member").check()
    page.get_by_role("button", name="Record the decision").click()
    admitted = page.get_by_role("status").get_by_text(
        re.compile(r"Admitted Rob Fernandes as member M\d{6}")
    )
    expect(admitted).to_be_visible()
    number = re.search(r"M\d{6}", admitted.inner_text()).group(0)
    assert_accessible(page)

    main_menu(page).get_by_role("link", name="Register").click()
    page.get_by_label("Name, member number, address or postcode").fill("Fernandes")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name=number)).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, "resident@example.org")
    main_menu(page).get_by_role("link", name="Your membership").click()
    expect(page.get_by_role("definition").filter(has_text=number)).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Member (may vote)")).to_be_visible()
    assert_accessible(page)
    assert any(number in message.subject for message in live_server.mail_to("resident@example.org"))

    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession:
        member = dbsession.scalar(select(Member).where(Member.name == "Rob Fernandes"))
        assert member.number_label == number and member.address == home_with_tenancy


CALLER_POSTCODE = "W10 5QY"


@pytest.fixture(scope="module")
def home_of_a_caller(live_server):
    """A home of the TMO's, held by a resident with no account and no email (Edna Price)."""
    return home_held_by(
        live_server,
        "Edna Price",
        home="JOURNEY-2",
        tenancy="JT-2",
        flat="Flat 2 Rowan House",
        postcode=CALLER_POSTCODE,
    )


def test_the_secretary_enters_an_application_for_a_resident_who_phoned(
    page, live_server, home_of_a_caller, assert_accessible
):
    log_in(page, "secretary@example.org")
    main_menu(page).get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="Enter an application for a resident who phoned").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter an application for a resident")
    assert_accessible(page)
    page.get_by_label("Their postcode").fill(CALLER_POSTCODE)
    page.get_by_role("button", name="Find their home").click()

    page.get_by_role("group", name="Their home").get_by_label(home_of_a_caller).check()
    page.get_by_label("Their full name").fill("Edna Price")
    page.get_by_role("group", name="How do they hold their home?").get_by_label(
        "Secure tenant"
    ).check()
    fill_date(page, "Date of birth", "1948-11-02")
    page.get_by_role("group", name="How do they want to be sent notices").get_by_label(
        "By post to their home"
    ).check()
    page.get_by_role("group", name="How did they tell you?").get_by_label("They phoned").check()
    assert_accessible(page)
    page.get_by_label("They asked to become a member of the TMO").check()
    page.get_by_role("button", name="Enter the application").click()

    expect(
        page.get_by_role("status").get_by_text("The application from Edna Price has been entered")
    ).to_be_visible()
    expect(page.get_by_text("None: entered for them by Sam Okoro")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Decision").get_by_label("Admit as a member").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").get_by_text("Admitted Edna Price as member")).to_be_visible()

    main_menu(page).get_by_role("link", name="Register").click()
    page.get_by_label("Name, member number, address or postcode").fill("Edna Price")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Edna Price").click()
    expect(page.get_by_role("definition").filter(has_text="By post to their home")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record how they want to be contacted").click()
    page.get_by_role("group", name="How do they want to be sent notices").get_by_label(
        "By email"
    ).check()
    page.get_by_role("group", name="How did they tell you?").get_by_label("They phoned").check()
    page.get_by_role("button", name="Record their choice").click()

    # No email on record: the choice needs one, and nothing chosen is lost.
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "Choosing email needs an email address"
    )
    assert_accessible(page)
    page.get_by_label("Their email address").fill("edna@example.org")
    page.get_by_role("button", name="Record their choice").click()
    expect(
        page.get_by_role("status").get_by_text("Recorded how Edna Price wants to be contacted.")
    ).to_be_visible()
    expect(
        page.get_by_role("definition").filter(has_text="entered for them by Sam Okoro")
    ).to_be_visible()
    assert_accessible(page)
