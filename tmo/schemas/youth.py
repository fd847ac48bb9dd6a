"""Forms for the Youth Forum: joining, proposing a spend, the youth worker's check, voting and
declaring an interest, the board's ratification, recording a spend and reporting back, the
budget's adjustments, approving members and electing the chair. Worded for a 13-year-old."""

import colander
import deform

from tmo.constitution import YouthRules
from tmo.forms import CSRFSchema
from tmo.rules import youth as rules
from tmo.schemas.dates import birth_date_node, past_date_node
from tmo.schemas.files import file_node
from tmo.schemas.membership import contact_choice_node
from tmo.schemas.nodes import checkbox_node, choice_node, text_node
from tmo.services import files
from tmo.services.youth import CATEGORIES, EVIDENCE_MAX_BYTES, PHOTO_MAX_BYTES

# The most the database's integer columns hold (pence): no budget comes near it.
LARGEST_PENCE = 2**31 - 1


class Pence(colander.SchemaType):
    """An amount of money typed in pounds (``£1,250.50``), held as whole pence."""

    def serialize(self, node, appstruct):
        if appstruct is colander.null or appstruct is None:
            return colander.null
        return rules.format_pounds(appstruct).lstrip("£")

    def deserialize(self, node, cstruct):
        if cstruct is colander.null or not str(cstruct).strip():
            return colander.null
        try:
            pence = rules.parse_pounds(str(cstruct))
        except ValueError:
            raise colander.Invalid(
                node, "Enter an amount of money in pounds, like 250 or 249.99."
            ) from None
        if pence > LARGEST_PENCE:
            raise colander.Invalid(node, "That amount is far too large: check it and try again.")
        return pence


def money_node(name, title, description="", **kw):
    return colander.SchemaNode(
        Pence(),
        name=name,
        title=title,
        description=description,
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "decimal"}),
        **kw,
    )


def positive(node, value):
    if value <= 0:
        raise colander.Invalid(node, "The amount must be more than £0.")


class JoinSchema(CSRFSchema):
    first_name = text_node(
        "first_name",
        "Your first name",
        "Other members see only your first name until you are 18.",
        maximum=100,
        missing_msg="Enter your first name.",
    )
    surname = text_node(
        "surname",
        "Your surname",
        "Only the youth workers see it while you are under 18.",
        maximum=100,
        missing_msg="Enter your surname.",
    )
    postcode = text_node(
        "postcode",
        "Your postcode",
        "The forum is for young people living in the TMO's area.",
        maximum=10,
        missing_msg="Enter your postcode.",
    )
    lives_here = checkbox_node(
        "lives_here",
        "I live in the area the TMO looks after",
        must_tick="Tick the box to say you live in the area.",
    )


def contact_nodes(email: str) -> list[colander.SchemaNode]:
    """How a forum member wants the forum's messages: by email to their account (with their
    agreement) or by letter to their home, whose address is asked only for letters."""
    return [
        contact_choice_node(
            email,
            what="Messages about votes and your ideas. We email them only if you agree; "
            "otherwise we post them to your home. You can change this at any time on your forum "
            "page.",
        ),
        text_node(
            "address",
            "Your home address, for letters",
            "Only if you chose post: the flat or house, the street and the postcode.",
            required=False,
            maximum=420,
            rows=3,
        ),
    ]


def join_schema(email: str, band: YouthRules) -> CSRFSchema:
    """Joining the forum: the date of birth's range is the constitution's age band (those too
    young are told so on a page of its own, and nothing of theirs is kept)."""
    schema = JoinSchema()
    schema.insert(
        2,
        birth_date_node(
            "date_of_birth",
            "Your date of birth",
            f"The forum is for young people aged {band.minimum_age} to {band.maximum_age}.",
            example="For example, 27 3 2010.",
            ages=(0, band.maximum_age),
            too_old=f"The Youth Forum is for young people aged up to {band.maximum_age}.",
            missing_msg="Enter your date of birth.",
        ),
    )
    for node in contact_nodes(email):
        schema.add(node)
    return schema


