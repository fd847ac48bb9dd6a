"""The secretary corrects a register entry (name, address, date of birth) with a reason; the
entry's history keeps what it said before, in plain words; the register is read and found by
surname."""

import re
from datetime import date

from sqlalchemy import select

from tests.conftest import date_typed, fill_date
from tests.factories import HomeFactory, MemberFactory, TenancyFactory
from tests.functional.test_membership_contact import history_of
from tests.functional.test_register_search import found
from tmo.models.audit import AuditEntry
from tmo.models.membership import Member
from tmo.permissions import Role


def member_named(name: str, **attributes) -> Member:
    home = HomeFactory(address_line_1="Flat 4 Oak House", postcode="W10 6AB")
    return MemberFactory(name=name, tenancy=TenancyFactory(home=home), **attributes)


def correction_form(testapp, member):
    entry = testapp.get(f"/secretary/register/{member.id}")
    return entry.click("Correct this entry").forms["form"]


def errors(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.html.select(".error-summary a")]


def test_the_secretary_corrects_a_misspelt_name_and_the_history_keeps_the_old_one(
    testapp, dbsession, logged_in
):
    logged_in(Role.SECRETARY, display_name="Sam Okoro")
    member = member_named("Dorothy Okafur", date_of_birth=date(1961, 3, 12))
    form = correction_form(testapp, member)
    # The form shows what the entry says now.
    assert form["name"].value == "Dorothy Okafur"
    assert form["address"].value == member.address
    assert date_typed(form, "date_of_birth") == "1961-03-12"

    form["name"] = "Dorothy Okafor"
    fill_date(form, "date_of_birth", "1961-03-21")
    form["reason"] = "Misspelt on the application form: see the tenancy agreement"
    page = form.submit("submit").follow()

    assert "Corrected the name, date of birth." in page.text
    assert page.html.h1.get_text() == "Dorothy Okafor"
    assert "21 March 1961" in page.text
    rows = history_of(testapp, member)
    assert rows[-1][1:] == [
        "Name corrected from Dorothy Okafur to Dorothy Okafor; Date of birth corrected from "
        "12 March 1961 to 21 March 1961 by Sam Okoro: Misspelt on the application form: see the "
        "tenancy agreement.",
        "Sam Okoro",
    ]
    entry = dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "membership.corrected"))
    assert entry.detail["changes"] == {
        "name": ["Dorothy Okafur", "Dorothy Okafor"],
        "date_of_birth": ["1961-03-12", "1961-03-21"],
    }
    # The statutory register reads the corrected name; the old one is found no more.
    assert found(testapp, "Okafor") == ["Dorothy Okafor"]
    assert found(testapp, "Okafur") == []
    export = testapp.get("/secretary/register.csv").text
    assert "Dorothy Okafor" in export and "Okafur" not in export


def test_an_address_is_corrected_and_found_by_its_new_words(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    member = member_named("Ruth Adeyemi")
    form = correction_form(testapp, member)
    form["address"] = "Flat 14 Elm House, Golborne Road, London, W10 5PA"
    form["reason"] = "Flat number typed as 4"
    form.submit("submit").follow()

    assert found(testapp, "Elm House") == ["Ruth Adeyemi"]
    assert found(testapp, "W10 5PA") == ["Ruth Adeyemi"]
    assert found(testapp, "Oak House") == []
    words = history_of(testapp, member)[-1][1]
    assert words.startswith("Address corrected from Flat 4 Oak House")
    assert "to Flat 14 Elm House, Golborne Road, London, W10 5PA by " in words


def test_a_correction_needs_a_reason_and_a_change_and_keeps_what_was_typed(
    testapp, dbsession, logged_in
):
    logged_in(Role.SECRETARY)
    member = member_named("Dorothy Okafur")
    form = correction_form(testapp, member)
    form["name"] = "Dorothy Okafor"
    refused = form.submit("submit")
    assert errors(refused) == ["Say why the entry is being corrected."]
    assert refused.forms["form"]["name"].value == "Dorothy Okafor"

    form = correction_form(testapp, member)
    form["reason"] = "Checked"
    refused = form.submit("submit")
    assert errors(refused) == [
        "Nothing was changed: correct the name, address or date of birth, or cancel."
    ]
    form = refused.forms["form"]
    form["name"] = ""
    fill_date(form, "date_of_birth", "2999-01-01")
    refused = form.submit("submit")
    assert errors(refused) == [
        "Enter the member's full name.",
        "Date of birth must be today or in the past.",
    ]
    assert (
        dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "membership.corrected"))
        is None
    )
    assert found(testapp, "Okafur") == ["Dorothy Okafur"]


def test_only_the_secretary_corrects_an_entry(testapp, logged_in):
    member = member_named("Dorothy Okafor")
    logged_in(Role.ADMINISTRATOR)
    entry = testapp.get(f"/secretary/register/{member.id}")
    assert "Correct this entry" not in entry.text
    path = f"/secretary/register/{member.id}/correct"
    assert testapp.get(path, expect_errors=True).status_int == 403


def test_the_history_speaks_in_plain_words_never_in_codes(testapp, logged_in):
    logged_in(Role.SECRETARY)
    member = member_named("Dorothy Okafor")
    form = testapp.get(f"/secretary/register/{member.id}/end").forms["form"]
    form["note"] = "Moved away"
    form.submit("submit").follow()
    rows = history_of(testapp, member)
    assert rows
    for _, words, _ in rows:
        assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", words), words
    assert re.fullmatch(
        r"Membership ended on \d{1,2} \w+ \d{4} \(ended by the secretary\)\.", rows[-1][1]
    )


def test_the_register_is_read_and_found_by_surname(testapp, logged_in):
    logged_in(Role.SECRETARY)
    for name in (
        "Dorothy Okafor",
        "Aaron Zephaniah",
        "Zainab Adeyemi",
        "Bola Okafor",
        "Mary O'Brien",
    ):
        member_named(name)
    assert found(testapp) == [
        "Zainab Adeyemi",
        "Mary O'Brien",
        "Bola Okafor",
        "Dorothy Okafor",
        "Aaron Zephaniah",
    ]
    assert found(testapp, "Okafor Dorothy") == ["Dorothy Okafor"]
    assert found(testapp, "okafor d") == ["Dorothy Okafor"]
    assert found(testapp, "Dorothy Okafor") == ["Dorothy Okafor"]
    assert found(testapp, "Okafor") == ["Bola Okafor", "Dorothy Okafor"]
    assert found(testapp, "OBrien Mary") == ["Mary O'Brien"]


def test_a_corrected_name_is_found_surname_first(testapp, logged_in):
    logged_in(Role.SECRETARY)
    member = member_named("Dorothy Okafur")
    form = correction_form(testapp, member)
    form["name"] = "Dorothy Okafor"
    form["reason"] = "Misspelt"
    form.submit("submit").follow()
    assert found(testapp, "Okafor Dorothy") == ["Dorothy Okafor"]
    assert found(testapp, "Okafur Dorothy") == []
