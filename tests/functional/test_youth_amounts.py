"""An amount of money too large for any budget is refused with a message, never a 500."""

from tests.conftest import choose, log_in
from tests.functional.test_youth import member, open_budget
from tmo.permissions import Role

TOO_MUCH = "99999999999999999999"
MESSAGE = "That amount is far too large: check it and try again."


def test_a_huge_proposal_cost_is_refused_with_a_message(testapp, dbsession):
    open_budget(dbsession)
    amara = member(dbsession, "Amara")
    dbsession.commit()
    log_in(testapp, amara.account.email)
    form = testapp.get("/youth/proposals/new").forms["form"]
    form["title"] = "Goals"
    form["what_and_why"] = "Football"
    form["who_benefits"] = "Everyone"
    form["cost_pence"] = TOO_MUCH
    form["cost_breakdown"] = "goals"
    choose(form, "sport")
    page = form.submit("submit")
    assert MESSAGE in page.text
    assert page.forms["form"]["title"].value == "Goals"


def test_a_huge_budget_adjustment_is_refused_with_a_message(testapp, dbsession, logged_in):
    open_budget(dbsession)
    logged_in(Role.YOUTH_WORKER)
    form = testapp.get("/youth/budget/adjust").forms["form"]
    form["amount"] = TOO_MUCH
    form["reason"] = "A typing slip"
    choose(form, "add")
    assert MESSAGE in form.submit("submit").text
