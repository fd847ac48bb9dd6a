"""The notices rules: deemed delivery after the hours of working days (Companies Act 2006 s1147,
s1173), clear days (s360), the latest moment a notice can go, and what scheduling is told."""

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.clock import LONDON, london_day, london_midnight
from tmo.constitution import NoticeRules
from tmo.rules import notices
from tmo.rules.notices import EMAIL, MINUTE, POST

RULES = NoticeRules()
DAY = timedelta(days=1)


def london(year, month, day, hour=0, minute=0) -> datetime:
    """A moment given as England's clock shows it."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def shown(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%a %-d %b %Y %H:%M}"


def working_time_between(start: datetime, end: datetime, rules: NoticeRules) -> timedelta:
    """The time from ``start`` to ``end`` that falls in working days, added up day by day: the
    measure s1147(5) counts hours by, worked out without the rules' own arithmetic."""
    total = timedelta()
    day = london_day(start)
    while london_midnight(day) < end:
        begins, ends = london_midnight(day), london_midnight(day + DAY)
        if notices.working_day(day, rules):
            total += max(timedelta(), min(end, ends) - max(start, begins))
        day += DAY
    return total


# -- Working days --------------------------------------------------------------------------------


def test_working_days_leave_out_weekends_bank_holidays_and_the_tmo_s_own_days():
    assert notices.working_day(date(2026, 3, 6), RULES)  # a Friday
    assert not notices.working_day(date(2026, 3, 7), RULES)  # Saturday
    assert not notices.working_day(date(2026, 3, 8), RULES)  # Sunday
    assert not notices.working_day(date(2026, 4, 3), RULES)  # Good Friday
    assert not notices.working_day(date(2026, 4, 6), RULES)  # Easter Monday
    assert not notices.working_day(date(2026, 12, 28), RULES)  # Boxing Day, in lieu
    assert not notices.working_day(date(2022, 9, 19), RULES)  # the late Queen's state funeral
    closed = dataclasses.replace(RULES, closure_days=(date(2026, 12, 29),))
    assert notices.working_day(date(2026, 12, 29), RULES)
    assert not notices.working_day(date(2026, 12, 29), closed)


def test_each_part_of_the_united_kingdom_keeps_its_own_bank_holidays():
    scotland = dataclasses.replace(RULES, bank_holidays="scotland")
    northern_ireland = dataclasses.replace(RULES, bank_holidays="northern_ireland")
    # Easter Monday is not a bank holiday in Scotland; 2 January and St Andrew's Day are.
    assert not notices.working_day(date(2026, 4, 6), RULES)
    assert notices.working_day(date(2026, 4, 6), scotland)
    assert notices.working_day(date(2026, 1, 2), RULES)
    assert not notices.working_day(date(2026, 1, 2), scotland)
    assert not notices.working_day(date(2026, 11, 30), scotland)
    # St Patrick's Day in Northern Ireland only.
    assert notices.working_day(date(2026, 3, 17), RULES)
    assert not notices.working_day(date(2026, 3, 17), northern_ireland)


@pytest.mark.parametrize("region", sorted(notices.SUBDIVISIONS))
def test_christmas_day_and_good_friday_are_never_working_days(region):
    """s1173 names them whether or not they are bank holidays: each region's list holds both."""
    rules = dataclasses.replace(RULES, bank_holidays=region)
    good_fridays = {
        2026: date(2026, 4, 3),
        2027: date(2027, 3, 26),
        2030: date(2030, 4, 19),
        2038: date(2038, 4, 23),
    }
    for year, good_friday in good_fridays.items():
        assert not notices.working_day(date(year, 12, 25), rules)
        assert not notices.working_day(good_friday, rules)


# -- Deemed delivery: what the law's examples say -----------------------------------------------


def test_a_letter_posted_on_a_friday_afternoon_is_delivered_on_tuesday_afternoon():
    # The Act's explanatory notes, para 1475: Friday 3pm, Tuesday 3pm.
    assert shown(notices.deemed_delivered(london(2031, 3, 7, 15), RULES)) == "Tue 11 Mar 2031 15:00"


