"""The board through the whole stack: the roster, appointments checked against every rule, the
council-influence warning, ends of terms, retirements, and the register of interests."""

import csv
import dataclasses
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from webtest.forms import Radio

from tests.conftest import choose, fill_date, log_in
from tests.factories import AccountFactory, MemberFactory
from tmo.constitution import BoardRules, Constitution, SeatCategoryKey
from tmo.models.audit import AuditEntry
from tmo.models.board import Director, Directorship
from tmo.permissions import Role
from tmo.rules.board import BOARD, CO_OPTED, COUNCIL, ELECTED, EX_OFFICIO, Seat, first_term_end
from tmo.rules.membership import add_years
from tmo.services import board
from tmo.services.constitution import adopt_constitution

TODAY = date.today()
BORN = date(1970, 5, 1)


def director(dbsession, name, member=False, **flags):
    person = Director(name=name, date_of_birth=BORN, **flags)
    if member:
        person.member = MemberFactory(name=name)
    dbsession.add(person)
    dbsession.flush()
    return person


def seat_board(
    dbsession,
    residents=8,
    councillors=3,
    independents=3,
    youth=1,
    start=TODAY - timedelta(days=200),
):
    """A board seated through the service, residents first (so the majority always holds)."""
    rules = Constitution()
    for number in range(1, residents + 1):
        board.appoint(
            dbsession,
            rules,
            director=director(dbsession, f"Resident {number}", True),
            seat=Seat("resident", number),
            how=ELECTED,
            start=start,
            actor_id=None,
        )
    if youth:
        board.appoint(
            dbsession,
            rules,
            director=director(dbsession, "Youth Chair"),
            seat=Seat("youth_chair", 1),
            how=EX_OFFICIO,
            start=start,
            actor_id=None,
        )
    for number in range(1, councillors + 1):
        board.appoint(
            dbsession,
            rules,
            director=director(dbsession, f"Councillor {number}"),
            seat=Seat("councillor", number),
            how=COUNCIL,
            start=start,
            actor_id=None,
        )
    for number in range(1, independents + 1):
        board.appoint(
            dbsession,
            rules,
            director=director(dbsession, f"Independent {number}"),
            seat=Seat("independent", number),
            how=BOARD,
            start=start,
            actor_id=None,
            decision_reference=f"Board minute {number}",
        )
    dbsession.commit()


def appoint_form(testapp, seat, how, name="Cllr Amina Hassan", **fields):
    form = testapp.get("/secretary/board/appoint").forms["form"]
    form["seat"] = seat
    choose(form, how)
    form["name"] = name
    fill_date(form, "date_of_birth", "1965-02-10")
    form["start"] = TODAY.isoformat()
    for key, value in fields.items():
        if f"{key}-day" in form.fields:
            fill_date(form, key, value)
        else:
            form[key] = value
    return form.submit("submit")


def test_the_public_roster_shows_every_seat_holder_and_vacancy(testapp, dbsession):
    seat_board(dbsession, councillors=2)
    page = testapp.get("/board")
    rows = [row.get_text(" ", strip=True) for row in page.html.select("tbody tr")]
    assert len(rows) == 16
    assert rows[0].startswith(
        "Resident (tenant and leaseholder) 1 Resident 1 Elected by the members"
    )
    assert "Councillor 3 Vacant" in rows
    assert any("Youth Chair Ex officio" in row and "while in office" in row for row in rows)

    exported = list(csv.DictReader(io.StringIO(testapp.get("/board.csv").text)))
    assert len(exported) == 16
    assert exported[0]["name"] == "Resident 1"
    assert exported[0]["term_end"] == add_years(TODAY - timedelta(days=200), 3).isoformat()
    assert sum(1 for row in exported if row["name"] == "Vacant") == 2


