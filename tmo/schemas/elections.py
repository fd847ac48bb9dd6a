"""Forms for elections: setting one up, nominating, a candidate's consent and statement, the
returning officer's decision on a nomination, cancelling, and a batch of paper ballots.

The ballot itself is not a deform form: a voter ticks or numbers candidates in a page of its own
(``templates/elections/ballot.jinja2``) and the rules in ``tmo.rules.elections`` judge it."""

import colander
import deform

from tmo.constitution import ELECTION_METHODS
from tmo.forms import CSRFSchema
from tmo.schemas import date_node, stripped
from tmo.schemas.files import file_node
from tmo.services import files
from tmo.services.register_search import member_number

NOBODY = ""


def text_node(name: str, title: str, *, description: str = "", maximum: int = 200, **kw):
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description,
        preparer=stripped,
        validator=colander.Length(max=maximum, max_err=f"Use at most {maximum} characters."),
        **kw,
    )


def choice_node(name: str, title: str, choices, *, radio=False, **kw):
    values = [(str(value), label) for value, label in choices]
    widget = (
        deform.widget.RadioChoiceWidget(values=values)
        if radio
        else deform.widget.SelectWidget(values=values)
    )
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        validator=colander.OneOf([value for value, _ in values]),
        widget=widget,
        **kw,
    )


def election_schema(categories, returning_officers, scrutineers, method_default: str):
    """``categories``: (key, name) of the seat categories filled by election; the people are
    (account id, name) pairs."""
    schema = CSRFSchema()
    schema.add(text_node("title", "Title", description="For example: Board election 2027."))
    schema["title"].missing_msg = "Enter the election's title."
    schema.add(choice_node("seat_category", "The seats to fill", categories))
    schema.add(
        colander.SchemaNode(
            colander.Integer(),
            name="seats",
            title="Number of seats",
            validator=colander.Range(min=1, max=50, min_err="Fill at least one seat."),
            missing_msg="Enter the number of seats to fill.",
            widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"}),
        )
    )
    schema.add(
        text_node(
            "seats_description",
            "Which seats",
            description="For example: three seats retiring by rotation and one casual vacancy.",
            maximum=500,
            missing="",
        )
    )
    schema.add(choice_node("method", "Voting method", ELECTION_METHODS, radio=True))
    schema["method"].default = method_default
    schema.add(
        choice_node(
            "returning_officer",
            "Returning officer",
            returning_officers,
            missing_msg="Choose the returning officer.",
        )
    )
    schema.add(
        choice_node(
            "scrutineer",
            "Independent scrutineer (optional)",
            [(NOBODY, "None"), *scrutineers],
            missing=NOBODY,
        )
    )
    schema.add(
        date_node(
            "notice_on",
            "Notice of election given on",
            description="The other dates follow from the constitution's timeline.",
            missing_msg="Enter the date notice of the election is given.",
        )
    )
    return schema


def member_number_node(name: str, title: str, *, description: str = "", **kw):
    def valid(node, value):
        if member_number(value) is None:
            raise colander.Invalid(node, "Enter a member number, like M000123 or 123.")

    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description or "Their member number, like M000123.",
        preparer=stripped,
        validator=valid,
        **kw,
    )


def nomination_schema(proposers: int, seconders: int):
    schema = CSRFSchema()
    schema.add(
        member_number_node(
            "candidate",
            "Who are you nominating?",
            description="Leave blank to nominate yourself, or give the member's number.",
            missing="",
        )
    )
    for role, count in (("proposer", proposers), ("seconder", seconders)):
        for number in range(1, count + 1):
            label = role.capitalize() if count == 1 else f"{role.capitalize()} {number}"
            schema.add(
                member_number_node(
                    f"{role}_{number}",
                    label,
                    description=f"The {role}'s member number. They confirm online.",
                    missing_msg=f"Enter the {role}'s member number.",
                )
            )
    return schema


def consent_given(node, value):
    if value is not True:
        raise colander.Invalid(node, "Tick the box to consent to stand.")


def consent_schema(word_limit: int, photo_maximum_bytes: int, needs_date_of_birth: bool):
    schema = CSRFSchema()
    if needs_date_of_birth:
        schema.add(
            date_node(
                "date_of_birth",
                "Your date of birth",
                description="The register of members does not have it; directors must be "
                "old enough. For example, 1980-03-27.",
                autocomplete="bday",
                missing_msg="Enter your date of birth.",
            )
        )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="statement",
            title="Your statement to the voters",
            description=f"At most {word_limit} words. Voters read it beside your name.",
            preparer=stripped,
            missing_msg="Write your statement.",
            widget=deform.widget.TextAreaWidget(rows=10),
        )
    )
    schema.add(
        file_node(
            "photo",
            "A photo of you (optional)",
            kinds=files.IMAGES,
            maximum_bytes=photo_maximum_bytes,
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.Boolean(),
            name="consent",
            title=(
                "I consent to stand. I am not employed or paid by the TMO, not an undischarged "
                "bankrupt or a disqualified director, and have no serious rent arrears"
            ),
            validator=consent_given,
            missing=False,
            widget=deform.widget.CheckboxWidget(),
        )
    )
    return schema


DECISIONS = (("accept", "Accept the nomination"), ("reject", "Reject it"))


class DecisionSchema(CSRFSchema):
    decision = choice_node(
        "decision", "Your decision", DECISIONS, radio=True, missing_msg="Choose a decision."
    )
    reason = text_node(
        "reason",
        "Reason",
        description="Needed to reject; the candidate sees it.",
        maximum=500,
        missing="",
        widget=deform.widget.TextAreaWidget(rows=3),
    )


class CancelSchema(CSRFSchema):
    reason = text_node(
        "reason",
        "Why is the election cancelled?",
        description="Published on the election's page.",
        maximum=500,
        missing_msg="Give the reason for cancelling.",
        widget=deform.widget.TextAreaWidget(rows=3),
    )


class PaperBatchSchema(CSRFSchema):
    voters = colander.SchemaNode(
        colander.String(),
        title="Voters who returned a paper",
        description="Member numbers, one a line. Each is marked on the roll as having voted.",
        preparer=stripped,
        missing_msg="Enter the member numbers of the voters in this batch.",
        widget=deform.widget.TextAreaWidget(rows=8),
    )
    papers = colander.SchemaNode(
        colander.String(),
        title="The papers",
        description=(
            "One paper a line, in any order. Write the ballot numbers of the candidates shown "
            "below: for STV in the voter's order of preference (3 1 2), for a block vote the "
            "candidates ticked (1 3)."
        ),
        preparer=stripped,
        missing_msg="Enter the papers in this batch.",
        widget=deform.widget.TextAreaWidget(rows=8),
    )
