"""Board rules: seats, terms, eligibility, composition, council influence, rotation, absences."""

import dataclasses
import datetime
from collections import Counter
from datetime import date

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tmo.constitution import BoardRules, SeatCategory
from tmo.rules.board import (
    BOARD,
    CO_OPTED,
    COUNCIL,
    ELECTED,
    EX_OFFICIO,
    FILLED_BY_HOW,
    HOW_HELD,
    Person,
    Seat,
    Term,
    add_months,
    appointment_problems,
    board_seats,
    category_of,
    composition_problems,
    consecutive_absences,
    council_influence,
    current_terms,
    declaration_due,
    eligibility_problems,
    first_term_end,
    flagged_for_absence,
    holder_on,
    holding_problems,
    retiring_at,
    rotation_cohort,
    term_end,
    ways_of_holding,
)
from tmo.rules.membership import add_years

BOARD_RULES = BoardRules()
ONE_DAY = datetime.timedelta(days=1)
AGM = date(2026, 9, 15)
RESIDENT = category_of(BOARD_RULES, "resident")
COUNCILLOR = category_of(BOARD_RULES, "councillor")
INDEPENDENT = category_of(BOARD_RULES, "independent")


def board(**changes) -> BoardRules:
    return dataclasses.replace(BOARD_RULES, **changes)


def person(**changes) -> Person:
    """A member aged 46 on ``AGM``, eligible for any seat."""
    return Person(**{"born": date(1980, 5, 1), "is_member": True, **changes})


HOW = {
    "resident": ELECTED,
    "councillor": COUNCIL,
    "independent": BOARD,
    "youth_chair": EX_OFFICIO,
}


def term(category: str, number: int, who: int, start: date = AGM, **changes) -> Term:
    """A term on ``category`` seat ``number`` held the usual way, from ``start`` for 3 years."""
    how = changes.pop("how", HOW[category])
    end = changes.pop("end", None if how == EX_OFFICIO else add_years(start, 3))
    return Term(Seat(category, number), who, how, start, end, **changes)


def seated(residents=0, councillors=0, independents=0, youth=0, start: date = AGM) -> list[Term]:
    """Terms filling the first seats of each category, one person each."""
    terms = []
    for category, count in (
        ("resident", residents),
        ("councillor", councillors),
        ("independent", independents),
        ("youth_chair", youth),
    ):
        for number in range(1, count + 1):
            terms.append(term(category, number, len(terms) + 1, start))
    return terms


FULL_BOARD = seated(8, 4, 3, 1)


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
LEAP_DAYS = st.sampled_from([y for y in range(1992, 2090, 4) if is_leap(y)]).map(
    lambda year: date(year, 2, 29)
)


# board_seats ---------------------------------------------------------------------------------


def test_kctmos_constitution_creates_16_seats_category_by_category():
    seats = board_seats(BOARD_RULES)
    assert len(seats) == 16
    assert len(set(seats)) == 16
    assert Counter(seat.category for seat in seats) == {
        "resident": 8,
        "councillor": 4,
        "independent": 3,
        "youth_chair": 1,
    }
    assert [s.number for s in seats if s.category == "resident"] == list(range(1, 9))
    assert Seat("youth_chair", 1) in seats
    assert Seat("resident", 9) not in seats
    assert Seat("councillor", 0) not in seats


def test_a_category_with_no_seats_creates_none():
    categories = (
        SeatCategory("resident", "Resident", 5, "election", False, True),
        SeatCategory("councillor", "Councillor", 0, "council_appointment", True, False),
    )
    seats = board_seats(board(seat_categories=categories))
    assert seats == [Seat("resident", n) for n in range(1, 6)]


# term_end and Term.current_on ----------------------------------------------------------------


@pytest.mark.parametrize("how", [ELECTED, COUNCIL, BOARD])
def test_elected_and_appointed_terms_last_the_constitutions_three_years(how):
    assert term_end(AGM, how, BOARD_RULES) == date(2029, 9, 15)
    assert term_end(AGM, how, board(term_years=4)) == date(2030, 9, 15)


def test_a_term_starting_on_29_february_ends_on_28_february():
    assert term_end(date(2028, 2, 29), ELECTED, BOARD_RULES) == date(2031, 2, 28)
    assert term_end(date(2028, 2, 29), ELECTED, board(term_years=4)) == date(2032, 2, 29)


def test_a_co_option_ends_at_the_next_agm():
    next_agm = date(2027, 9, 14)
    assert term_end(date(2027, 1, 10), CO_OPTED, BOARD_RULES, next_agm) == next_agm


@pytest.mark.parametrize("next_agm", [None, date(2027, 1, 10), date(2027, 1, 9), date(2026, 9, 15)])
def test_a_co_option_without_a_later_agm_is_a_mistake(next_agm):
    with pytest.raises(ValueError, match="next AGM"):
        term_end(date(2027, 1, 10), CO_OPTED, BOARD_RULES, next_agm)


def test_co_option_is_a_way_to_hold_a_seat_only_where_the_constitution_allows_it():
    assert ways_of_holding(BOARD_RULES) == HOW_HELD
    closed = board(co_option_allowed=False)
    assert set(ways_of_holding(closed)) == set(HOW_HELD) - {CO_OPTED}
    assert holding_problems(CO_OPTED, closed)
    assert all(not holding_problems(how, closed) for how in HOW_HELD if how != CO_OPTED)
    assert all(not holding_problems(how, BOARD_RULES) for how in HOW_HELD)


def test_a_co_option_the_constitution_does_not_allow_is_refused():
    start = AGM - datetime.timedelta(days=100)
    co_opted = Term(Seat("resident", 1), 1, CO_OPTED, start, AGM)
    assert appointment_problems([], co_opted, person(), BOARD_RULES) == []
    (problem,) = appointment_problems([], co_opted, person(), board(co_option_allowed=False))
    assert problem.startswith("The constitution does not allow co-option")


