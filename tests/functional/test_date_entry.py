"""Dates of birth and past days typed as three boxes (day, month, year), GOV.UK's pattern: each
box labelled, the group a fieldset with its legend, the hint an example in the same form, a
mistake said against the box that holds it, and a day out of range refused in words."""

import re
from datetime import date

import pytest

from tests.conftest import choose, fill_date, log_in
from tests.factories import AccountFactory, TenancyFactory
from tmo.permissions import Role
from tmo.presenters import day
from tmo.rules.membership import add_years


@pytest.fixture
def application(testapp):
    """The application form of a resident who found their home."""
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    log_in(testapp, AccountFactory(display_name="Ruth Adeyemi").email)

    def form_with(born: str | tuple):
        page = testapp.get("/membership/apply", params={"postcode": tenancy.home.postcode})
        form = page.forms["form"]
        choose(form, str(tenancy.home.id))
        choose(form, "secure_tenant")
        choose(form, "post")
        form["consent"] = True
        if isinstance(born, tuple):
            for box, typed in zip(("day", "month", "year"), born, strict=True):
                form[f"date_of_birth-{box}"] = typed
        else:
            fill_date(form, "date_of_birth", born)
        return form

    return form_with


def boxes(page, name="date_of_birth"):
    """(the fieldset, {box: its input}) of a date field."""
    inputs = {
        box: page.html.find("input", attrs={"name": f"{name}-{box}"})
        for box in ("day", "month", "year")
    }
    return inputs["day"].find_parent("fieldset"), inputs


def test_a_date_of_birth_is_three_labelled_boxes_in_a_fieldset_with_an_example_hint(application):
    page = application("1980-06-15").response
    fieldset, inputs = boxes(page)
    assert fieldset.legend.get_text(strip=True) == "Date of birth"
    hint = page.html.find(id=fieldset["aria-describedby"].split()[0]).get_text(strip=True)
    assert hint.startswith("For example, 27 3 2007.")
    for box, label in (("day", "Day"), ("month", "Month"), ("year", "Year")):
        field = inputs[box]
        assert page.html.find("label", attrs={"for": field["id"]}).get_text(strip=True) == label
        assert field["inputmode"] == "numeric"
        assert field["autocomplete"] == f"bday-{box}"


def test_a_date_of_birth_typed_in_boxes_is_kept(application, dbsession):
    from sqlalchemy import select

    from tmo.models.membership import MembershipApplication

    assert application(("5", "03", "1980")).submit("submit").status_int == 302
    assert dbsession.scalar(select(MembershipApplication.date_of_birth)) == date(1980, 3, 5)


@pytest.mark.parametrize(
    ("typed", "message", "wrong"),
    [
        (("", "3", "1980"), "Date of birth must include a day.", {"day"}),
        (("5", "", ""), "Date of birth must include a month and year.", {"month", "year"}),
        (("5", "March", "1980"), "Date of birth must be a real date, in numbers.", {"month"}),
        (("²", "3", "1980"), "Date of birth must be a real date, in numbers.", {"day"}),
        (("5", "13", "1980"), "Date of birth must be a real date: a month is 1 to 12.", {"month"}),
        (("31", "2", "1980"), "Date of birth must be a real date.", {"day"}),
        (("5", "3", "80"), "The year must have 4 numbers, like 2007.", {"year"}),
        (("", "", ""), "Enter your date of birth.", {"day", "month", "year"}),
    ],
)
def test_a_mistake_is_said_against_the_box_that_holds_it(application, typed, message, wrong):
    page = application(typed).submit("submit")
    assert page.status_int == 200
    summary = page.html.select_one(".error-summary")
    link = summary.find("a", string=message)
    assert link is not None, summary.get_text()
    _, inputs = boxes(page)
    first = next(box for box in ("day", "month", "year") if box in wrong)
    assert link["href"] == f"#{inputs[first]['id']}"
    marked = {box for box, field in inputs.items() if field.get("aria-invalid") == "true"}
    assert marked == wrong
    # What was typed is given back as typed.
    assert [inputs[box]["value"] for box in ("day", "month", "year")] == list(typed)
    assert "${" not in page.text