def test_a_bank_holiday_weekend_moves_delivery_to_wednesday():
    # Spring bank holiday, Monday 25 May 2026.
    sent = london(2026, 5, 22, 15)
    assert shown(notices.deemed_delivered(sent, RULES)) == "Wed 27 May 2026 15:00"


def test_christmas_is_left_out():
    # Thursday 24 December counts; Christmas Day (Friday), the weekend and Boxing Day in lieu
    # (Monday 28th) do not.
    sent = london(2026, 12, 23, 14)
    assert shown(notices.deemed_delivered(sent, RULES)) == "Tue 29 Dec 2026 14:00"


def test_easter_is_left_out_and_the_clocks_going_forward_changes_nothing():
    # Good Friday 26 March 2027, clocks forward on Sunday 28th, Easter Monday 29th.
    sent = london(2027, 3, 25, 12)
    delivered = notices.deemed_delivered(sent, RULES)
    assert shown(delivered) == "Wed 31 Mar 2027 12:00"
    # Six days on the calendar, less the hour the clocks lost.
    assert delivered - sent == timedelta(days=6, hours=-1)


def test_a_day_the_tmo_keeps_closed_moves_delivery_on():
    closed = dataclasses.replace(RULES, closure_days=(date(2031, 3, 10),))  # the Monday
    sent = london(2031, 3, 7, 15)
    assert shown(notices.deemed_delivered(sent, closed)) == "Wed 12 Mar 2031 15:00"


def test_a_notice_sent_on_a_non_working_day_counts_from_the_next_working_day():
    for sent in (london(2031, 3, 8, 9), london(2031, 3, 9, 23, 59)):
        assert shown(notices.deemed_delivered(sent, RULES)) == "Wed 12 Mar 2031 00:00"
    # Delivered as Tuesday ends: notice is given on Wednesday, the day that midnight begins.
    assert notices.notice_given_on(london(2031, 3, 8, 9), RULES) == date(2031, 3, 12)


def test_email_and_post_each_take_the_constitution_s_hours():
    rules = dataclasses.replace(RULES, email_delivery_hours=0, post_delivery_hours=24)
    sent = london(2031, 3, 7, 15)
    assert notices.deemed_delivered(sent, rules, EMAIL) == sent
    assert shown(notices.deemed_delivered(sent, rules, POST)) == "Mon 10 Mar 2031 15:00"


def test_a_moment_without_its_zone_is_refused():
    with pytest.raises(ValueError, match="aware"):
        notices.deemed_delivered(datetime(2031, 3, 7, 15), RULES)


# -- Deemed delivery: invariants -----------------------------------------------------------------

MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)
HOURS = st.one_of(st.just(48), st.integers(0, 168))
MEANS = st.sampled_from(sorted(notices.MEANS))


@st.composite
def rules_near(draw, moment: datetime):
    """Rules with any hours, any part of the UK and a few closure days in the weeks after
    ``moment``, where they can change something."""
    start = london_day(moment)
    offsets = draw(st.sets(st.integers(-3, 30), max_size=6))
    return NoticeRules(
        post_delivery_hours=draw(HOURS),
        email_delivery_hours=draw(HOURS),
        bank_holidays=draw(st.sampled_from(sorted(notices.SUBDIVISIONS))),
        closure_days=tuple(sorted(start + timedelta(days=n) for n in offsets)),
    )


@st.composite
def sent_and_rules(draw):
    sent = draw(MOMENTS)
    return sent, draw(rules_near(sent)), draw(MEANS)


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(sent_and_rules())
def test_delivery_is_exactly_the_hours_of_working_days_after_sending(case):
    """Exactly the constitution's hours of working days lie between sending and delivery, and
    the moment just before delivery is in a working day: delivery comes as soon as the hours
    have passed, never in the middle of a day that does not count."""
    sent, rules, by = case
    delivered = notices.deemed_delivered(sent, rules, by)
    hours = timedelta(hours=notices.delivery_hours(rules, by))
    assert delivered.tzinfo is UTC
    assert working_time_between(sent, delivered, rules) == hours
    if hours:
        assert notices.working_day(london_day(delivered - notices.INSTANT), rules)
    else:
        assert delivered == sent