def test_an_ex_officio_term_never_ends_by_itself():
    assert term_end(AGM, EX_OFFICIO, BOARD_RULES) is None
    assert term_end(AGM, EX_OFFICIO, BOARD_RULES, date(2027, 9, 14)) is None
    chair = term("youth_chair", 1, 1)
    assert chair.current_on(date(2126, 1, 1))
    assert not chair.current_on(AGM - ONE_DAY)


def test_a_term_is_current_from_its_first_day_to_the_day_before_its_end():
    held = term("resident", 1, 1)
    assert held.end == date(2029, 9, 15)
    assert not held.current_on(AGM - ONE_DAY)
    assert held.current_on(AGM)
    assert held.current_on(date(2029, 9, 14))
    assert not held.current_on(date(2029, 9, 15))
    assert not held.current_on(date(2035, 1, 1))


def test_the_seat_falls_vacant_on_the_end_date_with_nothing_run():
    terms = [term("resident", 1, 1)]
    seat = Seat("resident", 1)
    assert holder_on(terms, seat, date(2029, 9, 14)) == terms[0]
    assert holder_on(terms, seat, date(2029, 9, 15)) is None
    assert current_terms(terms, date(2029, 9, 15)) == []
    assert holder_on(terms, Seat("resident", 2), AGM) is None


def test_an_early_end_wins_when_it_comes_first():
    resigned = term("resident", 1, 1, ended_on=date(2027, 3, 1))
    assert resigned.last_day_excluded == date(2027, 3, 1)
    assert resigned.current_on(date(2027, 2, 28))
    assert not resigned.current_on(date(2027, 3, 1))
    late = term("resident", 1, 1, ended_on=date(2030, 1, 1))
    assert late.last_day_excluded == date(2029, 9, 15)
    assert not late.current_on(date(2029, 9, 15))
    chair = term("youth_chair", 1, 1, ended_on=date(2028, 6, 1))
    assert chair.current_on(date(2028, 5, 31))
    assert not chair.current_on(date(2028, 6, 1))


@settings(max_examples=200, deadline=None)
@given(
    DATES | LEAP_DAYS,
    st.sampled_from([ELECTED, COUNCIL, BOARD]),
    st.integers(1, 5),
    st.integers(-400, 2500),
)
def test_a_term_is_current_exactly_on_the_days_from_start_to_before_its_end(start, how, years, d):
    rules = board(term_years=years)
    end = term_end(start, how, rules)
    assert end == add_years(start, years)
    day = start + datetime.timedelta(days=d)
    held = Term(Seat("resident", 1), 1, how, start, end)
    assert held.current_on(day) == (start <= day < end)
    assert (holder_on([held], held.seat, day) is held) == (start <= day < end)


# eligibility_problems ------------------------------------------------------------------------


def test_an_eligible_member_may_hold_any_seat():
    for category in BOARD_RULES.seat_categories:
        assert eligibility_problems(person(), category, BOARD_RULES, AGM) == []


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"is_member": False}, "current member"),
        ({"born": None}, "date of birth"),
        ({"born": date(2010, 1, 1)}, "at least 18 years old"),
        ({"is_employee": True}, "employees of the TMO"),
        ({"is_paid_contractor": True}, "paid for work"),
        ({"is_disqualified": True}, "disqualified director"),
        ({"has_serious_arrears": True}, "rent arrears"),
    ],
)
def test_each_bar_refuses_a_resident_director_by_name(changes, names):
    problems = eligibility_problems(person(**changes), RESIDENT, BOARD_RULES, AGM)
    assert len(problems) == 1
    assert names in problems[0]


def test_a_non_member_is_refused_a_resident_seat_naming_it():
    problems = eligibility_problems(person(is_member=False), RESIDENT, BOARD_RULES, AGM)
    assert problems == [
        "A resident (tenant and leaseholder) director must be a current member of the TMO."
    ]


@pytest.mark.parametrize("category", [COUNCILLOR, INDEPENDENT])
def test_a_non_member_may_hold_an_appointed_seat(category):
    assert eligibility_problems(person(is_member=False), category, BOARD_RULES, AGM) == []


def test_the_other_bars_apply_to_appointed_seats_too():
    for changes in ({"is_employee": True}, {"is_disqualified": True}, {"born": None}):
        assert len(eligibility_problems(person(**changes), COUNCILLOR, BOARD_RULES, AGM)) == 1


def test_a_director_may_serve_from_their_18th_birthday_but_not_the_day_before():
    born = date(2008, 9, 15)
    assert eligibility_problems(person(born=born), RESIDENT, BOARD_RULES, AGM) == []
    problems = eligibility_problems(person(born=born), RESIDENT, BOARD_RULES, AGM - ONE_DAY)
    assert problems == [
        "A director must be at least 18 years old (Companies Act 2006 s157 and the constitution)."
    ]


def test_the_minimum_director_age_comes_from_the_constitution():
    sixteen = board(minimum_director_age=16)
    assert eligibility_problems(person(born=date(2010, 9, 15)), RESIDENT, sixteen, AGM) == []
    problems = eligibility_problems(person(born=date(2010, 9, 16)), RESIDENT, sixteen, AGM)
    assert len(problems) == 1
    assert "at least 16 years old" in problems[0]


def test_arrears_pass_when_the_constitution_does_not_bar_them():
    in_arrears = person(has_serious_arrears=True)
    assert eligibility_problems(in_arrears, RESIDENT, board(serious_arrears_bar=False), AGM) == []
    assert eligibility_problems(in_arrears, RESIDENT, BOARD_RULES, AGM) != []


