"""Membership rules: ages, who may join, who may vote, register retention, member numbers and
what a choice of how to be contacted needs."""

import dataclasses
import datetime
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.constitution import MembershipRules
from tmo.rules.membership import (
    APPLICATION_TRANSITIONS,
    Applicant,
    ApplicationStatus,
    MembershipError,
    add_years,
    age_on,
    check_application_transition,
    contact_choice_problem,
    joining_problems,
    may_vote,
    next_member_number,
    purge_after,
)
from tmo.rules.notices import Channel

RULES = MembershipRules()
TODAY = date(2026, 6, 15)
ONE_DAY = datetime.timedelta(days=1)
TOO_YOUNG = "You must be 18 or older to join."
ALREADY = "You are already a member."
ONE_PER_HOME = (
    "Your home already has a member, and the constitution allows one member for each home."
)


def applicant(**changes) -> Applicant:
    """An eligible secure tenant, 40 on ``TODAY``, with nobody else a member at home."""
    values = {
        "born": date(1986, 3, 2),
        "holding": "secure_tenant",
        "associate": False,
        "has_active_membership": False,
        "full_members_at_home": 0,
    }
    return Applicant(**{**values, **changes})


def rules(**changes) -> MembershipRules:
    return dataclasses.replace(RULES, **changes)


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def birthday(born: date, years: int) -> date:
    """The day someone turns ``years`` old, worked out independently of the code under test:
    the anniversary, or 1 March when a 29 February birthday falls in a common year."""
    year = born.year + years
    if (born.month, born.day) == (2, 29) and not is_leap(year):
        return date(year, 3, 1)
    return date(year, born.month, born.day)


DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
LEAP_DAYS = st.sampled_from([y for y in range(1904, 2100, 4) if is_leap(y)]).map(
    lambda year: date(year, 2, 29)
)
BIRTH_DATES = st.one_of(DATES, LEAP_DAYS)


# age_on --------------------------------------------------------------------------------------


def test_the_day_before_the_18th_birthday_is_17_and_the_birthday_is_18():
    born = date(2008, 6, 15)
    assert age_on(born, date(2026, 6, 14)) == 17
    assert age_on(born, date(2026, 6, 15)) == 18


def test_a_leap_day_baby_turns_18_on_1_march_in_a_common_year():
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18


def test_a_leap_day_baby_has_a_birthday_on_29_february_in_a_leap_year():
    born = date(2008, 2, 29)
    assert age_on(born, date(2028, 2, 28)) == 19
    assert age_on(born, date(2028, 2, 29)) == 20


@settings(max_examples=200, deadline=None)
@given(BIRTH_DATES, st.integers(min_value=0, max_value=100))
def test_someone_is_n_on_their_nth_birthday_and_not_the_day_before(born, years):
    turns = birthday(born, years)
    assert age_on(born, turns) == years
    if years:
        assert age_on(born, turns - ONE_DAY) == years - 1
    # add_years lands on the birthday itself, except for a 29 February birthday in a common
    # year, where it lands on 28 February, the last day of the year before.
    expected = years - 1 if turns.month == 3 and born.month == 2 else years
    assert age_on(born, add_years(born, years)) == expected


@settings(max_examples=200, deadline=None)
@given(BIRTH_DATES, st.integers(min_value=0, max_value=40_000), st.integers(1, 400))
def test_age_never_goes_down_as_the_days_pass(born, after, step):
    day = born + datetime.timedelta(days=after)
    later = day + datetime.timedelta(days=step)
    assert age_on(born, born) == 0
    assert 0 <= age_on(born, day) <= age_on(born, later) <= age_on(born, day) + step // 365 + 1


# add_years -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        (1, date(2029, 2, 28)),
        (4, date(2032, 2, 29)),
        (-1, date(2027, 2, 28)),
        (0, date(2028, 2, 29)),
    ],
)
def test_29_february_moves_to_28_february_in_a_common_year(years, expected):
    assert add_years(date(2028, 2, 29), years) == expected


def test_an_ordinary_day_keeps_its_month_and_day():
    assert add_years(date(2026, 6, 30), 10) == date(2036, 6, 30)


@settings(max_examples=200, deadline=None)
@given(BIRTH_DATES, st.integers(min_value=-100, max_value=100))
def test_add_years_keeps_the_month_and_day_or_falls_back_one_day(day, years):
    moved = add_years(day, years)
    assert isinstance(moved, date)
    assert moved.year == day.year + years
    assert moved.month == day.month
    if (day.month, day.day) == (2, 29) and not is_leap(moved.year):
        assert moved.day == 28
    else:
        assert moved.day == day.day


