"""The database: engine set-up for SQLite and PostgreSQL, sessions joined to the request's
transaction.

SQLite gets WAL, a busy timeout and foreign keys; its write transactions begin IMMEDIATE so that two
writers queue instead of failing half-way. ``request.dbsession`` joins the request's transaction
(pyramid_tm): a response commits, an exception aborts, and pyramid_retry retries serialization
failures and deadlocks.
"""

import contextlib
import os
import threading
from weakref import WeakKeyDictionary, WeakSet

import zope.sqlalchemy
import zope.sqlalchemy.datamanager
from pyramid_retry import mark_error_retryable
from sqlalchemy import Engine, engine_from_config, event
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

# Import every model so that Base.metadata knows all tables (alembic and configure_mappers need it).
from tmo.models import (  # noqa: F401
    accounts,
    audit,
    board,
    checkpoints,
    constitution,
    data_version,
    elections,
    files,
    meetings,
    membership,
    notices,
    youth,
)
from tmo.models.meta import Base

__all__ = [
    "Base",
    "get_engine",
    "get_session_factory",
    "get_tm_session",
    "includeme",
    "mark_written",
    "server_secret",
]

# Execution option naming how a SQLite transaction begins; requests that only read use DEFERRED.
SQLITE_BEGIN = "tmo_sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# The connection's info key saying it holds the process's SQLite write turn.
SQLITE_WRITER = "tmo_sqlite_writer"
# The connection's info key saying its transaction began DEFERRED (reading, not holding the turn).
SQLITE_DEFERRED = "tmo_sqlite_deferred"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

configure_mappers()

# The server's secret (``tmo.secret``) of the deployment that opened each engine: the keys of the
# hash chains and of the checkpoints' signatures are derived from it (tmo.rules.chains).
_SECRETS: "WeakKeyDictionary[Engine, str]" = WeakKeyDictionary()

# Every engine of this process: a child forked to serve (tmo.server) must not share its parent's
# pooled connections, whose sockets (and SQLite handles) the two processes would then both use.
_ENGINES: "WeakSet[Engine]" = WeakSet()


def _forget_inherited_connections() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


# How long a PostgreSQL statement waits for a lock another transaction holds, and how long any
# statement may run, before it is given up (the request then answers 503: nothing is saved).
# Without them one session holding an election's row kept every page waiting (42 s measured).
LOCK_TIMEOUT_MS = 5_000
STATEMENT_TIMEOUT_MS = 30_000


def postgresql_timeouts(settings) -> dict:
    lock = int(settings.get("tmo.lock_timeout_ms", LOCK_TIMEOUT_MS))
    statement = int(settings.get("tmo.statement_timeout_ms", STATEMENT_TIMEOUT_MS))
    return {"options": f"-c lock_timeout={lock} -c statement_timeout={statement}"}


def get_engine(settings, prefix="sqlalchemy."):
    url = settings.get(f"{prefix}url", "")
    extra = {}
    if url.startswith("postgresql"):
        extra["connect_args"] = postgresql_timeouts(settings)
    engine = engine_from_config(settings, prefix, **extra)
    if engine.dialect.name == "sqlite":
        busy = int(settings.get("tmo.sqlite_busy_timeout_ms", SQLITE_BUSY_TIMEOUT_MS))
        _configure_sqlite(engine, busy)
    if settings.get("tmo.secret"):
        _SECRETS[engine] = settings["tmo.secret"]
    _ENGINES.add(engine)
    return engine


def server_secret(dbsession: Session) -> str:
    """The secret of the deployment whose settings opened ``dbsession``'s database (every
    session of the app, of a script and of a test is bound to such an engine), so that writing
    the audit log needs nothing but the session. Refused when the engine was opened without
    one: a chain written without its key would be a chain anyone can rewrite."""
    bind = dbsession.get_bind()
    secret = _SECRETS.get(getattr(bind, "engine", bind))
    if not secret:
        raise RuntimeError("This database was opened without the server's secret (tmo.secret).")
    return secret


def _configure_sqlite(engine, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS):
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    # Writers queue here, in turn, rather than in SQLite's busy handler, which sleeps up to
    # 100 ms between tries and hands the lock to whoever tries at the right moment: a few
    # unlucky requests waited seconds (measured in bench/ballots.py). Re-entrant, so a thread's
    # second write transaction behaves as before; never waited on beyond the busy timeout.
    writer = threading.RLock()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.info[SQLITE_DEFERRED] = mode == "DEFERRED"
        if mode == "IMMEDIATE" and writer.acquire(timeout=busy_timeout_ms / 1000):
            connection.info[SQLITE_WRITER] = True
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except Exception:
            release_writer(connection.info)
            raise

    @event.listens_for(engine, "handle_error")
    def on_error(context):
        # A transaction begun DEFERRED (a GET) that turns into a write (a forum vote closing
        # itself) is refused at once, without the busy wait, when another connection writes or
        # has written since its first read (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT): waiting cannot
        # help a stale read. The request is run again (pyramid_retry), and a GET run again
        # begins IMMEDIATE (request_dbsession), taking its turn among the writers.
        connection = context.connection
        original = context.original_exception
        if (
            connection is not None
            and connection.info.get(SQLITE_DEFERRED)
            and getattr(original, "sqlite_errorname", "").startswith("SQLITE_BUSY")
            and context.sqlalchemy_exception is not None
        ):
            mark_error_retryable(context.sqlalchemy_exception)

    def release_writer(info):
        if info.pop(SQLITE_WRITER, False):
            # A RuntimeError: another thread than the one that took it; it holds nothing here.
            with contextlib.suppress(RuntimeError):
                writer.release()

    @event.listens_for(engine, "commit")
    def on_commit(connection):
        release_writer(connection.info)

    @event.listens_for(engine, "rollback")
    def on_rollback(connection):
        release_writer(connection.info)

    @event.listens_for(engine, "reset")
    def on_reset(dbapi_connection, connection_record, reset_state):
        # A COMMIT that failed (a deferred foreign key, a full disk, a busy reader) may leave
        # SQLite's transaction open, with its write lock, while SQLAlchemy counts it as ended
        # and skips the pool's rollback: rolled back here, or the next holder of this
        # connection, and every other writer, is refused until the process ends.
        if dbapi_connection.in_transaction:
            dbapi_connection.rollback()
        release_writer(connection_record.info)


