"""The account journey as a person makes it in a real browser: create an account, confirm the email
address from the link in the message, log in and log out; a failed registration's error summary;
the same logging in and out with the keyboard alone; and pages that fit a 320 px wide screen. Pages
are found by what they say (roles, labels and text, never CSS), and axe checks each page visited.
"""

import re
import uuid

import pytest

from tests.browser.conftest import main_menu
from tmo.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_requirements fixture skips these tests (fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern orchard puzzle 47"
VERIFY_LINK = re.compile(r"https?://\S+/verify/\S+")
# A registration sent empty: each error in the summary, and the label of the field it is about.
EMPTY_REGISTRATION_ERRORS = {
    "Enter your name.": "Your name",
    "Enter your email address.": "Email address",
    "Enter a password.": "Create a password",
}


def title(words: str) -> re.Pattern:
    """A page's title: its own words, an en dash, then the TMO's name."""
    return re.compile(f"^{re.escape(words)} \N{EN DASH} ")


def heading(page):
    return page.get_by_role("heading", level=1)


def flash(page, message: str):
    return page.get_by_role("status").get_by_text(message)


def main_nav(page):
    return main_menu(page)


def test_register_confirm_email_log_in_and_log_out(page, live_server, assert_accessible):
    name = "Ruth Adebayo"
    email = f"ruth.{uuid.uuid4().hex[:12]}@example.org"

    page.goto("/register")
    expect(page).to_have_title(title("Create an account"))
    expect(heading(page)).to_have_text("Create an account")
    assert_accessible(page)

    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Create a password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{live_server.url}/register/check-your-email")
    expect(page).to_have_title(title("Check your email"))
    expect(heading(page)).to_have_text("Check your email")
    expect(page.get_by_text(f"We have sent a message to {email}.")).to_be_visible()
    expect(page.get_by_role("button", name="Send the message again")).to_be_visible()
    assert_accessible(page)

    messages = live_server.mail_to(email)
    assert len(messages) == 1, [message.subject for message in messages]
    message = messages[0]
    assert message.subject.startswith("Confirm your email address for ")
    assert f"Hello {name}," in message.body
    link = VERIFY_LINK.search(message.body)
    assert link, message.body

    page.goto(link.group(0))
    expect(heading(page)).to_have_text("Confirm your email address")
    expect(page.get_by_text("Press the button to confirm this is your email")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my email address").click()

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(heading(page)).to_have_text("Log in")
    expect(flash(page, "Your email address is confirmed. You can now log in.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/needs-you")
    expect(page).to_have_title(title("What needs you"))
    expect(heading(page)).to_have_text("What needs you")
    expect(flash(page, f"You are logged in as {name}.")).to_be_visible()
    expect(page.get_by_role("link", name="Apply to join")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Log in")).to_have_count(0)
    assert_accessible(page)

    main_nav(page).get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(flash(page, "You have logged out.")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Log out")).to_have_count(0)
    assert_accessible(page)

    # Logged out for real: the account page now asks to log in first.
    page.goto("/account")
    expect(page).to_have_url(f"{live_server.url}/login?next=%2Faccount")
    expect(heading(page)).to_have_text("Log in")


def test_empty_registration_shows_an_error_summary_linking_to_each_field(page, assert_accessible):
    page.goto("/register")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_title(title("Error: Create an account"))
    summary = page.get_by_role("alert", name="There is a problem")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(list(EMPTY_REGISTRATION_ERRORS))
    assert_accessible(page)

    for message, label in EMPTY_REGISTRATION_ERRORS.items():
        summary.get_by_role("link", name=message).click()
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_focused()
        # The error is read out with the field, not only shown above the form.
        expect(field).to_have_accessible_description(re.compile(rf"Error: {re.escape(message)}"))


def tab_to(page, target, presses: int = 40) -> None:
    """Press Tab, as a keyboard user does, until ``target`` has focus, visibly."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            assert target.evaluate("element => element.matches(':focus-visible')"), (
                "focus reached the element but is not shown"
            )
            return
    pytest.fail(f"{presses} presses of Tab never reached {target}")


def test_log_in_and_out_with_the_keyboard_alone(page, live_server, assert_accessible):
    email, name, _ = next(account for account in DEMO_ACCOUNTS if account[0].startswith("member"))

    page.goto("/")
    skip_link = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    main = page.get_by_role("main")
    expect(main).to_be_focused()
    # Tab goes on from the main content, past the header's links.
    page.keyboard.press("Tab")
    expect(main.get_by_role("link", name="Create an account")).to_be_focused()

    tab_to(page, main.get_by_role("link", name="Log in"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(heading(page)).to_have_text("Log in")

    tab_to(page, page.get_by_label("Email address", exact=True))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(DEMO_PASSWORD)
    tab_to(page, page.get_by_role("button", name="Log in"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/needs-you")
    expect(flash(page, f"You are logged in as {name}.")).to_be_visible()

    tab_to(page, main_nav(page).get_by_role("button", name="Log out"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(flash(page, "You have logged out.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/register", "/login", "/constitution"])
def test_page_fits_a_320_pixel_wide_screen(page, path):
    """WCAG 1.4.10 Reflow: at 320 CSS pixels wide nothing scrolls sideways."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    expect(heading(page)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{path} is {scroll_width} px wide at a 320 px viewport"


@pytest.mark.parametrize("width", [1280, 320])
def test_the_footer_s_privacy_accessibility_and_contact_pages_are_reached_and_accessible(
    page, assert_accessible, width
):
    """From any page, the footer leads to the privacy notice, the accessibility statement and
    the contact page (GOV.UK's pattern), each readable at 1280 and 320 px wide."""
    page.set_viewport_size({"width": width, "height": 800})
    for link, words in (
        ("Privacy", "Privacy notice"),
        ("Accessibility statement", "Accessibility statement for"),
        ("Contact", "Contact "),
    ):
        page.goto("/constitution")
        page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True).click()
        expect(heading(page)).to_have_text(re.compile(f"^{re.escape(words)}"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
