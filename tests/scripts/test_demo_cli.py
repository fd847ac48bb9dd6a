"""`tmo-demo --today`: the demo dated as of the day given, or today in London; a day that is not
one is refused by the argument parser with a message, not a traceback."""

from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tmo.scripts import demo

TESTING_INI = str(Path(__file__).resolve().parents[2] / "ini" / "testing.ini")


@pytest.fixture
def loaded_as_of(monkeypatch) -> list[date]:
    """The days ``main`` asks the demo to be dated as of, with no database behind it."""
    days = []

    @contextmanager
    def no_database(config_uri):
        yield SimpleNamespace(commit=lambda: None)

    monkeypatch.setattr(demo, "database_session", no_database)
    monkeypatch.setattr(
        demo, "load_demo", lambda dbsession, today, secret: days.append(today) or True
    )
    return days


def test_the_demo_is_dated_as_of_the_day_given(loaded_as_of, capsys):
    assert demo.main([TESTING_INI, "--today", "2027-03-15"]) == 0
    assert loaded_as_of == [date(2027, 3, 15)]
    assert "Loaded the demo TMO as of 15 March 2027." in capsys.readouterr().out


def test_the_demo_is_dated_today_in_london_by_default(loaded_as_of):
    before = datetime.now(ZoneInfo("Europe/London")).date()
    demo.main([TESTING_INI])
    after = datetime.now(ZoneInfo("Europe/London")).date()
    assert loaded_as_of[0] in (before, after)


def test_the_demo_is_dated_by_the_deployments_clock(loaded_as_of, monkeypatch):
    monkeypatch.setenv("TMO_TODAY", "2027-03-15")
    demo.main([TESTING_INI])
    assert loaded_as_of == [date(2027, 3, 15)]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2027-02-30", "2027-02-30 is not a day of the calendar"),
        ("15/03/2027", "give the day as YYYY-MM-DD, not '15/03/2027'"),
        ("20270315", "give the day as YYYY-MM-DD, not '20270315'"),
    ],
)
def test_a_today_that_is_not_a_day_is_refused_with_a_message(loaded_as_of, capsys, given, message):
    with pytest.raises(SystemExit) as exited:
        demo.main([TESTING_INI, "--today", given])
    assert exited.value.code == 2
    assert f"argument --today: {message}" in capsys.readouterr().err
    assert loaded_as_of == []
