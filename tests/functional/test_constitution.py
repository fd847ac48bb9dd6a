"""The constitution as an administrator edits it and a resident reads it."""

from datetime import date, timedelta

from sqlalchemy import select

from tmo.constitution import Constitution, to_dict
from tmo.models.audit import AuditEntry
from tmo.models.constitution import ConstitutionVersion
from tmo.permissions import Role
from tmo.services.constitution import constitution_on


def edit_form(testapp):
    return testapp.get("/admin/constitution").forms["form"]


def test_the_model_rules_are_kctmo_and_public(testapp):
    page = testapp.get("/constitution")
    assert "These are the model rules" in page.text
    rows = [row.get_text(" ", strip=True) for row in page.html.select("tbody tr")]
    assert rows == [
        "Resident (tenant and leaseholder) 8 Elected by the members",
        "Councillor 4 Appointed by the council",
        "Independent 3 Appointed by the board",
        "Youth Forum chair 1 Ex officio",
    ]
    assert "£15,000.00" in page.text


def test_an_administrator_adopts_a_new_version(testapp, dbsession, logged_in):
    admin = logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    assert form["organisation_name"].value == Constitution().organisation_name
    form["organisation_name"] = "Lancaster West TMO"
    form.set("minimum_age", "16", index=0)  # membership's (the youth forum's comes second)
    form["annual_budget_pence"] = "12500.50"
    form["note"] = "AGM 2026 resolution 4: minimum age lowered to 16"
    page = form.submit("submit").follow()
    assert "The new rules are in force" in page.text

    rules = constitution_on(dbsession, date.today())
    assert rules.organisation_name == "Lancaster West TMO"
    assert rules.membership.minimum_age == 16
    assert rules.youth.annual_budget_pence == 1_250_050
    assert rules.board == Constitution().board

    (entry,) = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "constitution.adopted")
    ).all()
    assert entry.actor_id == admin.id
    assert "minimum age lowered" in entry.detail["note"]
    public = testapp.get("/constitution")
    assert "Lancaster West TMO" in public.text
    assert "£12,500.50" in public.text


def test_a_rule_below_its_statutory_floor_is_refused_naming_the_law(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    form["general_meeting_notice_clear_days"] = "13"
    form["note"] = "Shorter notice"
    page = form.submit("submit")
    assert page.status_int == 200
    summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Enter a number from 14 to 60" in summary
    assert "Companies Act 2006 s307" in summary
    assert page.forms["form"]["note"].value == "Shorter notice"
    assert dbsession.scalar(select(ConstitutionVersion)) is None


def test_contradictory_rules_are_refused(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    form["maximum_directors"] = "10"
    form["note"] = "Smaller board"
    page = form.submit("submit")
    assert "add up to 16 seats, more than the maximum of 10 directors" in page.text
    assert dbsession.scalar(select(ConstitutionVersion)) is None


def test_a_version_effective_later_waits_for_its_date(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    later = date.today() + timedelta(days=30)
    form = edit_form(testapp)
    form["effective_from"] = later.isoformat()
    form["term_years"] = "4"
    form["note"] = "Four-year terms from next month"
    page = form.submit("submit").follow()
    assert "will take effect on" in page.text
    assert constitution_on(dbsession, date.today()).board.term_years == 3
    assert constitution_on(dbsession, later).board.term_years == 4
    assert "Four-year terms from next month" in page.text


def test_only_administrators_edit_the_constitution(testapp, logged_in):
    logged_in(Role.SECRETARY, Role.CHAIR, Role.DIRECTOR, Role.MEMBER)
    assert testapp.get("/admin/constitution", expect_errors=True).status_int == 403
    response = testapp.post(
        "/admin/constitution",
        {"csrf_token": testapp.cookies["tmo_csrf"], "note": "x"},
        expect_errors=True,
    )
    assert response.status_int == 403


def test_the_chair_s_casting_vote_when_nobody_votes_is_the_administrator_s_to_set(
    testapp, dbsession, logged_in
):
    logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    assert not form["casting_vote_when_no_votes_cast"].checked
    form["casting_vote_when_no_votes_cast"] = True
    form["note"] = "Standing orders 2026: the chair decides a motion nobody votes on"
    form.submit("submit").follow()
    assert constitution_on(dbsession, date.today()).meetings.casting_vote_when_no_votes_cast
    public = testapp.get("/constitution").text
    assert "When nobody votes for or against, the chair may still give a casting vote" in public


def test_a_version_stored_before_a_rule_existed_takes_the_rule_s_default(dbsession):
    rules = to_dict(Constitution())  # as a version adopted before the rule was stored it
    del rules["meetings"]["casting_vote_when_no_votes_cast"]
    dbsession.add(
        ConstitutionVersion(
            effective_from=date.today() - timedelta(days=400), rules=rules, note="2025"
        )
    )
    dbsession.flush()
    loaded = constitution_on(dbsession, date.today())
    assert loaded.meetings.casting_vote_when_no_votes_cast is False
    assert loaded == Constitution()
