"""Forms for committees and meetings: bodies and their members, scheduling, agenda items and
papers, attendance, declarations, motions and votes, decisions, actions, minutes, amendments,
signing, and members' requisitions."""

import re

import colander
import deform

from tmo.forms import CSRFSchema
from tmo.rules import meetings as rules
from tmo.schemas.dates import past_date_node
from tmo.schemas.files import file_node
from tmo.schemas.nodes import (
    checkbox_node,
    choice_node,
    date_node,
    number_node,
    text_node,
    time_node,
)
from tmo.services import files

NOBODY = ""


def count_node(name, title, **kw):
    """A count of people or votes."""
    return number_node(name, title, minimum=0, maximum=100_000, min_err="Enter 0 or more.", **kw)


def body_schema(parents, *, with_kind: bool = True) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "name",
            "Name",
            "For example “Finance and Audit Committee”.",
            missing_msg="Enter the body's name.",
        )
    )
    if with_kind:
        schema.add(
            choice_node(
                "kind",
                "Kind of body",
                list(rules.BODY_KINDS.items()),
                radio=True,
                missing_msg="Choose kind of body.",
            )
        )
    schema.add(
        choice_node(
            "parent",
            "Reports to",
            [("", "No parent body"), *((str(b.id), b.name) for b in parents)],
            description="A sub-committee reports to its parent.",
            missing="",
        )
    )
    schema.add(
        text_node(
            "terms_of_reference", "Terms of reference", required=False, maximum=20_000, rows=6
        )
    )
    schema.add(
        count_node(
            "quorum_number",
            "Quorum",
            description="The number of members who must be present; with the next box, a "
            "fraction (2 and 3: two-thirds of the members). Leave empty for the constitution's.",
            missing=None,
        )
    )
    schema.add(count_node("quorum_of", "Quorum: out of", missing=None))
    return schema


def member_schema(directors) -> CSRFSchema:
    def needs_a_name(form, values):
        if not values.get("name") and not values.get("director"):
            error = colander.Invalid(form)
            error["name"] = "Enter the member's name, or choose a director."
            raise error

    schema = CSRFSchema(validator=needs_a_name)
    schema.add(
        choice_node(
            "director",
            "A director",
            [
                (NOBODY, "Not a director (give the name below)"),
                *((str(d.id), d.name) for d in directors),
            ],
            missing=NOBODY,
        )
    )
    schema.add(text_node("name", "Name", required=False))
    schema.add(
        text_node(
            "email",
            "Email address",
            "Notices of meetings and circulated minutes go here.",
            required=False,
            maximum=None,
            check=colander.Email(msg="Enter an email address like name@example.com"),
        )
    )
    schema.add(
        choice_node(
            "role",
            "Role",
            list(rules.MEMBER_ROLES.items()),
            radio=True,
            default="member",
            missing_msg="Choose role.",
        )
    )
    schema.add(date_node("from_date", "Member from", missing_msg="Enter the date they joined."))
    schema.add(date_node("to_date", "Member until", "Leave empty while they serve.", missing=None))
    return schema


def member_end_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        date_node(
            "to_date",
            "Member until",
            "The first day they are no longer a member.",
            missing_msg="Enter the date the membership ends.",
        )
    )
    return schema


def schedule_schema(kinds, requisitions) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "title",
            "Title",
            "For example “Board meeting” or “Annual general meeting 2026”.",
            missing_msg="Enter the meeting's title.",
        )
    )
    if len(kinds) > 1:
        schema.add(
            choice_node(
                "kind", "Kind of meeting", kinds, radio=True, missing_msg="Choose kind of meeting."
            )
        )
    schema.add(date_node("day", "Date", missing_msg="Enter the date of the meeting."))
    schema.add(
        time_node(
            "time",
            "Start time",
            "24-hour clock, for example 19:00.",
            missing_msg="Enter the start time.",
        )
    )
    schema.add(text_node("place", "Place", required=False, maximum=300))
    schema.add(
        text_node(
            "online_link",
            "Online link",
            "For a meeting held online or hybrid.",
            required=False,
            maximum=500,
            check=colander.Regex(r"^https://", "Enter a link beginning https://"),
        )
    )
    if requisitions:
        schema.add(
            choice_node(
                "requisition",
                "Called on the members' requisition",
                [("", "Not requisitioned"), *requisitions],
                missing="",
            )
        )
    return schema


