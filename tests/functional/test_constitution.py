"""The constitution as an administrator edits it and a resident reads it."""

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tmo.constitution import Constitution, SeatCategoryKey, from_dict, to_dict
from tmo.models.audit import AuditEntry
from tmo.models.board import Director, Directorship
from tmo.models.constitution import ConstitutionVersion
from tmo.permissions import Role
from tmo.services.constitution import constitution_on


def edit_form(testapp):
    return testapp.get("/admin/constitution").forms["form"]


def save(form):
    """Preview the form's version, then save exactly what was previewed: the page after."""
    preview = form.submit("preview")
    assert "Check the changes, then save this version" in preview.text
    return preview.forms["form"].submit("save").follow()


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
    page = save(form)
    assert "These rules are in force from today" in page.text

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


def refused(testapp, dbsession, **typed):
    """The administrator's form submitted with ``typed`` in its fields, refused: the page and
    its error summary's words. Nothing typed is lost, and no version is stored."""
    form = edit_form(testapp)
    for name, value in typed.items():
        form[name] = value
    page = form.submit("preview")
    assert page.status_int == 200
    for name, value in typed.items():
        assert page.forms["form"][name].value == value
    assert dbsession.scalar(select(ConstitutionVersion)) is None
    return page.html.select_one(".error-summary").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # A rule below its statutory floor, naming the law.
        (
            {"general_meeting_notice_clear_days": "13", "note": "Shorter notice"},
            ["Enter a number from 14 to 60", "Companies Act 2006 s307"],
        ),
        # Closure days that are not days, naming each line.
        (
            {"closure_days": "2026-12-29\n30 December", "note": "Office closed"},
            ["Write each day as YYYY-MM-DD", "line 2 (“30 December”) is not"],
        ),
    ],
)
def test_a_rule_the_form_cannot_take_is_refused_saying_why(
    testapp, dbsession, logged_in, typed, said
):
    logged_in(Role.ADMINISTRATOR)
    summary = refused(testapp, dbsession, **typed)
    for words in said:
        assert words in summary


