"""The fields every domain's forms are built from, each written once: text, a choice, a whole
number, a box to tick, a date and a time of day. Options are keywords, so a form reads as what it
asks; a message given where a field is used replaces the plain one each field has here (never
colander's own, which reads like "${val} is greater than maximum value ${max}")."""

import re

import colander
import deform

from tmo.rules import text

# A time of day on the 24-hour clock, as the browser's time field sends it: "19:00".
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def stripped(value):
    """A preparer: text as typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def one_line(value):
    """A preparer for a one-line field: line breaks and other control characters (which no
    browser sends from one, but a crafted request may) become a space, then ``stripped``."""
    return stripped(text.one_line(value) if isinstance(value, str) else value)


def _given(**options) -> dict:
    """The options that were given: colander and deform keep their own defaults for the rest."""
    return {key: value for key, value in options.items() if value is not None}


def text_node(
    name: str,
    title: str,
    description: str = "",
    *,
    required: bool = True,
    maximum: int | None = 200,
    max_err: str | None = None,
    check=None,
    rows: int = 0,
    attributes: dict | None = None,
    **kw,
) -> colander.SchemaNode:
    """Text without the spaces around it: at most ``maximum`` characters (None: any length), and
    passing ``check`` (another validator) where given. ``rows`` makes it a text area,
    ``attributes`` go on the one-line input. Optional text (``required=False``) is "" when left
    empty."""
    if not required:
        kw.setdefault("missing", "")
    validators = (
        []
        if maximum is None
        else [colander.Length(max=maximum, max_err=max_err or "Use at most ${max} characters.")]
    )
    if check is not None:
        validators.append(check)
    validator = None
    if validators:
        # One validator alone, so that its message is a message and not a list of one.
        validator = validators[0] if len(validators) == 1 else colander.All(*validators)
    if rows:
        widget = deform.widget.TextAreaWidget(rows=rows)
    else:
        widget = deform.widget.TextInputWidget(**_given(attributes=attributes))
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description,
        preparer=stripped if rows else one_line,
        validator=validator,
        widget=widget,
        **kw,
    )


def choice_node(
    name: str,
    title: str,
    choices,
    *,
    radio: bool = False,
    missing_msg: str | None = None,
    msg_err: str | None = None,
    **kw,
) -> colander.SchemaNode:
    """One of ``choices``, (value, label) pairs, from a list or (``radio=True``) as radio
    buttons. A first choice valued "" ("Choose a member") counts as no choice."""
    values = [(str(value), label) for value, label in choices]
    widget = deform.widget.RadioChoiceWidget if radio else deform.widget.SelectWidget
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        validator=colander.OneOf([value for value, _ in values], **_given(msg_err=msg_err)),
        widget=widget(values=values),
        **_given(missing_msg=missing_msg),
        **kw,
    )


class WholeNumber(colander.Integer):
    def deserialize(self, node, cstruct):
        try:
            return super().deserialize(node, cstruct)
        except colander.Invalid:
            raise colander.Invalid(node, "Enter a whole number, like 3.") from None


class Day(colander.Date):
    err_template = "Enter a real date, like 2027-03-27."


def number_node(
    name: str,
    title: str,
    description: str = "",
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    min_err: str | None = None,
    max_err: str | None = None,
    **kw,
) -> colander.SchemaNode:
    """A whole number from ``minimum`` to ``maximum`` (either may be None), or judged by a
    ``validator`` of its own instead, typed on a phone's number keypad."""
    validator = kw.pop("validator", None)
    if minimum is not None or maximum is not None:
        validator = colander.Range(
            min=minimum,
            max=maximum,
            min_err=min_err or "Enter ${min} or more.",
            max_err=max_err or "Enter ${max} or fewer.",
        )
    return colander.SchemaNode(
        WholeNumber(),
        name=name,
        title=title,
        description=description,
        validator=validator,
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"}),
        **kw,
    )


def checkbox_node(
    name: str, title: str, description: str = "", *, must_tick: str | None = None, **kw
) -> colander.SchemaNode:
    """A box to tick, False when left empty; with ``must_tick``, the form is refused with that
    message unless it is ticked (a consent, a confirmation)."""
    if must_tick is None:
        kw.setdefault("missing", False)
    else:
        kw["validator"] = colander.Function(lambda value: value is True, must_tick)
        kw["missing_msg"] = must_tick
    return colander.SchemaNode(
        colander.Boolean(),
        name=name,
        title=title,
        description=description,
        widget=deform.widget.CheckboxWidget(),
        **kw,
    )


def date_node(
    name: str, title: str, description: str = "", *, autocomplete: str | None = None, **kw
) -> colander.SchemaNode:
    """A date, typed into the browser's own date field (YYYY-MM-DD where it has none)."""
    attributes = {"type": "date"}
    if autocomplete:
        attributes["autocomplete"] = autocomplete
    return colander.SchemaNode(
        Day(),
        name=name,
        title=title,
        description=description,
        widget=deform.widget.TextInputWidget(attributes=attributes),
        **kw,
    )


def time_node(
    name: str, title: str, description: str = "", *, required: bool = True, **kw
) -> colander.SchemaNode:
    """A time of day on the 24-hour clock ("19:00"), typed into the browser's own time field."""
    return text_node(
        name,
        title,
        description,
        required=required,
        maximum=None,
        check=colander.Regex(TIME, "Enter a time like 19:00 (24-hour clock)."),
        attributes={"type": "time"},
        **kw,
    )
