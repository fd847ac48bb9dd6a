"""Security defaults: every view guarded, CSRF on every unsafe request, 405s, headers, roles."""

import pytest
import webtest
from pyramid.interfaces import IExceptionResponse
from pyramid.security import NO_PERMISSION_REQUIRED

import tmo
from tests.factories import PASSWORD, AccountFactory
from tmo.permissions import (
    PUBLIC_ROUTES,
    UNLABELLED_VIEW_PERMISSION,
    Permission,
    Role,
)
from tmo.security.permits import PERMITS
from tmo.views import ROUTES


def registered_views(app):
    for item in app.registry.introspector.get_category("views"):
        yield item["introspectable"]


def view_permission(app, view):
    """The permission a view was registered with (None if it named none)."""
    for related in app.registry.introspector.related(view):
        if related.category_name == "permissions":
            return related["value"]
    return None


def test_every_view_names_a_permission_or_is_on_the_public_list(app):
    checked = 0
    for view in registered_views(app):
        context = view["context"]
        is_error = isinstance(context, type) and issubclass(context, BaseException)
        if view["exception_only"] or is_error or context is IExceptionResponse:
            continue  # exception views render errors; they guard nothing
        route, permission = view["route_name"], view_permission(app, view)
        assert route is not None, f"a view without a route: {view['callable']}"
        if route in PUBLIC_ROUTES:
            assert permission == NO_PERMISSION_REQUIRED, f"{route} is public but names {permission}"
        else:
            assert permission in set(Permission), f"{route} has no permission ({permission})"
        checked += 1
    routes_with_views = {view["route_name"] for view in registered_views(app)}
    assert {name for name, _ in ROUTES} <= routes_with_views
    assert checked >= len(ROUTES)


def test_a_view_that_forgets_its_permission_is_refused(app_settings, dbsession):
    config = tmo.make_config({}, **app_settings)
    config.add_route("forgotten", "/forgotten")
    config.add_view(lambda request: {"leaked": True}, route_name="forgotten", renderer="json")
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"tmo.dbsession": dbsession})
    assert app.get("/forgotten", expect_errors=True).status_int in (302, 403)
    account = AccountFactory(roles=list(Role))
    from tests.conftest import log_in

    log_in(app, account.email)
    assert app.get("/forgotten", expect_errors=True).status_int == 403
    assert UNLABELLED_VIEW_PERMISSION not in PERMITS


@pytest.mark.parametrize("path", ["/login", "/register", "/password/forgotten", "/logout"])
def test_unsafe_requests_without_the_csrf_token_are_refused(testapp, path):
    response = testapp.post(path, {"email": "a@example.org"}, expect_errors=True)
    assert response.status_int == 400
    assert "This form has expired" in response.text


def test_a_csrf_token_from_another_browser_is_refused(testapp, app, dbsession):
    form = testapp.get("/login").forms["form"]
    other = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    other.get("/login")
    response = other.post(
        "/login",
        {"csrf_token": form["csrf_token"].value, "email": "a@example.org", "password": "x" * 9},
        expect_errors=True,
    )
    assert response.status_int == 400


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/logout", "POST"),
        ("put", "/login", "GET, HEAD, POST"),
        ("delete", "/", "GET, HEAD"),
        ("post", "/constitution", "GET, HEAD"),
    ],
)
def test_methods_a_route_does_not_answer_get_405_with_allow(testapp, method, path, allowed):
    kwargs = {"expect_errors": True}
    if method in ("post", "put", "delete"):
        testapp.get("/login")
        kwargs["headers"] = {"X-CSRF-Token": testapp.cookies.get("tmo_csrf", "")}
    response = getattr(testapp, method)(path, **kwargs)
    assert response.status_int == 405
    assert response.headers["Allow"] == allowed


def test_every_response_carries_the_security_headers(testapp):
    for path in ("/", "/login", "/no-such-page", "/static/tmo.css"):
        response = testapp.get(path, expect_errors=True)
        csp = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'nonce-" in directives["script-src"]
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_csp_nonce_is_new_for_every_request(testapp):
    first = testapp.get("/").headers["Content-Security-Policy"]
    second = testapp.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_pages_use_no_external_assets(testapp):
    page = testapp.get("/")
    for tag in page.html.select("link[href], script[src], img[src]"):
        url = tag.get("href") or tag.get("src")
        assert url.startswith("http://localhost/static/"), url
    assert testapp.get("/static/tmo.css").content_type == "text/css"


