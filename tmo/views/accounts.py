"""Account pages: register, confirm an email address, log in and out, passwords, and the
administrator's list of accounts with the roles each holds."""

from functools import cached_property
from urllib.parse import quote, urlsplit

from pyramid.httpexceptions import HTTPFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.forms import CSRFSchema, FormPage, form_page
from tmo.permissions import GRANTABLE_ROLES, Permission, Role
from tmo.rules.accounts import normalise_email
from tmo.schemas.accounts import (
    ChangePasswordSchema,
    ConfirmSchema,
    ForgottenPasswordSchema,
    LoginSchema,
    RegisterSchema,
    ResetPasswordSchema,
    RolesSchema,
)
from tmo.services import accounts
from tmo.services.paging import page_number, paginate
from tmo.views import READ

# The session key of the address an account was just registered with.
REGISTERED_EMAIL = "registered_email"


def throttled_page(request, error: accounts.Throttled) -> dict:
    request.override_renderer = "errors/error.jinja2"
    request.response.status = 429
    request.response.headers["Retry-After"] = str(error.retry_after)
    return {"title": "Too many attempts", "message": str(error)}


def safe_next(request, target: str | None) -> str:
    """Where to go after logging in: only a path on this site, never another site, and never
    one with a control character (a line break would split the Location header); a character
    outside ASCII is sent percent-encoded, as a header must be."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not any(ord(character) < 32 or ord(character) == 127 for character in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return quote(target, safe="/?&=%#:@!$'()*+,;~-._")
    return request.route_url("needs_you")


class ThrottledFormPage(FormPage):
    """A form whose attempts are counted: once there are too many, the answer is a page of its
    own (429) saying how long to wait, not the form."""

    def refused(self, form, refusal):
        if isinstance(refusal, accounts.Throttled):
            return throttled_page(self.request, refusal)
        return super().refused(form, refusal)


@form_page("register", "accounts/register.jinja2", NO_PERMISSION_REQUIRED)
class RegisterPage(ThrottledFormPage):
    schema = RegisterSchema
    submit_label = "Create account"
    heading = "Create an account"

    def intro(self):
        return [
            "With an account you can apply to join the TMO, vote in board elections and take "
            "part in the Youth Forum."
        ]

    def succeed(self, form, appstruct):
        accounts.register_account(
            self.request,
            email=appstruct["email"],
            display_name=appstruct["display_name"],
            password=appstruct["password"],
        )
        # Kept in the (signed) session so the next page can name it and send it again; it is
        # the person's own address, in their own browser.
        self.request.session[REGISTERED_EMAIL] = normalise_email(appstruct["email"])
        return HTTPFound(self.request.route_url("register_sent"))


@form_page("register_sent", "accounts/register_sent.jinja2", NO_PERMISSION_REQUIRED)
class RegisterSentPage(ThrottledFormPage):
    """ "Check your email": names the address the message went to, and sends it again."""

    schema = CSRFSchema
    submit_label = "Send the message again"
    heading = "Check your email"

    @property
    def email(self) -> str | None:
        return self.request.session.get(REGISTERED_EMAIL)

    def extra(self):
        lifetime = accounts.link_lifetime(self.request, accounts.VERIFY_EMAIL)
        return {"email": self.email, "lifetime": accounts.describe_lifetime(lifetime)}

    def succeed(self, form, appstruct):
        if not self.email:
            return self.redirect("register")
        accounts.resend_registration(self.request, self.email)
        return self.redirect("register_sent", f"We have sent the message again to {self.email}.")


class EmailedLinkPage(FormPage):
    """A page reached by an emailed link, which tells whether the link still works."""

    purpose: str

    @property
    def token(self) -> str:
        return self.request.matchdict["token"]

    @cached_property
    def valid(self) -> bool:
        found = accounts.valid_token(
            self.request.dbsession, self.token, self.purpose, self.request.now
        )
        return found is not None

    def extra(self):
        return {"valid": self.valid}


@form_page("verify_email", "accounts/verify_email.jinja2", NO_PERMISSION_REQUIRED)
class VerifyEmailPage(EmailedLinkPage):
    """The emailed link shows a button: a link checker following it confirms nothing."""

    schema = ConfirmSchema
    submit_label = "Confirm my email address"
    heading = "Confirm your email address"
    purpose = accounts.VERIFY_EMAIL

    def intro(self):
        if not self.valid:
            return []
        return ["Press the button to confirm this is your email address."]

    def succeed(self, form, appstruct):
        account = accounts.verify_email(self.request, self.token)
        if account is None:
            return self.page(form, form.render())
        return self.redirect("login", "Your email address is confirmed. You can now log in.")


@form_page("login", "accounts/login.jinja2", NO_PERMISSION_REQUIRED)
class LoginPage(ThrottledFormPage):
    schema = LoginSchema
    submit_label = "Log in"
    heading = "Log in"

    def get(self):
        if self.request.account is not None:
            return HTTPFound(safe_next(self.request, self.request.params.get("next")))
        return super().get()

    def succeed(self, form, appstruct):
        account = accounts.authenticate(self.request, appstruct["email"], appstruct["password"])
        accounts.start_session(self.request, account)
        self.request.session.flash(f"You are logged in as {account.display_name}.", "success")
        return HTTPFound(safe_next(self.request, self.request.params.get("next")))


@view_config(route_name="logout", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def logout(request):
    accounts.end_session(request)
    request.session.flash("You have logged out.", "success")
    return HTTPFound(request.route_url("home"))


@form_page("password_forgotten", "form.jinja2", NO_PERMISSION_REQUIRED)
class ForgottenPasswordPage(ThrottledFormPage):
    schema = ForgottenPasswordSchema
    submit_label = "Send me a link"
    heading = "Reset your password"

    def intro(self):
        return [
            "Enter the email address you registered with and we will send you a link to set a "
            "new password."
        ]

    def succeed(self, form, appstruct):
        accounts.request_password_reset(self.request, appstruct["email"])
        self.request.override_renderer = "accounts/password_forgotten_sent.jinja2"
        lifetime = accounts.link_lifetime(self.request, accounts.RESET_PASSWORD)
        return {"email": appstruct["email"], "lifetime": accounts.describe_lifetime(lifetime)}


@form_page("password_reset", "accounts/password_reset.jinja2", NO_PERMISSION_REQUIRED)
class ResetPasswordPage(EmailedLinkPage):
    schema = ResetPasswordSchema
    submit_label = "Set my new password"
    heading = "Set a new password"
    purpose = accounts.RESET_PASSWORD
    # The one field: a link that no longer works is said there too.
    default_field = "password"

    def succeed(self, form, appstruct):
        accounts.reset_password(self.request, self.token, appstruct["password"])
        return self.redirect("account", "Your password has been changed and you are logged in.")


@view_config(
    route_name="account",
    renderer="accounts/account.jinja2",
    request_method=READ,
    permission=Permission.ACCOUNT_SELF_MANAGE,
)
def account_page(request):
    return {"account": request.account, "roles": request.identity.roles}


@form_page("account_password", "form.jinja2", Permission.ACCOUNT_SELF_MANAGE)
class ChangePasswordPage(FormPage):
    schema = ChangePasswordSchema
    submit_label = "Change password"
    heading = "Change your password"

    def intro(self):
        return ["Changing your password logs you out everywhere else."]

    def succeed(self, form, appstruct):
        accounts.change_password(
            self.request,
            self.request.account,
            appstruct["current_password"],
            appstruct["password"],
        )
        return self.redirect("account", "Your password has been changed.")


@view_config(
    route_name="admin_accounts",
    renderer="accounts/admin_list.jinja2",
    request_method=READ,
    permission=Permission.ADMIN_ACCOUNTS_READ,
)
def admin_accounts(request):
    search = request.params.get("q", "").strip()[:100]
    role = accounts.grantable_role(request.params.get("role", ""))
    query = accounts.accounts_query(search, role)
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "search": search,
        "role": role.value if role else "",
        "roles": GRANTABLE_ROLES,
    }


@form_page(
    "admin_account",
    "accounts/admin_account.jinja2",
    Permission.ADMIN_ACCOUNTS_READ,
    post_permission=Permission.ADMIN_ROLES_GRANT,
)
class AdminAccountPage(FormPage):
    schema = RolesSchema
    submit_label = "Save roles"

    @property
    def heading(self):
        return self.context.account.display_name

    def back(self):
        return self.request.route_url("admin_accounts"), "Back to accounts"

    def initial(self):
        return {"roles": {grant.role.value for grant in self.context.account.role_grants}}

    def extra(self):
        return {"account": self.context.account}

    def succeed(self, form, appstruct):
        account = self.context.account
        wanted = {Role(value) for value in appstruct["roles"]}
        accounts.set_roles(self.request.dbsession, account, wanted, self.request.account)
        return self.redirect("admin_account", "Roles saved.", account_id=account.id)
