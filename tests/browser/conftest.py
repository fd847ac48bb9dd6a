"""Browser tests drive Debian's Chromium through Playwright against tmo served by waitress on a free
localhost port, over a database of their own (a temporary SQLite file, or a ``<name>_browser``
PostgreSQL database beside TMO_TEST_DATABASE_URL) holding the demo TMO; ``assert_accessible`` runs
axe-core's WCAG 2.2 AA rules on a page. Without Chromium, Playwright or axe-playwright-python the
tests skip, except in CI (``CI`` set), where a browser test that cannot run fails instead.
"""

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import waitress
from pyramid.paster import get_appsettings
from sqlalchemy.engine import URL, make_url
from waitress import wasyncore

import tmo
from tests.ci import skip_or_fail
from tests.mail import sent_mail
from tmo.demo import load_demo
from tmo.models import get_engine, get_session_factory
from tmo.scripts.migrate import upgrade
from tmo.settings import ENVIRONMENT_SETTINGS, finalise, normalise_database_url

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by the browser_requirements fixture
    sync_playwright = None
try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # reported by the browser_requirements fixture
    Axe = None

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network but localhost, and CI runs as root (hence --no-sandbox).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TESTING_INI = Path(__file__).resolve().parents[2] / "ini" / "testing.ini"
# axe-core tags for WCAG 2.2 level AA: each version's A and AA rules (2.2 added AA rules only).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def unavailable(reason: str) -> None:
    """Skip a browser test that cannot run here; in CI, fail it instead."""
    skip_or_fail(reason, "browser tests")


@pytest.fixture(scope="session", autouse=True)
def browser_requirements() -> None:
    """Chromium, Playwright and axe, checked before any server or database is set up."""
    if sync_playwright is None:
        unavailable("playwright is not installed: pip install -e '.[test]'")
    if Axe is None:
        unavailable("axe-playwright-python is not installed: pip install -e '.[test]'")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium")


# -- The live server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """Where the app listens, and the app itself (its registry holds the mailer)."""

    url: str
    app: Callable

    @property
    def outbox(self) -> list:
        """Every message the app has sent (pyramid_mailer's DummyMailer, tmo.mail_mode memory),
        once the mail worker has sent what is waiting in the outbox."""
        with self.app.registry["dbsession_factory"]() as dbsession:
            return sent_mail(self.app.registry, dbsession)

    def mail_to(self, address: str) -> list:
        return [message for message in self.outbox if address in message.recipients]


@contextmanager
def postgresql_server(url: URL):
    """An autocommit connection to the ``postgres`` database of the server ``url`` names."""
    import psycopg

    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        yield connection


def drop_database(url: URL) -> None:
    from psycopg import sql

    with postgresql_server(url) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database))
        )


@contextmanager
def fresh_database(tmp_path_factory) -> Iterator[str]:
    """The URL of an empty database: a temporary SQLite file, or (when TMO_TEST_DATABASE_URL is
    set) a new PostgreSQL database named after that one with ``_browser`` added, dropped after."""
    base = os.environ.get("TMO_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser') / 'tmo.sqlite'}"
        return
    from psycopg import sql

    url = make_url(normalise_database_url(base))
    url = url.set(database=f"{url.database}_browser")
    drop_database(url)  # left behind by an interrupted run
    with postgresql_server(url) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        drop_database(url)


def load_demo_data(settings: dict) -> None:
    engine = get_engine(settings)
    try:
        with get_session_factory(engine)() as dbsession, dbsession.begin():
            loaded = load_demo(dbsession, date.today(), secret=settings["tmo.secret"])
            assert loaded, "the browser tests' database already held accounts"
    finally:
        engine.dispose()


def build_app(settings: dict):
    """tmo.main overlays the environment on its settings: hide any DATABASE_URL, TMO_MAIL_MODE...
    that is set, so the app uses the fresh database and keeps its mail in memory."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for variable in ENVIRONMENT_SETTINGS:
            monkeypatch.delenv(variable, raising=False)
        return tmo.main(None, **settings)


def stop_server(server, thread: threading.Thread) -> None:
    """Close the listening socket and every open connection from inside the server's own loop
    (which then finds its socket map empty and returns), then stop the worker threads."""
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()
    assert not thread.is_alive(), "the live server did not stop"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """tmo on http://127.0.0.1:<free port> for the whole session, over a fresh, migrated database
    holding the demo TMO as of today (tmo.demo: DEMO_ACCOUNTS, password DEMO_PASSWORD)."""
    with fresh_database(tmp_path_factory) as database_url:
        settings = dict(get_appsettings(str(TESTING_INI), name="main"))
        settings["sqlalchemy.url"] = database_url
        final = finalise(settings, environ={})
        upgrade(final)
        # Loaded before any test registers an account: load_demo leaves a database with accounts.
        load_demo_data(final)
        app = build_app(settings)
        try:
            server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
            thread = threading.Thread(target=server.run, name="tmo-live-server", daemon=True)
            thread.start()
            try:
                yield LiveServer(f"http://127.0.0.1:{server.effective_port}", app)
            finally:
                stop_server(server, thread)
        finally:
            app.registry["dbengine"].dispose()


# -- The browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless. Never `playwright install`: it downloads a browser."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a context of its own (no cookies shared between tests); page.goto("/register")
    is relative to the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/London"
    )
    try:
        yield context.new_page()
    finally:
        context.close()


# -- The navigation ----------------------------------------------------------------------------


def main_menu(page):
    """The main navigation with its menus unfolded (each is a details element: "Menu" at narrow
    widths, "Your work" and "Your account" at every width), as a person opens them to reach a
    link inside."""
    nav = page.get_by_role("navigation", name="Main")
    folded = nav.locator("details:not([open]) > summary").filter(visible=True)
    while folded.count():
        folded.first.click()
    return nav


# -- Accessibility -----------------------------------------------------------------------------


def describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html']}")
            for detail in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {detail.strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    return Axe()  # bundles axe.min.js: nothing is fetched


@pytest.fixture
def assert_accessible(axe) -> Callable:
    """``assert_accessible(page)``: axe-core finds no WCAG 2.2 AA violation on the page as it is.

    axe.min.js is injected with Playwright's evaluate (DevTools protocol), which the app's strict
    CSP (script-src 'self' 'nonce-...') does not govern, so the context needs no bypass_csp.
    """

    def check(page) -> None:
        options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
        violations = axe.run(page, options=options).response["violations"]
        assert not violations, describe_violations(page.url, violations)

    return check


def fill_date(page, legend: str, value) -> None:
    """Type a date ("YYYY-MM-DD" or a ``date``) into the day, month and year boxes of the
    group whose legend is ``legend``, as a person would."""
    year, month, day = str(value).split("-")
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(int(day)))
    group.get_by_label("Month").fill(str(int(month)))
    group.get_by_label("Year").fill(year)