def test_every_bar_is_reported_at_once():
    hopeless = Person(
        born=date(2012, 1, 1),
        is_member=False,
        is_employee=True,
        is_paid_contractor=True,
        is_disqualified=True,
        has_serious_arrears=True,
    )
    problems = eligibility_problems(hopeless, RESIDENT, BOARD_RULES, AGM)
    # Employee and paid contractor are one bar: board members are unpaid volunteers.
    assert len(problems) == 5
    assert "current member" in problems[0]
    assert "at least 18" in problems[1]
    assert "volunteers" in problems[2]
    assert "bankrupt" in problems[3]
    assert "arrears" in problems[4]


# composition_problems ------------------------------------------------------------------------


def starting(problems: list[str], rule_name: str) -> list[str]:
    return [problem for problem in problems if problem.startswith(rule_name + ":")]


def test_a_full_kctmo_board_breaks_no_rule():
    assert len(FULL_BOARD) == 16
    assert composition_problems(FULL_BOARD, BOARD_RULES) == []
    assert composition_problems([], BOARD_RULES) == []


def test_a_ninth_resident_breaks_the_seat_limit():
    terms = [*seated(8, 2), term("resident", 9, 99)]
    problems = composition_problems(terms, BOARD_RULES)
    assert problems == [
        "Seat limit: the constitution has 8 resident (tenant and leaseholder) seats, and all are "
        "filled."
    ]


def test_a_fifth_councillor_breaks_the_seat_limit():
    terms = [*seated(8, 4), term("councillor", 5, 99)]
    problems = composition_problems(terms, BOARD_RULES)
    assert len(problems) == 1
    assert problems[0].startswith("Seat limit:")
    assert "4 councillor seats" in problems[0]


def test_a_second_youth_chair_breaks_the_seat_limit_in_the_singular():
    terms = [*seated(8, youth=1), term("youth_chair", 2, 99)]
    assert composition_problems(terms, BOARD_RULES) == [
        "Seat limit: the constitution has 1 youth forum chair seat, and all are filled."
    ]


def test_a_board_above_its_maximum_breaks_the_board_size_rule():
    ten = board(maximum_directors=10)
    assert composition_problems(seated(6, 4), ten) == []
    problems = composition_problems(seated(6, 4, 1), ten)
    assert problems == ["Board size: the board may have at most 10 directors."]


def test_residents_outnumbered_break_the_resident_majority():
    problems = composition_problems(seated(3, 2, 2), BOARD_RULES)
    assert problems == [
        "Resident majority: residents must hold more than half of the filled seats "
        "(3 of 7 would not)."
    ]


def test_exactly_half_is_not_a_majority():
    assert starting(composition_problems(seated(4, 4), BOARD_RULES), "Resident majority")
    assert composition_problems(seated(5, 4), BOARD_RULES) == []


def test_the_youth_forum_chair_counts_towards_the_resident_majority():
    assert composition_problems(seated(4, 4, youth=1), BOARD_RULES) == []
    assert starting(composition_problems(seated(4, 4, 1), BOARD_RULES), "Resident majority")


def test_a_board_of_only_appointees_breaks_the_majority():
    assert starting(composition_problems(seated(0, 1), BOARD_RULES), "Resident majority")


def test_no_resident_majority_rule_when_the_constitution_does_not_require_one():
    no_majority = board(resident_majority_required=False)
    assert composition_problems(seated(1, 4, 3), no_majority) == []
    assert composition_problems(seated(0, 1), no_majority) == []


def test_every_broken_rule_is_named():
    small = board(maximum_directors=10)
    terms = [*seated(3, 4, 3), term("councillor", 5, 99)]
    problems = composition_problems(terms, small)
    assert [problem.split(":")[0] for problem in problems] == [
        "Seat limit",
        "Board size",
        "Resident majority",
    ]


# council_influence ---------------------------------------------------------------------------


def test_kctmos_full_board_is_25_percent_council_associated():
    assert council_influence(FULL_BOARD, BOARD_RULES) == 25


def test_two_councillors_of_twelve_directors_is_below_the_threshold():
    assert council_influence(seated(8, 2, 2), BOARD_RULES) is None


def test_exactly_20_percent_warns():
    assert council_influence(seated(8, 2), BOARD_RULES) == 20


def test_just_under_20_percent_does_not_warn_though_it_rounds_to_20():
    # 10 of 51 is 19.6%: below the statutory line even though it rounds to 20.
    terms = [term("councillor", n, n) for n in range(1, 11)]
    terms += [term("resident", n, 100 + n) for n in range(1, 42)]
    assert council_influence(terms, BOARD_RULES) is None


def test_an_independent_flagged_council_associated_counts():
    independent = term("independent", 1, 99, council_associated=True)
    assert council_influence([*seated(8, 1), independent], BOARD_RULES) == 20
    unflagged = term("independent", 1, 99)
    assert council_influence([*seated(8, 1), unflagged], BOARD_RULES) is None


def test_the_threshold_comes_from_the_constitution():
    assert council_influence(seated(8, 2, 2), board(council_influence_percent=15)) == 17


def test_an_empty_board_has_no_council_influence():
    assert council_influence([], BOARD_RULES) is None


# appointment_problems ------------------------------------------------------------------------


def test_a_free_seat_on_a_board_that_stays_in_balance_may_be_filled():
    new = term("resident", 6, 99)
    assert appointment_problems(seated(5, 3), new, person(), BOARD_RULES) == []


def test_a_held_seat_cannot_be_filled_again():
    new = term("resident", 1, 99, start=date(2027, 1, 1))
    problems = appointment_problems(seated(5, 3), new, person(), BOARD_RULES)
    assert problems == ["That seat is already held on that date."]


FIFTH_COUNCILLOR = "Seat limit: the constitution has 4 councillor seats, and all are filled."


