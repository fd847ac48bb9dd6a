"""Forms for membership: applying to join (online, or entered by staff for a resident who phoned
or came in), contact details and how to be contacted, resigning, and the secretary's decisions
(admit or reject, end a membership, erase personal data)."""

import colander

from tmo.constitution import TENURES
from tmo.forms import CSRFSchema
from tmo.rules.notices import Channel
from tmo.schemas.dates import birth_date_node
from tmo.schemas.nodes import checkbox_node, choice_node, stripped, text_node

ASSOCIATE = "associate"


# How an applicant says each of the constitution's tenures (a new tenure needs its phrase here).
HOLDING_QUESTIONS = {
    "secure_tenant": "I am the tenant",
    "joint_tenant": "I am a joint tenant",
    "leaseholder": "I am the leaseholder and live here",
    "non_resident_leaseholder": "I am the leaseholder but do not live here",
}


def holding_choices(associates_allowed: bool, for_someone: bool = False) -> list[tuple[str, str]]:
    """How one may hold a home, as the applicant says it (or, for staff entering an application
    for someone, as the council's records name it)."""
    if for_someone:
        choices = list(TENURES)
    else:
        choices = [(key, HOLDING_QUESTIONS[key]) for key, _ in TENURES]
    if associates_allowed:
        choices.append(
            (
                ASSOCIATE,
                f"{'Lives' if for_someone else 'I live'} here with the tenant or leaseholder (an "
                "associate member: may attend general meetings but not vote)",
            )
        )
    return choices


# The register of members rests on the law, not on consent: said once, plainly, where a person
# asks to join (UK GDPR art. 6(1)(c); Companies Act 2006 s113).
REGISTER_IS_THE_LAW = (
    "By law (Companies Act 2006, section 113) the TMO keeps every member's name, address and the "
    "dates they join and leave in its register of members: that is a legal duty, not something "
    "you are asked to agree to."
)


def contact_choice_node(
    email: str = "", *, for_someone: bool = False, what: str = ""
) -> colander.SchemaNode:
    """Email (with the person's agreement to electronic communication, Companies Act 2006 Sch 5
    para 6) or post: asked with nothing chosen for them. ``what`` says what is sent, for a
    person choosing for themselves (by default, a member's notices)."""
    if for_someone:
        title = "How do they want to be sent notices and letters?"
        hint = (
            "Ask them. Notices go by email only if they agree; otherwise we post them to their "
            "home. Email needs their email address."
        )
        choices = [
            (
                Channel.EMAIL,
                "By email: they agree to be sent notices and documents by email "
                "instead of on paper",
            ),
            (Channel.POST, "By post to their home"),
        ]
    else:
        title = "How should we send you notices and letters?"
        hint = what or (
            "Notices of meetings and elections, voting papers and letters about your membership. "
            "We send them by email only if you agree; otherwise we post them to your home. You "
            "can change this at any time on your membership page."
        )
        choices = [
            (
                Channel.EMAIL,
                f"By email{f' to {email}' if email else ''}: I agree to be sent notices and "
                "documents by email instead of on paper",
            ),
            (Channel.POST, "By post to my home"),
        ]
    return choice_node(
        "contact_by",
        title,
        choices,
        radio=True,
        description=hint,
        missing_msg="Choose how we should send notices: by email or by post.",
    )


def told_how_node() -> colander.SchemaNode:
    return choice_node(
        "told_how",
        "How did they tell you?",
        [
            ("phoned", "They phoned"),
            ("wrote", "They wrote to us"),
            ("in_person", "They came in person"),
            ("emailed", "They emailed"),
        ],
        radio=True,
        missing_msg="Say how they told you.",
    )


def email_node(title: str, description: str = "") -> colander.SchemaNode:
    return text_node(
        "contact_email",
        title,
        description,
        required=False,
        maximum=None,
        check=colander.Email(msg="Enter an email address like name@example.com"),
        attributes={"type": "email", "autocomplete": "email"},
    )


