"""The test harness: a real database migrated once per run, each test inside a SAVEPOINT that is
rolled back, and WebTest driving the whole application with that test's session injected.

The database is a temporary SQLite file, or the PostgreSQL database named by
``TMO_TEST_DATABASE_URL`` (which ``.ci/run`` creates and drops).
"""

import os
import re
from pathlib import Path

import pytest
import webtest
from pyramid.paster import get_appsettings
from pyramid_mailer.interfaces import IMailer
from sqlalchemy import event
from sqlalchemy.orm import Session

import tmo
from tests import factories
from tests.mail import sent_mail
from tmo.models import Base, get_engine
from tmo.scripts.migrate import alembic_config
from tmo.settings import finalise, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
TESTING_INI = str(ROOT / "ini" / "testing.ini")
PASSWORD = factories.PASSWORD


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TMO_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'tmo-test.sqlite'}"


@pytest.fixture(scope="session")
def app_settings(database_url) -> dict:
    settings = dict(get_appsettings(TESTING_INI, name="main"))
    settings["sqlalchemy.url"] = database_url
    return finalise(settings, environ={})


@pytest.fixture(scope="session")
def engine(app_settings):
    """The test database, emptied and migrated with ``alembic upgrade head`` once per run."""
    from alembic import command

    engine = get_engine(app_settings)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    config = alembic_config(settings=app_settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    yield engine
    engine.dispose()


@pytest.fixture
def dbsession(engine):
    """A session whose every commit only releases a SAVEPOINT: the test's writes vanish after."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    factories.bind(session)
    yield session
    factories.bind(None)
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture(scope="session")
def app(app_settings, engine):
    return tmo.main({}, **app_settings)


class SentMail:
    """The app's mailer as a test reads it: ``outbox`` is every email sent so far, once the mail
    worker has sent what the requests queued (``tests.mail``)."""

    def __init__(self, app, dbsession):
        self.app, self.dbsession = app, dbsession
        self.dummy = app.registry.getUtility(IMailer)

    @property
    def outbox(self) -> list:
        return sent_mail(self.app.registry, self.dbsession)


@pytest.fixture
def mailer(app, dbsession):
    outbox = app.registry.getUtility(IMailer).outbox
    outbox.clear()
    yield SentMail(app, dbsession)
    outbox.clear()


@pytest.fixture
def testapp(app, dbsession, mailer):
    return webtest.TestApp(
        app,
        extra_environ={
            "tmo.dbsession": dbsession,
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "192.0.2.10",
        },
    )


def log_in(testapp, email: str, password: str = PASSWORD):
    """Log in through the real form; returns the page after the redirect."""
    form = testapp.get("/login").forms["form"]
    form["email"] = email
    form["password"] = password
    response = form.submit("submit")
    assert response.status_int == 302, response.text
    return response.follow()


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an email's body that starts with ``path_prefix``."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S+)", message.body)
    assert match, f"no {path_prefix} link in: {message.body}"
    return match.group(1)


@pytest.fixture
def logged_in(testapp):
    """Log in as a new account holding the given roles: ``logged_in(Role.SECRETARY)``."""

    def log_in_with(*roles, **attributes):
        account = factories.AccountFactory(roles=roles, **attributes)
        log_in(testapp, account.email)
        return account

    return log_in_with


def choose(form, value: str) -> None:
    """Pick the radio button whose value is ``value`` (deform names radio groups by their id)."""
    from webtest.forms import Radio

    for name, fields in form.fields.items():
        field = fields[0]
        if isinstance(field, Radio) and value in [option[0] for option in field.options]:
            form[name] = value
            return
    raise AssertionError(f"no radio button with the value {value!r}")


@pytest.fixture
def clock(app):
    """The application's clock, stopped at the present moment: ``clock.set(moment)`` or
    ``clock.advance(days=1)`` moves what every request takes as now and today."""
    from tmo.clock import CLOCK, StoppedClock

    running = app.registry[CLOCK]
    stopped = StoppedClock()
    app.registry[CLOCK] = stopped
    yield stopped
    app.registry[CLOCK] = running


def fill_date(form, name: str, value) -> None:
    """Type a date (a ``date``, "YYYY-MM-DD", or "" for none) into a field's day, month and
    year boxes, as a person would: "5", "3", "1980"."""
    if not value:
        parts = ("", "", "")
    else:
        year, month, day = str(value).split("-")
        parts = (str(int(day)), str(int(month)), year)
    for box, typed in zip(("day", "month", "year"), parts, strict=True):
        form[f"{name}-{box}"] = typed


def date_typed(form, name: str) -> str:
    """What a field's boxes hold, as "YYYY-MM-DD" ("" if nothing)."""
    day, month, year = (form[f"{name}-{box}"].value for box in ("day", "month", "year"))
    return f"{year}-{int(month):02d}-{int(day):02d}" if day and month and year else ""


class Statements:
    """The SQL statements sent to the test database while a ``with`` block runs, but the
    SAVEPOINTs that stand in for each request's transaction in a test."""

    def __init__(self, engine):
        self.engine = engine
        self.sent: list[str] = []

    def _count(self, connection, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            self.sent.append(statement)

    def __enter__(self):
        self.sent.clear()
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def __len__(self) -> int:
        return len(self.sent)


@pytest.fixture
def statements(engine):
    """Counts the statements a block sends: ``with statements as sent: ...; len(sent)``."""
    return Statements(engine)