def test_a_held_seat_in_a_full_category_names_the_seat_limit():
    new = term("councillor", 4, 99, start=date(2027, 1, 1))
    problems = appointment_problems(seated(8, 4), new, person(), BOARD_RULES)
    assert FIFTH_COUNCILLOR in problems
    assert "That seat is already held on that date." not in problems
    assert all(problem.startswith("Seat limit:") for problem in problems)


def test_a_refused_fifth_councillor_is_told_the_seat_limit_once():
    new = term("councillor", 4, 99, start=date(2027, 1, 1))
    problems = appointment_problems(seated(8, 4), new, person(), BOARD_RULES)
    assert problems == [FIFTH_COUNCILLOR]


def test_a_director_cannot_hold_a_second_seat():
    new = term("independent", 1, 1, start=date(2027, 1, 1))
    problems = appointment_problems(seated(5, 3), new, person(is_member=False), BOARD_RULES)
    assert problems == ["This person already holds a seat on the board."]


@pytest.mark.parametrize("seat", [Seat("resident", 9), Seat("councillor", 0), Seat("mayor", 1)])
def test_a_seat_the_constitution_does_not_create_is_refused(seat):
    new = Term(seat, 99, ELECTED, AGM, add_years(AGM, 3))
    problems = appointment_problems([], new, person(), BOARD_RULES)
    assert problems == [f"The constitution has no seat {seat.category} {seat.number}."]


def test_an_ineligible_appointee_is_refused_with_the_bar_named():
    new = term("resident", 6, 99)
    problems = appointment_problems(seated(5, 3), new, person(is_disqualified=True), BOARD_RULES)
    assert len(problems) == 1
    assert "disqualified" in problems[0]


def test_the_first_director_of_an_empty_board_must_keep_the_resident_majority():
    councillor = term("councillor", 1, 1)
    problems = appointment_problems([], councillor, person(), BOARD_RULES)
    assert len(problems) == 1
    assert problems[0].startswith("Resident majority:")
    assert appointment_problems([], term("resident", 1, 1), person(), BOARD_RULES) == []


def test_an_appointment_that_would_lose_the_resident_majority_is_refused():
    new = term("councillor", 4, 99)
    problems = appointment_problems(seated(4, 3), new, person(), BOARD_RULES)
    assert len(problems) == 1
    assert "(4 of 8 would not)" in problems[0]


def test_an_appointment_that_would_make_the_board_too_big_is_refused():
    ten = board(maximum_directors=10)
    new = term("independent", 1, 99)
    problems = appointment_problems(seated(6, 4), new, person(), ten)
    assert problems == ["Board size: the board may have at most 10 directors."]


def test_terms_that_have_ended_do_not_count():
    ended = seated(5, 3, start=date(2020, 9, 15))  # all ended on 15 September 2023
    assert appointment_problems(ended, term("councillor", 1, 1), person(), BOARD_RULES) != []
    new = term("resident", 1, 1)
    assert appointment_problems(ended, new, person(), BOARD_RULES) == []


def test_re_appointment_on_the_old_terms_end_date_does_not_overlap():
    first = term("resident", 1, 1, start=date(2023, 9, 15))
    again = term("resident", 1, 1, start=date(2026, 9, 15))
    assert first.end == again.start
    assert appointment_problems([first], again, person(), BOARD_RULES) == []
    too_soon = term("resident", 1, 1, start=date(2026, 9, 14))
    problems = appointment_problems([first], too_soon, person(), BOARD_RULES)
    assert problems == [
        "That seat is already held on that date.",
        "This person already holds a seat on the board.",
    ]


def test_a_term_limit_of_two_refuses_a_third_consecutive_term():
    two = board(maximum_consecutive_terms=2)
    first = term("resident", 1, 1, start=date(2020, 9, 15))
    second = term("resident", 1, 1, start=date(2023, 9, 15))
    third = term("resident", 1, 1, start=date(2026, 9, 15))
    assert appointment_problems([first], second, person(), two) == []
    problems = appointment_problems([first, second], third, person(), two)
    assert problems == [
        "Term limit: a director may serve at most 2 consecutive terms in the same category."
    ]
    assert appointment_problems([first, second], third, person(), BOARD_RULES) == []
    # Another resident seat is the same category; another category is not.
    other_seat = term("resident", 2, 1, start=date(2026, 9, 15))
    assert appointment_problems([first, second], other_seat, person(), two) != []
    independent = term("independent", 1, 1, start=date(2026, 9, 15))
    assert appointment_problems([first, second, *seated(3)[1:]], independent, person(), two) == []


def test_a_gap_resets_the_run_of_consecutive_terms():
    two = board(maximum_consecutive_terms=2)
    first = term("resident", 1, 1, start=date(2020, 9, 15))
    second = term("resident", 1, 1, start=date(2023, 9, 15))
    a_day_later = term("resident", 1, 1, start=date(2026, 9, 16))
    assert appointment_problems([first, second], a_day_later, person(), two) == []
    # A year out between the first and second terms: the third makes a run of two.
    gap = term("resident", 1, 1, start=date(2024, 9, 15))
    third = term("resident", 1, 1, start=date(2027, 9, 15))
    assert appointment_problems([first, gap], third, person(), two) == []


def test_a_resignation_ends_the_run_on_its_date():
    two = board(maximum_consecutive_terms=2)
    first = term("resident", 1, 1, start=date(2020, 9, 15))
    resigned = term("resident", 1, 1, start=date(2023, 9, 15), ended_on=date(2024, 3, 1))
    back_next_day = term("resident", 1, 1, start=date(2024, 3, 2))
    assert appointment_problems([first, resigned], back_next_day, person(), two) == []
    back_same_day = term("resident", 1, 1, start=date(2024, 3, 1))
    assert appointment_problems([first, resigned], back_same_day, person(), two) != []