@settings(deadline=None)
@given(sent_and_rules())
def test_delivery_is_never_sooner_than_the_hours_on_the_clock(case):
    """Working days are whole 24-hour days (the clocks change on Sundays), so at least the
    hours themselves pass; whole days are skipped, so England's clock shows the same minute."""
    sent, rules, by = case
    delivered = notices.deemed_delivered(sent, rules, by)
    hours = notices.delivery_hours(rules, by)
    assert delivered - sent >= timedelta(hours=hours)
    if hours and notices.working_day(london_day(sent), rules):
        local_sent, local_delivered = sent.astimezone(LONDON), delivered.astimezone(LONDON)
        sent_minutes = local_sent.hour * 60 + local_sent.minute + hours * 60
        assert (local_delivered.hour * 60 + local_delivered.minute) % (24 * 60) == (
            sent_minutes % (24 * 60)
        )


@settings(deadline=None)
@given(sent_and_rules(), st.integers(0, 10 * 24 * 60))
def test_sending_later_never_delivers_sooner(case, minutes):
    sent, rules, by = case
    later = sent + timedelta(minutes=minutes)
    assert notices.deemed_delivered(later, rules, by) >= notices.deemed_delivered(sent, rules, by)


@settings(deadline=None)
@given(sent_and_rules(), st.sets(st.integers(0, 20), min_size=1, max_size=4))
def test_more_days_kept_closed_never_deliver_sooner(case, extra):
    sent, rules, by = case
    closed = sorted(set(rules.closure_days) | {london_day(sent) + timedelta(days=n) for n in extra})
    more = dataclasses.replace(rules, closure_days=tuple(closed))
    assert notices.deemed_delivered(sent, more, by) >= notices.deemed_delivered(sent, rules, by)


@settings(deadline=None)
@given(sent_and_rules())
def test_any_time_on_a_non_working_day_is_the_start_of_the_next_working_day(case):
    sent, rules, by = case
    day = london_day(sent)
    if notices.working_day(day, rules) or not notices.delivery_hours(rules, by):
        return
    next_working = day + DAY
    while not notices.working_day(next_working, rules):
        next_working += DAY
    expected = notices.deemed_delivered(london_midnight(next_working), rules, by)
    assert notices.deemed_delivered(sent, rules, by) == expected


# -- Clear days ----------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@given(DAYS, st.integers(-5, 90))
def test_clear_days_leave_out_both_the_day_of_notice_and_the_meeting_s(notice_on, gap):
    meeting_on = notice_on + timedelta(days=gap)
    between = [notice_on + timedelta(days=n) for n in range(1, gap)]
    assert notices.clear_days(notice_on, meeting_on) == len(between)
    assert notice_on not in between and meeting_on not in between


def test_fourteen_clear_days_from_a_letter_posted_on_a_monday():
    # Posted Monday 2 March 2026, delivered Wednesday 4th; 5 to 18 March are 14 clear days.
    given_on = notices.notice_given_on(london(2026, 3, 2, 10), RULES)
    assert given_on == date(2026, 3, 4)
    assert notices.clear_days(given_on, date(2026, 3, 19)) == 14
    assert notices.earliest_meeting(london(2026, 3, 2, 10), 14, RULES) == date(2026, 3, 19)


# -- The latest moment a notice can go -----------------------------------------------------------


@st.composite
def meeting_and_rules(draw):
    meeting_on = draw(DAYS)
    needed = draw(st.integers(1, 60))
    rules = draw(rules_near(london_midnight(meeting_on) - timedelta(days=needed + 25)))
    return meeting_on, needed, rules, draw(MEANS)


@settings(deadline=None)
@given(meeting_and_rules())
def test_the_latest_posting_is_the_last_minute_that_gives_enough_clear_days(case):
    """Sent at the latest moment, the notice leaves the clear days the meeting needs; sent a
    minute later (or a day later), it leaves fewer."""
    meeting_on, needed, rules, by = case
    latest = notices.latest_posting(meeting_on, needed, rules, by)
    assert latest.tzinfo is UTC and latest.second == latest.microsecond == 0
    assert notices.clear_days(notices.notice_given_on(latest, rules, by), meeting_on) >= needed
    for later in (latest + MINUTE, latest + DAY):
        assert notices.clear_days(notices.notice_given_on(later, rules, by), meeting_on) < needed


