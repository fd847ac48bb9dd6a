"""The one clock: London's day at the moments it changes, a demo dated to another day on which
time still passes, and a stopped clock for tests."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmo.clock import (
    ShiftedClock,
    StoppedClock,
    SystemClock,
    clock_from_settings,
    london_day,
    london_midnight,
)


def test_london_s_day_begins_at_its_midnight_summer_and_winter():
    # 23:30 UTC on 30 June is already 1 July in London (BST); in December it is not.
    assert london_day(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert london_day(datetime(2026, 12, 30, 23, 30, tzinfo=UTC)) == date(2026, 12, 30)
    assert london_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert london_midnight(date(2026, 12, 31)) == datetime(2026, 12, 31, 0, 0, tzinfo=UTC)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_s_midnight_is_on_that_day_and_the_moment_before_is_not(day):
    assert london_day(london_midnight(day)) == day
    assert london_day(london_midnight(day) - timedelta(microseconds=1)) == day - timedelta(days=1)


def test_a_demo_dated_to_another_day_shows_that_day_and_time_passes_on_it():
    clock = clock_from_settings({"tmo.today": "2027-03-15"})
    assert isinstance(clock, ShiftedClock)
    assert clock.today() == date(2027, 3, 15)
    first = clock.now()
    assert clock.now() >= first


def test_without_a_date_the_deployment_runs_on_the_computer_s_clock():
    clock = clock_from_settings({})
    assert type(clock) is SystemClock
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_stopped_clock_moves_only_when_moved():
    clock = StoppedClock(datetime(2026, 12, 16, 23, 59, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(minutes=1)
    assert clock.today() == date(2026, 12, 17)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 12, 17))
