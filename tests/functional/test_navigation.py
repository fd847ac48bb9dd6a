"""The navigation shows each person the pages their roles open, whoever asked before them in the
same process (the menu is kept for a set of roles)."""

from datetime import date

from tests.conftest import log_in
from tests.elections_setup import TEST_SECRET
from tmo.demo import DEMO_PASSWORD, load_demo
from tmo.models.accounts import Account, RoleGrant
from tmo.permissions import Role


def log_out(testapp):
    testapp.post("/logout", {"csrf_token": testapp.cookies["tmo_csrf"]})


def menu(page) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.html.select("nav .nav-list a")]


def test_the_menu_follows_who_is_asking(testapp, dbsession):
    load_demo(dbsession, date.today(), secret=TEST_SECRET)
    dbsession.commit()
    public = menu(testapp.get("/board"))
    assert "Log in" in public and "Manage the board" not in public

    log_in(testapp, "secretary@example.org", DEMO_PASSWORD)
    secretary = menu(testapp.get("/board"))
    assert "Manage the board" in secretary and "Log in" not in secretary
    assert "Your membership" in secretary
    log_out(testapp)

    log_in(testapp, "member@example.org", DEMO_PASSWORD)
    member = menu(testapp.get("/board"))
    assert "Requisitions" in member
    assert "Manage the board" not in member and "Log in" not in member
    log_out(testapp)

    assert menu(testapp.get("/board")) == public


def test_a_role_granted_shows_its_pages_on_the_next_page(testapp, dbsession):
    load_demo(dbsession, date.today(), secret=TEST_SECRET)
    dbsession.commit()
    log_in(testapp, "member@example.org", DEMO_PASSWORD)
    assert "Youth members" not in menu(testapp.get("/meetings"))

    account = dbsession.query(Account).filter_by(email="member@example.org").one()
    dbsession.add(RoleGrant(account_id=account.id, role=Role.YOUTH_WORKER))
    dbsession.commit()
    assert "Youth members" in menu(testapp.get("/meetings"))
