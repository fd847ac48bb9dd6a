"""Timeouts: while another connection holds a lock a request needs, the request gives up after
the configured wait and answers 503 with Retry-After, saying nothing was saved, and the site
keeps answering pages that only read. (On PostgreSQL a held lock kept every page waiting 42 s;
on SQLite casts failed after 10-30 s with 500s.)"""

from contextlib import contextmanager

import pytest
import webtest
from sqlalchemy import func, select

import tmo
from tmo.models.accounts import Account

WAIT_MS = "400"


@pytest.fixture
def impatient_app(app_settings, engine):
    settings = dict(
        app_settings, **{"tmo.lock_timeout_ms": WAIT_MS, "tmo.sqlite_busy_timeout_ms": WAIT_MS}
    )
    app = tmo.main({}, **settings)
    yield webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    app.registry["dbengine"].dispose()


@contextmanager
def held_lock(engine):
    """Another connection holding what a registration writes: the account and throttle tables
    on PostgreSQL (reads still pass), SQLite's one write lock."""
    connection = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            transaction = connection.begin()
            connection.exec_driver_sql("LOCK TABLE throttle_attempt, account IN EXCLUSIVE MODE")
        else:
            transaction = connection.execution_options(tmo_sqlite_begin="IMMEDIATE").begin()
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
        yield
        transaction.rollback()
    finally:
        connection.close()


def test_a_write_that_waits_too_long_answers_503_and_reads_go_on(impatient_app, engine):
    form = impatient_app.get("/register").forms["form"]
    form["display_name"], form["email"] = "Ruth", "ruth.waits@example.org"
    form["password"] = "mango kettle orbit lantern"
    with held_lock(engine):
        busy = form.submit("submit", expect_errors=True)
        assert busy.status_int == 503
        assert int(busy.headers["Retry-After"]) > 0
        assert "Nothing you entered has been saved" in busy.text
        assert impatient_app.get("/board").status_int == 200
    with engine.connect() as connection:
        stored = connection.scalar(
            select(func.count())
            .select_from(Account)
            .where(Account.email == "ruth.waits@example.org")
        )
    assert stored == 0