def cancel_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "reason",
            "Why is the meeting cancelled?",
            "Sent to every member.",
            maximum=500,
            missing_msg="Say why the meeting is cancelled.",
        )
    )
    return schema


def apologies_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "reason",
            "Why you cannot come",
            "Only the secretary reads it; the minutes name those who sent apologies, never why.",
            required=False,
            maximum=500,
            rows=2,
        )
    )
    return schema


def item_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(text_node("title", "Title", missing_msg="Enter the item's title."))
    schema.add(text_node("presenter", "Presenter", "Who introduces the item.", required=False))
    schema.add(text_node("summary", "Summary", required=False, maximum=5000, rows=3))
    schema.add(
        checkbox_node(
            "confidential",
            "Confidential (exempt from publication)",
            "A confidential item never appears in the public agenda or minutes.",
        )
    )
    return schema


def paper_nodes(maximum_bytes: int, *, required: bool):
    return [
        text_node("paper_title", "Title of the paper", required=False),
        file_node(
            "paper",
            "Paper",
            kinds=files.PAPERS,
            maximum_bytes=maximum_bytes,
            required=required,
            missing_msg="Choose the paper to upload.",
        ),
    ]


def item_with_paper_schema(maximum_bytes: int) -> CSRFSchema:
    schema = item_schema()
    for node in paper_nodes(maximum_bytes, required=False):
        schema.add(node)
    return schema


def paper_schema(maximum_bytes: int) -> CSRFSchema:
    schema = CSRFSchema()
    for node in paper_nodes(maximum_bytes, required=True):
        schema.add(node)
    return schema


ATTENDANCE_CHOICES = [
    (key, label) for key, label in rules.ATTENDANCE.items() if key != rules.IN_ATTENDANCE
]


def attendance_schema(people) -> CSRFSchema:
    """One compact row for each member of the body: ``people`` is [(field name, name, current)],
    ``current`` the row's values so far (recorded, or apologies sent online); a person with none
    is taken to be present."""
    schema = CSRFSchema()
    for field, name, current in people:
        group = colander.SchemaNode(
            colander.Mapping(),
            name=field,
            title=name,
            description=current.get("note", ""),
            validator=row_validator(name),
            widget=deform.widget.MappingWidget(css_class="fieldset--row"),
        )
        group.add(
            choice_node(
                "status",
                "Attendance",
                ATTENDANCE_CHOICES,
                radio=True,
                default=current.get("status", rules.PRESENT),
                missing_msg=f"Choose whether {name} was present.",
            )
        )
        group.add(
            checkbox_node(
                "apologies_accepted",
                "Apologies accepted",
                default=current.get("apologies_accepted", False),
            )
        )
        group.add(
            time_node(
                "arrived", "Arrived (if late)", required=False, default=current.get("arrived", "")
            )
        )
        group.add(
            time_node(
                "departed", "Left (if early)", required=False, default=current.get("departed", "")
            )
        )
        schema.add(group)
    schema.add(
        text_node(
            "guests",
            "Also in attendance",
            "Officers, advisers and guests who are not members: one name a line.",
            required=False,
            maximum=5000,
            rows=3,
        )
    )
    return schema


def row_validator(name: str):
    """One person's row must make sense as a whole (see ``rules.attendance_problem``)."""

    def validate(node, values):
        problem = rules.attendance_problem(
            name,
            values["status"],
            values["apologies_accepted"],
            values["arrived"],
            values["departed"],
        )
        if problem:
            error = colander.Invalid(node)
            error[problem[0]] = problem[1]
            raise error

    return validate


NUMBERS = re.compile(r"^[\d\s,]*$")


def numbers_node(name, title, description):
    return text_node(
        name,
        title,
        description,
        required=False,
        maximum=100_000,
        check=colander.Regex(NUMBERS, "Enter member numbers only, separated by commas or spaces."),
        rows=4,
    )


def general_attendance_schema() -> CSRFSchema:
    """A general meeting's sign-in sheet: the member numbers of those present and of those who
    sent apologies (a register of thousands is never one radio button each)."""
    schema = CSRFSchema()
    schema.add(numbers_node("present", "Members present", "Member numbers, as signed in."))
    schema.add(
        numbers_node("apologies", "Apologies", "Member numbers of members who sent apologies.")
    )
    schema.add(
        text_node(
            "guests",
            "Also in attendance",
            "Associate members, officers and guests who may not vote: one name a line.",
            required=False,
            maximum=5000,
            rows=3,
        )
    )
    return schema