def contact_schema(email: str) -> CSRFSchema:
    schema = CSRFSchema()
    for node in contact_nodes(email):
        schema.add(node)
    return schema


def proposal_schema(*, quote_required: bool) -> CSRFSchema:
    schema = CSRFSchema()
    for node in (
        text_node(
            "title",
            "Give your idea a short name",
            "For example “Football goals for the ball court”.",
            maximum=120,
            missing_msg="Give your idea a name.",
        ),
        text_node(
            "what_and_why",
            "What do you want to do, and why?",
            maximum=4000,
            rows=5,
            missing_msg="Say what you want to do and why.",
        ),
        text_node(
            "who_benefits",
            "Who will it help?",
            "For example “everyone under 16 on the estate”.",
            maximum=2000,
            rows=3,
            missing_msg="Say who it will help.",
        ),
        choice_node(
            "category",
            "What kind of idea is it?",
            CATEGORIES,
            radio=True,
            missing_msg="Choose what kind of idea it is.",
        ),
        money_node(
            "cost_pence",
            "How much will it cost (£)?",
            "The total, in pounds.",
            missing_msg="Enter how much it will cost.",
            validator=positive,
        ),
        text_node(
            "cost_breakdown",
            "What does the money pay for?",
            "List each thing and its price, for example “2 goals at £250 each”.",
            maximum=4000,
            rows=4,
            missing_msg="List what the money pays for.",
        ),
        file_node(
            "quote",
            "A quote or price from the supplier",
            kinds=files.EVIDENCE,
            maximum_bytes=EVIDENCE_MAX_BYTES,
            description="A photo or scan of the quote is fine."
            + ("" if quote_required else " Leave empty to keep the one you sent."),
            required=quote_required,
            missing_msg="Upload the quote.",
        ),
    ):
        schema.add(node)
    return schema


CHECK_DECISIONS = (
    ("vote", "It is feasible and allowed: put it to the forum's vote"),
    ("return", "Send it back to the proposer with comments"),
)


class CheckSchema(CSRFSchema):
    decision = choice_node(
        "decision",
        "Your check",
        CHECK_DECISIONS,
        radio=True,
        missing_msg="Choose what happens to the proposal.",
    )
    comments = text_node(
        "comments",
        "Comments",
        "Needed when you send it back: say what needs to change.",
        maximum=2000,
        rows=4,
        missing="",
    )


class VoteSchema(CSRFSchema):
    choice = choice_node(
        "choice",
        "Your vote",
        list(rules.CHOICES.items()),
        radio=True,
        missing_msg="Choose for, against or abstain.",
    )


class InterestSchema(CSRFSchema):
    note = text_node(
        "note",
        "What is your interest?",
        "For example “my brother runs the club that would get the money”.",
        maximum=500,
        rows=3,
        missing_msg="Say what your interest is.",
    )


class ConfirmSchema(CSRFSchema):
    """A button and nothing else: a change the page has explained."""


RATIFY_DECISIONS = (("ratified", "The board ratified it"), ("refused", "The board refused it"))


NOT_IN_TMO = ""


def minute_given(form, values):
    """A decision chosen from the list, or the minute typed with its date: one or the other."""
    error = colander.Invalid(form)
    if values.get("board_decision"):
        if values.get("reference"):
            error["reference"] = (
                "You chose the board's decision from the list: leave the minute in words empty."
            )
    else:
        if not values.get("reference"):
            error["reference"] = (
                "Choose the board's decision from the list, or type its minute, for example "
                "“Board 3 June, minute 6”."
            )
        if values.get("decided_on") is None:
            error["decided_on"] = "Enter the date of the decision."
    if error.children:
        raise error


