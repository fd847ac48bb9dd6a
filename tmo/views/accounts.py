"""Account pages: register, confirm an email address, log in and out, passwords, and the
administrator's list of accounts with the roles each holds."""

from urllib.parse import urlsplit

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import or_, select

from tmo.forms import FormPage, form_page
from tmo.models.accounts import Account, RoleGrant
from tmo.permissions import GRANTABLE_ROLES, Permission, Role
from tmo.schemas.accounts import (
    ChangePasswordSchema,
    ConfirmSchema,
    ForgottenPasswordSchema,
    LoginSchema,
    RegisterSchema,
    ResetPasswordSchema,
    RolesSchema,
)
from tmo.services import accounts, audit
from tmo.services.paging import page_number, paginate
from tmo.services.search import LIKE_ESCAPE, contains_pattern

FORM_METHODS = ("GET", "HEAD")


def throttled_page(request, error: accounts.Throttled) -> dict:
    request.response.status = 429
    request.response.headers["Retry-After"] = str(error.retry_after)
    return {"title": "Too many attempts", "message": str(error)}


def safe_next(request, target: str | None) -> str:
    """Where to go after logging in: only a path on this site, never another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return request.route_url("account")


@form_page("register", "accounts/register.jinja2", NO_PERMISSION_REQUIRED)
class RegisterPage(FormPage):
    schema = RegisterSchema
    submit_label = "Create account"

    def succeed(self, form, appstruct):
        try:
            accounts.register_account(
                self.request,
                email=appstruct["email"],
                display_name=appstruct["display_name"],
                password=appstruct["password"],
            )
        except accounts.Throttled as error:
            self.request.override_renderer = "errors/error.jinja2"
            return throttled_page(self.request, error)
        except accounts.AccountError as error:
            return self.refuse(form, str(error), "password")
        return HTTPFound(self.request.route_url("register_sent"))


@view_config(
    route_name="register_sent",
    renderer="accounts/register_sent.jinja2",
    request_method=FORM_METHODS,
    permission=NO_PERMISSION_REQUIRED,
)
def register_sent(request):
    lifetime = accounts.link_lifetime(request, accounts.VERIFY_EMAIL)
    return {"lifetime": accounts.describe_lifetime(lifetime)}


class EmailedLinkPage(FormPage):
    """A page reached by an emailed link, which tells whether the link still works."""

    purpose: str

    @property
    def token(self) -> str:
        return self.request.matchdict["token"]

    def extra(self):
        found = accounts.valid_token(self.request.dbsession, self.token, self.purpose)
        return {"valid": found is not None}


@form_page("verify_email", "accounts/verify_email.jinja2", NO_PERMISSION_REQUIRED)
class VerifyEmailPage(EmailedLinkPage):
    """The emailed link shows a button: a link checker following it confirms nothing."""

    schema = ConfirmSchema
    submit_label = "Confirm my email address"
    purpose = accounts.VERIFY_EMAIL

    def succeed(self, form, appstruct):
        account = accounts.verify_email(self.request, self.token)
        if account is None:
            return self.page(form, form.render())
        return self.redirect("login", "Your email address is confirmed. You can now log in.")


@form_page("login", "accounts/login.jinja2", NO_PERMISSION_REQUIRED)
class LoginPage(FormPage):
    schema = LoginSchema
    submit_label = "Log in"

    def extra(self):
        return {"next": self.request.params.get("next", "")}

    def get(self):
        if self.request.account is not None:
            return HTTPFound(safe_next(self.request, self.request.params.get("next")))
        return super().get()

    def succeed(self, form, appstruct):
        try:
            account = accounts.authenticate(self.request, appstruct["email"], appstruct["password"])
        except accounts.Throttled as error:
            self.request.override_renderer = "errors/error.jinja2"
            return throttled_page(self.request, error)
        except accounts.AccountError as error:
            return self.refuse(form, str(error), "email")
        accounts.start_session(self.request, account)
        self.request.session.flash(f"You are logged in as {account.display_name}.", "success")
        return HTTPFound(safe_next(self.request, self.request.params.get("next")))


@view_config(route_name="logout", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def logout(request):
    accounts.end_session(request)
    request.session.flash("You have logged out.", "success")
    return HTTPFound(request.route_url("home"))


@form_page("password_forgotten", "accounts/password_forgotten.jinja2", NO_PERMISSION_REQUIRED)
class ForgottenPasswordPage(FormPage):
    schema = ForgottenPasswordSchema
    submit_label = "Send me a link"

    def succeed(self, form, appstruct):
        try:
            accounts.request_password_reset(self.request, appstruct["email"])
        except accounts.Throttled as error:
            self.request.override_renderer = "errors/error.jinja2"
            return throttled_page(self.request, error)
        self.request.override_renderer = "accounts/password_forgotten_sent.jinja2"
        lifetime = accounts.link_lifetime(self.request, accounts.RESET_PASSWORD)
        return {"email": appstruct["email"], "lifetime": accounts.describe_lifetime(lifetime)}


@form_page("password_reset", "accounts/password_reset.jinja2", NO_PERMISSION_REQUIRED)
class ResetPasswordPage(EmailedLinkPage):
    schema = ResetPasswordSchema
    submit_label = "Set my new password"
    purpose = accounts.RESET_PASSWORD

    def succeed(self, form, appstruct):
        try:
            accounts.reset_password(self.request, self.token, appstruct["password"])
        except accounts.AccountError as error:
            return self.refuse(form, str(error), "password")
        return self.redirect("account", "Your password has been changed and you are logged in.")


@view_config(
    route_name="account",
    renderer="accounts/account.jinja2",
    request_method=FORM_METHODS,
    permission=Permission.ACCOUNT_SELF_MANAGE,
)
def account_page(request):
    return {"account": request.account}


@form_page("account_password", "accounts/change_password.jinja2", Permission.ACCOUNT_SELF_MANAGE)
class ChangePasswordPage(FormPage):
    schema = ChangePasswordSchema
    submit_label = "Change password"

    def succeed(self, form, appstruct):
        try:
            accounts.change_password(
                self.request,
                self.request.account,
                appstruct["current_password"],
                appstruct["password"],
            )
        except accounts.AccountError as error:
            field = "current_password" if "current" in str(error) else "password"
            return self.refuse(form, str(error), field)
        return self.redirect("account", "Your password has been changed.")


@view_config(
    route_name="admin_accounts",
    renderer="accounts/admin_list.jinja2",
    request_method=FORM_METHODS,
    permission=Permission.ADMIN_ACCOUNTS_READ,
)
def admin_accounts(request):
    search = request.params.get("q", "").strip()[:100]
    role = request.params.get("role", "")
    query = select(Account).order_by(Account.display_name, Account.id)
    if search:
        pattern = contains_pattern(search.lower())
        query = query.where(
            or_(
                Account.email.like(pattern, escape=LIKE_ESCAPE),
                Account.display_name.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if role in {r.value for r in GRANTABLE_ROLES}:
        query = query.where(
            Account.id.in_(select(RoleGrant.account_id).where(RoleGrant.role == Role(role)))
        )
    else:
        role = ""
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {"page": page, "search": search, "role": role, "roles": GRANTABLE_ROLES}


@form_page(
    "admin_account",
    "accounts/admin_account.jinja2",
    Permission.ADMIN_ACCOUNTS_READ,
    post_permission=Permission.ADMIN_ROLES_GRANT,
)
class AdminAccountPage(FormPage):
    schema = RolesSchema
    submit_label = "Save roles"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.account = request.dbsession.get(Account, int(request.matchdict["account_id"]))
        if self.account is None:
            raise HTTPNotFound()

    def initial(self):
        return {"roles": {grant.role.value for grant in self.account.role_grants}}

    def extra(self):
        can_grant = self.request.has_permission(Permission.ADMIN_ROLES_GRANT)
        return {"account": self.account, "can_grant": can_grant}

    def succeed(self, form, appstruct):
        wanted = {Role(value) for value in appstruct["roles"]}
        held = {grant.role: grant for grant in self.account.role_grants}
        actor = self.request.account
        if actor.id == self.account.id and Role.ADMINISTRATOR in held.keys() - wanted:
            # Another administrator must do it, so that tmo is never left without one.
            return self.refuse(form, "You cannot remove your own administrator role.", "roles")
        for role in wanted - held.keys():
            self.account.role_grants.append(RoleGrant(role=role, granted_by_id=actor.id))
            audit.record(
                self.request.dbsession,
                "role.granted",
                actor_id=actor.id,
                target=self.account,
                role=role.value,
            )
        for role in held.keys() - wanted:
            self.account.role_grants.remove(held[role])
            audit.record(
                self.request.dbsession,
                "role.revoked",
                actor_id=actor.id,
                target=self.account,
                role=role.value,
            )
        return self.redirect("admin_account", "Roles saved.", account_id=self.account.id)
