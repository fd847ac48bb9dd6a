"""Forms for the board: appointing a director to a seat, ending a term, recording what a
director's eligibility depends on, and declaring an interest."""

import colander
import deform

from tmo.forms import CSRFSchema
from tmo.rules.board import END_REASONS, HOW_HELD
from tmo.schemas import date_node, stripped
from tmo.services.board import INTEREST_KINDS

NEW_PERSON = "new"


def eligibility_nodes():
    """What eligibility to serve depends on, as the secretary has checked it."""
    flags = (
        ("is_employee", "Is an employee of the TMO"),
        ("is_paid_contractor", "Is paid for professional work for the TMO"),
        ("is_disqualified", "Is an undischarged bankrupt or a disqualified director"),
        ("has_serious_arrears", "Has serious rent arrears"),
        ("council_associated", "Is council-associated (a councillor or council officer)"),
    )
    return [
        colander.SchemaNode(
            colander.Boolean(),
            name=name,
            title=title,
            missing=False,
            widget=deform.widget.CheckboxWidget(),
        )
        for name, title in flags
    ]


def person_nodes(directors, members):
    return [
        colander.SchemaNode(
            colander.String(),
            name="director",
            title="Who",
            description="Someone who has served before, or a new person.",
            default=NEW_PERSON,
            validator=colander.OneOf([NEW_PERSON, *(str(d.id) for d in directors)]),
            widget=deform.widget.SelectWidget(
                values=[(NEW_PERSON, "A new person (give their details below)")]
                + [(str(d.id), d.name) for d in directors]
            ),
        ),
        colander.SchemaNode(
            colander.String(),
            name="name",
            title="Full name (a new person)",
            missing="",
            preparer=stripped,
            validator=colander.Length(max=200),
        ),
        date_node("date_of_birth", "Date of birth (a new person)", missing=None),
        colander.SchemaNode(
            colander.String(),
            name="member",
            title="Their entry in the register of members",
            description="Needed for a resident seat.",
            missing="",
            validator=colander.OneOf(["", *(str(m.id) for m in members)]),
            widget=deform.widget.SelectWidget(
                values=[("", "Not a member")]
                + [(str(m.id), f"{m.name}, {m.number_label}") for m in members]
            ),
        ),
        *eligibility_nodes(),
    ]


def new_person_needs_details(form, values):
    if values.get("director") == NEW_PERSON:
        error = colander.Invalid(form)
        if not values.get("name"):
            error["name"] = "Enter the new director's full name."
        if values.get("date_of_birth") is None:
            error["date_of_birth"] = "Enter the new director's date of birth."
        if error.children:
            raise error


def appointment_schema(seat_choices, directors, members, ways=HOW_HELD) -> CSRFSchema:
    """``ways``: how a seat may come to be held under the constitution (co-option only where it
    allows co-option)."""
    schema = CSRFSchema(validator=new_person_needs_details)
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="seat",
            title="Seat",
            validator=colander.OneOf([key for key, _ in seat_choices]),
            missing_msg="Choose the seat.",
            widget=deform.widget.SelectWidget(values=[("", "Choose a seat"), *seat_choices]),
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="how",
            title="How they come to hold it",
            validator=colander.OneOf(list(ways)),
            missing_msg="Choose how they come to hold the seat.",
            widget=deform.widget.RadioChoiceWidget(values=list(ways.items())),
        )
    )
    schema.add(date_node("start", "The term starts on", missing_msg="Enter the start date."))
    schema.add(
        date_node(
            "nomination_date",
            "The council's nomination date",
            "For a councillor appointed by the council.",
            missing=None,
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="decision_reference",
            title="The board's minuted decision",
            description="For an independent appointed by the board, or a co-option: "
            "for example “Board 12 March 2026, minute 7”.",
            missing="",
            preparer=stripped,
            validator=colander.Length(max=100),
        )
    )
    schema.add(
        date_node(
            "next_agm",
            "The date of the next AGM",
            "For a co-option, which lasts until then.",
            missing=None,
        )
    )
    for node in person_nodes(directors, members):
        schema.add(node)
    return schema


class EndTermSchema(CSRFSchema):
    reason = colander.SchemaNode(
        colander.String(),
        title="Why is the term ending?",
        validator=colander.OneOf(list(END_REASONS)),
        missing_msg="Choose why the term is ending.",
        widget=deform.widget.RadioChoiceWidget(values=list(END_REASONS.items())),
    )
    on = date_node(
        "on",
        "The term ends on",
        "The first day they no longer serve.",
        missing_msg="Enter the date the term ends.",
    )
    note = colander.SchemaNode(
        colander.String(),
        title="Note",
        description="For example the date of the letter of resignation or the minute.",
        missing="",
        preparer=stripped,
        validator=colander.Length(max=500),
        widget=deform.widget.TextAreaWidget(rows=2),
    )


def declaration_node_list():
    return [
        colander.SchemaNode(
            colander.String(),
            name="kind",
            title="Kind of interest",
            validator=colander.OneOf([key for key, _ in INTEREST_KINDS]),
            missing_msg="Choose the kind of interest.",
            widget=deform.widget.RadioChoiceWidget(values=INTEREST_KINDS),
        ),
        colander.SchemaNode(
            colander.String(),
            name="description",
            title="Description",
            description="For example “Director of Smith Roofing Ltd, which quotes for TMO work”.",
            missing_msg="Describe the interest.",
            preparer=stripped,
            validator=colander.Length(max=500),
            widget=deform.widget.TextAreaWidget(rows=3),
        ),
        date_node("from_date", "Held since", missing_msg="Enter when the interest began."),
        date_node("to_date", "Until (if it has ended)", missing=None),
    ]


class DeclarationSchema(CSRFSchema):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for node in declaration_node_list():
            self.add(node)
