"""Forms for the board: appointing a director to a seat, ending a term, recording what a
director's eligibility depends on, and declaring an interest."""

import colander

from tmo.forms import CSRFSchema
from tmo.rules.board import END_REASONS, HOW_HELD
from tmo.schemas.dates import birth_date_node, past_date_node
from tmo.schemas.nodes import checkbox_node, choice_node, date_node, text_node
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
    return [checkbox_node(name, title) for name, title in flags]


def person_nodes(directors, members):
    return [
        choice_node(
            "director",
            "Who",
            [
                (NEW_PERSON, "A new person (give their details below)"),
                *((d.id, d.name) for d in directors),
            ],
            description="Someone who has served before, or a new person.",
            default=NEW_PERSON,
        ),
        text_node("name", "Full name (a new person)", required=False),
        birth_date_node("date_of_birth", "Date of birth (a new person)", birth=False, missing=None),
        choice_node(
            "member",
            "Their entry in the register of members",
            [("", "Not a member"), *((m.id, f"{m.name}, {m.number_label}") for m in members)],
            description="Needed for a resident seat.",
            missing="",
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
        choice_node(
            "seat", "Seat", [("", "Choose a seat"), *seat_choices], missing_msg="Choose the seat."
        )
    )
    schema.add(
        choice_node(
            "how",
            "How they come to hold it",
            list(ways.items()),
            radio=True,
            missing_msg="Choose how they come to hold the seat.",
        )
    )
    schema.add(date_node("start", "The term starts on", missing_msg="Enter the start date."))
    schema.add(
        past_date_node(
            "nomination_date",
            "The council's nomination date",
            "For a councillor appointed by the council.",
            missing=None,
        )
    )
    schema.add(
        text_node(
            "decision_reference",
            "The board's minuted decision",
            "For an independent appointed by the board, or a co-option: "
            "for example “Board 12 March 2026, minute 7”.",
            required=False,
            maximum=100,
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
    reason = choice_node(
        "reason",
        "Why is the term ending?",
        list(END_REASONS.items()),
        radio=True,
        missing_msg="Choose why the term is ending.",
    )
    on = date_node(
        "on",
        "The term ends on",
        "The first day they no longer serve.",
        missing_msg="Enter the date the term ends.",
    )
    note = text_node(
        "note",
        "Note",
        "For example the date of the letter of resignation or the minute.",
        required=False,
        maximum=500,
        rows=2,
    )


def declaration_node_list():
    return [
        choice_node(
            "kind",
            "Kind of interest",
            INTEREST_KINDS,
            radio=True,
            missing_msg="Choose the kind of interest.",
        ),
        text_node(
            "description",
            "Description",
            "For example “Director of Smith Roofing Ltd, which quotes for TMO work”.",
            maximum=500,
            rows=3,
            missing_msg="Describe the interest.",
        ),
        past_date_node("from_date", "Held since", missing_msg="Enter when the interest began."),
        past_date_node("to_date", "Until (if it has ended)", missing=None),
    ]


class DeclarationSchema(CSRFSchema):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for node in declaration_node_list():
            self.add(node)