def test_secretary_appoints_a_councillor_is_refused_a_fifth_and_warned_of_council_influence(
    testapp, dbsession, logged_in
):
    seat_board(dbsession, councillors=3)
    logged_in(Role.SECRETARY)
    page = appoint_form(
        testapp, "councillor:4", COUNCIL, nomination_date=(TODAY - timedelta(days=10)).isoformat()
    ).follow()
    assert "Cllr Amina Hassan holds the seat" in page.text
    # 4 councillors of 16 directors: 25%, at or above the constitution's 20%.
    assert "Council influence: 25% of the directors are council-associated" in page.text
    assert "Local Government and Housing Act 1989 s69" in page.text

    term = dbsession.scalar(
        select(Directorship).where(
            Directorship.seat_category == "councillor", Directorship.seat_number == 4
        )
    )
    assert term.end_date == TODAY.replace(year=TODAY.year + 3)
    assert term.nomination_date == TODAY - timedelta(days=10)
    assert dbsession.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "board.appointed", AuditEntry.target_id == str(term.id)
        )
    )

    refused = appoint_form(testapp, "councillor:4", COUNCIL, name="Cllr Fifth")
    summary = refused.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Seat limit: the constitution has 4 councillor seats, and all are filled." in summary
    assert dbsession.scalar(select(Director).where(Director.name == "Cllr Fifth")) is None


def test_a_fifth_councillor_is_refused_and_fewer_seats_than_holders_is_flagged(dbsession):
    seat_board(dbsession, councillors=4)
    rules = Constitution()
    with pytest.raises(board.BoardError) as refused:
        board.appoint(
            dbsession,
            rules,
            director=director(dbsession, "Cllr Fifth"),
            seat=Seat("councillor", 5),
            how=COUNCIL,
            start=TODAY,
            actor_id=None,
        )
    assert "no seat councillor 5" in str(refused.value)
    assert board.warnings(dbsession, rules, TODAY) == [board.council_influence_warning(25, 20)]
    # The members cut the councillor seats to 3 while 4 councillors serve: the secretary is told.
    fewer = dataclasses.replace(
        rules.board,
        seat_categories=tuple(
            dataclasses.replace(c, seats=3) if c.key == "councillor" else c
            for c in rules.board.seat_categories
        ),
    )
    cut = dataclasses.replace(rules, board=fewer)
    assert any(w.startswith("Seat limit") for w in board.warnings(dbsession, cut, TODAY))


def test_resident_seats_need_a_member_and_eligibility_is_checked(testapp, dbsession, logged_in):
    seat_board(dbsession, residents=7, councillors=0, independents=0)
    logged_in(Role.SECRETARY)
    not_member = appoint_form(testapp, "resident:8", ELECTED, name="Not A Member")
    assert "must be a current member of the TMO" in not_member.text
    employee = appoint_form(testapp, "resident:8", ELECTED, name="Staff Member", is_employee=True)
    assert "may not be employees of the TMO" in employee.text
    young = appoint_form(
        testapp,
        "resident:8",
        ELECTED,
        name="Young Person",
        date_of_birth=(TODAY - timedelta(days=365 * 17)).isoformat(),
    )
    assert "at least 18 years old" in young.text


def test_residents_keep_their_majority(testapp, dbsession, logged_in):
    seat_board(dbsession, residents=2, councillors=1, independents=0, youth=0)
    logged_in(Role.SECRETARY)
    page = appoint_form(testapp, "independent:1", BOARD, decision_reference="Board minute 9")
    assert "Resident majority" in page.text
    assert "(2 of 4 would not)" in page.text


def test_a_term_ends_early_with_a_reason_and_the_seat_is_vacant(testapp, dbsession, logged_in):
    seat_board(dbsession)
    logged_in(Role.SECRETARY)
    term = dbsession.scalar(
        select(Directorship).where(
            Directorship.seat_category == "councillor", Directorship.seat_number == 1
        )
    )
    form = testapp.get(f"/secretary/board/terms/{term.id}/end").forms["form"]
    choose(form, "resigned")
    form["on"] = TODAY.isoformat()
    form["note"] = "Letter of 1 November"
    page = form.submit("submit").follow()
    assert "The term of Councillor 1 has ended" in page.text
    assert "Fill Councillor seat 1" in page.text
    assert "Resigned" in page.text  # the history
    assert "Councillor 1 Vacant" in [
        r.get_text(" ", strip=True) for r in testapp.get("/board").html.select("tbody tr")
    ]


