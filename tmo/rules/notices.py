"""Notices: when a notice sent by post or by email is deemed delivered, the clear days it gives
before a meeting, and by when it must go for a general meeting's notice to be long enough.

Companies Act 2006 s1147: a notice posted (s1147(2)) or sent by email (s1147(3)) is deemed
delivered 48 hours later, and "in calculating a period of hours for the purposes of this section,
no account shall be taken of any part of a day that is not a working day" (s1147(5)); the
articles may say otherwise (s1147(6)), so the hours are the constitution's. s1173: a working day
is not a Saturday, Sunday, Christmas Day, Good Friday or a bank holiday in the part of the United
Kingdom where the company is registered. s360: clear days leave out the day notice is given (for
a notice sent, the day it is deemed delivered) and the day of the meeting; s307 sets a general
meeting's 14. Hours are counted in England's days (Europe/London); moments are aware UTC. Plain
values in, plain values out: no clock, no database, no web.
"""

import enum
from datetime import UTC, date, datetime, timedelta
from functools import cache

import holidays

from tmo.clock import LONDON, london_day, london_midnight
from tmo.constitution import NoticeRules
from tmo.refusal import Refusal


class Channel(enum.StrEnum):
    """How a person has chosen to be reached: by email (only with their agreement to electronic
    communication, Companies Act 2006 Sch 5 para 6) or by post to their address."""

    EMAIL = "email"
    POST = "post"


POST, EMAIL = Channel.POST, Channel.EMAIL
MEANS = {POST: "by post", EMAIL: "by email"}


class DeliveryStatus(enum.StrEnum):
    """A message's life for one person. An email waits in the outbox (queued), is taken by the
    worker (sending) and leaves (sent), or is given up after its last try (failed); a letter
    waits for a print run (to print), is printed in one (printed) and is posted on a day the
    secretary records (posted). Someone with neither an email nor an address cannot be reached."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    TO_PRINT = "to_print"
    PRINTED = "printed"
    POSTED = "posted"
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return DELIVERY_LABELS[self]


DELIVERY_LABELS = {
    DeliveryStatus.QUEUED: "Waiting to be emailed",
    DeliveryStatus.SENDING: "Being emailed",
    DeliveryStatus.SENT: "Emailed",
    DeliveryStatus.FAILED: "Email failed",
    DeliveryStatus.TO_PRINT: "Letter to print",
    DeliveryStatus.PRINTED: "Letter printed, not yet posted",
    DeliveryStatus.POSTED: "Letter posted",
    DeliveryStatus.UNREACHABLE: "No email or address on record",
}

DELIVERY_TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.QUEUED: frozenset({DeliveryStatus.SENDING}),
    # A try that fails goes back to wait for the next, or is given up after the last.
    DeliveryStatus.SENDING: frozenset(
        {DeliveryStatus.SENT, DeliveryStatus.QUEUED, DeliveryStatus.FAILED}
    ),
    DeliveryStatus.SENT: frozenset(),
    # The secretary may try a failed email again (after correcting the address, say).
    DeliveryStatus.FAILED: frozenset({DeliveryStatus.QUEUED}),
    DeliveryStatus.TO_PRINT: frozenset({DeliveryStatus.PRINTED}),
    # A print run thrown away puts its letters back to be printed.
    DeliveryStatus.PRINTED: frozenset({DeliveryStatus.POSTED, DeliveryStatus.TO_PRINT}),
    DeliveryStatus.POSTED: frozenset(),
    DeliveryStatus.UNREACHABLE: frozenset(),
}


class DeliveryRefused(Refusal):
    pass


def check_delivery_transition(current: DeliveryStatus, target: DeliveryStatus) -> None:
    if target not in DELIVERY_TRANSITIONS[current]:
        raise DeliveryRefused(
            f"A message that is “{current.label.lower()}” cannot become “{target.label.lower()}”."
        )


def next_try_after(attempts: int, first: timedelta, longest: timedelta) -> timedelta:
    """How long an email waits after its ``attempts``-th failed try: ``first``, doubling each
    time, never more than ``longest``."""
    return min(first * 2 ** max(attempts - 1, 0), longest)


# The `holidays` package's code for each part of the United Kingdom the constitution may name.
SUBDIVISIONS = {"england_and_wales": "ENG", "scotland": "SCT", "northern_ireland": "NIR"}

# Letters and emails go at a whole minute: the latest moment to send is the minute before the
# one that would be too late.
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
# The smallest step a moment takes: what lies just before a moment is in the day before it only
# at midnight.
INSTANT = timedelta(microseconds=1)


# -- Working days --------------------------------------------------------------------------------


@cache
def bank_holidays(region: str, year: int) -> frozenset[date]:
    """The bank holidays of one part of the United Kingdom in one year (Christmas Day and Good
    Friday among them), as proclaimed: one-off days such as a state funeral included."""
    return frozenset(holidays.country_holidays("GB", subdiv=SUBDIVISIONS[region], years=year))


def working_day(day: date, rules: NoticeRules) -> bool:
    """s1173: not a Saturday or Sunday, Christmas Day, Good Friday or a bank holiday where the
    TMO is registered, nor a day the TMO's own rules leave out."""
    return (
        day.weekday() < 5
        and day not in bank_holidays(rules.bank_holidays, day.year)
        and day not in rules.closure_days
    )


def after_working_hours(start: datetime, hours: int, rules: NoticeRules) -> datetime:
    """The moment ``hours`` hours after ``start`` when only the hours of working days count
    (s1147(5)): the earliest moment by which that many have passed. Whole days are left out, so
    a count that runs out at midnight ends at the midnight that begins the next day."""
    if start.tzinfo is None:
        raise ValueError("hours are counted from an aware moment")
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(UTC)
    if not remaining:
        return cursor
    while True:
        day = london_day(cursor)
        end = london_midnight(day + DAY)
        if working_day(day, rules):
            if remaining <= end - cursor:
                return cursor + remaining
            remaining -= end - cursor
        cursor = end