# joining_problems ----------------------------------------------------------------------------


def test_an_eligible_tenant_turning_18_today_may_join():
    assert joining_problems(applicant(born=date(2008, 6, 15)), RULES, TODAY) == []


def test_one_day_short_of_18_is_too_young():
    problems = joining_problems(applicant(born=date(2008, 6, 16)), RULES, TODAY)
    assert problems == [TOO_YOUNG]


def test_the_minimum_age_comes_from_the_constitution():
    sixteen = rules(minimum_age=16)
    assert joining_problems(applicant(born=date(2010, 6, 15)), sixteen, TODAY) == []
    problems = joining_problems(applicant(born=date(2010, 6, 16)), sixteen, TODAY)
    assert problems == ["You must be 16 or older to join."]


def test_a_leap_day_baby_may_join_on_1_march_of_their_18th_year_but_not_28_february():
    born = date(2008, 2, 29)
    assert joining_problems(applicant(born=born), RULES, date(2026, 2, 28)) == [TOO_YOUNG]
    assert joining_problems(applicant(born=born), RULES, date(2026, 3, 1)) == []


def test_an_associate_must_also_be_old_enough():
    too_young = applicant(born=date(2008, 6, 16), holding="", associate=True)
    assert joining_problems(too_young, RULES, TODAY) == [TOO_YOUNG]


def test_a_tenure_the_constitution_excludes_is_refused_pointing_to_associate_membership():
    secure_only = rules(eligible_tenures=("secure_tenant",))
    problems = joining_problems(applicant(holding="leaseholder"), secure_only, TODAY)
    assert len(problems) == 1
    assert "resident leaseholder" in problems[0]
    assert "full member" in problems[0]
    assert "associate member" in problems[0]


def test_without_associates_the_refusal_does_not_mention_them():
    strict = rules(eligible_tenures=("secure_tenant",), associate_members=False)
    problems = joining_problems(applicant(holding="leaseholder"), strict, TODAY)
    assert len(problems) == 1
    assert "resident leaseholder" in problems[0]
    assert "associate" not in problems[0].lower()


def test_an_associate_need_not_hold_an_eligible_tenure():
    secure_only = rules(eligible_tenures=("secure_tenant",))
    associate = applicant(holding="leaseholder", associate=True)
    assert joining_problems(associate, secure_only, TODAY) == []


def test_an_associate_is_refused_when_the_constitution_has_none():
    associate = applicant(associate=True)
    assert joining_problems(associate, rules(associate_members=False), TODAY) == [
        "This TMO does not have associate members."
    ]
    assert joining_problems(associate, RULES, TODAY) == []


def test_a_current_member_cannot_join_again():
    assert joining_problems(applicant(has_active_membership=True), RULES, TODAY) == [ALREADY]


@pytest.mark.parametrize("members_at_home", [1, 2])
def test_one_member_per_home_refuses_a_second_full_member(members_at_home):
    one_per_home = rules(household_rule="one_per_home")
    second = applicant(full_members_at_home=members_at_home)
    assert joining_problems(second, one_per_home, TODAY) == [ONE_PER_HOME]
    assert joining_problems(applicant(), one_per_home, TODAY) == []


def test_one_member_per_home_still_admits_an_associate():
    one_per_home = rules(household_rule="one_per_home")
    associate = applicant(associate=True, full_members_at_home=1)
    assert joining_problems(associate, one_per_home, TODAY) == []


def test_one_member_per_adult_tenant_admits_another_tenant_at_the_same_home():
    assert RULES.household_rule == "one_per_adult_tenant"
    assert joining_problems(applicant(full_members_at_home=3), RULES, TODAY) == []


def test_a_missing_date_of_birth_is_asked_for():
    assert joining_problems(applicant(born=None), RULES, TODAY) == ["Enter your date of birth."]


@pytest.mark.parametrize("born", [TODAY + ONE_DAY, date(2090, 1, 1)])
def test_a_date_of_birth_in_the_future_is_refused(born):
    problems = joining_problems(applicant(born=born), RULES, TODAY)
    assert problems == ["Your date of birth must be in the past."]


def test_a_baby_born_today_is_too_young_rather_than_born_in_the_future():
    assert joining_problems(applicant(born=TODAY), RULES, TODAY) == [TOO_YOUNG]


