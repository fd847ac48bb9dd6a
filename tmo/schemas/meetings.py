"""Forms for committees and meetings: bodies and their members, scheduling, agenda items and
papers, attendance, declarations, motions and votes, decisions, actions, minutes, amendments,
signing, and members' requisitions."""

import re

import colander
import deform

from tmo.forms import CSRFSchema
from tmo.rules import meetings as rules
from tmo.schemas import date_node, stripped
from tmo.schemas.files import file_node
from tmo.services import files

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
NOBODY = ""


def text_node(name, title, description="", *, required=True, maximum=200, rows=0, **kw):
    widget = deform.widget.TextAreaWidget(rows=rows) if rows else deform.widget.TextInputWidget()
    if not required:
        kw.setdefault("missing", "")
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description,
        preparer=stripped,
        validator=colander.Length(max=maximum),
        widget=widget,
        **kw,
    )


def time_node(name, title, description="", *, required=True, **kw):
    if not required:
        kw.setdefault("missing", "")
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description,
        preparer=stripped,
        validator=colander.Regex(TIME, "Enter a time like 19:00 (24-hour clock)."),
        widget=deform.widget.TextInputWidget(attributes={"type": "time"}),
        **kw,
    )


def choice_node(name, title, choices, *, radio=False, missing_msg=None, **kw):
    widget = (
        deform.widget.RadioChoiceWidget(values=choices)
        if radio
        else deform.widget.SelectWidget(values=choices)
    )
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        validator=colander.OneOf([key for key, _ in choices]),
        missing_msg=missing_msg or f"Choose {title[0].lower()}{title[1:]}.",
        widget=widget,
        **kw,
    )


def count_node(name, title, **kw):
    return colander.SchemaNode(
        colander.Integer(),
        name=name,
        title=title,
        validator=colander.Range(0, 100_000, min_err="Enter 0 or more."),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"}),
        **kw,
    )


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
        schema.add(choice_node("kind", "Kind of body", list(rules.BODY_KINDS.items()), radio=True))
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
        colander.SchemaNode(
            colander.String(),
            name="email",
            title="Email address",
            description="Notices of meetings and circulated minutes go here.",
            missing="",
            preparer=stripped,
            validator=colander.Email(msg="Enter an email address like name@example.com"),
        )
    )
    schema.add(
        choice_node("role", "Role", list(rules.MEMBER_ROLES.items()), radio=True, default="member")
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
        schema.add(choice_node("kind", "Kind of meeting", kinds, radio=True))
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
        colander.SchemaNode(
            colander.String(),
            name="online_link",
            title="Online link",
            description="For a meeting held online or hybrid.",
            missing="",
            preparer=stripped,
            validator=colander.All(
                colander.Length(max=500),
                colander.Regex(r"^https://", "Enter a link beginning https://"),
            ),
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


def item_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(text_node("title", "Title", missing_msg="Enter the item's title."))
    schema.add(text_node("presenter", "Presenter", "Who introduces the item.", required=False))
    schema.add(text_node("summary", "Summary", required=False, maximum=5000, rows=3))
    schema.add(
        colander.SchemaNode(
            colander.Boolean(),
            name="confidential",
            title="Confidential (exempt from publication)",
            description="A confidential item never appears in the public agenda or minutes.",
            missing=False,
            widget=deform.widget.CheckboxWidget(),
        )
    )
    return schema


def paper_nodes(maximum_bytes: int, *, required: bool):
    return [
        text_node("paper_title", "Title of the paper", required=False),
        file_node(
            "paper",
            "Paper",
            kinds=files.DOCUMENTS,
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
    """One group for each member of the body: ``people`` is [(field name, name, current)]."""
    schema = CSRFSchema()
    for field, name, current in people:
        group = colander.SchemaNode(colander.Mapping(), name=field, title=name)
        group.add(
            choice_node(
                "status",
                f"{name}: attendance",
                ATTENDANCE_CHOICES,
                radio=True,
                default=current.get("status", colander.null),
                missing_msg=f"Choose whether {name} was present.",
            )
        )
        group.add(
            colander.SchemaNode(
                colander.Boolean(),
                name="apologies_accepted",
                title=f"{name}: apologies accepted",
                missing=False,
                default=current.get("apologies_accepted", True),
                widget=deform.widget.CheckboxWidget(),
            )
        )
        group.add(
            time_node(
                "arrived",
                f"{name}: arrived (if late)",
                required=False,
                default=current.get("arrived", ""),
            )
        )
        group.add(
            time_node(
                "departed",
                f"{name}: left (if early)",
                required=False,
                default=current.get("departed", ""),
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


NUMBERS = re.compile(r"^[\d\s,]*$")


def numbers_node(name, title, description):
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        description=description,
        missing="",
        preparer=stripped,
        validator=colander.All(
            colander.Length(max=100_000),
            colander.Regex(NUMBERS, "Enter member numbers only, separated by commas or spaces."),
        ),
        widget=deform.widget.TextAreaWidget(rows=4),
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
    schema.add(choice_node("person", "Who declares", [("", "Choose a member"), *people]))
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
    schema.add(choice_node("proposer", "Proposed by", choices))
    schema.add(choice_node("seconder", "Seconded by", choices))
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
    schema.add(date_node("done_on", "Done on", missing_msg="Enter the date it was done."))
    schema.add(text_node("note", "Note", required=False, maximum=500))
    return schema


def sign_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        colander.SchemaNode(
            colander.Boolean(),
            name="confirm",
            title="I sign these minutes as a true record, as approved",
            validator=colander.Function(
                lambda value: value is True, "Tick the box to sign the minutes."
            ),
            widget=deform.widget.CheckboxWidget(),
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
