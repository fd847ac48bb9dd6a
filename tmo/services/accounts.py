"""Accounts: registering, verifying an email address, logging in and out, and passwords.

Passwords are hashed with argon2id at OWASP's parameters. A known and an unknown email address get
the same answer (and the same work), failures are throttled per account and per address, and the
login session id is new at every log-in and deleted at log-out.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pyramid.csrf import new_csrf_token
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from tmo.models.accounts import Account, AccountToken, LoginSession, RoleGrant
from tmo.permissions import GRANTABLE_ROLES, Role
from tmo.refusal import Refusal
from tmo.rules.accounts import normalise_email, normalise_password, password_problem
from tmo.services import audit, notices, throttle
from tmo.services.search import LIKE_ESCAPE, contains_pattern

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
PASSWORD_HASHER = PasswordHasher(
    time_cost=2, memory_cost=19_456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# Checked against when the email is unknown, so that both answers take the same time.
_DECOY_HASH = PASSWORD_HASHER.hash(secrets.token_urlsafe(24))

SESSION_COOKIE = "tmo_session"
VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 (a token purpose, not a password)
# A link's purpose -> (its route, the setting of its lifetime in hours, the default).
EMAILED_LINKS = {
    VERIFY_EMAIL: ("verify_email", "tmo.verify_email_hours", 48),
    RESET_PASSWORD: ("password_reset", "tmo.reset_password_hours", 1),
}


class AccountError(Refusal):
    """A refusal the person can act on; the message is shown to them."""


class LoginFailed(AccountError):
    # The failed attempt is counted for throttling: that write must stand.
    keeps_writes = True
    field = "email"


class EmailNotVerified(AccountError):
    # The new link sent must stand.
    keeps_writes = True
    field = "email"

    def __init__(self, account):
        super().__init__("Confirm your email address first: we have sent you a new link.")
        self.account = account


class Throttled(AccountError):
    """Too many attempts: the answer is a page of its own (429), saying how long to wait."""

    keeps_writes = True

    def __init__(self, retry_after: int):
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many attempts. Please wait {minutes} minute{'s' if minutes != 1 else ''} "
            "and try again."
        )
        self.retry_after = retry_after


def _setting_hours(request, key, default) -> timedelta:
    return timedelta(hours=float(request.registry.settings.get(key, default)))


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(normalise_password(password))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_by_email(dbsession, email: str) -> Account | None:
    return dbsession.scalar(select(Account).where(Account.email == normalise_email(email)))


def _client(request) -> str:
    return request.client_addr or "unknown"


def _count_or_refuse(request, checks) -> None:
    """Count this attempt under every key, before anything is judged; refuse it past a limit."""
    wait = throttle.count_all(request.dbsession, request.registry.settings, checks, request.now)
    if wait:
        raise Throttled(wait)


def _counted_lookup(request, email: str, per_email: str, per_address: str) -> Account | None:
    """The account of ``email``, if any, once the asking is counted under both throttles."""
    email = normalise_email(email)
    _count_or_refuse(request, [(per_email, email), (per_address, _client(request))])
    return account_by_email(request.dbsession, email)


def _refuse_weak(password: str, *, email: str, display_name: str) -> None:
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise AccountError(problem, "password")


# Tokens ---------------------------------------------------------------------------------------


def issue_token(request, account: Account, purpose: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    request.dbsession.add(
        AccountToken(
            account=account,
            purpose=purpose,
            token_hash=_token_digest(token),
            expires_at=request.now + lifetime,
        )
    )
    return token


def link_lifetime(request, purpose: str) -> timedelta:
    _, setting, default_hours = EMAILED_LINKS[purpose]
    return _setting_hours(request, setting, default_hours)


def describe_lifetime(lifetime: timedelta) -> str:
    """'48 hours', '1 hour', '30 minutes': how long a link works, in words."""
    minutes = int(lifetime.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def email_link(request, account: Account, purpose: str) -> None:
    """Mail ``account`` a single-use link for ``purpose`` (its template has the same name)."""
    route = EMAILED_LINKS[purpose][0]
    lifetime = link_lifetime(request, purpose)
    token = issue_token(request, account, purpose, lifetime)
    notices.send_email(
        request,
        kind=purpose,
        template=purpose,
        to=notices.account_recipient(account),
        account=account,
        link=request.route_url(route, token=token),
        lifetime=describe_lifetime(lifetime),
    )


def valid_token(dbsession, token: str, purpose: str, now: datetime) -> AccountToken | None:
    """The token of ``purpose``, unused and unexpired at ``now``, or None."""
    found = dbsession.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _token_digest(token), AccountToken.purpose == purpose
        )
    )
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    return found


# Registration ---------------------------------------------------------------------------------


def register_account(request, *, email: str, display_name: str, password: str) -> None:
    """Create an unverified account and send the verification link.

    An address that already has an account gets a note saying so instead, and the person at the
    screen sees exactly the same page either way.
    """
    checks = [("register_address", _client(request))]
    _count_or_refuse(request, checks)
    email = normalise_email(email)
    _refuse_weak(password, email=email, display_name=display_name)
    # Hashed whether or not the address has an account: the hash is most of the work, and an
    # answer as quick for a known address as it is slow for a new one would tell them apart.
    password_hash = hash_password(password)
    existing = account_by_email(request.dbsession, email)
    if existing is not None:
        _tell_already_registered(request, existing)
        audit.record(
            request.dbsession, "account.registration_repeated", actor_id=None, target=existing
        )
        return
    account = Account(email=email, display_name=display_name, password_hash=password_hash)
    request.dbsession.add(account)
    request.dbsession.flush()
    send_verification(request, account)
    audit.record(request.dbsession, "account.registered", actor_id=account.id, target=account)


def _tell_already_registered(request, account: Account) -> None:
    notices.send_email(
        request,
        kind="already_registered",
        template="already_registered",
        to=notices.account_recipient(account),
        account=account,
        login_url=request.route_url("login"),
        reset_url=request.route_url("password_forgotten"),
    )


def send_verification(request, account: Account) -> None:
    email_link(request, account, VERIFY_EMAIL)


def resend_registration(request, email: str) -> None:
    """Send again what registering with ``email`` sent: a new confirmation link to an
    unconfirmed account, the "you already have an account" note to a confirmed one, nothing
    where there is no account. The person at the screen sees the same page in every case."""
    account = _counted_lookup(request, email, "register_resend", "register_address")
    if account is None:
        return
    if account.is_verified:
        _tell_already_registered(request, account)
    else:
        send_verification(request, account)
    audit.record(request.dbsession, "account.registration_resent", actor_id=None, target=account)


def verify_email(request, token: str) -> Account | None:
    found = valid_token(request.dbsession, token, VERIFY_EMAIL, request.now)
    if found is None:
        return None
    found.used_at = request.now
    account = found.account
    if account.email_verified_at is None:
        account.email_verified_at = request.now
        audit.record(
            request.dbsession, "account.email_verified", actor_id=account.id, target=account
        )
    return account


# Logging in and out ---------------------------------------------------------------------------


def authenticate(request, email: str, password: str) -> Account:
    """The account whose password this is; raises LoginFailed, Throttled or EmailNotVerified.

    The attempt is counted (per account and per address) before the password is checked, so
    that guesses made at the same moment cannot all be judged: each waits for the count the one
    before it left. A success is forgiven, as the limit counts failures. The count holds
    SQLite's write lock through the (deliberately slow) check: the price of counting first.
    """
    email = normalise_email(email)
    checks = [("login_account", email), ("login_address", _client(request))]
    _count_or_refuse(request, checks)
    found = account_by_email(request.dbsession, email)
    candidate = normalise_password(password)
    try:
        PASSWORD_HASHER.verify(found.password_hash if found else _DECOY_HASH, candidate)
        matched = found is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        matched = False
    if not matched:
        if found is not None:
            audit.record(request.dbsession, "account.login_failed", actor_id=None, target=found)
        raise LoginFailed("The email address or password is not right.")
    throttle.forgive_all(request.dbsession, request.registry.settings, checks)
    if not found.is_verified:
        send_verification(request, found)
        raise EmailNotVerified(found)
    if PASSWORD_HASHER.check_needs_rehash(found.password_hash):
        found.password_hash = hash_password(password)
    return found


def _set_session_cookie(request, token: str | None) -> None:
    lifetime = _setting_hours(request, "tmo.session_hours", 12)

    def callback(request, response):
        if token is None:
            response.delete_cookie(SESSION_COOKIE, path="/")
        else:
            response.set_cookie(
                SESSION_COOKIE,
                token,
                max_age=int(lifetime.total_seconds()),
                path="/",
                httponly=True,
                samesite="Lax",
            )

    request.add_response_callback(callback)


def start_session(request, account: Account) -> None:
    """Log ``account`` in with a brand-new session id (never one the browser brought)."""
    _delete_session_row(request)
    token = secrets.token_urlsafe(32)
    request.dbsession.add(
        LoginSession(
            account=account,
            token_hash=_token_digest(token),
            expires_at=request.now + _setting_hours(request, "tmo.session_hours", 12),
        )
    )
    account.last_login_at = request.now
    request.session.invalidate()
    new_csrf_token(request)
    _set_session_cookie(request, token)
    audit.record(request.dbsession, "account.logged_in", actor_id=account.id, target=account)


def _delete_session_row(request) -> bool:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.dbsession.execute(
            delete(LoginSession).where(LoginSession.token_hash == _token_digest(token))
        )
    return bool(token)


def end_session(request) -> None:
    """Log out: the session id is deleted on the server, not only forgotten by the browser."""
    account = request.account
    if _delete_session_row(request):
        _set_session_cookie(request, None)
    if account is not None:
        audit.record(request.dbsession, "account.logged_out", actor_id=account.id, target=account)
    request.session.invalidate()
    new_csrf_token(request)


def end_every_session(dbsession, account: Account) -> None:
    dbsession.execute(delete(LoginSession).where(LoginSession.account_id == account.id))


# One query for the session's expiry, its account and the roles every permission check reads, the
# roles as one string of plain values rather than a joined collection of RoleGrant objects
# (building those cost more than the query); built once, as every logged-in request runs it.
SESSION_BY_TOKEN = (
    select(
        Account,
        LoginSession.expires_at,
        select(func.aggregate_strings(RoleGrant.role, " "))
        .where(RoleGrant.account_id == Account.id)
        .scalar_subquery(),
    )
    .join(LoginSession, LoginSession.account_id == Account.id)
    .where(LoginSession.token_hash == bindparam("token_hash"))
)


def account_for_session_token(dbsession, token: str, now: datetime) -> Account | None:
    """The account logged in by the session ``token``, if the session has not expired by
    ``now``."""
    found = session_login(dbsession, token, now)
    return found[0] if found else None


def session_login(
    dbsession, token: str, now: datetime
) -> tuple[Account, frozenset[Role], datetime] | None:
    """The account logged in by the session ``token``, the roles it holds and when the session
    expires, if it has not expired by ``now``: one query, on every request that carries a session
    cookie."""
    found = dbsession.execute(SESSION_BY_TOKEN, {"token_hash": _token_digest(token)}).first()
    if found is None or found[1] <= now:
        return None
    granted = (Role(value) for value in (found[2] or "").split())
    return found[0], frozenset({Role.RESIDENT, *granted}), found[1]


# Passwords ------------------------------------------------------------------------------------


def request_password_reset(request, email: str) -> None:
    """Send a reset link if the address has an account; the answer is the same if not."""
    account = _counted_lookup(request, email, "reset_account", "reset_address")
    if account is None:
        return
    email_link(request, account, RESET_PASSWORD)
    audit.record(
        request.dbsession, "account.password_reset_requested", actor_id=None, target=account
    )


def reset_password(request, token: str, new_password: str) -> Account:
    """Set a new password from a reset link, end every other session and log the owner in.

    Logging in here is what keeps an attacker's failed guesses from ever locking the owner out.
    """
    found = valid_token(request.dbsession, token, RESET_PASSWORD, request.now)
    if found is None:
        raise AccountError("This link has expired or has already been used. Ask for a new one.")
    account = found.account
    _refuse_weak(new_password, email=account.email, display_name=account.display_name)
    # Used once, even when the link is followed many times at once: only the first update
    # finds it unused (the others wait for it, then find it used).
    taken = request.dbsession.execute(
        update(AccountToken)
        .where(AccountToken.id == found.id, AccountToken.used_at.is_(None))
        .values(used_at=request.now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise AccountError("This link has expired or has already been used. Ask for a new one.")
    request.dbsession.refresh(found)
    _set_password(request, account, new_password)
    # Following the link proves the address is theirs.
    account.email_verified_at = account.email_verified_at or request.now
    throttle.Throttle(request.dbsession, request.registry.settings, "login_account").clear(
        account.email
    )
    audit.record(request.dbsession, "account.password_reset", actor_id=account.id, target=account)
    start_session(request, account)
    return account


def change_password(request, account: Account, current: str, new_password: str) -> None:
    try:
        PASSWORD_HASHER.verify(account.password_hash, normalise_password(current))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AccountError("Your current password is not right.", "current_password") from None
    _refuse_weak(new_password, email=account.email, display_name=account.display_name)
    _set_password(request, account, new_password)
    audit.record(request.dbsession, "account.password_changed", actor_id=account.id, target=account)
    start_session(request, account)


def _set_password(request, account: Account, new_password: str) -> None:
    account.password_hash = hash_password(new_password)
    account.password_changed_at = request.now
    end_every_session(request.dbsession, account)
    for token in request.dbsession.scalars(
        select(AccountToken).where(
            AccountToken.account_id == account.id,
            AccountToken.purpose == RESET_PASSWORD,
            AccountToken.used_at.is_(None),
        )
    ):
        token.used_at = request.now


def accounts_holding(dbsession, role) -> list[tuple[str, str]]:
    """(account id, "Name (email)") for everyone holding ``role``, by name: a form's choices."""
    rows = dbsession.execute(
        select(Account.id, Account.display_name, Account.email)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == role)
        .order_by(Account.display_name)
    ).all()
    return [(str(row.id), f"{row.display_name} ({row.email})") for row in rows]


