"""Error pages: 403, 404, 405, 400 (expired form), 429 and 500, none revealing anything internal."""

import logging

from pyramid.csrf import new_csrf_token
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken, PredicateMismatch
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPFound, HTTPNotFound
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from pyramid_retry import is_error_retryable
from sqlalchemy.exc import OperationalError

from tmo.security import Concealed
from tmo.views import READ

log = logging.getLogger(__name__)


def _page(request, status: int, title: str, message: str, template="errors/error.jinja2"):
    request.response.status = status
    return {"title": title, "message": message}


@notfound_view_config(renderer="errors/error.jinja2")
def not_found(exc, request):
    """404 (or 405 for a method the route does not answer)."""
    if isinstance(exc, PredicateMismatch) and request.matched_route is not None:
        allowed = request.registry.get("route_methods", {}).get(request.matched_route.name, set())
        if allowed and request.method not in allowed:
            request.response.headers["Allow"] = ", ".join(sorted(allowed))
            return _page(
                request, 405, "Method not allowed", "This page cannot be used in that way."
            )
    return page_not_found(request)


def page_not_found(request):
    return _page(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. "
        "If you pasted the web address, check you copied the entire address.",
    )


@forbidden_view_config(renderer="errors/error.jinja2")
def forbidden(exc, request):
    """403; a page that does not exist for this person (yet) is a 404; someone not logged in
    is sent to log in."""
    if isinstance(getattr(exc, "result", None), Concealed):
        return page_not_found(request)
    if request.account is None and request.method in READ:
        return HTTPFound(request.route_url("login", _query={"next": request.path_qs}))
    return _page(
        request,
        403,
        "You cannot see this page",
        "Your account does not have permission for this page. If you think it should, "
        "ask your TMO's secretary.",
    )


@exception_view_config(BadCSRFToken, renderer="errors/error.jinja2")
@exception_view_config(BadCSRFOrigin, renderer="errors/error.jinja2")
def expired_form(exc, request):
    new_csrf_token(request)
    return _page(
        request,
        400,
        "This form has expired",
        "For your security, forms expire. Go back, reload the page and try again.",
    )


@exception_view_config(HTTPBadRequest, renderer="errors/error.jinja2")
def bad_request(exc, request):
    return _page(
        request,
        400,
        "Something in that request could not be understood",
        "Go back and try again. If you typed or pasted something unusual, try without it.",
    )


# What a database says when it gave up waiting: PostgreSQL's lock_timeout (55P03) and
# statement_timeout (57014), SQLite's busy timeout.
GAVE_UP_WAITING = ("55P03", "57014")


def gave_up_waiting(exc: OperationalError) -> bool:
    original = exc.orig
    if getattr(original, "sqlstate", None) in GAVE_UP_WAITING:
        return True
    return "database is locked" in str(original)


@exception_view_config(OperationalError, renderer="errors/failed.jinja2")
def busy(exc, request):
    """503 with Retry-After when the database gave up waiting for another transaction's lock
    (or a statement ran too long): nothing of the request was saved, and other pages answer
    meanwhile. Rendered without the database, like the 500 page."""
    if not gave_up_waiting(exc):
        return server_error(exc, request)
    if is_error_retryable(request, exc):
        # pyramid_retry runs the request again and this page is never sent.
        log.info("database busy on %s %s: run again", request.method, request.path)
    else:
        log.warning(
            "database busy on %s %s: %s %s",
            request.method,
            request.path,
            type(exc.orig),
            getattr(exc.orig, "sqlite_errorname", None) or getattr(exc.orig, "sqlstate", ""),
        )
    request.response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return _page(
        request,
        503,
        "The service is busy",
        "Nothing you entered has been saved. Wait a moment, then try again.",
    )


RETRY_AFTER_SECONDS = 10


@exception_view_config(Exception, renderer="errors/failed.jinja2")
def server_error(exc, request):
    """500, on a page that reads nothing from the database: the request's transaction may be
    the very thing that failed (a full disk, a lost connection), and reading through it would
    raise again, past this view."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _page(
        request,
        500,
        "Sorry, there is a problem with the service",
        "Try again later. What you entered has not been saved.",
    )


__all__ = ["HTTPForbidden", "HTTPNotFound"]