def test_a_birth_in_1890_or_in_the_future_is_refused_with_the_range(application):
    page = application("1890-05-01").submit("submit")
    summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Date of birth must be after" in summary and "check the year" in summary
    future = application("2999-01-01").submit("submit")
    assert "Date of birth must be today or in the past." in future.text


def test_the_oldest_plausible_birth_is_120_years_ago(application):
    today = date.today()
    earliest = add_years(today, -121)
    refused = application(earliest.isoformat()).submit("submit")
    assert f"Date of birth must be after {day(earliest)}: check the year." in refused.text


# The Youth Forum's band, from the constitution ----------------------------------------------------


def test_the_youth_forums_date_of_birth_takes_its_hint_and_range_from_the_constitution(
    testapp, dbsession, logged_in
):
    from dataclasses import replace

    from tmo.constitution import Constitution
    from tmo.services import constitution as constitution_service

    rules = Constitution()
    adopted = replace(rules, youth=replace(rules.youth, minimum_age=14, maximum_age=21))
    constitution_service.adopt_constitution(
        dbsession, adopted, effective_from=date(2000, 1, 1), note="", actor_id=None
    )
    dbsession.commit()
    logged_in()
    page = testapp.get("/youth/join")
    fieldset, _ = boxes(page)
    hint = page.html.find(id=fieldset["aria-describedby"].split()[0]).get_text(strip=True)
    assert hint == "For example, 27 3 2010. The forum is for young people aged 14 to 21."

    form = page.forms["form"]
    choose(form, "email")
    form["first_name"], form["surname"], form["postcode"] = "Amara", "Okafor", "w10 5pa"
    form["lives_here"] = True
    fill_date(form, "date_of_birth", add_years(date.today(), -22))
    refused = form.submit("submit")
    assert "The Youth Forum is for young people aged up to 21." in refused.text
    _, inputs = boxes(refused)
    assert all(field.get("aria-invalid") == "true" for field in inputs.values())


# Past days ----------------------------------------------------------------------------------------


def test_a_past_day_cannot_be_tomorrow(testapp, dbsession):
    from sqlalchemy import select

    from tests.functional.test_board import seat_board
    from tmo.models.board import Director

    seat_board(dbsession, residents=1, councillors=0, independents=0, youth=0)
    director = dbsession.scalar(select(Director).where(Director.name == "Resident 1"))
    director.account_id = AccountFactory(roles=[Role.DIRECTOR, Role.MEMBER]).id
    dbsession.commit()
    log_in(testapp, director.account.email)
    form = testapp.get("/board/my-interests").forms["form"]
    choose(form, "employment")
    form["description"] = "Director of Smith Roofing Ltd"
    fill_date(form, "from_date", date.fromordinal(date.today().toordinal() + 1))
    page = form.submit("submit")
    assert "Held since must be today or in the past." in page.text
    fieldset, _ = boxes(page, "from_date")
    assert fieldset.legend.get_text(strip=True) == "Held since"
    assert "For example, 27 3 2026." in fieldset.get_text()


# The hint matches the field -----------------------------------------------------------------------


def test_no_date_field_hints_at_a_format_it_does_not_take(testapp, dbsession, logged_in, mailer):
    """A hint "For example 1975-03-27" beside boxes for day, month and year would mislead."""
    logged_in()
    tenancy = TenancyFactory()
    pages = [
        testapp.get("/membership/apply", params={"postcode": tenancy.home.postcode}),
        testapp.get("/youth/join"),
    ]
    for page in pages:
        text = page.html.get_text(" ")
        assert "For example, 27 3 " in text
        assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text), page.request.path