def test_a_term_ends_on_its_date_by_itself(dbsession):
    seat_board(dbsession, start=TODAY.replace(year=TODAY.year - 3) + timedelta(days=1))
    rules = Constitution()
    tomorrow = TODAY + timedelta(days=1)
    assert not board.roster(dbsession, rules, TODAY)[0].vacant
    assert board.roster(dbsession, rules, tomorrow)[0].vacant


def test_the_seats_retiring_at_the_agm(testapp, dbsession, logged_in):
    rules = Constitution()
    start = TODAY - timedelta(days=30)
    for number in range(1, 9):
        person = director(dbsession, f"Resident {number}", member=True)
        term = board.appoint(
            dbsession,
            rules,
            director=person,
            seat=Seat("resident", number),
            how=ELECTED,
            start=start,
            actor_id=None,
        ).directorship
        term.end_date = first_term_end(Seat("resident", number), start, rules.board)
    dbsession.commit()
    logged_in(Role.SECRETARY)
    agm = start.replace(year=start.year + 1)
    page = testapp.get("/secretary/board", params={"agm": agm.isoformat()})
    retiring = page.html.find("h2", string="Retiring at the AGM").find_next("ul")
    names = [li.get_text(" ", strip=True).split(" (")[0] for li in retiring.select("li")]
    assert names == ["Resident 1", "Resident 4", "Resident 7"]


def test_directors_declare_interests_which_are_published(testapp, dbsession, logged_in):
    seat_board(dbsession, residents=8, councillors=0, independents=0, youth=0)
    account = AccountFactory(roles=[Role.DIRECTOR, Role.MEMBER])
    person = dbsession.scalar(select(Director).where(Director.name == "Resident 1"))
    person.account_id = account.id
    dbsession.commit()
    public = testapp.get("/board/interests")
    assert public.text.count("Declaration due for renewal") == 8

    log_in(testapp, account.email)
    form = testapp.get("/board/my-interests").forms["form"]
    choose(form, "employment")
    form["description"] = "Director of Smith Roofing Ltd"
    fill_date(form, "from_date", "2019-03-01")
    assert "Your declaration is recorded" in form.submit("submit").follow().text

    public = testapp.get("/board/interests")
    assert "Director of Smith Roofing Ltd" in public.text
    assert public.text.count("Declaration due for renewal") == 7


def test_the_board_is_managed_only_by_the_secretary(testapp, logged_in):
    logged_in(Role.DIRECTOR, Role.CHAIR, Role.MEMBER)
    for path in ("/secretary/board", "/secretary/board/appoint"):
        assert testapp.get(path, expect_errors=True).status_int == 403
    assert testapp.get("/board").status_int == 200


def test_a_casual_vacancy_is_filled_by_co_option_until_the_next_agm(testapp, dbsession, logged_in):
    seat_board(dbsession, residents=7)
    logged_in(Role.SECRETARY)
    member = MemberFactory(name="Nadia Rahman")
    agm = TODAY + timedelta(days=120)
    form = testapp.get("/secretary/board/appoint").forms["form"]
    form["seat"] = "resident:8"
    choose(form, "co_opted")
    form["name"] = "Nadia Rahman"
    fill_date(form, "date_of_birth", "1988-01-30")
    form["member"] = str(member.id)
    form["start"] = TODAY.isoformat()
    form["decision_reference"] = "Board minute 12"
    without_agm = form.submit("submit")
    assert "A co-option lasts until the next AGM: give the AGM's date." in without_agm.text

    form = without_agm.forms["form"]
    form["next_agm"] = agm.isoformat()
    fill_date(form, "date_of_birth", "1988-01-30")
    page = form.submit("submit").follow()
    assert f"Nadia Rahman holds the seat {TODAY:%-d %B %Y} to {agm:%-d %B %Y}" in page.text
    retiring = testapp.get("/secretary/board", params={"agm": agm.isoformat()})
    listed = retiring.html.find("h2", string="Retiring at the AGM").find_next("ul").get_text()
    assert "Nadia Rahman" in listed