ADMIN_PAGES = ["/admin/accounts", "/admin/constitution", "/admin/audit"]


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ((), set()),
        ((Role.MEMBER, Role.DIRECTOR, Role.CHAIR), set()),
        ((Role.YOUTH_MEMBER, Role.YOUTH_WORKER, Role.RETURNING_OFFICER), set()),
        ((Role.SCRUTINEER,), {"/admin/audit"}),
        ((Role.SECRETARY,), {"/admin/accounts", "/admin/audit"}),
        ((Role.ADMINISTRATOR,), set(ADMIN_PAGES)),
    ],
)
def test_roles_decide_which_admin_pages_open(testapp, logged_in, roles, allowed):
    logged_in(*roles)
    for path in ADMIN_PAGES:
        response = testapp.get(path, expect_errors=True)
        assert response.status_int == (200 if path in allowed else 403), path
        if path not in allowed:
            assert "You cannot see this page" in response.text


def test_anonymous_visitors_are_sent_to_log_in(testapp):
    for path in [*ADMIN_PAGES, "/account", "/account/password"]:
        response = testapp.get(path)
        assert response.status_int == 302
        assert response.location.startswith("http://localhost/login?next=")


def test_a_person_may_hold_several_roles(testapp, logged_in):
    logged_in(Role.SCRUTINEER, Role.SECRETARY)
    assert testapp.get("/admin/accounts").status_int == 200
    assert testapp.get("/admin/audit").status_int == 200
    assert testapp.get("/admin/constitution", expect_errors=True).status_int == 403


def test_the_scrutineer_reads_but_cannot_change_roles(testapp, logged_in):
    logged_in(Role.SCRUTINEER, Role.SECRETARY)
    target = AccountFactory()
    page = testapp.get(f"/admin/accounts/{target.id}")
    assert "Save roles" not in page.text
    response = testapp.post(
        f"/admin/accounts/{target.id}",
        {"csrf_token": testapp.cookies["tmo_csrf"], "roles": "administrator"},
        expect_errors=True,
    )
    assert response.status_int == 403


def test_error_pages_reveal_nothing_internal(app_settings, dbsession):
    config = tmo.make_config({}, **app_settings)
    config.add_route("boom", "/boom")

    def boom(request):
        raise RuntimeError("secret internal detail /etc/passwd")

    config.add_view(boom, route_name="boom", permission=NO_PERMISSION_REQUIRED)
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"tmo.dbsession": dbsession})
    response = app.get("/boom", expect_errors=True)
    assert response.status_int == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    not_found = app.get("/nowhere", expect_errors=True)
    assert not_found.status_int == 404
    assert "Page not found" in not_found.text


def test_the_error_page_reads_nothing_from_a_failed_database(app_settings, dbsession):
    """A request whose database has failed (a full disk, a lost connection) gets tmo's 500 page:
    the page itself reads nothing from the database, where reading again raised past it."""
    from sqlalchemy.exc import OperationalError

    from tmo.constitution import Constitution

    page = webtest.TestApp(tmo.main({}, **app_settings), extra_environ={"tmo.dbsession": dbsession})
    assert page.get("/").status_int == 200

    def database_gone(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database or disk is full"))

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr("tmo.services.constitution.constitution_on", database_gone)
        # Another page than the one read first, which the page cache would serve again.
        response = page.get("/board", expect_errors=True)
    assert response.status_int == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "What you entered has not been saved" in response.text
    assert Constitution().organisation_name in response.text
    assert "disk is full" not in response.text


def flash_cookies(response) -> list[str]:
    return [c for c in response.headers.getall("Set-Cookie") if c.startswith("tmo_flash=")]


def test_a_message_is_shown_once_and_a_page_with_none_waiting_sets_no_cookie(testapp, dbsession):
    assert flash_cookies(testapp.get("/")) == []
    account = AccountFactory()
    form = testapp.get("/login").forms["form"]
    form["email"], form["password"] = account.email, PASSWORD
    page = form.submit("submit").follow()
    assert f"You are logged in as {account.display_name}." in page.text
    assert flash_cookies(page)  # the message taken off the session

    again = testapp.get("/needs-you")
    assert "You are logged in as" not in again.text
    assert flash_cookies(again) == []
