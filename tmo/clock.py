"""The one clock: what time it is and what day it is in England, for every request and script.

A request reads ``request.now`` (an aware UTC moment) and ``request.today`` (the date in
Europe/London) and hands them to services and rules, which never read the clock themselves. The
clock itself lives in the registry, so a test can stop it or move it on, and a demo can be dated
to any day (setting ``tmo.today``): days then pass from that day as they do in life.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
CLOCK = "tmo.clock"


def london_day(moment: datetime) -> date:
    """The date in England at ``moment``."""
    return moment.astimezone(LONDON).date()


def london_midnight(day: date) -> datetime:
    """The moment ``day`` begins in England, as UTC."""
    return datetime.combine(day, time(), tzinfo=LONDON).astimezone(UTC)


class SystemClock:
    """The computer's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return london_day(self.now())


@dataclass
class ShiftedClock(SystemClock):
    """The computer's clock moved by a fixed amount: a demo dated to another day, on which time
    still passes."""

    shift: timedelta = field(default_factory=timedelta)

    @classmethod
    def dated(cls, day: date) -> "ShiftedClock":
        real = SystemClock().now()
        return cls(london_midnight(day) - london_midnight(london_day(real)))

    def now(self) -> datetime:
        return super().now() + self.shift


@dataclass
class StoppedClock(SystemClock):
    """A clock that shows one moment until it is moved: for tests."""

    moment: datetime = field(default_factory=lambda: SystemClock().now())

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock shows an aware moment")
        self.moment = moment.astimezone(UTC)

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


def clock_from_settings(settings) -> SystemClock:
    """The clock a deployment runs on: the computer's, or dated to ``tmo.today`` for a demo."""
    day = (settings or {}).get("tmo.today")
    if day:
        return ShiftedClock.dated(day if isinstance(day, date) else date.fromisoformat(day))
    return SystemClock()


def request_now(request) -> datetime:
    return request.registry[CLOCK].now()


def request_today(request) -> date:
    return london_day(request.now)


def includeme(config):
    config.registry[CLOCK] = clock_from_settings(config.get_settings())
    config.add_request_method(request_now, "now", reify=True)
    config.add_request_method(request_today, "today", reify=True)
