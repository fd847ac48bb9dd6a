"""The page cache (tmo.page_cache): a page read again is answered from memory, and never once
anything it shows has changed: a write by anyone, in this process or another, a change made
straight in the database (within the minute), a login that has ended, a message waiting."""

import contextlib
import secrets
import tempfile
from datetime import UTC, datetime, timedelta

import webtest
from alembic import command
from sqlalchemy import create_engine, make_url, update

import tmo
from tests import factories
from tests.conftest import log_in
from tests.elections_setup import fresh, poll_open, web_request
from tmo.models import get_session_factory
from tmo.models.accounts import Account, LoginSession
from tmo.permissions import Role
from tmo.scripts.migrate import alembic_config
from tmo.services import elections

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def rename(dbsession, account, name):
    dbsession.get(Account, account.id).display_name = name


def test_a_page_read_again_asks_the_database_one_question(testapp, logged_in, statements):
    logged_in(Role.MEMBER, display_name="Amara Osei")
    first = testapp.get("/account")
    with statements as sent:
        again = testapp.get("/account")
    assert again.text == first.text
    assert "Amara Osei" in again.text
    assert len(sent) == 1, sent.sent


def test_a_change_committed_by_anyone_shows_at_the_next_read(testapp, dbsession, logged_in):
    account = logged_in(Role.MEMBER, display_name="Amara Osei")
    assert "Amara Osei" in testapp.get("/account")
    rename(dbsession, account, "Amara Mensah")
    dbsession.commit()
    page = testapp.get("/account")
    assert "Amara Mensah" in page
    assert "Amara Osei" not in page


def test_a_change_not_yet_committed_is_seen_by_its_own_transaction(testapp, dbsession, logged_in):
    account = logged_in(Role.MEMBER, display_name="Amara Osei")
    assert "Amara Osei" in testapp.get("/account")
    rename(dbsession, account, "Amara Mensah")
    dbsession.flush()
    assert "Amara Mensah" in testapp.get("/account")


def test_a_change_made_straight_in_the_database_shows_within_the_minute(
    testapp, dbsession, logged_in, clock
):
    clock.moment = NOON
    account = logged_in(Role.MEMBER, display_name="Amara Osei")
    assert "Amara Osei" in testapp.get("/account")
    # An UPDATE that goes round tmo (a database console): no token changes.
    dbsession.get_bind().execute(
        update(Account).where(Account.id == account.id).values(display_name="Amara Mensah")
    )
    clock.moment = NOON + timedelta(seconds=59)
    assert "Amara Osei" in testapp.get("/account")
    clock.moment = NOON + timedelta(minutes=1)
    assert "Amara Mensah" in testapp.get("/account")


def test_a_page_kept_for_a_login_is_not_served_once_the_login_has_expired(
    testapp, dbsession, logged_in, clock
):
    clock.moment = NOON
    account = logged_in(Role.MEMBER, display_name="Amara Osei")
    dbsession.execute(
        update(LoginSession)
        .where(LoginSession.account_id == account.id)
        .values(expires_at=NOON + timedelta(seconds=30))
    )
    dbsession.commit()
    assert "Amara Osei" in testapp.get("/account")
    clock.moment = NOON + timedelta(seconds=20)
    assert "Amara Osei" in testapp.get("/account")
    clock.moment = NOON + timedelta(seconds=31)
    page = testapp.get("/account", status=302)
    assert "/login" in page.location


def log_out(browser, page):
    [form] = [form for form in page.forms.values() if form.action.endswith("/logout")]
    form.submit()


def test_a_page_kept_for_a_login_is_not_served_after_logging_out(testapp, logged_in):
    logged_in(Role.MEMBER, display_name="Amara Osei")
    cookie = "; ".join(f"{c.name}={c.value}" for c in testapp.cookiejar)
    page = testapp.get("/account")
    assert "Amara Osei" in page
    log_out(testapp, page)
    # The old cookies sent again, as a copied browser profile would.
    replayed = testapp.get("/account", headers={"Cookie": cookie}, status=302)
    assert "/login" in replayed.location


def test_a_message_waiting_is_shown_once_and_the_page_then_kept(testapp, statements):
    account = factories.AccountFactory(roles=[Role.MEMBER], display_name="Amara Osei")
    welcome = log_in(testapp, account.email)
    assert "You are logged in as Amara Osei." in welcome
    again = testapp.get(welcome.request.path)
    assert "You are logged in as" not in again
    with statements as sent:
        assert testapp.get(welcome.request.path).text == again.text
    assert len(sent) == 1


@contextlib.contextmanager
def database_of_its_own(app_settings):
    """A new, migrated database beside the test database, dropped after: writes really commit."""
    url = make_url(app_settings["sqlalchemy.url"])
    if url.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/pages.sqlite"
        return
    name = f"{url.database}_pages_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_two_serving_processes_each_see_a_write_at_their_next_read(app_settings):
    """Two apps on one database, each keeping its own pages as two serving processes do, and a
    script writing beside them: every write is a real commit."""
    with database_of_its_own(app_settings) as url:
        settings = dict(app_settings, **{"sqlalchemy.url": url})
        command.upgrade(alembic_config(settings=settings), "head")
        first, second = (tmo.main({}, **settings) for _ in range(2))
        factory = get_session_factory(first.registry["dbengine"])
        with factory() as script:
            factories.bind(script)
            factories.AccountFactory(
                roles=[Role.MEMBER], display_name="Amara Osei", email="amara@example.org"
            )
        browsers = [
            webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
            for app in (first, second)
        ]
        for browser in browsers:
            log_in(browser, "amara@example.org")
            assert "Amara Osei" in browser.get("/account")
            assert "Amara Osei" in browser.get("/account")
        assert all(len(app.registry["tmo.pages"]) for app in (first, second))

        # Written by a script, committed: both processes see it at once.
        with factory() as script:
            script.execute(
                update(Account)
                .where(Account.email == "amara@example.org")
                .values(display_name="Amara Mensah")
            )
            script.commit()
        for browser in browsers:
            assert "Amara Mensah" in browser.get("/account")

        # Written through one process (logging out): the other's page is not served again.
        cookie = "; ".join(f"{c.name}={c.value}" for c in browsers[0].cookiejar)
        log_out(browsers[0], browsers[0].get("/account"))
        replayed = browsers[1].get("/account", headers={"Cookie": cookie}, status=302)
        assert "/login" in replayed.location
        first.registry["dbengine"].dispose()
        second.registry["dbengine"].dispose()


def test_a_ballot_cast_shows_in_the_turnout_at_the_next_read(testapp, dbsession, app):
    """A cast writes on the session's connection, round the session's events: it still changes
    the token, so the election's page kept from before the cast is not served again."""
    election, people = poll_open(dbsession, web_request(app, dbsession))
    dbsession.commit()
    log_in(testapp, people[-1].account.email)
    voters = len(people)
    page = f"/elections/{election.id}"
    assert f"Turnout so far: 0 of {voters}" in testapp.get(page)
    assert f"Turnout so far: 0 of {voters}" in testapp.get(page)
    form = testapp.get(f"{page}/ballot").forms["ballot"]
    candidate = elections.accepted(fresh(dbsession, election))[0]
    form[f"rank-{candidate.id}"] = "1"
    assert "Your vote is cast" in form.submit().forms["cast"].submit()
    assert f"Turnout so far: 1 of {voters}" in testapp.get(page)