def test_every_problem_is_reported_at_once():
    strict = rules(
        eligible_tenures=("secure_tenant",), associate_members=False, household_rule="one_per_home"
    )
    hopeless = applicant(
        born=date(2010, 1, 1),
        holding="non_resident_leaseholder",
        has_active_membership=True,
        full_members_at_home=1,
    )
    problems = joining_problems(hopeless, strict, TODAY)
    assert len(problems) == 4
    assert problems[0] == TOO_YOUNG
    assert "non-resident leaseholder" in problems[1]
    assert problems[2:] == [ALREADY, ONE_PER_HOME]


def test_a_missing_date_of_birth_and_an_associate_refusal_are_reported_together():
    problems = joining_problems(
        applicant(born=None, associate=True), rules(associate_members=False), TODAY
    )
    assert problems == ["Enter your date of birth.", "This TMO does not have associate members."]


@settings(max_examples=200, deadline=None)
@given(
    LEAP_DAYS | st.dates(min_value=date(1900, 1, 1), max_value=date(2070, 12, 31)),
    st.integers(min_value=16, max_value=21),
    st.integers(min_value=-3, max_value=3),
)
def test_an_applicant_near_the_minimum_age_may_join_exactly_when_old_enough(born, minimum, offset):
    on = birthday(born, minimum) + datetime.timedelta(days=offset)
    problems = joining_problems(applicant(born=born), rules(minimum_age=minimum), on)
    old_enough = offset >= 0
    assert (age_on(born, on) >= minimum) == old_enough
    assert problems == ([] if old_enough else [f"You must be {minimum} or older to join."])


# may_vote ------------------------------------------------------------------------------------


def test_an_active_member_votes():
    assert may_vote(None, associate=False, on=TODAY)


@pytest.mark.parametrize("ceased_on", [None, TODAY - ONE_DAY, TODAY + ONE_DAY])
def test_an_associate_never_votes(ceased_on):
    assert not may_vote(ceased_on, associate=True, on=TODAY)


@pytest.mark.parametrize("ceased_on", [TODAY - ONE_DAY, TODAY, date(2000, 1, 1)])
def test_a_member_who_has_ceased_does_not_vote(ceased_on):
    assert not may_vote(ceased_on, associate=False, on=TODAY)


def test_a_member_ceasing_tomorrow_still_votes_today():
    assert may_vote(TODAY + ONE_DAY, associate=False, on=TODAY)


# purge_after ---------------------------------------------------------------------------------


def test_a_register_entry_is_kept_ten_years_by_default():
    assert purge_after(date(2026, 6, 30), RULES) == date(2036, 6, 30)


def test_a_member_ceasing_on_29_february_is_purged_from_28_february():
    assert purge_after(date(2028, 2, 29), RULES) == date(2038, 2, 28)


def test_the_retention_period_comes_from_the_constitution():
    twelve = rules(register_retention_years=12)
    assert purge_after(date(2026, 6, 30), twelve) == date(2038, 6, 30)


# next_member_number --------------------------------------------------------------------------


@pytest.mark.parametrize(("highest", "expected"), [(None, 1), (0, 1), (1, 2), (41, 42)])
def test_member_numbers_run_on_from_the_highest_ever_issued(highest, expected):
    assert next_member_number(highest) == expected


@pytest.mark.parametrize("current", list(ApplicationStatus))
@pytest.mark.parametrize("target", list(ApplicationStatus))
def test_an_application_is_decided_once(current, target):
    waiting = current is ApplicationStatus.SUBMITTED
    if waiting and target is not ApplicationStatus.SUBMITTED:
        check_application_transition(current, target)
    else:
        with pytest.raises(MembershipError, match=f"already been {current.value}"):
            check_application_transition(current, target)


def test_every_status_has_its_moves_and_words():
    assert set(APPLICATION_TRANSITIONS) == set(ApplicationStatus)
    assert ApplicationStatus.SUBMITTED.label == "Waiting for a decision"
    # A status stored as plain text is judged the same.
    with pytest.raises(MembershipError, match="already been rejected"):
        check_application_transition("rejected", ApplicationStatus.ADMITTED)


@pytest.mark.parametrize(
    ("choice", "email", "refused"),
    [
        (Channel.EMAIL, "ann@example.org", False),
        (Channel.EMAIL, "", True),
        (Channel.POST, "", False),
        (Channel.POST, "ann@example.org", False),
    ],
)
def test_email_needs_an_address_and_post_needs_nothing(choice, email, refused):
    problem = contact_choice_problem(choice, email)
    assert (problem is not None) is refused
    if refused:
        assert problem == "Choosing email needs an email address: enter one, or choose post."
