"""Forms for membership: applying to join, contact details, resigning, and the secretary's
decisions (admit or reject, end a membership, erase personal data)."""

import colander

from tmo.constitution import TENURES
from tmo.forms import CSRFSchema
from tmo.schemas.nodes import checkbox_node, choice_node, date_node, stripped, text_node

ASSOCIATE = "associate"


# How an applicant says each of the constitution's tenures (a new tenure needs its phrase here).
HOLDING_QUESTIONS = {
    "secure_tenant": "I am the tenant",
    "joint_tenant": "I am a joint tenant",
    "leaseholder": "I am the leaseholder and live here",
    "non_resident_leaseholder": "I am the leaseholder but do not live here",
}


def holding_choices(associates_allowed: bool) -> list[tuple[str, str]]:
    choices = [(key, HOLDING_QUESTIONS[key]) for key, _ in TENURES]
    if associates_allowed:
        choices.append(
            (
                ASSOCIATE,
                "I live here with the tenant or leaseholder (an associate member: you may attend "
                "general meetings but not vote)",
            )
        )
    return choices


def application_schema(homes, associates_allowed: bool, name: str) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(
        choice_node(
            "home",
            "Your home",
            [(home.id, home.address) for home in homes],
            radio=True,
            missing_msg="Choose your home.",
        )
    )
    schema.add(
        text_node(
            "full_name",
            "Your full name",
            "As it appears on your tenancy agreement or lease.",
            attributes={"autocomplete": "name"},
            default=name,
            missing_msg="Enter your full name.",
        )
    )
    schema.add(
        choice_node(
            "holding",
            "How do you hold your home?",
            holding_choices(associates_allowed),
            radio=True,
            missing_msg="Choose how you hold your home.",
        )
    )
    schema.add(
        date_node(
            "date_of_birth",
            "Date of birth",
            "For example 1975-03-27. Members must be old enough to join under the constitution.",
            autocomplete="bday",
            missing_msg="Enter your date of birth.",
        )
    )
    schema.add(
        checkbox_node(
            "consent",
            "I agree that the TMO keeps my name, address and membership dates in its "
            "register of members, as the Companies Act 2006 requires, and uses my contact "
            "details for TMO business.",
            must_tick="You must agree to be entered in the register of members.",
        )
    )
    return schema


class PostcodeSchema(colander.MappingSchema):
    postcode = colander.SchemaNode(colander.String(), preparer=stripped)


class ContactSchema(CSRFSchema):
    contact_email = text_node(
        "contact_email",
        "Email address for TMO business",
        maximum=None,
        check=colander.Email(msg="Enter an email address like name@example.com"),
        attributes={"type": "email", "autocomplete": "email"},
        missing_msg="Enter an email address.",
    )
    phone = text_node(
        "phone",
        "Phone number",
        required=False,
        maximum=None,
        check=colander.Regex(
            r"^[0-9 +()-]{0,40}$", "Enter a phone number using digits, spaces and + ( ) -"
        ),
        attributes={"type": "tel", "autocomplete": "tel"},
    )


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


class EraseSchema(CSRFSchema):
    confirm = checkbox_node(
        "confirm",
        "Erase this person's date of birth and contact details",
        "The register entry (name, address, date admitted, date ceased) stays until "
        "the retention period ends, as the Companies Act requires.",
        must_tick="Tick the box to confirm the erasure.",
    )
