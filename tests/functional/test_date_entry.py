"""Dates of birth and past days typed as three boxes (day, month, year), GOV.UK's pattern: each
box labelled, the group a fieldset with its legend, the hint an example in the same form, a
mistake said against the box that holds it, and a day out of range refused in words."""

from datetime import date

import pytest

from tests.conftest import choose, fill_date, log_in
from tests.factories import AccountFactory, TenancyFactory
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
