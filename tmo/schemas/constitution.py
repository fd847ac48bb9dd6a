"""The constitution form, generated from the rules' own metadata in ``tmo.constitution``.

One definition gives every rule its field, hint, bounds and statutory floor, so adding a rule to
the constitution adds it to this form with no other change.
"""

import dataclasses
import datetime
import decimal
import re
import typing

import colander
import deform

from tmo.constitution import (
    SECTIONS,
    TENURES,
    Constitution,
    SeatCategory,
    from_dict,
    to_dict,
)
from tmo.forms import CSRFSchema
from tmo.schemas.nodes import checkbox_node, choice_node, date_node, number_node, text_node

PENCE = decimal.Decimal(100)
# A day as the form asks for it; Python would also take 20261224 and 2026-W52-4.
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateLines(colander.SchemaType):
    """Days typed one a line as YYYY-MM-DD, kept in order without repeats; blank lines are
    skipped. Each line that is not a day is named, with its number, in the one message."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def serialize(self, node, appstruct):
        if appstruct is colander.null:
            return colander.null
        return "\n".join(day.isoformat() for day in appstruct)

    def deserialize(self, node, cstruct):
        if cstruct is colander.null:
            return colander.null
        if not isinstance(cstruct, str):
            raise colander.Invalid(node, "Enter the days as text, one a line.")
        if not cstruct.strip():
            return colander.null
        days, wrong = set(), []
        for number, line in enumerate(cstruct.splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                if not ISO_DAY.match(text):
                    raise ValueError(text)
                days.add(datetime.date.fromisoformat(text))
            except ValueError:
                wrong.append(f"line {number} (“{text[:20]}”)")
        if wrong:
            raise colander.Invalid(
                node,
                f"Write each day as YYYY-MM-DD, for example 2026-12-24: {', '.join(wrong)} "
                f"{'is' if len(wrong) == 1 else 'are'} not.",
            )
        if len(days) > self.maximum:
            raise colander.Invalid(node, f"Enter at most {self.maximum} days.")
        return tuple(sorted(days))


def _range_message(meta) -> str:
    message = f"Enter a number from {meta.get('minimum')} to {meta.get('maximum')}."
    if meta.get("law"):
        message += f" ({meta['law']})"
    return message


def _money_range(meta):
    low = decimal.Decimal(meta["minimum"]) / PENCE
    high = decimal.Decimal(meta["maximum"]) / PENCE
    message = f"Enter an amount from £{low:,.2f} to £{high:,.2f}."
    return colander.Range(min=low, max=high, min_err=message, max_err=message)


def rule_node(name: str, annotation, meta: dict) -> colander.SchemaNode:
    """One field for one rule."""
    title = meta.get("title") or name.replace("_", " ").capitalize()
    hint = " ".join(part for part in (meta.get("hint"), meta.get("law")) if part)
    common = {"name": name, "title": title, "description": hint}
    choices = meta.get("choices")
    if meta.get("kind") == "money":
        return colander.SchemaNode(
            colander.Decimal(quant="0.01"),
            validator=_money_range(meta),
            missing_msg=f"Enter an amount for “{title}”.",
            widget=deform.widget.TextInputWidget(attributes={"inputmode": "decimal"}),
            **common,
        )
    if meta.get("kind") == "dates":
        return colander.SchemaNode(
            DateLines(meta["maximum"]),
            widget=deform.widget.TextAreaWidget(rows=4),
            missing=(),
            **common,
        )
    if meta.get("kind") == "set":
        return colander.SchemaNode(
            colander.Set(),
            widget=deform.widget.CheckboxChoiceWidget(values=list(choices)),
            validator=colander.ContainsOnly([key for key, _ in choices]),
            missing=frozenset(),
            **common,
        )
    if choices:
        return choice_node(
            name,
            title,
            choices,
            radio=True,
            description=hint,
            missing_msg=f"Choose an option for “{title}”.",
        )
    if annotation is bool:
        return checkbox_node(name, title, hint)
    if annotation is int:
        out_of_range = _range_message(meta)
        return number_node(
            name,
            title,
            hint,
            minimum=meta.get("minimum"),
            maximum=meta.get("maximum"),
            min_err=out_of_range,
            max_err=out_of_range,
            missing_msg=f"Enter a number for “{title}”.",
        )
    # Names are kept exactly as typed, spaces and all, so the form gives back what it was given.
    if meta.get("kind") == "optional":
        return colander.SchemaNode(
            colander.String(), validator=colander.Length(max=200), missing="", **common
        )
    return colander.SchemaNode(
        colander.String(),
        validator=colander.Length(
            min=1,
            max=200,
            min_err=f"Enter “{title}”.",
            max_err="Use at most ${max} characters.",
        ),
        missing_msg=f"Enter “{title}”.",
        **common,
    )


def section_node(cls, name: str, title: str) -> colander.SchemaNode:
    node = colander.SchemaNode(colander.Mapping(), name=name, title=title)
    hints = typing.get_type_hints(cls)
    for item in dataclasses.fields(cls):
        if item.metadata.get("kind") == "seats":
            continue
        node.add(rule_node(item.name, hints[item.name], dict(item.metadata)))
    return node


def seats_node(constitution: Constitution) -> colander.SchemaNode:
    node = colander.SchemaNode(
        colander.Mapping(),
        name="seats",
        title="Board seats",
        description="Set a category's seats to 0 if your board does not have it.",
    )
    hints = typing.get_type_hints(SeatCategory)
    for category in constitution.board.seat_categories:
        group = colander.SchemaNode(colander.Mapping(), name=category.key, title=category.name)
        for item in dataclasses.fields(SeatCategory):
            if item.name == "key":
                continue
            group.add(rule_node(item.name, hints[item.name], dict(item.metadata)))
        node.add(group)
    return node


def constitution_schema(constitution: Constitution) -> colander.Schema:
    schema = CSRFSchema()
    # The fingerprint of the rules last previewed: "Save this version" saves only those.
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="previewed",
            widget=deform.widget.HiddenWidget(),
            missing="",
        )
    )
    schema.add(
        date_node(
            "effective_from",
            "Effective from",
            "The date the TMO adopted these rules, as YYYY-MM-DD. Use today's date unless the "
            "members resolved on another.",
            missing_msg="Enter the date these rules take effect.",
        )
    )
    schema.add(
        text_node(
            "note",
            "What changed and why",
            "For example: “AGM 2026 resolution 4: minimum age lowered to 16”.",
            maximum=500,
            rows=2,
            missing_msg="Say what changed and why.",
        )
    )
    general = colander.SchemaNode(colander.Mapping(), name="general", title="The TMO")
    general.add(
        rule_node(
            "organisation_name",
            str,
            dict(dataclasses.fields(Constitution)[0].metadata),
        )
    )
    schema.add(general)
    for name, title in SECTIONS:
        schema.add(section_node(type(getattr(constitution, name)), name, title))
        if name == "board":
            schema.add(seats_node(constitution))
    return schema


def _rules_of_kind(kind: str):
    """(section, rule) for each rule of ``kind`` ("money", "dates")."""
    for name, _ in SECTIONS:
        cls = type(getattr(Constitution(), name))
        for item in dataclasses.fields(cls):
            if item.metadata.get("kind") == kind:
                yield name, item.name


def appstruct_from(constitution: Constitution, effective_from: datetime.date) -> dict:
    data = to_dict(constitution)
    appstruct = {
        "effective_from": effective_from,
        "note": "",
        "general": {"organisation_name": data["organisation_name"]},
        "seats": {
            seat["key"]: {key: value for key, value in seat.items() if key != "key"}
            for seat in data["board"]["seat_categories"]
        },
    }
    for name, _ in SECTIONS:
        section = dict(data[name])
        section.pop("seat_categories", None)
        appstruct[name] = section
    for section, key in _rules_of_kind("money"):
        appstruct[section][key] = decimal.Decimal(appstruct[section][key]) / PENCE
    for section, key in _rules_of_kind("dates"):
        appstruct[section][key] = getattr(getattr(constitution, section), key)
    for section in ("membership",):
        appstruct[section]["eligible_tenures"] = set(appstruct[section]["eligible_tenures"])
    return appstruct


def constitution_from(appstruct: dict, current: Constitution) -> Constitution:
    data = {"organisation_name": appstruct["general"]["organisation_name"]}
    for name, _ in SECTIONS:
        data[name] = dict(appstruct[name])
    for section, key in _rules_of_kind("money"):
        data[section][key] = int(data[section][key] * PENCE)
    chosen = data["membership"]["eligible_tenures"]
    data["membership"]["eligible_tenures"] = [key for key, _ in TENURES if key in chosen]
    data["board"]["seat_categories"] = [
        {"key": category.key, **appstruct["seats"][category.key]}
        for category in current.board.seat_categories
    ]
    return from_dict(Constitution, data)
