"""The demo's one clock: every loader is handed the day the demo is dated, and this module turns
that day into the moments the demo's records carry, in London and stored in UTC. Records are
stamped at the start of the day, so none is later than the moment a demo dated today is loaded;
meetings start at seven in the evening."""

from datetime import UTC, date, datetime, time

from tmo.clock import LONDON


def in_london(day: date, at: time) -> datetime:
    """``day`` at the time ``at`` in London, as the UTC moment the database stores."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def start_of(day: date) -> datetime:
    return in_london(day, time())


def evening_of(day: date) -> datetime:
    return in_london(day, time(19, 0))
