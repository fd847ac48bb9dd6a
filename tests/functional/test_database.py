"""The database layer: migrations match the models, SQLite is set up for concurrent use, and
transient database errors are retried."""

import sqlite3

import psycopg.errors
import pytest
import webtest
from alembic import command
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError

import tmo
from tmo.models import Base, get_engine, get_session_factory, get_tm_session
from tmo.scripts.migrate import alembic_config


def test_migrations_match_the_models(engine, app_settings):
    """``alembic upgrade head`` (run by the engine fixture) then ``alembic check``: no drift."""
    config = alembic_config(settings=app_settings)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)


def test_migrations_run_down_and_up_again(tmp_path):
    settings = {"sqlalchemy.url": f"sqlite:///{tmp_path / 'migrate.sqlite'}"}
    command.upgrade(alembic_config(settings=settings), "head")
    command.downgrade(alembic_config(settings=settings), "base")
    command.upgrade(alembic_config(settings=settings), "head")
    engine = get_engine(settings)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_constraints_follow_the_naming_convention(engine):
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("account")["name"] == "pk_account"
    assert {u["name"] for u in inspector.get_unique_constraints("account")} == {"uq_account_email"}
    foreign = {fk["name"] for fk in inspector.get_foreign_keys("role_grant")}
    assert foreign == {"fk_role_grant_account_id_account", "fk_role_grant_granted_by_id_account"}


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'tmo.sqlite'}"})
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(sqlite_engine):
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_writes_begin_immediate_and_reads_do_not_wait(sqlite_engine, tmp_path):
    import transaction

    path = tmp_path / "tmo.sqlite"
    with sqlite_engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE: takes the write lock before the first statement
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()

        # A request that only reads begins DEFERRED and reads straight away under WAL.
        manager = transaction.TransactionManager(explicit=True)
        manager.begin()
        reader = get_tm_session(get_session_factory(sqlite_engine), manager, read_only=True)
        assert reader.execute(select(text("1"))).scalar() == 1
        manager.abort()
        writer.rollback()


def transient_failure(sqlstate_error):
    return OperationalError("UPDATE something", {}, sqlstate_error())


@pytest.mark.parametrize(
    "failure", [psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected]
)
def test_serialization_failures_and_deadlocks_are_retried(app_settings, dbsession, failure):
    attempts = []

    def flaky(request):
        request.dbsession.execute(select(text("1")))
        attempts.append(request.environ["retry.attempt"])
        if len(attempts) == 1:
            raise transient_failure(failure)
        return {"attempts": len(attempts)}

    config = tmo.make_config({}, **app_settings)
    config.add_route("flaky", "/flaky")
    config.add_view(flaky, route_name="flaky", renderer="json", permission=NO_PERMISSION_REQUIRED)
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"tmo.dbsession": dbsession})
    assert app.get("/flaky").json == {"attempts": 2}
    assert attempts == [0, 1]


def test_other_database_errors_are_not_retried(app_settings, dbsession):
    attempts = []

    def broken(request):
        request.dbsession.execute(select(text("1")))
        attempts.append(1)
        raise transient_failure(psycopg.errors.UndefinedTable)

    config = tmo.make_config({}, **app_settings)
    config.add_route("broken", "/broken")
    config.add_view(broken, route_name="broken", permission=NO_PERMISSION_REQUIRED)
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"tmo.dbsession": dbsession})
    assert app.get("/broken", expect_errors=True).status_int == 500
    assert attempts == [1]


def test_requests_give_their_connection_back(tmp_path, app_settings):
    """Every request's session ends with its transaction, so the pool never runs dry."""
    settings = dict(app_settings, **{"sqlalchemy.url": f"sqlite:///{tmp_path / 'pool.sqlite'}"})
    command.upgrade(alembic_config(settings=settings), "head")
    app = tmo.main({}, **settings)
    engine = app.registry["dbengine"]
    browser = webtest.TestApp(app)
    for path in ("/", "/constitution", "/login", "/no-such-page"):
        browser.get(path, expect_errors=True)
        assert engine.pool.checkedout() == 0, path
    form = browser.get("/login").forms["form"]
    form["email"], form["password"] = "nobody@example.org", "wrong-password-1"
    form.submit("submit")
    assert engine.pool.checkedout() == 0
    engine.dispose()


def test_a_read_that_turns_into_a_write_after_another_commit_is_answered_on_sqlite(
    tmp_path, app_settings
):
    """A GET begins DEFERRED on SQLite and may still write (a forum vote closing itself). When
    another connection commits between its first read and its write, SQLite refuses the write at
    once (the read's snapshot is stale: SQLITE_BUSY_SNAPSHOT): the request is run again, now
    from the newer snapshot, and answered, where it answered 503."""
    path = tmp_path / "stale.sqlite"
    settings = dict(app_settings, **{"sqlalchemy.url": f"sqlite:///{path}"})
    command.upgrade(alembic_config(settings=settings), "head")
    attempts, writers = [], []

    def read_then_write(request):
        seen = request.dbsession.execute(text("SELECT token FROM data_version")).scalar()
        attempts.append(seen)
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            # The first time another writes between the read and the write; run again, the
            # request holds the write turn from its start, and no other can.
            other.execute("UPDATE data_version SET token = token + 1")
            writers.append("another")
        except sqlite3.OperationalError:
            writers.append("none but the request")
        finally:
            other.close()
        request.dbsession.execute(text("UPDATE data_version SET token = token + 1"))
        return {"attempts": len(attempts)}

    config = tmo.make_config({}, **settings)
    config.add_route("stale", "/stale")
    config.add_view(
        read_then_write, route_name="stale", renderer="json", permission=NO_PERMISSION_REQUIRED
    )
    app = config.make_wsgi_app()
    assert webtest.TestApp(app).get("/stale").json == {"attempts": 2}
    assert attempts[1] == attempts[0] + 1
    assert writers == ["another", "none but the request"]
    app.registry["dbengine"].dispose()