# The session's info key holding its zope.sqlalchemy listeners (and so its transaction manager).
TRANSACTION_EVENTS = "tmo_transaction_events"
ZOPE_EVENTS = (
    "after_begin",
    "after_attach",
    "after_flush",
    "after_bulk_update",
    "after_bulk_delete",
    "before_commit",
    "do_orm_execute",
)


def _session_of(first):
    """The session an event is about: its first argument, or that argument's session."""
    return first if isinstance(first, Session) else first.session


def _to_the_sessions_own(name):
    def listener(first, *rest):
        events = _session_of(first).info.get(TRANSACTION_EVENTS)
        if events is not None:
            getattr(events, name)(first, *rest)

    return listener


def get_session_factory(engine):
    """Sessions made by it listen for zope.sqlalchemy's events once, here, and hand each to the
    session's own listeners (``get_tm_session``): registering them on every session cost more
    than a query."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    for name in ZOPE_EVENTS:
        event.listen(factory, name, _to_the_sessions_own(name))
    return factory


def get_tm_session(session_factory, transaction_manager, request=None, read_only=False):
    """A session joined to ``transaction_manager``: committed or aborted with the transaction."""
    # The listeners are in the session's info from the start: the connection taken below must
    # join (and end with) the transaction.
    events = zope.sqlalchemy.datamanager.ZopeTransactionEvents(
        transaction_manager=transaction_manager
    )
    dbsession = session_factory(info={"request": request, TRANSACTION_EVENTS: events})
    if read_only and dbsession.get_bind().dialect.name == "sqlite":
        dbsession.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
    return dbsession


def mark_written(dbsession: Session) -> None:
    """Tell the request's transaction that ``dbsession`` has written: statements run on its
    connection directly (``dbsession.connection().execute``) pass by the session's events, and a
    session that seems only to have read is rolled back at the end of the request, not committed.
    A session of no request's transaction (a script's, a test's) commits for itself. Either
    way its commit changes the data version's token (``data_version.mark``)."""
    data_version.mark(dbsession)
    events = dbsession.info.get(TRANSACTION_EVENTS)
    if events is not None:
        events.mark_changed(dbsession)


def request_dbsession(request) -> Session:
    injected = request.environ.get("tmo.dbsession")
    if injected is not None:
        return _join_injected_session(injected, request)
    factory = request.registry["dbsession_factory"]
    # A request run again (pyramid_retry) is one whose write met another's commit: a GET run
    # again takes SQLite's write turn from its start, so its read cannot go stale again.
    read_only = request.method in SAFE_METHODS and not request.environ.get("retry.attempt")
    return get_tm_session(factory, request.tm, request, read_only=read_only)


def request_read_dbsession(request) -> Session:
    """A second session for reads that need not wait for (or hold) SQLite's write lock: on
    SQLite it begins DEFERRED whatever the request's method."""
    injected = request.environ.get("tmo.dbsession")
    if injected is not None:
        return request.dbsession
    factory = request.registry["dbsession_factory"]
    return get_tm_session(factory, request.tm, request, read_only=True)


def _join_injected_session(dbsession, request):
    """Join a test's session (bound inside a SAVEPOINT) to this request's transaction only.

    A commit releases the SAVEPOINT and an abort rolls it back, as in production; the listeners
    are removed when the request ends so that the next request joins its own transaction.
    """
    dbsession.info["request"] = request
    events = zope.sqlalchemy.register(dbsession, transaction_manager=request.tm)
    dbsession.info[TRANSACTION_EVENTS] = events

    def unregister(request):
        dbsession.info.pop(TRANSACTION_EVENTS, None)
        for name in ZOPE_EVENTS:
            listener = getattr(events, name)
            if event.contains(dbsession, name, listener):
                event.remove(dbsession, name, listener)

    request.add_finished_callback(unregister)
    return dbsession


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    engine = get_engine(settings)
    config.registry["dbengine"] = engine
    config.registry["dbsession_factory"] = get_session_factory(engine)
    config.add_request_method(request_dbsession, "dbsession", reify=True)
    config.add_request_method(request_read_dbsession, "read_dbsession", reify=True)