def test_letters_for_a_meeting_on_a_tuesday_go_by_the_end_of_the_thursday_before_the_last():
    # Meeting Tuesday 24 March 2026: notice given by Monday 9th; posted by the end of Thursday
    # 5th is delivered on Monday 9th, the weekend not counting.
    latest = notices.latest_posting(date(2026, 3, 24), 14, RULES)
    assert shown(latest) == "Thu 5 Mar 2026 23:59"
    assert notices.when(latest) == "the end of Thursday 5 March 2026"


def test_notice_due_by_a_sunday_must_be_delivered_before_the_weekend_so_goes_a_day_sooner():
    # Meeting Monday 23 March 2026: notice given by Sunday 8th. Posted as Wednesday 4th ends, a
    # letter is delivered as Saturday 7th begins; a minute later, not until Monday.
    latest = notices.latest_posting(date(2026, 3, 23), 14, RULES)
    assert shown(latest) == "Thu 5 Mar 2026 00:00"
    assert notices.when(latest) == "the end of Wednesday 4 March 2026"
    assert notices.notice_given_on(latest, RULES) == date(2026, 3, 7)
    assert notices.notice_given_on(latest + MINUTE, RULES) == date(2026, 3, 9)


# -- What scheduling is told ---------------------------------------------------------------------


def test_notice_that_would_be_short_even_if_sent_now_names_the_earliest_date():
    sent = london(2031, 3, 5, 10)  # a Wednesday: delivered on the Friday
    problem = notices.general_meeting_notice_problem(sent, date(2031, 3, 21), 14, RULES)
    assert problem == (
        "Too short notice: a general meeting needs at least 14 clear days' notice (Companies Act "
        "2006 s307), counted from the day notice is deemed delivered (s1147): notice sent now is "
        "deemed delivered on Friday 7 March 2031, which allows 13. The earliest date is 22 March "
        "2031."
    )
    assert notices.general_meeting_notice_problem(sent, date(2031, 3, 22), 14, RULES) is None
    assert notices.general_meeting_notice_problem(sent, date(2031, 3, 4), 14, RULES) == (
        "The meeting cannot be before the notice of it."
    )


def test_the_advice_says_by_when_the_letters_must_be_posted():
    advice = notices.posting_advice(date(2031, 3, 25), 14, RULES)
    assert advice.startswith(
        "Post the letters to members who get notice by post by the end of Thursday 6 March 2031"
    )
    assert "48 working hours" in advice and "s1147" in advice


@settings(deadline=None)
@given(sent_and_rules(), st.integers(1, 60))
def test_the_earliest_date_named_is_the_first_that_is_long_enough(case, needed):
    sent, rules, _ = case
    earliest = notices.earliest_meeting(sent, needed, rules)
    assert notices.general_meeting_notice_problem(sent, earliest, needed, rules) is None
    short = notices.general_meeting_notice_problem(sent, earliest - DAY, needed, rules)
    assert short is not None
    assert short.endswith(f"The earliest date is {earliest:%-d %B %Y}.") or (
        short == "The meeting cannot be before the notice of it."
    )
    # Letters posted now for the earliest date are in time; the advice names a moment no sooner.
    assert notices.latest_posting(earliest, needed, rules, POST) >= sent.replace(
        second=0, microsecond=0
    )


def test_midnight_and_the_minute_before_read_as_the_end_of_the_day():
    assert notices.when(london(2031, 3, 6, 23, 59)) == "the end of Thursday 6 March 2031"
    assert notices.when(london(2031, 3, 7)) == "the end of Thursday 6 March 2031"
    assert notices.when(london(2031, 3, 7, 14)) == "14:00 on Friday 7 March 2031"
    assert notices.when(datetime.combine(date(2031, 7, 7), time(13), UTC)) == (
        "14:00 on Monday 7 July 2031"
    )
