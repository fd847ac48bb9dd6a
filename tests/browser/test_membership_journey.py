"""Joining the TMO in a real browser: a resident applies for their home, the secretary admits
them, and the new member sees their member number; axe checks every page on the way."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tmo.demo import DEMO_PASSWORD
from tmo.models import get_session_factory
from tmo.models.membership import Estate, Home, Member, Tenancy

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

POSTCODE = "W10 5QZ"
ADDRESS = "Flat 14 Maple House, Bevington Road, W10 5QZ"


@pytest.fixture(scope="module")
def home_with_tenancy(live_server):
    """A home of the TMO's, held by the demo resident (Rob Fernandes) as a secure tenant."""
    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession, dbsession.begin():
        estate = dbsession.scalar(select(Estate).where(Estate.name == "Journey Estate"))
        if estate is None:
            estate = Estate(name="Journey Estate")
            home = Home(
                reference="JOURNEY-14",
                estate=estate,
                address_line_1="Flat 14 Maple House",
                address_line_2="Bevington Road",
                postcode=POSTCODE,
                ward="Golborne",
                tenure_type="Secure",
            )
            dbsession.add(
                Tenancy(
                    reference="JT-14",
                    home=home,
                    holder_name="Rob Fernandes",
                    holding="secure_tenant",
                    start_date=date(2012, 9, 3),
                )
            )
    return ADDRESS


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status").get_by_text("You are logged in as")).to_be_visible()


def log_out(page):
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").get_by_text("You have logged out.")).to_be_visible()


def test_resident_applies_secretary_admits_member_sees_their_number(
    page, live_server, home_with_tenancy, assert_accessible
):
    log_in(page, "resident@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your membership").click()
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
    page.get_by_label("Date of birth").fill("1979-04-12")
    page.get_by_role("button", name="Apply to join").click()

    # Consent forgotten: the error summary says so and nothing is lost.
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text(
        "You must agree to be entered in the register of members."
    )
    expect(page).to_have_title(re.compile("^Error: Apply to join"))
    assert_accessible(page)
    expect(page.get_by_label("Date of birth")).to_have_value("1979-04-12")
    page.get_by_label("I agree that the TMO keeps my name").check()
    page.get_by_role("button", name="Apply to join").click()

    expect(page.get_by_role("status").get_by_text("Your application has been sent")).to_be_visible()
    expect(page.get_by_text("Waiting for the secretary's decision")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, "secretary@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
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

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.get_by_label("Name, member number, address or postcode").fill("Fernandes")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name=number)).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, "resident@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your membership").click()
    expect(page.get_by_role("definition").filter(has_text=number)).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Member (may vote)")).to_be_visible()
    assert_accessible(page)
    assert any(number in message.subject for message in live_server.mail_to("resident@example.org"))

    factory = get_session_factory(live_server.app.registry["dbengine"])
    with factory() as dbsession:
        member = dbsession.scalar(select(Member).where(Member.name == "Rob Fernandes"))
        assert member.number_label == number and member.address == home_with_tenancy