def test_a_backdated_term_cannot_overlap_a_later_term_on_the_same_seat():
    later = term("resident", 1, 1, start=date(2027, 9, 15))
    backdated = term("resident", 1, 2, start=date(2026, 9, 15))  # would run to 2029
    problems = appointment_problems([*seated(5)[1:], later], backdated, person(), BOARD_RULES)
    assert any("already held" in problem for problem in problems)


def test_a_backdated_term_cannot_give_a_director_two_seats_at_once():
    later = term("resident", 1, 1, start=date(2027, 9, 15))
    backdated = term("resident", 2, 1, start=date(2026, 9, 15))  # would run to 2029
    problems = appointment_problems([*seated(5)[2:], later], backdated, person(), BOARD_RULES)
    assert any("already holds a seat" in problem for problem in problems)


# retiring_at and rotation --------------------------------------------------------------------


def test_kctmos_resident_seats_rotate_in_three_cohorts():
    residents = [s for s in board_seats(BOARD_RULES) if s.category == "resident"]
    cohorts = {seat.number: rotation_cohort(seat, BOARD_RULES) for seat in residents}
    assert cohorts == {1: 1, 2: 2, 3: 3, 4: 1, 5: 2, 6: 3, 7: 1, 8: 2}
    ends = {seat.number: first_term_end(seat, AGM, BOARD_RULES) for seat in residents}
    assert ends[1] == ends[4] == ends[7] == date(2027, 9, 15)
    assert ends[2] == ends[5] == ends[8] == date(2028, 9, 15)
    assert ends[3] == ends[6] == date(2029, 9, 15)


def test_a_first_term_is_never_longer_than_a_full_term():
    five = board(rotation_cohorts=5)
    assert first_term_end(Seat("resident", 5), AGM, five) == add_years(AGM, 3)


def test_the_agm_list_holds_elected_and_co_opted_terms_ending_since_the_last_agm():
    last_agm, agm = date(2025, 9, 16), date(2026, 9, 15)
    terms = [
        term("resident", 2, 2, start=date(2023, 9, 15)),  # ends 15 Sep 2026, on the day
        term("resident", 1, 1, start=date(2023, 9, 14)),  # ends 14 Sep 2026
        term("resident", 3, 3, how=CO_OPTED, start=date(2026, 2, 1), end=agm),
        term("resident", 4, 4, start=date(2023, 9, 16)),  # ends the day after: due at it too
        term("resident", 5, 5, start=date(2022, 9, 16)),  # ended at the last AGM
        term("resident", 6, 6, start=date(2023, 9, 1), ended_on=date(2024, 1, 1)),  # resigned
        term("councillor", 1, 7, start=date(2023, 9, 15)),  # the council's, not the members'
        term("independent", 1, 8, start=date(2023, 9, 15)),  # the board's
        term("youth_chair", 1, 9, start=date(2023, 9, 15)),  # ex officio
    ]
    due = retiring_at(terms, agm, last_agm)
    assert [(t.seat.number, t.person) for t in due] == [(1, 1), (2, 2), (3, 3), (4, 4)]


def simulate_rotation(start: date, rules: BoardRules, years: int, agm_on=None) -> list[set[Seat]]:
    """Resident seats given first terms from ``first_term_end`` at the AGM on ``start``, each
    re-elected at the AGM it falls due, for a full term; the seats retiring at each of the next
    ``years`` AGMs. The AGM is held on the anniversary unless ``agm_on(year)`` says otherwise."""
    seats = [seat for seat in board_seats(rules) if seat.category == "resident"]
    terms = [
        Term(seat, number, ELECTED, start, first_term_end(seat, start, rules))
        for number, seat in enumerate(seats, 1)
    ]
    retiring = []
    previous = start
    for year in range(1, years + 1):
        agm = agm_on(start.year + year) if agm_on else add_years(start, year)
        due = retiring_at(terms, agm, previous)
        assert len({t.seat for t in due}) == len(due)
        retiring.append({t.seat for t in due})
        for ending in due:
            # The successor's term starts when the old one ends, keeping the anniversary.
            terms.append(
                Term(
                    ending.seat,
                    ending.person,
                    ELECTED,
                    ending.end,
                    term_end(ending.end, ELECTED, rules),
                )
            )
        previous = agm
    return retiring


def test_kctmos_resident_seats_retire_a_third_at_a_time():
    retiring = simulate_rotation(AGM, BOARD_RULES, 6)
    numbers = [sorted(seat.number for seat in seats) for seats in retiring]
    assert numbers == [[1, 4, 7], [2, 5, 8], [3, 6], [1, 4, 7], [2, 5, 8], [3, 6]]


@settings(max_examples=100, deadline=None)
@given(DATES | LEAP_DAYS)
def test_over_nine_agms_about_a_third_of_resident_seats_retire_each_year(start):
    retiring = simulate_rotation(start, BOARD_RULES, 9)
    assert [len(seats) for seats in retiring] == [3, 3, 2] * 3
    residents = {seat for seat in board_seats(BOARD_RULES) if seat.category == "resident"}
    for year in range(len(retiring) - 2):
        window = retiring[year : year + 3]
        assert Counter(seat for seats in window for seat in seats) == dict.fromkeys(residents, 1)


