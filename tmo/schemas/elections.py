"""Forms for elections: setting one up, nominating, a candidate's consent and statement, the
returning officer's decision on a nomination, cancelling, a batch of paper ballots, a new
voting code for a voter, reminding those who have not voted, the sealing key made and brought
back; and /vote, where a voting code
opens the ballot.

The ballot itself is not a deform form: a voter ticks or numbers candidates in a page of its own
(``templates/elections/ballot.jinja2``) and the rules in ``tmo.rules.elections`` judge it."""

import colander
import deform

from tmo.constitution import ELECTION_METHODS
from tmo.forms import CSRFSchema
from tmo.schemas.dates import birth_date_node
from tmo.schemas.files import file_node, upload_widget
from tmo.schemas.nodes import checkbox_node, choice_node, date_node, number_node, text_node
from tmo.services import files
from tmo.services.register_search import member_number

NOBODY = ""


def election_schema(categories, returning_officers, scrutineers, method_default: str):
    """``categories``: (key, name, seats) of the seat categories filled by election; the people
    are (account id, name) pairs. The number of seats is at most the chosen category's."""
    schema = CSRFSchema()
    schema.add(
        text_node(
            "title",
            "Title",
            "For example: Board election 2027.",
            max_err="Use at most 200 characters.",
            missing_msg="Enter the election's title.",
        )
    )
    schema.add(
        choice_node(
            "seat_category",
            "The seats to fill",
            [(key, f"{name} ({seats} seats)") for key, name, seats in categories],
        )
    )
    schema.add(
        number_node(
            "seats",
            "Number of seats",
            "The constitution has "
            + " and ".join(f"{seats} {name.lower()}" for _, name, seats in categories)
            + " seats.",
            validator=seats_within_category(categories),
            missing_msg="Enter the number of seats to fill.",
        )
    )
    schema.add(
        text_node(
            "seats_description",
            "Which seats",
            "For example: three seats retiring by rotation and one casual vacancy.",
            required=False,
            maximum=500,
            max_err="Use at most 500 characters.",
        )
    )
    schema.add(
        choice_node("method", "Voting method", ELECTION_METHODS, radio=True, default=method_default)
    )
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


def seats_within_category(categories):
    """The seats field's validator, bound to the request: at least one, and no more than the
    category chosen on the same form has (judged with the form's other fields, so every
    error shows at once)."""
    by_key = {key: (name, seats) for key, name, seats in categories}

    @colander.deferred
    def bound(node, kw):
        chosen = kw["request"].POST.get("seat_category", "")

        def check(node, value):
            if value < 1:
                raise colander.Invalid(node, "Fill at least one seat.")
            name, most = by_key.get(chosen, ("", None))
            if most is not None and value > most:
                raise colander.Invalid(
                    node, f"The constitution has {most} {name.lower()} seats: fill at most {most}."
                )

        return check

    return bound


