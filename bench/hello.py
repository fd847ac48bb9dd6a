"""The framework ceiling: a bare Pyramid app with one "hello" view and nothing else.

No templates, no sessions, no security policy, no tweens beyond Pyramid's own. The bench serves it
on the same waitress settings as tmo, in the same run, so the gap between the two is what tmo
itself costs per request. The view answers a GET with a short text page and a POST (the log-in
scenario's form, which it parses) with a 302, so each tmo scenario has a like-for-like ceiling.

For the ballot bench (``bench/ballots.py``) it also answers ``POST /elections/N/ballot/cast``, the
path tmo casts a ballot on, by parsing the form and inserting one row into its own one-table
schema (``bench_ceiling_vote``) in the database ``DATABASE_URL`` names, one transaction per
request: the least any ballot that is stored can cost. SQLite gets the connection settings tmo
gives it (WAL, ``synchronous = NORMAL``, a busy timeout, write transactions begun IMMEDIATE), so
the ceiling waits for the write lock as tmo does. Without ``DATABASE_URL`` that route is absent.
It answers a Youth Forum proposal's page (``/youth/proposals/N``, which counts a vote that is
over: ``bench/reliability.py`` races them) the same way, one row in ``bench_ceiling_commitment``.

Two more ceilings, each only when the bench names what it needs in the environment:

- ``BENCH_PASSWORD_HASH``: a POST to ``/login`` verifies its ``password`` field against this
  argon2 hash (argon2-cffi, the hash's own parameters, as tmo's log-in does) before its 302
  (``bench/memory.py``: the memory that log-ins cost the bare stack);
- ``BENCH_REGISTER_SQL``: a pickle of {query string: [(statement, parameters), ...]}, the SQL
  tmo's register search ran for each search (``bench/register_search.py``); ``GET
  /secretary/register?...`` runs those statements on a pooled DBAPI connection of
  ``DATABASE_URL`` and lists the rows it read as text.
"""

import os
import pickle
from datetime import date

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, event

HELLO_TEXT = "Hello, world!\n"
VOTE_TEXT = "Your vote is cast\n"
VOTE_PATH = "/elections/{election_id:\\d+}/ballot/cast"
PROPOSAL_PATH = "/youth/proposals/{proposal_id:\\d+}"
REGISTER_PATH = "/secretary/register"
REGISTER_TITLE = "Register of members"
SQLITE_BUSY_TIMEOUT_MS = 10_000

metadata = MetaData()
votes = Table(
    "bench_ceiling_vote",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", Integer, nullable=False),
    Column("preferences", String(500), nullable=False),
    Column("cast_on", Date, nullable=False),
)
commitments = Table(
    "bench_ceiling_commitment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("proposal_id", Integer, nullable=False),
    Column("committed_on", Date, nullable=False),
)


def hello(request):
    if request.method == "POST":
        request.POST  # noqa: B018 - parse the form body, as a real form view would
        return HTTPFound(location="/")
    return Response(HELLO_TEXT, content_type="text/plain")


def login_view(password_hash: str):
    from argon2 import PasswordHasher
    from argon2.exceptions import VerifyMismatchError

    hasher = PasswordHasher()

    def login(request):
        """The log-in form parsed and its password checked against one argon2 hash."""
        try:
            hasher.verify(password_hash, request.POST.get("password", ""))
        except VerifyMismatchError:
            return Response("Wrong password\n", status=200, content_type="text/plain")
        return HTTPFound(location="/")

    return login


def vote_engine(url: str):
    """An engine on ``url``; on SQLite with the settings tmo.models gives its own."""
    engine = create_engine(url)
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_ceiling_tables(url: str) -> None:
    engine = vote_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def vote_view(engine):
    def vote(request):
        """One row per POST: the ranked candidates, in order, as tmo stores a ballot's."""
        ranks = []
        for name, value in request.POST.items():
            if name.startswith("rank-") and value.strip().isdigit():
                ranks.append((int(value), name.removeprefix("rank-")))
        preferences = " ".join(candidate for _, candidate in sorted(ranks))
        with engine.begin() as connection:
            connection.execute(
                votes.insert().values(
                    election_id=int(request.matchdict["election_id"]),
                    preferences=preferences,
                    cast_on=date.today(),
                )
            )
        return Response(VOTE_TEXT, content_type="text/plain")

    return vote


def commitment_view(engine):
    def commit(request):
        """One row per request: the proposal counted, as if its budget allowed it."""
        with engine.begin() as connection:
            connection.execute(
                commitments.insert().values(
                    proposal_id=int(request.matchdict["proposal_id"]), committed_on=date.today()
                )
            )
        return Response(HELLO_TEXT, content_type="text/plain")

    return commit


def register_view(engine, path: str):
    with open(path, "rb") as recorded:
        statements = pickle.load(recorded)  # noqa: S301 - the bench's own file

    def register(request):
        """The statements tmo's search ran for this query string, on a bare DBAPI connection."""
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            lines = [REGISTER_TITLE]
            for statement, parameters in statements[request.query_string]:
                cursor.execute(statement, parameters)
                lines += ("\t".join(str(value) for value in row) for row in cursor.fetchall())
            cursor.close()
        finally:
            connection.close()
        return Response("\n".join(lines) + "\n", content_type="text/plain")

    return register


# The pages the page scenarios of bench/run.py request, each answered by the hello view.
PAGE_PATHS = ("/login", "/needs-you", "/membership", "/meetings", "/board")


def make_app():
    """The WSGI app: the hello view on ``/`` and on each path a page scenario requests; with
    DATABASE_URL set, the one-row inserts on tmo's ballot-casting path and proposal pages; and
    the log-in and register ceilings the environment asks for."""
    with Configurator() as config:
        config.add_route("hello", "/")
        config.add_view(hello, route_name="hello")
        for number, path in enumerate(PAGE_PATHS):
            config.add_route(f"page_{number}", path)
            config.add_view(hello, route_name=f"page_{number}")
        if password_hash := os.environ.get("BENCH_PASSWORD_HASH"):
            config.add_view(
                login_view(password_hash),
                route_name=f"page_{PAGE_PATHS.index('/login')}",
                request_method="POST",
            )
        url = os.environ.get("DATABASE_URL")
        if url:
            engine = vote_engine(url)
            config.add_route("vote", VOTE_PATH)
            config.add_view(vote_view(engine), route_name="vote", request_method="POST")
            config.add_route("proposal", PROPOSAL_PATH)
            config.add_view(commitment_view(engine), route_name="proposal")
            if recorded := os.environ.get("BENCH_REGISTER_SQL"):
                config.add_route("register", REGISTER_PATH)
                config.add_view(register_view(engine, recorded), route_name="register")
        return config.make_wsgi_app()