def test_contradictory_rules_are_refused(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    form["maximum_directors"] = "10"
    form["note"] = "Smaller board"
    page = form.submit("preview")
    assert "add up to 16 seats, more than the maximum of 10 directors" in page.text
    assert dbsession.scalar(select(ConstitutionVersion)) is None


def test_a_version_effective_later_waits_for_its_date(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    later = date.today() + timedelta(days=30)
    form = edit_form(testapp)
    form["effective_from"] = later.isoformat()
    form["term_years"] = "4"
    form["note"] = "Four-year terms from next month"
    page = save(form)
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
    save(form)
    assert constitution_on(dbsession, date.today()).meetings.casting_vote_when_no_votes_cast
    public = testapp.get("/constitution").text
    assert "When nobody votes for or against, the chair may still give a casting vote" in public


def stored_long_ago(dbsession, rules: dict) -> Constitution:
    """The constitution in force after ``rules`` were stored as a version adopted last year."""
    dbsession.add(
        ConstitutionVersion(
            effective_from=date.today() - timedelta(days=400), rules=rules, note="2025"
        )
    )
    dbsession.flush()
    return constitution_on(dbsession, date.today())


def test_a_version_stored_before_a_rule_existed_takes_the_rule_s_default(dbsession):
    rules = to_dict(Constitution())  # as a version adopted before the rule was stored it
    del rules["meetings"]["casting_vote_when_no_votes_cast"]
    loaded = stored_long_ago(dbsession, rules)
    assert loaded.meetings.casting_vote_when_no_votes_cast is False
    assert loaded == Constitution()


def test_an_administrator_sets_the_days_the_tmo_keeps_closed(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    assert form["post_delivery_hours"].value == "48"
    form["closure_days"] = "2026-12-30\n2026-12-29"
    form["note"] = "Office closed between Christmas and New Year"
    save(form)
    rules = constitution_on(dbsession, date.today())
    assert rules.notices.closure_days == (date(2026, 12, 29), date(2026, 12, 30))
    public = testapp.get("/constitution").text
    assert "Notices and how they are delivered" in public
    assert "29 December 2026, 30 December 2026" in public
    assert "England and Wales" in public
    assert "Companies Act 2006 s1147" in testapp.get("/admin/constitution").text


def test_a_version_stored_before_the_notices_section_existed_takes_its_defaults(dbsession):
    rules = to_dict(Constitution())  # as a version adopted before notices were a section
    del rules["notices"]
    assert stored_long_ago(dbsession, rules) == Constitution()


# Issue 14: dangerous changes are previewed and checked across fields -------------------------


def test_a_board_quorum_above_the_board_is_refused_naming_the_rule(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    form["board_quorum"] = "40"
    form["note"] = "Typo"
    page = form.submit("preview")
    summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
    assert (
        "The quorum of the board (40) is more than the 16 directors the board can have" in summary
    )
    assert "lower the quorum of the board to 16 or fewer" in summary
    assert "Save this version" not in page.text
    assert dbsession.scalar(select(ConstitutionVersion)) is None


def sitting_councillor(dbsession, seat_number=4):
    person = Director(name="Cllr Judith Blakeman", date_of_birth=date(1960, 1, 1))
    dbsession.add(person)
    dbsession.flush()
    term = Directorship(
        director_id=person.id,
        seat_category=SeatCategoryKey.COUNCILLOR,
        seat_number=seat_number,
        how="council_appointment",
        start_date=date.today() - timedelta(days=100),
        end_date=date.today() + timedelta(days=900),
    )
    dbsession.add(term)
    dbsession.commit()
    return term


def test_a_seat_cut_never_silently_removes_a_sitting_director(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    sitting_councillor(dbsession)
    form = edit_form(testapp)
    form.set("seats", "3", index=1)  # the councillors' (residents come first)
    form["note"] = "Three councillor seats"
    page = form.submit("preview")
    summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Councillor: 3 seats would leave out seats held by Cllr Judith Blakeman (seat 4)" in (
        summary
    )
    assert "end that term first on the board page" in summary
    assert dbsession.scalar(select(ConstitutionVersion)) is None

    # Once the term has ended, the cut is fine.
    # (The refused request rolled back the test's session: the term is read afresh.)
    dbsession.scalar(select(Directorship)).ended_on = date.today()
    dbsession.commit()
    form = edit_form(testapp)
    form.set("seats", "3", index=1)
    form["note"] = "Three councillor seats"
    save(form)
    councillors = constitution_on(dbsession, date.today()).seat_category("councillor")
    assert councillors.seats == 3


def test_the_page_shows_what_changes_before_it_is_saved(testapp, dbsession, logged_in):
    admin = logged_in(Role.ADMINISTRATOR)
    form = edit_form(testapp)
    form["board_quorum"] = "6"
    form["note"] = "Quorum of six"
    preview = form.submit("preview")
    rows = [
        [cell.get_text(strip=True) for cell in tr.select("td")]
        for tr in preview.html.select("#preview tbody tr")
    ]
    assert rows == [["Meetings: Quorum of the board (directors present)", "5", "6"]]
    assert "These rules would be in force from today" in preview.text
    assert dbsession.scalar(select(ConstitutionVersion)) is None

    # A change made after the preview is previewed again, not saved.
    changed = preview.forms["form"]
    changed["board_quorum"] = "7"
    again = changed.submit("save")
    assert "The form changed after the last preview" in again.text
    assert dbsession.scalar(select(ConstitutionVersion)) is None

    done = again.forms["form"].submit("save").follow()
    assert "These rules are in force from today" in done.text
    assert constitution_on(dbsession, date.today()).meetings.board_quorum == 7
    entry = dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "constitution.adopted"))
    assert entry.actor_id == admin.id
    assert entry.detail["changed"] == ["Meetings: Quorum of the board (directors present)"]


def test_a_version_backdated_before_the_one_in_force_is_refused(testapp, dbsession, logged_in):
    # Issue 14: a backdated version was reported "in force" while a later one was.
    logged_in(Role.ADMINISTRATOR)
    ten_days_ago = date.today() - timedelta(days=10)
    dbsession.add(ConstitutionVersion(effective_from=ten_days_ago, rules=to_dict(Constitution())))
    dbsession.commit()
    form = edit_form(testapp)
    form["effective_from"] = (date.today() - timedelta(days=30)).isoformat()
    form["term_years"] = "4"
    form["note"] = "Backdated"
    page = form.submit("preview")
    summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
    assert f"The rules in force now took effect on {ten_days_ago:%-d %B %Y}" in summary
    assert "would never be in force" in summary
    assert dbsession.scalar(select(func.count()).select_from(ConstitutionVersion)) == 1


def test_a_backdated_version_says_from_when_it_applies_and_is_in_force(
    testapp, dbsession, logged_in
):
    logged_in(Role.ADMINISTRATOR)
    five_days_ago = date.today() - timedelta(days=5)
    later = date.today() + timedelta(days=20)
    dbsession.add(ConstitutionVersion(effective_from=later, rules=to_dict(Constitution())))
    dbsession.commit()
    form = edit_form(testapp)
    form["effective_from"] = five_days_ago.isoformat()
    form["term_years"] = "4"
    form["note"] = "AGM last week"
    done = save(form)
    said = f"These rules are in force, backdated: they apply from {five_days_ago:%-d %B %Y}"
    assert said in done.text
    assert "replaces them then" in done.text
    statuses = [
        [cell.get_text(strip=True) for cell in tr.select("td")][:2]
        for tr in done.html.select("table:not(#preview table) tbody tr")
    ]
    assert [f"{five_days_ago:%-d %B %Y}", "In force"] in statuses
    assert [f"{later:%-d %B %Y}", "Not yet in force"] in statuses
    assert constitution_on(dbsession, date.today()).board.term_years == 4


def adopt_named(session, name: str, effective_from: date) -> None:
    """A version differing from the model rules in the organisation's name, saved directly."""
    rules = dataclasses.replace(Constitution(), organisation_name=name)
    session.add(ConstitutionVersion(effective_from=effective_from, rules=to_dict(rules)))
    session.commit()


def shown_name(testapp) -> str:
    return testapp.get("/").html.select_one(".header__name").get_text(strip=True)


def test_the_rules_are_read_from_a_version_once_not_on_every_request(
    testapp, dbsession, monkeypatch
):
    name = f"Parsed Once TMO {uuid.uuid4().hex[:8]}"
    adopt_named(dbsession, name, date.today() - timedelta(days=1))
    built = []

    def counted(cls, data):
        built.append(cls)
        return from_dict(cls, data)

    monkeypatch.setattr("tmo.services.constitution.from_dict", counted)
    for path in ("/", "/board", "/constitution", "/"):
        assert name in testapp.get(path).text
    assert built.count(Constitution) == 1


def test_a_version_saved_by_another_process_applies_from_the_next_request(testapp, dbsession):
    adopt_named(dbsession, "Before Estates TMO", date.today() - timedelta(days=1))
    assert shown_name(testapp) == "Before Estates TMO"

    # Another process: its own session, nothing of this app's told of the write.
    other = Session(bind=dbsession.connection(), join_transaction_mode="create_savepoint")
    adopt_named(other, "After Estates TMO", date.today())
    other.close()

    assert shown_name(testapp) == "After Estates TMO"


def test_a_version_dated_tomorrow_applies_from_midnight_in_london(testapp, dbsession, clock):
    # 1 July: British Summer Time, so London's midnight is 23:00 UTC.
    clock.set(datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC))
    adopt_named(dbsession, "Summer Estates TMO", date(2026, 1, 1))
    adopt_named(dbsession, "Second of July TMO", date(2026, 7, 2))
    assert shown_name(testapp) == "Summer Estates TMO"

    clock.advance(seconds=1)

    assert shown_name(testapp) == "Second of July TMO"
