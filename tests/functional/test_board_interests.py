"""A director's own declarations of interest, walked as the director: changing one (its dates
checked), and declaring that there is nothing more to declare, which renews the declarations and
clears the warning that one is due."""

from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import choose, fill_date, log_in
from tests.factories import AccountFactory
from tests.functional.test_board import seat_board
from tmo.clock import SystemClock
from tmo.models.audit import AuditEntry
from tmo.models.board import Director, InterestDeclaration
from tmo.permissions import Role

TODAY = SystemClock().today()
DUE = "A declaration is due"


def director_logged_in(testapp, dbsession, name="Resident 1"):
    """``name``, a serving director, logged in; with one declaration made two years ago."""
    seat_board(dbsession, residents=3, councillors=0, independents=0, youth=0)
    account = AccountFactory(roles=[Role.DIRECTOR, Role.MEMBER])
    person = dbsession.scalar(select(Director).where(Director.name == name))
    person.account_id = account.id
    old = TODAY - timedelta(days=730)
    dbsession.add(
        InterestDeclaration(
            director=person,
            kind="employment",
            description="Director of Smith Roofing Ltd",
            from_date=date(2019, 3, 1),
            declared_on=old,
        )
    )
    dbsession.commit()
    log_in(testapp, account.email)
    return person


def change_link(page):
    (link,) = [a for a in page.html.select("td a") if a.get_text().startswith("Change")]
    return link["href"]


def test_a_director_changes_a_declaration_and_its_dates_are_checked(testapp, dbsession):
    director_logged_in(testapp, dbsession)
    page = testapp.get("/board/my-interests")
    assert DUE in page.text
    form = testapp.get(change_link(page)).forms["form"]
    assert form["description"].value == "Director of Smith Roofing Ltd"

    fill_date(form, "from_date", TODAY + timedelta(days=3))
    refused = form.submit("submit")
    assert "There is a problem" in refused.text
    assert "Held since must be today or in the past." in refused.text

    form = refused.forms["form"]
    fill_date(form, "from_date", "2019-03-01")
    fill_date(form, "to_date", "2018-12-31")
    refused = form.submit("submit")
    assert "The interest cannot end before it began (1 March 2019): check the dates." in (
        refused.text
    )
    assert refused.forms["form"]["description"].value == "Director of Smith Roofing Ltd"

    form = refused.forms["form"]
    fill_date(form, "to_date", "2026-06-30")
    form["description"] = "Director of Smith Roofing Ltd (resigned)"
    page = form.submit("submit").follow()
    assert "Your declaration is changed." in page.text
    assert "Director of Smith Roofing Ltd (resigned)" in page.text
    assert "30 Jun 2026" in page.text
    # Brought up to date today: the renewal warning goes.
    assert DUE not in page.text
    entry = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "board.interest_changed")
    ).one()
    assert entry.detail["before"]["description"] == "Director of Smith Roofing Ltd"

    public = testapp.get("/board/interests")
    assert "Director of Smith Roofing Ltd (resigned)" in public.text


def test_a_new_declaration_s_dates_are_checked_too(testapp, dbsession):
    director_logged_in(testapp, dbsession)
    form = testapp.get("/board/my-interests").forms["form"]
    choose(form, "gifts")
    form["description"] = "Tickets from a supplier"
    fill_date(form, "from_date", TODAY + timedelta(days=1))
    refused = form.submit("submit")
    assert "Held since must be today or in the past." in refused.text
    assert refused.forms["form"]["description"].value == "Tickets from a supplier"


def test_nothing_to_declare_renews_the_declarations_and_clears_the_warning(testapp, dbsession):
    director_logged_in(testapp, dbsession)
    public = testapp.get("/board/interests")
    assert public.text.count("Declaration due for renewal") == 3
    page = testapp.get("/board/my-interests")
    assert DUE in page.text
    button = next(
        f
        for f in page.forms.values()
        if f.action.endswith("/board/my-interests/nothing-to-declare")
    )
    page = button.submit().follow()
    assert "Your declaration that you have nothing more to declare is recorded." in page.text
    assert DUE not in page.text
    assert "Nothing further to declare: the interests listed are up to date." in page.text
    public = testapp.get("/board/interests")
    assert public.text.count("Declaration due for renewal") == 2
    assert "Nothing to declare" in public.text
    assert dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "board.interest_declared")
    ).all()


def test_a_director_cannot_change_another_director_s_declaration(testapp, dbsession):
    director_logged_in(testapp, dbsession)
    other = dbsession.scalar(select(Director).where(Director.name == "Resident 2"))
    theirs = InterestDeclaration(
        director=other,
        kind="property",
        description="Owns a flat on the estate",
        from_date=date(2020, 1, 1),
        declared_on=TODAY,
    )
    dbsession.add(theirs)
    dbsession.commit()
    answer = testapp.get(f"/board/my-interests/{theirs.id}", expect_errors=True)
    assert answer.status_int == 404