def before_working_hours(end: datetime, hours: int, rules: NoticeRules) -> datetime:
    """The latest moment from which ``hours`` hours of working days pass by ``end``."""
    remaining = timedelta(hours=hours)
    cursor = end.astimezone(UTC)
    while remaining:
        day = london_day(cursor - INSTANT)
        start = london_midnight(day)
        if working_day(day, rules):
            if remaining <= cursor - start:
                return cursor - remaining
            remaining -= cursor - start
        cursor = start
    return cursor


# -- Deemed delivery and clear days --------------------------------------------------------------


def delivery_hours(rules: NoticeRules, by: str) -> int:
    return rules.post_delivery_hours if by == POST else rules.email_delivery_hours


def deemed_delivered(sent_at: datetime, rules: NoticeRules, by: str = POST) -> datetime:
    """When a notice posted (or, ``by=EMAIL``, emailed) at ``sent_at`` is deemed delivered:
    the constitution's hours later, counting only the hours of working days (s1147)."""
    return after_working_hours(sent_at, delivery_hours(rules, by), rules)


def notice_given_on(sent_at: datetime, rules: NoticeRules, by: str = POST) -> date:
    """The day in England a notice sent at ``sent_at`` is given: the day it is deemed delivered.
    A notice deemed delivered at midnight is given on the day that midnight begins, the reading
    that never makes notice short."""
    return london_day(deemed_delivered(sent_at, rules, by))


def clear_days(notice_on: date, meeting_on: date) -> int:
    """Days between notice and meeting, counting neither the day of notice nor the meeting's
    (s360)."""
    return max(0, (meeting_on - notice_on).days - 1)


def last_day_of_notice(meeting_on: date, needed_clear_days: int) -> date:
    """The last day notice may be given on and still leave ``needed_clear_days`` clear days."""
    return meeting_on - timedelta(days=needed_clear_days + 1)


def latest_posting(
    meeting_on: date, needed_clear_days: int, rules: NoticeRules, by: str = POST
) -> datetime:
    """The last minute a notice can be posted (or emailed) and still be deemed delivered in time
    to give ``needed_clear_days`` clear days before a meeting on ``meeting_on``; a minute later
    is too late."""
    last_day = last_day_of_notice(meeting_on, needed_clear_days)
    too_late = london_midnight(last_day + DAY)
    hours = delivery_hours(rules, by)
    if not hours:
        return too_late - MINUTE
    sent = before_working_hours(too_late, hours, rules)
    if not working_day(last_day, rules):
        # Its hours ran out before the non-working days ending at ``too_late``.
        return sent
    # Sent at ``sent``, it would be delivered at ``too_late`` itself, a day too late; so would
    # anything sent in the non-working days just before (their hours do not count).
    while not working_day(london_day(sent - INSTANT), rules):
        sent = london_midnight(london_day(sent - INSTANT))
    return sent - MINUTE


def earliest_meeting(sent_at: datetime, needed_clear_days: int, rules: NoticeRules) -> date:
    """The first day a meeting can be held with ``needed_clear_days`` clear days' notice sent at
    ``sent_at`` by post and by email (each member gets it by one or the other)."""
    given_on = max(notice_given_on(sent_at, rules, by) for by in MEANS)
    return given_on + timedelta(days=needed_clear_days + 1)


# -- What the secretary is told ------------------------------------------------------------------


def when(moment: datetime) -> str:
    """A deadline as a secretary reads it: "14:00 on Friday 6 March 2031", or "the end of
    Friday 6 March 2031" for the minute before midnight and midnight itself."""
    local = moment.astimezone(LONDON)
    if (local.hour, local.minute) == (0, 0):
        local -= MINUTE
    if (local.hour, local.minute) == (23, 59):
        return f"the end of {local:%A %-d %B %Y}"
    return f"{local:%H:%M} on {local:%A %-d %B %Y}"


def general_meeting_notice_problem(
    sent_at: datetime, meeting_on: date, needed_clear_days: int, rules: NoticeRules
) -> str | None:
    """Why notice of a general meeting on ``meeting_on`` sent at ``sent_at``, by post and by
    email, is too short: the days it allows counted from its deemed delivery, and the earliest
    date it allows; None when it is long enough."""
    if meeting_on < london_day(sent_at):
        return "The meeting cannot be before the notice of it."
    given_on = max(notice_given_on(sent_at, rules, by) for by in MEANS)
    given = clear_days(given_on, meeting_on)
    if given >= needed_clear_days:
        return None
    earliest = earliest_meeting(sent_at, needed_clear_days, rules)
    return (
        f"Too short notice: a general meeting needs at least {needed_clear_days} clear days' "
        f"notice (Companies Act 2006 s307), counted from the day notice is deemed delivered "
        f"(s1147): notice sent now is deemed delivered on {given_on:%A %-d %B %Y}, which allows "
        f"{given}. The earliest date is {earliest:%-d %B %Y}."
    )


def posting_advice(meeting_on: date, needed_clear_days: int, rules: NoticeRules) -> str:
    """By when the letters to members who get notice by post must be posted."""
    deadline = latest_posting(meeting_on, needed_clear_days, rules, POST)
    return (
        f"Post the letters to members who get notice by post by {when(deadline)}: a letter is "
        f"deemed delivered {rules.post_delivery_hours} working hours after it is posted "
        f"(Companies Act 2006 s1147), and the meeting needs {needed_clear_days} clear days' "
        "notice."
    )