def test_a_director_is_re_appointed_from_the_end_of_their_term(testapp, dbsession, logged_in):
    seat_board(dbsession)
    logged_in(Role.SECRETARY)
    term = dbsession.scalar(
        select(Directorship).where(
            Directorship.seat_category == "councillor", Directorship.seat_number == 2
        )
    )
    # This councillor was appointed nearly three years ago: the term ends in five days.
    term.start_date = add_years(TODAY, -3) + timedelta(days=5)
    term.end_date = TODAY + timedelta(days=5)
    dbsession.commit()
    page = testapp.get("/secretary/board")
    page = page.click(f"Re-appoint Councillor 2 from {term.end_date:%-d %b %Y}")
    form = page.forms["form"]
    assert form["seat"].value == "councillor:2"
    assert form["start"].value == term.end_date.isoformat()
    fill_date(form, "nomination_date", TODAY)
    done = form.submit("submit").follow()
    end = add_years(term.end_date, 3)
    assert f"Councillor 2 holds the seat {term.end_date:%-d %B %Y} to {end:%-d %B %Y}" in done.text
    terms = dbsession.scalars(
        select(Directorship).where(
            Directorship.seat_category == "councillor", Directorship.seat_number == 2
        )
    ).all()
    assert len(terms) == 2 and terms[0].director_id == terms[1].director_id


def test_only_appointed_directors_are_offered_re_appointment(testapp, dbsession, logged_in):
    seat_board(dbsession)
    logged_in(Role.SECRETARY)
    page = testapp.get("/secretary/board").text
    assert "Re-appoint Councillor 1" in page and "Re-appoint Independent 1" in page
    # Resident directors are re-elected by the members, not re-appointed.
    assert "Re-appoint Resident" not in page and "Re-appoint Youth" not in page


def how_offered(form) -> set[str]:
    """The ways of holding a seat the appointment form offers (its radio group with "elected")."""
    groups = [fields[0].options for fields in form.fields.values() if isinstance(fields[0], Radio)]
    (options,) = [o for o in groups if ELECTED in {value for value, *_ in o}]
    return {value for value, *_ in options}


def test_co_option_is_refused_where_the_constitution_does_not_allow_it(
    testapp, dbsession, logged_in
):
    assert how_offered(appoint_page_form(testapp, logged_in)) >= {CO_OPTED, ELECTED}
    rules = Constitution(board=dataclasses.replace(BoardRules(), co_option_allowed=False))
    adopt_constitution(dbsession, rules, effective_from=TODAY, note="No co-option", actor_id=None)
    seat_board(dbsession, residents=7)
    form = testapp.get("/secretary/board/appoint").forms["form"]
    assert how_offered(form) == {ELECTED, COUNCIL, BOARD, EX_OFFICIO}

    with pytest.raises(board.BoardError) as refused:
        board.appoint(
            dbsession,
            rules,
            director=director(dbsession, "Nadia Rahman", member=True),
            seat=Seat(SeatCategoryKey.RESIDENT, 8),
            how=CO_OPTED,
            start=TODAY,
            actor_id=None,
            next_agm=TODAY + timedelta(days=120),
        )
    assert str(refused.value).startswith("The constitution does not allow co-option")
    assert refused.value.field == "how"


def appoint_page_form(testapp, logged_in):
    logged_in(Role.SECRETARY)
    return testapp.get("/secretary/board/appoint").forms["form"]


def test_a_seat_category_is_read_back_as_its_key(dbsession):
    seat_board(dbsession, residents=1, councillors=0, independents=0, youth=1)
    dbsession.expire_all()
    categories = [term.seat_category for term in board.all_directorships(dbsession)]
    assert categories == [SeatCategoryKey.RESIDENT, SeatCategoryKey.YOUTH_CHAIR]
    assert all(type(category) is SeatCategoryKey for category in categories)