# Administration -------------------------------------------------------------------------------


def grantable_role(value: str) -> Role | None:
    """The role an administrator grants that ``value`` names, or None."""
    return Role(value) if value in {role.value for role in GRANTABLE_ROLES} else None


def accounts_query(search: str, role: Role | None):
    """Every account, by name; only those whose email or name holds ``search``, and who hold
    ``role``, when given."""
    query = (
        select(Account)
        .options(selectinload(Account.role_grants))
        .order_by(Account.display_name, Account.id)
    )
    if search:
        pattern = contains_pattern(search.lower())
        query = query.where(
            or_(
                Account.email.like(pattern, escape=LIKE_ESCAPE),
                Account.display_name.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if role is not None:
        query = query.where(
            Account.id.in_(select(RoleGrant.account_id).where(RoleGrant.role == role))
        )
    return query


def set_roles(dbsession, account: Account, wanted: set[Role], actor: Account) -> None:
    """Grant ``account`` the roles in ``wanted`` it lacks and take away those it holds beyond."""
    held = {grant.role: grant for grant in account.role_grants}
    if actor.id == account.id and Role.ADMINISTRATOR in held.keys() - wanted:
        # Another administrator must do it, so that tmo is never left without one.
        raise AccountError("You cannot remove your own administrator role.", "roles")
    for role in wanted - held.keys():
        account.role_grants.append(RoleGrant(role=role, granted_by_id=actor.id))
        audit.record(dbsession, "role.granted", actor_id=actor.id, target=account, role=role.value)
    for role in held.keys() - wanted:
        account.role_grants.remove(held[role])
        audit.record(dbsession, "role.revoked", actor_id=actor.id, target=account, role=role.value)
