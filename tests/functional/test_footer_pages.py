"""The pages every footer links to: the privacy notice, the accessibility statement and how to
contact the TMO, public, and saying what the constitution in force says."""

import pytest

from tests.functional.test_constitution import edit_form, save
from tmo.permissions import Role

PAGES = {
    "Privacy": ("/privacy", "Privacy notice"),
    "Accessibility statement": ("/accessibility", "Accessibility statement for"),
    "Contact": ("/contact", "Contact "),
}


def adopt(testapp, **fields) -> None:
    """The administrator saves a new version of the constitution with ``fields`` changed."""
    form = edit_form(testapp)
    for name, value in fields.items():
        form[name] = value
    save(form)


def footer_links(page) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in page.html.select("footer a")}


@pytest.mark.parametrize("path", ["/", "/constitution", "/login", "/privacy", "/elections"])
def test_every_page_s_footer_links_the_privacy_accessibility_and_contact_pages(testapp, path):
    links = footer_links(testapp.get(path))
    for text, (target, _) in PAGES.items():
        assert links[text].endswith(target)


def test_the_footer_links_are_there_for_someone_logged_in_too(testapp, logged_in):
    logged_in(Role.SECRETARY)
    links = footer_links(testapp.get("/secretary/register"))
    assert set(PAGES) <= set(links)


@pytest.mark.parametrize("text", list(PAGES))
def test_each_footer_page_opens_for_the_public(testapp, text):
    _, heading = PAGES[text]
    page = testapp.get(footer_links(testapp.get("/"))[text])
    assert page.status_int == 200
    assert page.html.h1.get_text().startswith(heading)


def test_the_privacy_notice_says_how_long_the_constitution_keeps_things(testapp, logged_in):
    page = testapp.get("/privacy")
    assert "then 10 years after you leave" in page.text
    assert "Why" in page.text and "How long" in page.text
    assert "At least 10 years from the meeting" in page.text
    assert "aged 13 to 25" in page.text
    assert "Information Commissioner" in page.text

    logged_in(Role.ADMINISTRATOR)
    adopt(
        testapp,
        register_retention_years="12",
        minutes_retention_years="15",
        data_protection_contact="Our data protection officer",
        note="AGM resolution: keep records longer",
    )

    page = testapp.get("/privacy")
    assert "then 12 years after you leave" in page.text
    assert "At least 15 years from the meeting" in page.text
    assert "Ask Our data protection officer" in page.text


def test_the_contact_page_shows_the_constitution_s_contact_details(testapp, logged_in):
    page = testapp.get("/contact")
    assert "has not yet published its office's address" in page.text

    logged_in(Role.ADMINISTRATOR)
    adopt(
        testapp,
        organisation_name="Lancaster West TMO",
        office_address="1 Lancaster Road, London W11 1QN",
        email="hello@lancaster.example",
        phone="020 7946 0999",
        note="Office details",
    )

    for path in ("/contact", "/accessibility", "/privacy"):
        page = testapp.get(path)
        rows = [row.get_text(" ", strip=True) for row in page.html.select(".summary-list__row")]
        # The contact details are the page's last list (the privacy notice's others say what
        # is kept).
        assert rows[-3:] == [
            "Office 1 Lancaster Road, London W11 1QN",
            "Email hello@lancaster.example",
            "Phone 020 7946 0999",
        ], path
        assert "Lancaster West TMO" in page.html.h1.get_text() or path == "/privacy"
    assert "Lancaster West TMO (the TMO) is the controller" in testapp.get("/privacy").text


def test_the_accessibility_statement_follows_the_gov_uk_model(testapp):
    page = testapp.get("/accessibility")
    headings = [h.get_text(strip=True) for h in page.html.select("main h2, main h3")]
    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this statement",
    ):
        assert heading in headings
    assert "partially compliant" in page.text
    assert "Equality Advisory and Support Service" in page.text
