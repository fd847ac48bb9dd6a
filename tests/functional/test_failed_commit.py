"""A commit that fails (a full disk) gives its connection back: the person sees tmo's error page,
and once the fault has passed the very next write goes through, on SQLite and PostgreSQL.

Two things kept the connection: the error page read the database through the failed request's
session, which began a new transaction (on SQLite, taking the write lock) whose joining the
finished one raised past pyramid_tm (``TransactionFailedError``), so that connection stayed out
until garbage collection; and on SQLite a COMMIT that fails may leave its transaction open, which
SQLAlchemy counts as ended, so the connection went back to the pool still holding the write
lock, and every write after it was refused.

The fault is made in the database itself, so that the COMMIT fails and not an earlier statement:
on PostgreSQL a deferred constraint trigger raises ``disk_full`` (SQLSTATE 53100) at commit; on
SQLite a trigger writes a row whose deferred foreign key points nowhere, which SQLite checks
only at COMMIT, and a failed COMMIT leaves the transaction (and the write lock) open.
"""

import contextlib
import sqlite3

import pytest
import webtest
from sqlalchemy import func, select, text

from tests import factories
from tests.functional.test_races import browser, remove
from tmo.models import get_session_factory
from tmo.models.accounts import LoginSession
from tmo.models.audit import AuditEntry

EMAIL = "sam.fulldisk@example.org"

SQLITE_FAULT = (
    "CREATE TABLE full_disk_space (id INTEGER PRIMARY KEY)",
    "CREATE TABLE full_disk_write ("
    " space_id INTEGER REFERENCES full_disk_space (id) DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TRIGGER full_disk AFTER INSERT ON audit_entry"
    " BEGIN INSERT INTO full_disk_write VALUES (1); END",
)
SQLITE_REPAIR = (
    "DROP TRIGGER IF EXISTS full_disk",
    "DROP TABLE IF EXISTS full_disk_write",
    "DROP TABLE IF EXISTS full_disk_space",
)
POSTGRESQL_FAULT = (
    "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " RAISE EXCEPTION 'could not extend file: No space left on device'"
    " USING ERRCODE = 'disk_full'; END $$",
    "CREATE CONSTRAINT TRIGGER full_disk AFTER INSERT ON audit_entry"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION full_disk()",
)
POSTGRESQL_REPAIR = (
    "DROP TRIGGER IF EXISTS full_disk ON audit_entry",
    "DROP FUNCTION IF EXISTS full_disk()",
)


@contextlib.contextmanager
def disk_full_at_commit(engine):
    """Every transaction that writes the audit log fails at COMMIT until the block ends."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        for statement in SQLITE_FAULT if sqlite else POSTGRESQL_FAULT:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in SQLITE_REPAIR if sqlite else POSTGRESQL_REPAIR:
                connection.exec_driver_sql(statement)


@pytest.fixture
def committed_member(engine):
    session = get_session_factory(engine)()
    factories.bind(session)
    try:
        factories.AccountFactory(email=EMAIL)
        session.commit()
    finally:
        factories.bind(None)
        session.close()
    yield EMAIL
    remove(engine, LoginSession)


def log_in_form(visitor: webtest.TestApp):
    form = visitor.get("/login").forms["form"]
    form["email"], form["password"] = EMAIL, factories.PASSWORD
    return form


def nothing_left_open(engine) -> bool:
    """No transaction of the app is left open: on SQLite another connection takes the write
    lock without waiting; on PostgreSQL no session sits idle inside a transaction."""
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    with engine.connect() as connection:
        return not connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )


def count(engine, what) -> int:
    with get_session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(what))


def test_a_commit_that_fails_gives_its_connection_back_and_the_next_write_goes_through(
    app, committed_member
):
    engine = app.registry["dbengine"]
    visitor = browser(app)
    form = log_in_form(visitor)
    audited = count(engine, AuditEntry)

    with disk_full_at_commit(engine):
        failed = form.submit("submit", expect_errors=True)
        # The failed request's connection is back in the pool, and it holds no lock.
        assert engine.pool.checkedout() == 0
        assert nothing_left_open(engine)

    # tmo's own page, saying nothing was saved, and nothing was.
    assert failed.status_int == 500
    assert "Sorry, there is a problem with the service" in failed.text
    assert "What you entered has not been saved" in failed.text
    assert "Traceback" not in failed.text
    assert "No space left" not in failed.text and "FOREIGN KEY" not in failed.text
    assert count(engine, LoginSession) == 0
    assert count(engine, AuditEntry) == audited

    # The fault has passed: the very next write is saved, first time.
    logged_in = log_in_form(visitor).submit("submit")
    assert logged_in.status_int == 302
    assert "Log out" in logged_in.follow().text
    assert count(engine, LoginSession) == 1
    assert engine.pool.checkedout() == 0
