"""Forms for accounts: register, log in, forgotten and reset passwords, change password, roles."""

import colander
import deform

from tmo.forms import CSRFSchema
from tmo.permissions import GRANTABLE_ROLES
from tmo.rules.accounts import MAXIMUM_PASSWORD_LENGTH, password_problem
from tmo.schemas.nodes import text_node


def email_node(description: str = ""):
    return text_node(
        "email",
        "Email address",
        description,
        maximum=254,
        max_err="Enter an email address of 254 characters or fewer.",
        check=colander.Email(
            msg="Enter an email address in the right format, like name@example.com"
        ),
        attributes={"type": "email", "autocomplete": "email", "spellcheck": "false"},
        missing_msg="Enter your email address.",
    )


def new_password_node(title="Create a password", **kw):
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=(
            "At least 8 characters. A few words you will remember make a good password; "
            "very common passwords are not allowed."
        ),
        missing_msg="Enter a password.",
        validator=colander.Length(
            max=MAXIMUM_PASSWORD_LENGTH,
            max_err=f"Your password must be {MAXIMUM_PASSWORD_LENGTH} characters or fewer.",
        ),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}),
        **kw,
    )


def check_new_password(form, values):
    """Apply the password rules, knowing the email and name typed on the same form."""
    problem = password_problem(
        values.get("password", ""),
        email=values.get("email", ""),
        display_name=values.get("display_name", ""),
    )
    if problem:
        error = colander.Invalid(form)
        error["password"] = problem
        raise error


class RegisterSchema(CSRFSchema):
    display_name = text_node(
        "display_name",
        "Your name",
        "As you would like it to appear to the TMO's secretary.",
        maximum=100,
        max_err="Enter a name of 100 characters or fewer.",
        attributes={"autocomplete": "name"},
        missing_msg="Enter your name.",
    )
    email = email_node(description="We will send you a link to confirm it.")
    password = new_password_node()

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=check_new_password, **kw)


class LoginSchema(CSRFSchema):
    email = email_node()
    password = colander.SchemaNode(
        colander.String(),
        title="Password",
        missing_msg="Enter your password.",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )


class ForgottenPasswordSchema(CSRFSchema):
    email = email_node(description="We will send a link to reset your password to this address.")


class ResetPasswordSchema(CSRFSchema):
    password = new_password_node(title="New password")


class ChangePasswordSchema(CSRFSchema):
    current_password = colander.SchemaNode(
        colander.String(),
        title="Current password",
        missing_msg="Enter your current password.",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )
    password = new_password_node(title="New password")


class ConfirmSchema(CSRFSchema):
    """A form that is only a button (confirming an email address, logging out)."""


class RolesSchema(CSRFSchema):
    roles = colander.SchemaNode(
        colander.Set(),
        title="Roles",
        description="Every account is a resident. Tick each further role this person holds.",
        missing=frozenset(),
        validator=colander.ContainsOnly([role.value for role in GRANTABLE_ROLES]),
        widget=deform.widget.CheckboxChoiceWidget(
            values=[(role.value, role.label) for role in GRANTABLE_ROLES]
        ),
    )