def test_after_each_election_every_resident_seat_has_one_holder():
    seats = [seat for seat in board_seats(BOARD_RULES) if seat.category == "resident"]
    terms = [Term(s, s.number, ELECTED, AGM, first_term_end(s, AGM, BOARD_RULES)) for s in seats]
    for year in range(1, 10):
        agm = add_years(AGM, year)
        for ending in retiring_at(terms, agm, add_years(AGM, year - 1)):
            assert ending.end == agm
            assert holder_on(terms, ending.seat, agm) is None
            new = Term(
                ending.seat, ending.person, ELECTED, agm, term_end(agm, ELECTED, BOARD_RULES)
            )
            assert appointment_problems(terms, new, person(), BOARD_RULES) == []
            terms.append(new)
        for seat in seats:
            assert len([t for t in terms if t.seat == seat and t.current_on(agm)]) == 1


def third_thursday_of_september(year: int) -> date:
    first = date(year, 9, 1)
    return first + datetime.timedelta(days=(3 - first.weekday()) % 7 + 14)


def test_rotation_survives_an_agm_held_on_the_third_thursday_of_september():
    start = third_thursday_of_september(2026)  # 17 September 2026
    retiring = simulate_rotation(start, BOARD_RULES, 9, third_thursday_of_september)
    assert [len(seats) for seats in retiring] == [3, 3, 2] * 3


@settings(max_examples=100, deadline=None)
@given(DATES | LEAP_DAYS, st.integers(1, 5), st.integers(1, 20))
def test_rotation_spreads_any_number_of_seats_evenly_over_the_term(start, years, seats):
    categories = (SeatCategory("resident", "Resident", seats, "election", False, True),)
    rules = board(seat_categories=categories, term_years=years, rotation_cohorts=years)
    retiring = simulate_rotation(start, rules, 3 * years)
    low, high = seats // years, -(-seats // years)
    assert all(low <= len(due) <= high for due in retiring)
    for year in range(len(retiring) - years + 1):
        window = Counter(seat for due in retiring[year : year + years] for seat in due)
        assert sorted(window.values()) == [1] * seats


# consecutive_absences and flagged_for_absence ------------------------------------------------


@pytest.mark.parametrize(
    ("attendance", "run"),
    [
        ([], 0),
        (["absent"] * 3, 3),
        (["absent", "apologies", "absent", "absent"], 3),
        (["absent", "absent", "present", "absent"], 1),
        (["absent"] * 3 + ["present"], 0),
        (["present", "apologies", "apologies"], 0),
        (["absent", "present", "absent", "apologies", "absent"], 2),
    ],
)
def test_absences_count_back_from_the_latest_meeting(attendance, run):
    assert consecutive_absences(attendance) == run


def test_three_unexcused_absences_in_a_row_flag_the_seat():
    assert flagged_for_absence(["absent"] * 3, BOARD_RULES)
    assert flagged_for_absence(["present", "absent", "apologies", "absent", "absent"], BOARD_RULES)
    assert not flagged_for_absence(["absent"] * 2, BOARD_RULES)
    assert not flagged_for_absence(["absent"] * 3 + ["present"], BOARD_RULES)
    assert not flagged_for_absence(["absent", "apologies", "absent"], BOARD_RULES)


def test_the_number_of_absences_comes_from_the_constitution():
    assert not flagged_for_absence(["absent"] * 3, board(absences_before_flag=4))
    assert flagged_for_absence(["absent"] * 4, board(absences_before_flag=4))
    assert flagged_for_absence(["present", "absent"], board(absences_before_flag=1))