def application_schema(
    homes, associates_allowed: bool, name: str, email: str = "", *, for_someone: bool = False
) -> CSRFSchema:
    """The application to join: as a resident makes it online (``email`` their account's), or as
    staff enter it for a resident who phoned or came in (``for_someone``)."""
    your, they = ("their", "they") if for_someone else ("your", "you")
    schema = CSRFSchema()
    schema.add(
        choice_node(
            "home",
            f"{your.capitalize()} home",
            [(home.id, home.address) for home in homes],
            radio=True,
            missing_msg=f"Choose {your} home.",
        )
    )
    schema.add(
        text_node(
            "full_name",
            f"{your.capitalize()} full name",
            f"As it appears on {your} tenancy agreement or lease.",
            attributes={} if for_someone else {"autocomplete": "name"},
            default=name,
            missing_msg=f"Enter {your} full name.",
        )
    )
    schema.add(
        choice_node(
            "holding",
            f"How do {they} hold {your} home?",
            holding_choices(associates_allowed, for_someone),
            radio=True,
            missing_msg=f"Choose how {they} hold {your} home.",
        )
    )
    schema.add(
        birth_date_node(
            "date_of_birth",
            "Date of birth",
            "Members must be old enough to join under the constitution.",
            birth=not for_someone,
            missing_msg=f"Enter {your} date of birth.",
        )
    )
    schema.add(contact_choice_node(email, for_someone=for_someone))
    if for_someone:
        schema.add(email_node("Their email address", "Only if they want notices by email."))
        schema.add(told_how_node())
        schema.add(
            checkbox_node(
                "consent",
                "They asked to become a member of the TMO, and confirmed these details.",
                f"Tell them: “{REGISTER_IS_THE_LAW}”",
                must_tick="Tick the box to confirm that they asked to become a member.",
            )
        )
    else:
        schema.add(
            checkbox_node(
                "consent",
                "I want to become a member of the TMO, and what I have told you is true.",
                REGISTER_IS_THE_LAW,
                must_tick="Tick the box to confirm that you want to become a member.",
            )
        )
    return schema


class PostcodeSchema(colander.MappingSchema):
    postcode = colander.SchemaNode(colander.String(), preparer=stripped)


def contact_schema(for_someone: bool = False) -> CSRFSchema:
    """A member's contact details and how they want to be contacted, as they keep them; or the
    choice as staff record it for a member who phoned, wrote or came in (``for_someone``)."""
    schema = CSRFSchema()
    schema.add(contact_choice_node(for_someone=for_someone))
    if for_someone:
        schema.add(
            email_node(
                "Their email address",
                "Only to add or change it: leave it empty to keep the one on record.",
            )
        )
        schema.add(told_how_node())
        return schema
    schema.add(email_node("Email address for TMO business", "Needed to be sent notices by email."))
    schema.add(
        text_node(
            "phone",
            "Phone number",
            required=False,
            maximum=None,
            check=colander.Regex(
                r"^[0-9 +()-]{0,40}$", "Enter a phone number using digits, spaces and + ( ) -"
            ),
            attributes={"type": "tel", "autocomplete": "tel"},
        )
    )
    return schema


class ResignSchema(CSRFSchema):
    confirm = checkbox_node(
        "confirm",
        "I want to stop being a member of the TMO",
        must_tick="Tick the box to confirm that you want to resign.",
    )


DECISIONS = (("admit", "Admit as a member"), ("reject", "Reject the application"))


def reason_needed_to_reject(form, values):
    if values.get("decision") == "reject" and not values.get("reason"):
        error = colander.Invalid(form)
        error["reason"] = "Give the reason for rejecting: the applicant will see it."
        raise error


class DecisionSchema(CSRFSchema):
    decision = choice_node(
        "decision",
        "Decision",
        DECISIONS,
        radio=True,
        missing_msg="Choose whether to admit or reject.",
    )
    reason = text_node(
        "reason",
        "Reason for rejecting",
        "Needed only to reject. The applicant sees it.",
        required=False,
        maximum=500,
        rows=3,
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=reason_needed_to_reject, **kw)


class EndMembershipSchema(CSRFSchema):
    note = text_node(
        "note",
        "Why is this membership ending?",
        "Recorded in the register and the audit log, for example "
        "“moved away: letter of 3 March” or “board resolution 2026/14”.",
        maximum=500,
        rows=3,
        missing_msg="Say why this membership is ending.",
    )


def correction_schema() -> CSRFSchema:
    """A correction of a register entry: the fields as they should read, and why."""

    schema = CSRFSchema()
    schema.add(text_node("name", "Full name", missing_msg="Enter the member's full name."))
    schema.add(
        text_node(
            "address",
            "Address in the register",
            "The flat or house, the street or block, and the postcode, separated by commas.",
            maximum=420,
            missing_msg="Enter the member's address.",
        )
    )
    schema.add(
        birth_date_node(
            "date_of_birth",
            "Date of birth",
            "Leave the boxes empty if it is not recorded.",
            missing=None,
            birth=False,
        )
    )
    schema.add(
        text_node(
            "reason",
            "Why is the entry being corrected?",
            "Kept in the entry's history with what it said before, for example "
            "“misspelt on the application form: see the tenancy agreement”.",
            maximum=500,
            rows=3,
            missing_msg="Say why the entry is being corrected.",
        )
    )
    return schema


class EraseSchema(CSRFSchema):
    confirm = checkbox_node(
        "confirm",
        "Erase this person's date of birth and contact details",
        "The register entry (name, address, date admitted, date ceased) stays until "
        "the retention period ends, as the Companies Act requires.",
        must_tick="Tick the box to confirm the erasure.",
    )
