"""Dates typed as people write them: three boxes, day, month and year (the GOV.UK date input),
for dates of birth and other days in the past. A mistake is said in words ("Date of birth must
include a month") against the box that holds it, and a day out of range (a birth in 1890, a
spend next week) is refused with the range it must be in.

A date still to be chosen (a meeting's day, an election's notice) keeps the browser's own date
field (``nodes.date_node``): a calendar helps there, and nobody types it from memory.
"""

from datetime import date, timedelta

import colander
import deform

from tmo.presenters import day
from tmo.rules.membership import add_years

PARTS = (("day", "Day"), ("month", "Month"), ("year", "Year"))
# The oldest anyone is believed to be: a date of birth before this many years ago is a typo.
OLDEST_AGE = 120
# The earliest past day any record of the TMO's can be about.
EARLIEST_RECORD = date(1900, 1, 1)


class DateBoxesInvalid(colander.Invalid):
    """A date that cannot be read, with the boxes (day, month, year) that are wrong."""

    def __init__(self, node, msg, boxes=("day", "month", "year"), value=None):
        super().__init__(node, msg, value)
        self.boxes = frozenset(boxes)


def _named(node) -> str:
    """How a message names the field: its title as the start of a sentence."""
    return node.title or "The date"


class DateBoxes(colander.SchemaType):
    """A date from {"day", "month", "year"} as typed; a date is shown back the same way."""

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        if isinstance(appstruct, str):
            appstruct = date.fromisoformat(appstruct)
        return {
            "day": str(appstruct.day),
            "month": str(appstruct.month),
            "year": str(appstruct.year),
        }

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None):
            return colander.null
        named = _named(node)
        missing = [part for part, _ in PARTS if not cstruct.get(part)]
        if missing:
            words = " and ".join(missing)
            raise DateBoxesInvalid(node, f"{named} must include a {words}.", missing)
        # Plain digits only: "²" and "٣" are digits to Python, not to a date.
        wrong = [
            part for part, _ in PARTS if not (cstruct[part].isascii() and cstruct[part].isdigit())
        ]
        if wrong:
            raise DateBoxesInvalid(node, f"{named} must be a real date, in numbers.", wrong)
        if len(cstruct["year"]) != 4:
            raise DateBoxesInvalid(node, "The year must have 4 numbers, like 2007.", ["year"])
        day_, month, year = (int(cstruct[part]) for part, _ in PARTS)
        if not 1 <= month <= 12:
            raise DateBoxesInvalid(
                node, f"{named} must be a real date: a month is 1 to 12.", ["month"]
            )
        try:
            return date(year, month, day_)
        except ValueError:
            raise DateBoxesInvalid(node, f"{named} must be a real date.", ["day"]) from None


class DateBoxesWidget(deform.widget.Widget):
    """Three labelled boxes in a fieldset (``templates/deform/date_boxes.pt``), each typed on a
    phone's number keypad; ``birth`` lets the browser offer the person's own date of birth."""

    template = "date_boxes"
    readonly_template = "date_boxes"
    birth = False

    def serialize(self, field, cstruct, **kw):
        if cstruct in (colander.null, None) or not isinstance(cstruct, dict):
            cstruct = {}
        values = {part: cstruct.get(part, "") for part, _ in PARTS}
        error = field.error
        wrong = getattr(error, "boxes", None) or {part for part, _ in PARTS} if error else set()
        kw = {**kw, "parts": PARTS, "wrong": wrong}
        return field.renderer(self.template, **self.get_template_values(field, values, kw))

    def deserialize(self, field, pstruct):
        if pstruct in (colander.null, None, ""):
            return colander.null
        if not isinstance(pstruct, dict):
            raise DateBoxesInvalid(field.schema, f"{_named(field.schema)} must be a real date.")
        typed = {
            part: str(pstruct.get(f"{field.name}-{part}") or "").strip()[:10] for part, _ in PARTS
        }
        return typed if any(typed.values()) else colander.null


def first_wrong_box(field) -> str:
    """The box a link to the field's error should focus: the first that is wrong."""
    boxes = getattr(field.error, "boxes", None) or ()
    return next((part for part, _ in PARTS if part in boxes), "day")


def _in_range(earliest, latest, too_early: str, too_late: str):
    """A validator, bound to the request, for a day from ``earliest(today)`` to
    ``latest(today)``; each message may name the day with ``{day}``."""

    @colander.deferred
    def bound(node, kw):
        today = kw["request"].today
        first, last = earliest(today), latest(today)

        def check(node, value):
            if value > last:
                raise colander.Invalid(node, too_late.format(day=day(last)))
            if value < first:
                raise colander.Invalid(node, too_early.format(day=day(first - timedelta(days=1))))

        return check

    return bound


def _node(name: str, title: str, hint: str, validator, *, birth: bool, **kw):
    widget = DateBoxesWidget()
    widget.birth = birth
    return colander.SchemaNode(
        DateBoxes(),
        name=name,
        title=title,
        description=hint,
        validator=validator,
        widget=widget,
        **kw,
    )


def birth_date_node(
    name: str,
    title: str,
    description: str = "",
    *,
    example: str = "For example, 27 3 2007.",
    ages: tuple[int, int] = (0, OLDEST_AGE),
    too_old: str | None = None,
    too_young: str | None = None,
    birth: bool = True,
    **kw,
) -> colander.SchemaNode:
    """A date of birth of someone aged ``ages[0]`` to ``ages[1]`` today (by default, born today
    at the latest and no more than 120 years ago)."""
    youngest, oldest = ages
    named = title
    too_late = too_young or (
        f"{named} must be today or in the past."
        if youngest == 0
        else f"{named} must be on or before {{day}}: you must be at least {youngest}."
    )
    too_early = too_old or f"{named} must be after {{day}}: check the year."
    validator = _in_range(
        lambda today: add_years(today, -(oldest + 1)) + timedelta(days=1),
        lambda today: add_years(today, -youngest),
        too_early,
        too_late,
    )
    hint = " ".join(part for part in (example, description) if part)
    return _node(name, title, hint, validator, birth=birth, **kw)


def past_date_node(
    name: str,
    title: str,
    description: str = "",
    *,
    example: str = "For example, 27 3 2026.",
    **kw,
) -> colander.SchemaNode:
    """A day that has come: today or before (and not before 1900)."""
    validator = _in_range(
        lambda today: EARLIEST_RECORD,
        lambda today: today,
        f"{title} must be after {{day}}: check the year.",
        f"{title} must be today or in the past.",
    )
    hint = " ".join(part for part in (example, description) if part)
    return _node(name, title, hint, validator, birth=False, **kw)