def declaration_schema(people) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        choice_node(
            "person",
            "Who declares",
            [("", "Choose a member"), *people],
            missing_msg="Choose who declares.",
        )
    )
    schema.add(
        text_node(
            "interest",
            "The interest",
            "For example “Her son works for the contractor”.",
            maximum=500,
            missing_msg="Describe the interest.",
        )
    )
    return schema


def motion_schema(people, casting_vote: bool, voters=()) -> CSRFSchema:
    """``voters``: [(field name, name)] of the members who may vote, for a recorded vote."""

    def checks(form, values):
        error = colander.Invalid(form)
        if values.get("proposer") and values.get("proposer") == values.get("seconder"):
            error["seconder"] = "The seconder must be someone other than the proposer."
        counts = [values.get(name) for name in ("votes_for", "votes_against", "abstentions")]
        named = any((values.get("named") or {}).values())
        if not named and any(count is None for count in counts):
            error["votes_for"] = (
                "Enter the votes for, against and abstentions, or each member's vote."
            )
        if error.children:
            raise error

    schema = CSRFSchema(validator=checks)
    schema.add(
        text_node(
            "text",
            "The motion",
            "For example “That the board approves the budget for 2027”.",
            maximum=5000,
            rows=3,
            missing_msg="Enter the motion.",
        )
    )
    choices = [("", "Choose a member"), *people]
    schema.add(choice_node("proposer", "Proposed by", choices, missing_msg="Choose proposed by."))
    schema.add(choice_node("seconder", "Seconded by", choices, missing_msg="Choose seconded by."))
    schema.add(count_node("votes_for", "Votes for", missing=None))
    schema.add(count_node("votes_against", "Votes against", missing=None))
    schema.add(count_node("abstentions", "Abstentions", missing=None))
    if voters:
        named = colander.SchemaNode(
            colander.Mapping(),
            name="named",
            title="A recorded vote: each member's vote (instead of the counts)",
            missing={},
        )
        choices = [("", "Not recorded"), *rules.VOTES.items()]
        for field, name in voters:
            named.add(choice_node(field, f"{name} voted", choices, radio=True, missing=""))
        schema.add(named)
    if casting_vote:
        schema.add(
            choice_node(
                "casting_vote",
                "The chair's casting vote (on a tie only)",
                [("", "None"), (rules.FOR, "For"), (rules.AGAINST, "Against")],
                radio=True,
                missing="",
            )
        )
    return schema


def decision_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "text",
            "The decision",
            "A decision reached without a vote.",
            maximum=5000,
            rows=3,
            missing_msg="Enter the decision.",
        )
    )
    return schema


def action_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(text_node("text", "The action", maximum=500, missing_msg="Enter the action."))
    schema.add(text_node("owner", "Owner", "Who will do it.", missing_msg="Enter who owns it."))
    schema.add(date_node("due_on", "Due by", missing=None))
    return schema


def item_minutes_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "minutes_text", "Minute of the discussion", required=False, maximum=20_000, rows=8
        )
    )
    return schema


def amendment_schema(items) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        choice_node("item", "Item corrected", [("", "The minutes as a whole"), *items], missing="")
    )
    schema.add(
        text_node(
            "text", "The correction", maximum=5000, rows=4, missing_msg="Enter the correction."
        )
    )
    schema.add(
        text_node(
            "reason",
            "Why",
            "For example “Agreed at the meeting of 3 March”.",
            maximum=500,
            missing_msg="Say why the minutes are corrected.",
        )
    )
    return schema


def action_done_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(past_date_node("done_on", "Done on", missing_msg="Enter the date it was done."))
    schema.add(text_node("note", "Note", required=False, maximum=500))
    return schema


def sign_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        checkbox_node(
            "confirm",
            "I sign these minutes as a true record, as approved",
            must_tick="Tick the box to sign the minutes.",
        )
    )
    return schema


def requisition_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        text_node(
            "purpose",
            "The business of the meeting",
            "What the members ask the general meeting to decide.",
            maximum=5000,
            rows=5,
            missing_msg="Say what the meeting is for.",
        )
    )
    return schema
