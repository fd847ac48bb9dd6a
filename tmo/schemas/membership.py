"""Forms for membership: applying to join, contact details, resigning, and the secretary's
decisions (admit or reject, end a membership, erase personal data)."""

import colander
import deform

from tmo.constitution import TENURES
from tmo.forms import CSRFSchema
from tmo.schemas import date_node, stripped

ASSOCIATE = "associate"


def must_agree(message: str):
    return colander.Function(lambda value: value is True, message)


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
        colander.SchemaNode(
            colander.String(),
            name="home",
            title="Your home",
            validator=colander.OneOf([str(home.id) for home in homes]),
            missing_msg="Choose your home.",
            widget=deform.widget.RadioChoiceWidget(
                values=[(str(home.id), home.address) for home in homes]
            ),
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="full_name",
            title="Your full name",
            description="As it appears on your tenancy agreement or lease.",
            default=name,
            preparer=stripped,
            validator=colander.Length(max=200),
            missing_msg="Enter your full name.",
            widget=deform.widget.TextInputWidget(attributes={"autocomplete": "name"}),
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="holding",
            title="How do you hold your home?",
            validator=colander.OneOf([key for key, _ in holding_choices(associates_allowed)]),
            missing_msg="Choose how you hold your home.",
            widget=deform.widget.RadioChoiceWidget(values=holding_choices(associates_allowed)),
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
        colander.SchemaNode(
            colander.Boolean(),
            name="consent",
            title="I agree that the TMO keeps my name, address and membership dates in its "
            "register of members, as the Companies Act 2006 requires, and uses my contact "
            "details for TMO business.",
            missing=False,
            validator=must_agree("You must agree to be entered in the register of members."),
            widget=deform.widget.CheckboxWidget(),
        )
    )
    return schema


class PostcodeSchema(colander.MappingSchema):
    postcode = colander.SchemaNode(colander.String(), preparer=stripped)


class ContactSchema(CSRFSchema):
    contact_email = colander.SchemaNode(
        colander.String(),
        title="Email address for TMO business",
        validator=colander.Email(msg="Enter an email address like name@example.com"),
        missing_msg="Enter an email address.",
        preparer=stripped,
        widget=deform.widget.TextInputWidget(attributes={"type": "email", "autocomplete": "email"}),
    )
    phone = colander.SchemaNode(
        colander.String(),
        title="Phone number",
        missing="",
        preparer=stripped,
        validator=colander.Regex(
            r"^[0-9 +()-]{0,40}$", "Enter a phone number using digits, spaces and + ( ) -"
        ),
        widget=deform.widget.TextInputWidget(attributes={"type": "tel", "autocomplete": "tel"}),
    )


class ResignSchema(CSRFSchema):
    confirm = colander.SchemaNode(
        colander.Boolean(),
        title="I want to stop being a member of the TMO",
        missing=False,
        validator=must_agree("Tick the box to confirm that you want to resign."),
        widget=deform.widget.CheckboxWidget(),
    )


DECISIONS = (("admit", "Admit as a member"), ("reject", "Reject the application"))


def reason_needed_to_reject(form, values):
    if values.get("decision") == "reject" and not values.get("reason"):
        error = colander.Invalid(form)
        error["reason"] = "Give the reason for rejecting: the applicant will see it."
        raise error


class DecisionSchema(CSRFSchema):
    decision = colander.SchemaNode(
        colander.String(),
        title="Decision",
        validator=colander.OneOf([key for key, _ in DECISIONS]),
        missing_msg="Choose whether to admit or reject.",
        widget=deform.widget.RadioChoiceWidget(values=DECISIONS),
    )
    reason = colander.SchemaNode(
        colander.String(),
        title="Reason for rejecting",
        description="Needed only to reject. The applicant sees it.",
        missing="",
        preparer=stripped,
        validator=colander.Length(max=500),
        widget=deform.widget.TextAreaWidget(rows=3),
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=reason_needed_to_reject, **kw)


class EndMembershipSchema(CSRFSchema):
    note = colander.SchemaNode(
        colander.String(),
        title="Why is this membership ending?",
        description="Recorded in the register and the audit log, for example "
        "“moved away: letter of 3 March” or “board resolution 2026/14”.",
        missing_msg="Say why this membership is ending.",
        preparer=stripped,
        validator=colander.Length(max=500),
        widget=deform.widget.TextAreaWidget(rows=3),
    )


class EraseSchema(CSRFSchema):
    confirm = colander.SchemaNode(
        colander.Boolean(),
        title="Erase this person's date of birth and contact details",
        description="The register entry (name, address, date admitted, date ceased) stays until "
        "the retention period ends, as the Companies Act requires.",
        missing=False,
        validator=must_agree("Tick the box to confirm the erasure."),
        widget=deform.widget.CheckboxWidget(),
    )