MARKS = st.lists(st.sampled_from(["present", "apologies", "absent"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(MARKS)
def test_apologies_neither_count_nor_break_the_run_and_presence_ends_it(attendance):
    run = consecutive_absences(attendance)
    latest = attendance
    if "present" in attendance:
        latest = attendance[len(attendance) - attendance[::-1].index("present") :]
    assert "present" not in latest
    assert run == latest.count("absent")
    assert consecutive_absences([*attendance, "apologies"]) == run
    assert consecutive_absences([*attendance, "absent"]) == run + 1
    assert consecutive_absences([*attendance, "present"]) == 0


# add_months and declaration_due --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 11, 15), 14, date(2028, 1, 15)),
        (date(2026, 3, 15), -3, date(2025, 12, 15)),
        (date(2026, 6, 15), 12, date(2027, 6, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 6, 15), 0, date(2026, 6, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@settings(max_examples=200, deadline=None)
@given(DATES | LEAP_DAYS, st.integers(-60, 60))
def test_add_months_lands_in_the_right_month_on_the_nearest_day(day, months):
    moved = add_months(day, months)
    assert moved.year * 12 + moved.month == day.year * 12 + day.month + months
    assert moved.day == day.day or (moved.day < day.day and (moved + ONE_DAY).day == 1)
    if months % 12 == 0:
        assert moved == add_years(day, months // 12)


def test_a_declaration_is_due_for_renewal_exactly_12_months_on():
    declared = date(2025, 6, 15)
    assert not declaration_due(declared, BOARD_RULES, date(2026, 6, 14))
    assert declaration_due(declared, BOARD_RULES, date(2026, 6, 15))
    assert declaration_due(declared, BOARD_RULES, date(2027, 1, 1))
    assert not declaration_due(declared, BOARD_RULES, declared)


def test_a_declaration_made_on_31_january_or_29_february_falls_due_at_the_month_end():
    assert not declaration_due(date(2028, 2, 29), BOARD_RULES, date(2029, 2, 27))
    assert declaration_due(date(2028, 2, 29), BOARD_RULES, date(2029, 2, 28))
    monthly = board(interests_renewal_months=1)
    assert not declaration_due(date(2026, 1, 31), monthly, date(2026, 2, 27))
    assert declaration_due(date(2026, 1, 31), monthly, date(2026, 2, 28))


def test_the_renewal_period_comes_from_the_constitution():
    six = board(interests_renewal_months=6)
    assert not declaration_due(date(2026, 1, 15), six, date(2026, 7, 14))
    assert declaration_due(date(2026, 1, 15), six, date(2026, 7, 15))


# Years of board history, simulated -----------------------------------------------------------

# Each refusal message, by the rule it names.
RULE_WORDS = {
    "no such seat": "The constitution has no seat",
    "seat held": "That seat is already held",
    "one seat each": "already holds a seat on the board",
    "membership": "must be a current member",
    "date of birth": "Record the director's date of birth",
    "minimum age": "years old (Companies Act 2006 s157",
    "volunteers": "board members are volunteers",
    "disqualified": "disqualified director may not serve",
    "arrears": "serious rent arrears",
    "seat limit": "Seat limit:",
    "board size": "Board size:",
    "resident majority": "Resident majority:",
    "term limit": "Term limit:",
}


def rules_named(problems: list[str]) -> set[str]:
    named = set()
    for problem in problems:
        names = {name for name, words in RULE_WORDS.items() if words in problem}
        assert len(names) == 1, problem
        named |= names
    return named


def interval(t: Term) -> tuple[date, date]:
    ends = [day for day in (t.end, t.ended_on) if day is not None]
    return t.start, min(ends, default=date.max)


SIMULATED_BOARDS = [
    BOARD_RULES,
    board(maximum_directors=10),
    board(maximum_directors=12, maximum_consecutive_terms=2, term_years=1),
    board(resident_majority_required=False, maximum_consecutive_terms=1, serious_arrears_bar=False),
]
RARELY = st.integers(0, 11).map(lambda n: n == 0)
NEWCOMERS = st.builds(
    dict,
    age_days=st.one_of(st.none(), st.integers(15 * 365, 85 * 365)),
    is_member=st.integers(0, 9).map(bool),
    is_employee=RARELY,
    is_paid_contractor=RARELY,
    is_disqualified=RARELY,
    has_serious_arrears=RARELY,
)
WILLING_MEMBERS = st.builds(
    dict, age_days=st.integers(18 * 365 + 5, 80 * 365), is_member=st.just(True)
)
FOUNDING_ORDER = [
    *(("resident", n) for n in range(1, 6)),
    ("councillor", 1),
    ("independent", 1),
    ("resident", 6),
    ("councillor", 2),
    ("resident", 7),
    ("independent", 2),
    ("councillor", 3),
    ("resident", 8),
    ("independent", 3),
    ("councillor", 4),
    ("youth_chair", 1),
]
CATEGORY_KEYS = st.sampled_from(
    ["resident", "resident", "councillor", "independent", "youth_chair"]
)


class BoardHistory(RuleBasedStateMachine):
    """A board's years as the service would make them: each appointment is applied only when
    ``appointment_problems`` finds nothing wrong; resignations and the calendar just happen."""

    def __init__(self):
        super().__init__()
        self.rules = BOARD_RULES
        self.today = AGM
        self.terms: list[Term] = []
        self.people: dict[int, Person] = {}

    @initialize(
        rules=st.sampled_from(SIMULATED_BOARDS),
        start=DATES | LEAP_DAYS,
        founders=st.integers(0, len(FOUNDING_ORDER)),
        details=WILLING_MEMBERS,
    )
    def begin(self, rules, start, founders, details):
        """The board's first day: up to 16 willing members offered seats one by one, residents
        first, each seated only if the rules allow it."""
        self.rules, self.today = rules, start
        self.agm_day = (start.month, min(start.day, 28))
        for category, number in FOUNDING_ORDER[:founders]:
            self.try_to_appoint(Seat(category, number), self.newcomer(details), False, False)

    # Helpers ------------------------------------------------------------------------------

    def next_agm(self) -> date:
        agm = date(self.today.year, *self.agm_day)
        return agm if agm > self.today else date(self.today.year + 1, *self.agm_day)

    def newcomer(self, details: dict) -> int:
        details = dict(details)
        age_days = details.pop("age_days")
        born = None if age_days is None else self.today - datetime.timedelta(days=age_days)
        number = len(self.people) + 1
        self.people[number] = Person(born=born, **details)
        return number

    def expected_rules(self, new: Term, who: Person) -> set[str]:
        """The rules an appointment breaks, worked out here without the code under test."""
        if new.seat not in set(board_seats(self.rules)):
            return {"no such seat"}
        on, rules = new.start, self.rules
        category = next(c for c in rules.seat_categories if c.key == new.seat.category)
        current = [t for t in self.terms if interval(t)[0] <= on < interval(t)[1]]
        broken = set()
        in_category = sum(t.seat.category == category.key for t in current)
        if any(t.seat == new.seat for t in current) and in_category < category.seats:
            broken.add("seat held")
        if any(t.person == new.person for t in current):
            broken.add("one seat each")
        if category.filled_by == "election" and not who.is_member:
            broken.add("membership")
        if who.born is None:
            broken.add("date of birth")
        else:
            age = on.year - who.born.year - ((on.month, on.day) < (who.born.month, who.born.day))
            if age < rules.minimum_director_age:
                broken.add("minimum age")
        if who.is_employee or who.is_paid_contractor:
            broken.add("volunteers")
        if who.is_disqualified:
            broken.add("disqualified")
        if who.has_serious_arrears and rules.serious_arrears_bar:
            broken.add("arrears")
        after = [*current, new]
        if in_category + 1 > category.seats:
            broken.add("seat limit")
        if len(after) > rules.maximum_directors:
            broken.add("board size")
        resident_keys = {c.key for c in rules.seat_categories if c.counts_as_resident}
        residents = sum(t.seat.category in resident_keys for t in after)
        if rules.resident_majority_required and residents * 2 <= len(after):
            broken.add("resident majority")
        if rules.maximum_consecutive_terms:
            run, boundary = 0, on
            while True:
                before = [
                    t
                    for t in self.terms
                    if t.person == new.person
                    and t.seat.category == category.key
                    and t.start < boundary == interval(t)[1]
                ]
                if not before:
                    break
                run, boundary = run + 1, before[0].start
            if run >= rules.maximum_consecutive_terms:
                broken.add("term limit")
        return broken

    def try_to_appoint(self, seat: Seat, number: int, coopt: bool, council_flag: bool):
        known = {c.key: c for c in self.rules.seat_categories}
        filled_by = known[seat.category].filled_by if seat.category in known else "election"
        how = FILLED_BY_HOW[filled_by]
        if coopt and how in (ELECTED, BOARD) and self.rules.co_option_allowed:
            how = CO_OPTED
        end = term_end(self.today, how, self.rules, self.next_agm())
        new = Term(seat, number, how, self.today, end, council_associated=council_flag)
        who = self.people[number]
        problems = appointment_problems(self.terms, new, who, self.rules)
        named = rules_named(problems)
        assert named == self.expected_rules(new, who), problems
        for name in named:
            event(f"refused: {name}")
        if problems:
            return
        assert eligibility_problems(who, known[seat.category], self.rules, self.today) == []
        after = [*current_terms(self.terms, self.today), new]
        if self.rules.resident_majority_required:
            residents = [
                t for t in after if category_of(self.rules, t.seat.category).counts_as_resident
            ]
            assert len(residents) * 2 > len(after)
        event(f"appointed: {len(after)} directors")
        self.terms.append(new)

    # Actions ------------------------------------------------------------------------------

    @rule(
        seat_index=st.integers(0, 40),
        details=NEWCOMERS,
        pick=st.integers(0, 10**6),
        reuse=st.booleans(),
        coopt=st.booleans(),
        council_flag=RARELY,
    )
    def appoint_anyone_to_any_seat(self, seat_index, details, pick, reuse, coopt, council_flag):
        seats = [*board_seats(self.rules), Seat("resident", 9), Seat("mayor", 1)]
        seat = seats[seat_index % len(seats)]
        if reuse and self.people:
            number = sorted(self.people)[pick % len(self.people)]
        else:
            number = self.newcomer(details)
        self.try_to_appoint(seat, number, coopt, council_flag)

    @rule(key=CATEGORY_KEYS, details=WILLING_MEMBERS, coopt=st.booleans())
    def appoint_a_willing_member_to_a_vacant_seat(self, key, details, coopt):
        vacant = [
            seat
            for seat in board_seats(self.rules)
            if seat.category == key and holder_on(self.terms, seat, self.today) is None
        ]
        if vacant:
            self.try_to_appoint(vacant[0], self.newcomer(details), coopt, council_flag=False)

    def ending_today(self) -> list[Term]:
        """Terms that ran their full length to today, on seats nobody holds yet."""
        return [
            t
            for t in self.terms
            if t.ended_on is None
            and t.end == self.today
            and holder_on(self.terms, t.seat, self.today) is None
        ]

    @precondition(lambda self: self.ending_today())
    @rule(pick=st.integers(0, 10**6))
    def reappoint_a_director_whose_term_ends_today(self, pick):
        ending = self.ending_today()
        old = ending[pick % len(ending)]
        self.try_to_appoint(old.seat, old.person, coopt=False, council_flag=old.council_associated)

    @precondition(lambda self: current_terms(self.terms, self.today))
    @rule(pick=st.integers(0, 10**6), notice=st.integers(0, 90))
    def end_a_term_early(self, pick, notice):
        current = current_terms(self.terms, self.today)
        old = current[pick % len(current)]
        ended_on = max(self.today, old.start + ONE_DAY) + datetime.timedelta(days=notice)
        if old.end is not None and ended_on >= old.end:
            return
        self.terms[self.terms.index(old)] = dataclasses.replace(old, ended_on=ended_on)

    @rule(days=st.integers(1, 400))
    def time_passes(self, days):
        self.today += datetime.timedelta(days=days)
        self.check_ended_terms_have_left()

    def coming_ends(self) -> list[date]:
        return [interval(t)[1] for t in self.terms if self.today < interval(t)[1] < date.max]

    @precondition(lambda self: self.coming_ends())
    @rule()
    def time_passes_to_the_next_end_of_a_term(self):
        self.today = min(self.coming_ends())
        self.check_ended_terms_have_left()

    def check_ended_terms_have_left(self):
        for t in self.terms:
            if interval(t)[1] <= self.today:
                assert not t.current_on(self.today)
                assert holder_on(self.terms, t.seat, self.today) is not t

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def no_two_terms_on_a_seat_or_for_a_person_overlap(self):
        for i, a in enumerate(self.terms):
            for b in self.terms[i + 1 :]:
                if a.seat == b.seat or a.person == b.person:
                    (a_start, a_end), (b_start, b_end) = interval(a), interval(b)
                    assert a_end <= b_start or b_end <= a_start, (a, b)

    @invariant()
    def every_day_keeps_to_the_caps_with_one_holder_a_seat(self):
        days = {self.today} | {t.start for t in self.terms}
        days |= {interval(t)[1] for t in self.terms if interval(t)[1] != date.max}
        seats = board_seats(self.rules)
        for day in days:
            current = current_terms(self.terms, day)
            assert len(current) <= self.rules.maximum_directors
            per_category = Counter(t.seat.category for t in current)
            for category in self.rules.seat_categories:
                assert per_category[category.key] <= category.seats
            per_seat = Counter(t.seat for t in current)
            assert set(per_seat) <= set(seats)
            assert max(per_seat.values(), default=0) <= 1
            assert max(Counter(t.person for t in current).values(), default=0) <= 1
            for seat in seats:
                holder = holder_on(self.terms, seat, day)
                assert holder == next((t for t in current if t.seat == seat), None)


TestBoardHistory = BoardHistory.TestCase
TestBoardHistory.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)