def member_number_node(name: str, title: str, *, description: str = "", **kw):
    def valid(node, value):
        if member_number(value) is None:
            raise colander.Invalid(node, "Enter a member number, like M000123 or 123.")

    return text_node(
        name,
        title,
        description or "Their member number, like M000123.",
        maximum=None,
        check=valid,
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


def consent_schema(word_limit: int, photo_maximum_bytes: int, needs_date_of_birth: bool):
    schema = CSRFSchema()
    if needs_date_of_birth:
        schema.add(
            birth_date_node(
                "date_of_birth",
                "Your date of birth",
                "The register of members does not have it; directors must be old enough.",
                missing_msg="Enter your date of birth.",
            )
        )
    schema.add(
        text_node(
            "statement",
            "Your statement to the voters",
            f"At most {word_limit} words. Voters read it beside your name.",
            maximum=None,  # the constitution's word limit is checked when it is saved
            rows=10,
            missing_msg="Write your statement.",
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
        checkbox_node(
            "consent",
            "I consent to stand. I am not employed or paid by the TMO, not an undischarged "
            "bankrupt or a disqualified director, and have no serious rent arrears",
            must_tick="Tick the box to consent to stand.",
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
        "Needed to reject; the candidate sees it.",
        required=False,
        maximum=500,
        max_err="Use at most 500 characters.",
        rows=3,
    )


class CancelSchema(CSRFSchema):
    reason = text_node(
        "reason",
        "Why is the election cancelled?",
        "Published on the election's page.",
        maximum=500,
        max_err="Use at most 500 characters.",
        rows=3,
        missing_msg="Give the reason for cancelling.",
    )


class PaperBatchSchema(CSRFSchema):
    voters = text_node(
        "voters",
        "Voters who returned a paper",
        "Member numbers, one a line. Each is marked on the roll as having voted.",
        maximum=None,
        rows=8,
        missing_msg="Enter the member numbers of the voters in this batch.",
    )
    papers = text_node(
        "papers",
        "The papers",
        "One paper a line, in any order. Write the ballot numbers of the candidates shown "
        "below: for STV in the voter's order of preference (3 1 2), for a block vote the "
        "candidates ticked (1 3).",
        maximum=None,
        rows=8,
        missing_msg="Enter the papers in this batch.",
    )


def code_vote_schema(check: str):
    """/vote: the code on the poll card, and the voter's postcode or date of birth (which one
    is the constitution's ``elections.code_check``)."""

    class CodeVoteSchema(CSRFSchema):
        code = text_node(
            "code",
            "Your voting code",
            "It is on your poll card, like 7KQ4-MXR2-9TBH-C. Capitals, spaces and dashes do not "
            "matter.",
            maximum=40,
            max_err="A voting code has 13 letters and numbers.",
            attributes={"autocomplete": "off", "spellcheck": "false"},
            missing_msg="Enter the voting code from your poll card.",
        )

    schema = CodeVoteSchema()
    if check == "date_of_birth":
        schema.add(
            birth_date_node("fact", "Your date of birth", missing_msg="Enter your date of birth.")
        )
    else:
        schema.add(
            text_node(
                "fact",
                "Your postcode",
                "The postcode your poll card was sent to.",
                maximum=10,
                max_err="A postcode has at most 8 characters.",
                attributes={"autocomplete": "postal-code"},
                missing_msg="Enter your postcode.",
            )
        )
    return schema


class ReissueCodeSchema(CSRFSchema):
    member = member_number_node(
        "member",
        "The voter's member number",
        description="Like M000123 or 123. Their old code stops working at once.",
    )


class RemindSchema(CSRFSchema):
    confirm = checkbox_node(
        "confirm",
        "Send them again although a reminder went out in the last day",
    )


KEY_FILE_BYTES = 4096


def passphrase_node(name: str, title: str, description: str = "", **kw) -> colander.SchemaNode:
    """A passphrase or phrase: never shown back on the page, never remembered by the browser."""
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description,
        validator=colander.Length(max=500, max_err="Use at most 500 characters."),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "off"}),
        **kw,
    )


class MakeKeySchema(CSRFSchema):
    passphrase = passphrase_node(
        "passphrase",
        "A passphrase for the key file",
        "At least 12 characters: a few words you will remember. It locks the key file; tmo does "
        "not keep it and cannot tell you it again.",
        missing_msg="Choose a passphrase.",
    )
    again = passphrase_node(
        "again", "The passphrase again", missing_msg="Type the passphrase again."
    )

    def validator(self, node, values):
        if values["passphrase"] != values["again"]:
            error = colander.Invalid(node)
            error["again"] = "The two passphrases are not the same."
            raise error


class KeySchema(CSRFSchema):
    """The sealing key as its holder brings it: the key file and its passphrase, or the
    recovery phrase."""

    key_file = colander.SchemaNode(
        deform.FileData(),
        name="key_file",
        title="The key file",
        description="The file you saved when the key was made (it ends in .tmokey).",
        widget=upload_widget(".tmokey,application/json"),
        missing=None,
    )
    passphrase = passphrase_node("passphrase", "The key file's passphrase", missing="")
    phrase = passphrase_node(
        "phrase",
        "Or the recovery phrase",
        "The 14 groups of letters and digits you wrote down, with or without the spaces. "
        "Leave the file empty if you use the phrase.",
        missing="",
    )
