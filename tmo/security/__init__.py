"""Security: the policy that says who is logged in and what they may do, CSRF, and the headers
every response carries (CSP with a per-request nonce, nosniff, referrer policy, HSTS under https).

Who may do what is decided in one place, ``SecurityPolicy.permits``, from the table of
``tmo.security.permits`` over the person asking and the object asked about (the route's context).
Views and templates ask ``request.has_permission(permission, context)``.
"""

import json
import secrets

from pyramid.csrf import CookieCSRFStoragePolicy
from pyramid.events import NewResponse
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.security import Allowed, Denied
from pyramid.session import SignedCookieSessionFactory
from pyramid.tweens import EXCVIEW

from tmo.permissions import UNLABELLED_VIEW_PERMISSION
from tmo.security.identity import Identity
from tmo.security.permits import CONCEALED, first_granting
from tmo.services.accounts import SESSION_COOKIE, session_login


class Concealed(Denied):
    """A refusal that answers 404: the page does not exist for this person."""


class SecurityPolicy:
    """Identity from the login-session cookie; permissions from the table of permits."""

    def identity(self, request) -> Identity:
        return request.identity_of_request

    def authenticated_userid(self, request):
        account = request.account
        return account.id if account else None

    def permits(self, request, context, permission):
        checks = first_granting(permission, request.identity, context)
        if checks is not None:
            return Allowed(f"{permission} granted by {', '.join(c.__name__ for c in checks)}")
        refusal = Concealed if permission in CONCEALED else Denied
        return refusal(f"nothing grants {permission} here")

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def request_login(request):
    """(account, roles, expires at) of the request's login session, or None: one query a
    request. A page rendered for it is not served again from the page cache once it expires."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    login = session_login(request.dbsession, token, request.now)
    if login is not None:
        request.environ["tmo.login_expires_at"] = login[2]
    return login


def request_account(request):
    login = request.login
    return login[0] if login else None


def request_identity(request) -> Identity:
    account = request.account
    if account is None:
        return Identity(request, None)
    login = request.login
    # The roles the login session's query read with the account (unless something else set
    # request.account, as a script or test may: then the account's own).
    roles = login[1] if login and login[0] is account else None
    return Identity(request, account, roles)


def csp_nonce(request) -> str:
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(event):
    request, response = event.request, event.response
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(request.csp_nonce)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    # Checked by cookie, not by account: the transaction (and the database) is closed by now.
    if SESSION_COOKIE in request.cookies and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if request.scheme == "https" or request.registry.settings["tmo.secure_cookies"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        _mark_cookies_secure(response)


def _mark_cookies_secure(response):
    cookies = response.headers.getall("Set-Cookie")
    if not cookies:
        return
    del response.headers["Set-Cookie"]
    for cookie in cookies:
        if "; secure" not in cookie.lower():
            cookie += "; Secure"
        response.headers.add("Set-Cookie", cookie)


def refuse_nul_characters(handler, registry):
    """A tween: a request whose path or parameters carry a NUL character, or bytes that are not
    UTF-8 (``?q=%FF``), is refused with 400.

    No person types one, PostgreSQL refuses to store or compare one, and a view reading
    parameters that cannot be decoded would fail: without this a crafted query string or form
    would end in a 500."""

    def tween(request):
        try:
            unreadable = "\x00" in request.path_info or any(
                isinstance(value, str) and "\x00" in value for value in request.params.values()
            )
        except UnicodeDecodeError:
            unreadable = True
        if unreadable:
            raise HTTPBadRequest()
        return handler(request)

    return tween


# The most the flash messages waiting may take, serialised: the signed, base64-encoded cookie
# then stays well under a browser's 4 KB (a larger one cannot be set, and would fail the
# response after its request had committed).
FLASH_BYTES = 1800
FLASH_COOKIE = "tmo_flash"


def bounded_flashes(factory):
    """``factory``'s sessions, whose flash messages waiting to be shown are kept under
    ``FLASH_BYTES``: a message too long is cut, and the oldest waiting go first. A person who
    posts many forms without reading a page between them sees the latest messages."""

    def make_session(request):
        session = factory(request)
        flash = session.flash

        def bounded_flash(message, queue="", allow_duplicate=True):
            flash(_cut(str(message), FLASH_BYTES // 3), queue, allow_duplicate)
            queues = [key for key in session if key.startswith("_f_")]
            while sum(_size(session[key]) for key in queues) > FLASH_BYTES:
                longest = max(queues, key=lambda key: len(session[key]))
                del session[longest][0]
                session.changed()

        session.flash = bounded_flash
        return session

    return make_session


def waiting_flashes(request, queue: str) -> list:
    """The flash messages waiting in ``queue``, taken off the session. Where none waits the
    session is left as it is, so no response sets a cookie of an empty session (and a request
    that brought no flash cookie and has flashed nothing does not read one)."""
    if FLASH_COOKIE not in request.cookies and "session" not in vars(request):
        return []
    session = request.session
    return session.pop_flash(queue) if session.peek_flash(queue) else []


def _cut(message: str, limit: int) -> str:
    while _size(message) > limit:
        message = message[: max(len(message) * 3 // 4, 1) - 1] + "…"
    return message


def _size(value) -> int:
    return len(json.dumps(value))


def includeme(config):
    settings = config.get_settings()
    config.set_security_policy(SecurityPolicy())
    config.set_default_permission(UNLABELLED_VIEW_PERMISSION)
    config.set_csrf_storage_policy(
        CookieCSRFStoragePolicy(cookie_name="tmo_csrf", httponly=True, samesite="Lax")
    )
    config.set_default_csrf_options(require_csrf=True)
    # The Pyramid session carries flash messages only; who is logged in lives in the database.
    config.set_session_factory(
        bounded_flashes(
            SignedCookieSessionFactory(
                settings["tmo.secret"],
                cookie_name=FLASH_COOKIE,
                httponly=True,
                samesite="Lax",
                timeout=3600,
                reissue_time=None,
            )
        )
    )
    config.add_request_method(request_login, "login", reify=True)
    config.add_request_method(request_account, "account", reify=True)
    config.add_request_method(request_identity, "identity_of_request", reify=True)
    config.add_request_method(csp_nonce, "csp_nonce", reify=True)
    config.add_request_method(waiting_flashes, "flashes")
    config.add_subscriber(add_security_headers, NewResponse)
    # Under the exception views, so the refusal is rendered as tmo's 400 page.
    config.add_tween("tmo.security.refuse_nul_characters", under=EXCVIEW)