def ratify_schema(decisions) -> CSRFSchema:
    """``decisions``: (id, label) for each of the board's recorded decisions, most recent first."""
    choices = [(str(key), label) for key, label in decisions]
    schema = CSRFSchema(validator=minute_given)
    schema.add(
        choice_node(
            "decision",
            "The board's decision",
            RATIFY_DECISIONS,
            radio=True,
            missing_msg="Choose the board's decision.",
        )
    )
    schema.add(
        choice_node(
            "board_decision",
            "The board's minuted decision",
            [(NOT_IN_TMO, "Not in tmo yet: I will type the minute below"), *choices],
            description="The board's decisions recorded in tmo, newest meeting first. If the "
            "meeting is not in tmo yet, choose “Not in tmo yet” and type the minute below.",
            missing=NOT_IN_TMO,
            msg_err="Choose one of the board's recorded decisions, or “Not in tmo yet”.",
        )
    )
    schema.add(
        text_node(
            "reference",
            "The minute, if the decision is not in tmo",
            "For example “Board 3 June 2026, minute 6”.",
            maximum=200,
            missing="",
        )
    )
    schema.add(
        past_date_node(
            "decided_on",
            "Date of the board's decision, if it is not in tmo",
            "A decision chosen from the list is dated by its meeting.",
            missing=None,
        )
    )
    return schema


class SpendSchema(CSRFSchema):
    amount = money_node(
        "amount",
        "How much was spent (£)?",
        "The amount on the receipt.",
        missing_msg="Enter the amount spent.",
        validator=positive,
    )
    spent_on = past_date_node("spent_on", "Date of the spend", missing_msg="Enter the date.")
    receipt = file_node(
        "receipt",
        "The receipt",
        kinds=files.EVIDENCE,
        maximum_bytes=EVIDENCE_MAX_BYTES,
        required=True,
        missing_msg="Upload the receipt.",
    )


PHOTO_FIELDS = 3


def report_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "report",
            "What did the money do?",
            "Tell residents and the board what happened and who it helped.",
            maximum=6000,
            rows=6,
            missing_msg="Say what the money did.",
        )
    )
    for number in range(1, PHOTO_FIELDS + 1):
        schema.add(
            file_node(
                f"photo_{number}",
                f"Photo {number} (optional)",
                kinds=files.IMAGES,
                maximum_bytes=PHOTO_MAX_BYTES,
            )
        )
        schema.add(text_node(f"caption_{number}", f"Caption for photo {number}", missing=""))
    schema.add(
        checkbox_node(
            "consent",
            "Everyone who can be recognised in these photos agreed to them being shown, "
            "and a parent or carer agreed for anyone under 18",
        )
    )
    return schema


ADJUST_DIRECTIONS = (("add", "Add money to the budget"), ("take", "Take money away"))


class AdjustSchema(CSRFSchema):
    direction = choice_node(
        "direction",
        "The adjustment",
        ADJUST_DIRECTIONS,
        radio=True,
        missing_msg="Choose whether to add or take away.",
    )
    amount = money_node("amount", "Amount (£)", missing_msg="Enter the amount.", validator=positive)
    reason = text_node(
        "reason",
        "Reason",
        "For example “The council added £500 for summer activities”.",
        maximum=500,
        missing_msg="Give the reason for the adjustment.",
    )


MEMBER_DECISIONS = (("approve", "Approve: they join the forum"), ("reject", "Do not approve"))


class MemberDecisionSchema(CSRFSchema):
    decision = choice_node(
        "decision",
        "Your decision",
        MEMBER_DECISIONS,
        radio=True,
        missing_msg="Choose approve or not approve.",
    )
    note = text_node(
        "note",
        "Note",
        "For example how you checked they live in the area.",
        maximum=500,
        missing="",
    )


def chair_open_schema(members) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        colander.SchemaNode(
            colander.Set(),
            name="candidates",
            title="Who is standing for chair?",
            validator=colander.Length(min=1, min_err="Choose at least one candidate."),
            missing_msg="Choose at least one candidate.",
            widget=deform.widget.CheckboxChoiceWidget(values=members),
        )
    )
    return schema


def chair_vote_schema(candidates) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        choice_node(
            "candidate",
            "Who should chair the forum?",
            candidates,
            radio=True,
            missing_msg="Choose a candidate.",
        )
    )
    return schema
