"""Bench: a notice to every member, as one request: the returning officer opening a poll for
4,500 voters, and the secretary scheduling an AGM for 4,500 members.

``.venv/bin/python bench/notices.py [--members 4500] [--database sqlite|postgresql] [--runs 3]
[--markdown] [--profile]`` creates a fresh database (as ``run.py`` does), generates a register of
``--members`` members, all entitled to vote and to attend (``register_search.generate``, then
every one current and not an associate), half of them with an account and their agreement to
notices by email, the other half by post; a returning officer and a secretary, each with a login
session; ``--runs`` + 1 elections whose nominations have closed with five candidates for three
seats; and the general meeting. It starts tmo on waitress (``serve.py``, ``ini/production.ini``,
mail kept in memory) and, for each action, sends one unmeasured request and then ``--runs``
measured ones, one at a time: ``POST /returning-officer/elections/N/move`` with
``action=open_poll`` (the roll frozen and the poll's notice written for every voter), and the
schedule form of the general meeting posted as an AGM (the notice written for every member).
Each is timed from sending the request to reading the whole answer (a redirect), and checked in
the database: the roll and the deliveries, one for each member. The goal: under 2 s each.

With ``--profile`` it makes the same requests in-process under cProfile instead, and prints where
the time goes and how many SQL statements each took. See bench/README.md.
"""

import argparse
import collections
import contextlib
import cProfile
import email
import email.policy
import html.parser
import http.client
import io
import math
import os
import platform
import pstats
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from register_search import generate, rows_in_chunks
from run import (
    DEFAULT_INI,
    HOST,
    cpu_busy_share,
    cpu_model,
    free_port,
    fresh_database,
    note,
    raise_keyboard_interrupt,
    share,
    start_server,
    wait_until_ready,
)

DOMAIN = "notices.bench.example.org"
CANDIDATES = 5
SEATS = 3
GOAL_S = 2.0
# The kind of the ceiling's notices, so that no check of tmo's notices counts them.
CEILING_KIND = "bench_ceiling"
# One request writes thousands of rows: far longer than the load benches allow.
REQUEST_TIMEOUT_S = 300


@dataclass
class Setup:
    officer_cookie: str
    secretary_cookie: str
    csrf: str
    election_ids: list[int]
    # The ceiling's roll is written under this election (and deleted after each run).
    ceiling_election_id: int
    body_id: int
    members: int
    emailed: int


@dataclass
class Timing:
    database: str
    action: str
    laps: list[float] = field(default_factory=list)
    ceiling_laps: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.laps)

    @property
    def ceiling_median(self) -> float:
        return statistics.median(self.ceiling_laps) if self.ceiling_laps else math.nan


def prepare_database(database_url: str, secret: str, members: int, runs: int, seed: int) -> Setup:
    """Migrate, generate the register, and set up the people, the elections and the meeting."""
    from nacl.public import PrivateKey
    from sqlalchemy import func, select, text, update

    from tmo.constitution import Constitution
    from tmo.models import get_engine, get_session_factory
    from tmo.models.accounts import Account, LoginSession, RoleGrant
    from tmo.models.elections import Candidate
    from tmo.models.meetings import Body
    from tmo.models.membership import Member
    from tmo.models.meta import utcnow
    from tmo.permissions import Role
    from tmo.rules.elections import Status
    from tmo.rules.meetings import GENERAL_MEETING
    from tmo.rules.notices import Channel
    from tmo.rules.sealing import public_key_text
    from tmo.scripts.migrate import upgrade
    from tmo.services import elections
    from tmo.services.accounts import _token_digest, hash_password
    from tmo.settings import finalise

    raw = {"sqlalchemy.url": database_url, "tmo.secret": secret, "tmo.mail_mode": "memory"}
    settings = finalise(raw, environ={})
    upgrade(settings)
    engine = get_engine(settings)
    dbsession = get_session_factory(engine)()
    started = time.perf_counter()
    try:
        generate(dbsession, members, seed)
        # Every one of them entitled: a register of ``members`` voters and attendees.
        dbsession.execute(update(Member).values(ceased_on=None, ceased_reason="", associate=False))
        now = utcnow()
        password_hash = hash_password(secrets.token_urlsafe(24))
        cookies = []
        for role, name in ((Role.RETURNING_OFFICER, "officer"), (Role.SECRETARY, "secretary")):
            account = Account(
                email=f"{name}@{DOMAIN}",
                display_name=f"Bench {name}",
                password_hash=password_hash,
                email_verified_at=now,
                role_grants=[RoleGrant(role=role)],
            )
            token = secrets.token_urlsafe(32)
            dbsession.add(account)
            dbsession.flush()
            dbsession.add(
                LoginSession(
                    token_hash=_token_digest(token),
                    account_id=account.id,
                    expires_at=now + timedelta(hours=12),
                )
            )
            cookies.append((account.id, token))
        (officer_id, officer_token), (_, secretary_token) = cookies

        # Half the members, at random, have an account and agreed to notices by email.
        rng = random.Random(seed + 1)
        member_ids = list(dbsession.scalars(select(Member.id).order_by(Member.id)))
        emailed = sorted(rng.sample(member_ids, len(member_ids) // 2))
        first_account = dbsession.scalar(select(func.max(Account.id))) + 1
        accounts, grants, updates = [], [], []
        for number, member_id in enumerate(emailed):
            account_id = first_account + number
            accounts.append(
                {
                    "id": account_id,
                    "email": f"member{member_id}@{DOMAIN}",
                    "display_name": f"Member {member_id}",
                    "password_hash": password_hash,
                    "email_verified_at": now,
                }
            )
            grants.append({"account_id": account_id, "role": Role.MEMBER})
            updates.append(
                {
                    "id": member_id,
                    "account_id": account_id,
                    "contact_by": Channel.EMAIL,
                    "email_agreed_at": now,
                }
            )
        rows_in_chunks(dbsession, Account, accounts)
        rows_in_chunks(dbsession, RoleGrant, grants)
        for start in range(0, len(updates), 5000):
            dbsession.execute(update(Member), updates[start : start + 5000])
        if engine.dialect.name == "postgresql":
            dbsession.execute(
                text("SELECT setval(pg_get_serial_sequence('account', 'id'), MAX(id)) FROM account")
            )

        # One election for each request: its nominations closed, its poll due to open now.
        today = date.today()
        standing = member_ids[:CANDIDATES]
        election_ids = []
        for number in range(runs + 2):
            election = elections.create(
                dbsession,
                Constitution(),
                title=f"Board election {number + 1} (bench)",
                method="stv",
                seats=SEATS,
                seat_category="resident",
                seats_description="Three resident seats retiring by rotation at the AGM",
                returning_officer_id=officer_id,
                scrutineer_id=None,
                notice_on=today - timedelta(days=30),
                actor_id=officer_id,
                now=now,
            )
            for member_id in standing:
                moment = election.nominations_open_at + timedelta(days=1)
                dbsession.add(
                    Candidate(
                        election=election,
                        member_id=member_id,
                        name=f"Candidate {member_id}",
                        nominated_by_id=member_id,
                        consented_at=moment,
                        status="accepted",
                        decided_at=moment + timedelta(days=1),
                    )
                )
            election.status = Status.NOMINATIONS_CLOSED
            # Its scrutineer has made the sealing key, without which no poll opens.
            election.sealing_key = public_key_text(PrivateKey.generate())
            dbsession.flush()
            if "open_poll" not in dict(elections.moves(election, now)):
                raise SystemExit("The bench election cannot open its poll now: its timeline?")
            election_ids.append(election.id)

        body = dbsession.scalar(select(Body).where(Body.kind == GENERAL_MEETING))
        if body is None:
            body = Body(name="General meeting", kind=GENERAL_MEETING)
            dbsession.add(body)
            dbsession.flush()
        body_id = body.id
        dbsession.commit()
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        note(f"  {members} members set up in {time.perf_counter() - started:.1f}s")
    finally:
        dbsession.close()
        engine.dispose()
    csrf = secrets.token_urlsafe(24)
    return Setup(
        officer_cookie=f"tmo_session={officer_token}; tmo_csrf={csrf}",
        secretary_cookie=f"tmo_session={secretary_token}; tmo_csrf={csrf}",
        csrf=csrf,
        election_ids=election_ids[:-1],
        ceiling_election_id=election_ids[-1],
        body_id=body_id,
        members=members,
        emailed=len(emailed),
    )


# Requests ---------------------------------------------------------------------------------------


class FormFields(html.parser.HTMLParser):
    """The fields of the page's form ``form``, in order (deform reads its ``__start__`` and
    ``__end__`` markers around them): (name, value) of each input, a radio group once as
    (name, None), and each radio group's values by its name."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.radios: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "form":
            self.inside = True
        if not self.inside or tag not in ("input", "textarea", "select"):
            return
        name = attributes.get("name")
        if not name:
            return
        kind = attributes.get("type", "text")
        if kind == "radio":
            if name not in self.radios:
                self.fields.append((name, None))
            self.radios.setdefault(name, []).append(attributes.get("value", ""))
        elif kind not in ("submit", "button", "checkbox"):
            self.fields.append((name, attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def request(port: int, method: str, path: str, cookie: str, form=None) -> tuple[int, str, str]:
    """(status, Location, body) of one request, read whole."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    headers = {"Cookie": cookie}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, response.getheader("Location", ""), text
    finally:
        connection.close()


def open_poll_form(setup: Setup, election_id: int):
    path = f"/returning-officer/elections/{election_id}/move"
    return path, setup.officer_cookie, [("csrf_token", setup.csrf), ("action", "open_poll")]


def schedule_form(port: int, setup: Setup, day: date):
    """The general meeting's schedule form as the secretary fills it in for an AGM on ``day``."""
    path = f"/secretary/meetings/bodies/{setup.body_id}/schedule"
    status, _, page = request(port, "GET", path, setup.secretary_cookie)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}:\n{page[:2000]}")
    parser = FormFields()
    parser.feed(page)
    values = {
        "title": f"Annual general meeting {day:%Y-%m-%d}",
        "day": day.isoformat(),
        "time": "19:00",
        "place": "Community room, Elm House",
        "csrf_token": setup.csrf,
    }
    return path, setup.secretary_cookie, filled(parser, values)


def filled(parser: FormFields, values: dict[str, str]) -> list[tuple[str, str]]:
    """The form's fields with ``values`` put in, and "agm" chosen where it is offered."""
    form = []
    for name, value in parser.fields:
        if value is None:
            if "agm" in parser.radios[name]:
                form.append((name, "agm"))
        else:
            form.append((name, values.get(name, value)))
    return [*form, ("submit", "submit")]


def timed_post(port: int, path: str, cookie: str, form) -> float:
    started = time.perf_counter()
    status, _, page = request(port, "POST", path, cookie, form)
    elapsed = time.perf_counter() - started
    if status not in (302, 303):
        raise SystemExit(f"POST {path} answered {status}, not a redirect:\n{page[-6000:]}")
    return elapsed


def deliveries_of(database_url: str, kind: str) -> list[int]:
    """How many deliveries each notice of ``kind`` has, oldest first."""
    from sqlalchemy import create_engine, func, select

    from tmo.models.notices import Delivery, Notice

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    select(func.count(Delivery.id))
                    .join(Notice, Notice.id == Delivery.notice_id)
                    .where(Notice.kind == kind)
                    .group_by(Notice.id)
                    .order_by(Notice.id)
                )
            )
    finally:
        engine.dispose()


# The ceiling ------------------------------------------------------------------------------------


def bare_notice(database_url: str, kind: str, roll_election_id: int | None) -> float:
    """The rows tmo's request writes, written by the bare stack; seconds, from BEGIN to COMMIT.

    On one connection of the same database (tmo's SQLite settings), in one transaction: the
    members entitled read with their channel and email, one notice row, with
    ``roll_election_id`` a roll entry for each (a code hash of the same length, as opening a
    poll writes), and a delivery for each, in one executemany each, with the body tmo wrote for
    the same notice and channel. Then, untimed, it deletes what it wrote."""
    from hello import vote_engine
    from sqlalchemy import delete, insert, select

    from tmo.models.accounts import Account
    from tmo.models.elections import RollEntry
    from tmo.models.membership import Member
    from tmo.models.notices import Delivery, Notice
    from tmo.rules.notices import Channel, DeliveryStatus

    engine = vote_engine(database_url)
    notices, deliveries, roll = Notice.__table__, Delivery.__table__, RollEntry.__table__
    try:
        with engine.connect() as connection:
            bodies = dict(
                connection.execute(
                    select(deliveries.c.channel, deliveries.c.body)
                    .join(notices, notices.c.id == deliveries.c.notice_id)
                    .where(notices.c.kind == kind)
                    .order_by(deliveries.c.id.desc())
                    .limit(50)
                ).all()
            )
        started = time.perf_counter()
        with engine.begin() as connection:
            now = datetime.now(UTC)
            members = connection.execute(
                select(Member.id, Member.name, Member.address, Member.contact_by, Account.email)
                .outerjoin(Account, Account.id == Member.account_id)
                .where(Member.ceased_on.is_(None), Member.associate.is_(False))
                .order_by(Member.member_number)
            ).all()
            notice_id = connection.execute(
                insert(notices).values(kind=CEILING_KIND, subject=kind, created_at=now)
            ).inserted_primary_key[0]
            if roll_election_id is not None:
                connection.execute(
                    insert(roll),
                    [
                        {
                            "election_id": roll_election_id,
                            "member_id": member_id,
                            "code_hash": secrets.token_hex(32),
                        }
                        for member_id, *_ in members
                    ],
                )
            rows = []
            for member_id, name, address, channel, email_address in members:
                emailed = channel == Channel.EMAIL and bool(email_address)
                rows.append(
                    {
                        "notice_id": notice_id,
                        "member_id": member_id,
                        "name": name,
                        "email": email_address if emailed else "",
                        "address": "" if emailed else address,
                        "channel": Channel.EMAIL if emailed else Channel.POST,
                        "status": DeliveryStatus.QUEUED if emailed else DeliveryStatus.TO_PRINT,
                        "body": bodies.get(Channel.EMAIL if emailed else Channel.POST, ""),
                        "queued_at": now,
                        "attempts": 0,
                        "next_attempt_at": now if emailed else None,
                        "last_error": "",
                    }
                )
            connection.execute(insert(deliveries), rows)
        elapsed = time.perf_counter() - started
        with engine.begin() as connection:
            connection.execute(delete(deliveries).where(deliveries.c.notice_id == notice_id))
            connection.execute(delete(notices).where(notices.c.id == notice_id))
            if roll_election_id is not None:
                connection.execute(delete(roll).where(roll.c.election_id == roll_election_id))
    finally:
        engine.dispose()
    if len(rows) != len(members) or not members:
        raise SystemExit(f"The ceiling wrote {len(rows)} deliveries for {len(members)} members")
    return elapsed


def measure(args, env: dict, workdir: Path, database_url: str, setup: Setup) -> list[Timing]:
    timings = [Timing(args.database, "open a poll"), Timing(args.database, "schedule an AGM")]
    with contextlib.ExitStack() as stack:
        server = start_server(stack, "tmo", args.server_threads, env, workdir / "tmo.log", args.ini)
        wait_until_ready(server)
        first_day = date.today() + timedelta(days=30)
        for number, election_id in enumerate(setup.election_ids):
            unmeasured = "" if number else " (unmeasured)"
            lap = timed_post(server.port, *open_poll_form(setup, election_id))
            ceiling = bare_notice(database_url, "election_notice", setup.ceiling_election_id)
            form = schedule_form(server.port, setup, first_day + timedelta(days=number))
            meeting_lap = timed_post(server.port, *form)
            meeting_ceiling = bare_notice(database_url, "meeting_notice", None)
            for timing, tmo, bare in (
                (timings[0], lap, ceiling),
                (timings[1], meeting_lap, meeting_ceiling),
            ):
                if number:
                    timing.laps.append(tmo)
                    timing.ceiling_laps.append(bare)
                note(f"  {timing.action}: {tmo:.3f}s, ceiling {bare:.3f}s{unmeasured}")
    runs = len(setup.election_ids)
    for kind in ("election_notice", "meeting_notice"):
        counts = deliveries_of(database_url, kind)
        if counts != [setup.members] * runs:
            raise SystemExit(f"{kind}: deliveries {counts}, not {setup.members} for each")
    return timings


class Sink:
    """A mail server that takes every message and keeps its Message-ID and recipients."""

    def __init__(self):
        self.received: list[tuple[str, tuple[str, ...]]] = []

    async def handle_DATA(self, server, session, envelope):
        message_id = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((message_id["Message-ID"], tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@dataclass
class Drained:
    """What ``tmo-mail-worker --once`` did with the outbox."""

    # Emails waiting in the outbox when it started.
    queued: int
    # Emails it wrote itself as it ran: each open poll's checkpoint, to its returning officer.
    own: int
    seconds: float

    @property
    def emails(self) -> int:
        return self.queued + self.own


def drain_outbox(args, env: dict, database_url: str) -> Drained:
    """Run ``tmo-mail-worker --once`` against a local SMTP server until the outbox is empty.
    Fails unless every email, those queued before and those the worker wrote itself (a poll's
    checkpoints), is marked sent and arrived, each once; says how many failed and why."""
    from aiosmtpd.controller import Controller
    from sqlalchemy import create_engine, func, select

    from tmo.models.notices import Delivery
    from tmo.rules.notices import Channel, DeliveryStatus

    engine = create_engine(database_url)
    with engine.connect() as connection:
        queued = connection.scalar(
            select(func.count(Delivery.id)).where(Delivery.status == DeliveryStatus.QUEUED)
        )
        emails_before = connection.scalar(
            select(func.count(Delivery.id)).where(Delivery.channel == Channel.EMAIL)
        )
    if queued != emails_before:
        raise SystemExit(f"{emails_before} emails before the worker, of which {queued} queued")
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname=HOST, port=port)
    controller.start()
    worker = [str(Path(sys.executable).parent / "tmo-mail-worker"), str(args.ini), "--once"]
    environment = {
        **env,
        "TMO_MAIL_MODE": "smtp",
        "SMTP_HOST": HOST,
        "SMTP_PORT": str(port),
    }
    try:
        started = time.perf_counter()
        done = subprocess.run(
            worker, env=environment, capture_output=True, text=True, timeout=3600, check=False
        )
        elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    if done.returncode:
        raise SystemExit(f"tmo-mail-worker failed:\n{done.stderr[-3000:]}")
    emails = select(Delivery.status, func.count(Delivery.id)).where(
        Delivery.channel == Channel.EMAIL
    )
    with engine.connect() as connection:
        statuses = collections.Counter(
            dict(connection.execute(emails.group_by(Delivery.status)).all())
        )
        why = connection.execute(
            select(Delivery.last_error, func.count(Delivery.id))
            .where(Delivery.status == DeliveryStatus.FAILED)
            .group_by(Delivery.last_error)
            .order_by(func.count(Delivery.id).desc())
        ).all()
    engine.dispose()
    drained = Drained(queued=queued, own=statuses.total() - queued, seconds=elapsed)
    sent = statuses[DeliveryStatus.SENT]
    failed = statuses[DeliveryStatus.FAILED]
    left = statuses[DeliveryStatus.QUEUED] + statuses[DeliveryStatus.SENDING]
    message_ids = {message_id for message_id, _ in sink.received}
    arrived = len(sink.received)
    if sent != drained.emails or arrived != sent or len(message_ids) != sent:
        reasons = "".join(f"\n  {count} failed: {error}" for error, count in why)
        raise SystemExit(
            f"The outbox held {queued} emails, and the worker wrote {drained.own} more: "
            f"{sent} are marked sent, {failed} failed, {left} are left; {arrived} arrived "
            f"({len(message_ids)} Message-IDs).{reasons}"
        )
    return drained


def profile(args, env: dict, setup: Setup) -> None:
    """The same requests in-process under cProfile: where the time goes, and the SQL."""
    from pyramid.paster import get_app
    from sqlalchemy import event
    from webob import Request

    os.environ.update({key: env[key] for key in ("DATABASE_URL", "TMO_SECRET", "TMO_MAIL_MODE")})
    app = get_app(str(args.ini), name="main")
    statements = collections.Counter()
    waited = [0.0]

    @event.listens_for(app.registry["dbengine"], "before_cursor_execute")
    def counted(conn, cursor, statement, parameters, context, executemany):
        statements[" ".join(statement.split())[:150]] += 1
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(app.registry["dbengine"], "after_cursor_execute")
    def timed(conn, cursor, statement, parameters, context, executemany):
        waited[0] += time.perf_counter() - conn.info.pop("bench_started")

    def send(path, cookie, form):
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        method = "POST" if form is not None else "GET"
        headers = {"Cookie": cookie}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = Request.blank(path, method=method, body=body, headers=headers).get_response(app)
        return response

    def schedule(day):
        path = f"/secretary/meetings/bodies/{setup.body_id}/schedule"
        page = send(path, setup.secretary_cookie, None).text
        parser = FormFields()
        parser.feed(page)
        values = {
            "title": f"AGM {day}",
            "day": day.isoformat(),
            "time": "19:00",
            "place": "Community room",
            "csrf_token": setup.csrf,
        }
        return path, setup.secretary_cookie, filled(parser, values)

    day = date.today() + timedelta(days=30)
    for label, make in (
        ("open a poll", lambda n: open_poll_form(setup, setup.election_ids[n])),
        ("schedule an AGM", lambda n: schedule(day + timedelta(days=n))),
    ):
        send(*make(0))  # unmeasured: templates compiled, caches filled
        # First timed without the profiler (its overhead is large), then profiled.
        request = make(1)
        waited[0] = 0.0
        started = time.perf_counter()
        response = send(*request)
        elapsed = time.perf_counter() - started
        print(
            f"\n## {label}: {elapsed:.2f}s in-process, of which {waited[0]:.2f}s executing SQL "
            "(the cursor's execute, including the driver's own work)"
        )
        statements.clear()
        profiler = cProfile.Profile()
        request = make(2)
        started = time.perf_counter()
        profiler.enable()
        response = send(*request)
        profiler.disable()
        elapsed = time.perf_counter() - started
        if response.status_code not in (302, 303):
            raise SystemExit(f"{label}: {response.status}\n{response.text[:2000]}")
        total = sum(statements.values())
        print(f"{elapsed:.2f}s under cProfile, {total} SQL statements; the commonest:\n")
        for statement, count in statements.most_common(5):
            print(f"{count:6d}  {statement}")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(
            args.profile_lines
        )
        print(out.getvalue())


def describe(args, busy_before: float | None) -> str:
    busy = f"{busy_before:.0%}" if busy_before is not None else "unknown"
    return (
        f"{date.today():%-d %B %Y}; {os.cpu_count()} CPUs ({cpu_model()}); Python "
        f"{platform.python_version()}; {args.database}; {args.members} members; waitress with "
        f"{args.server_threads} threads; CPUs {busy} busy before the run"
    )


def table(timings: list[Timing], markdown: bool) -> str:
    from register_search import render_table

    rows = [
        [
            t.database,
            t.action,
            ", ".join(f"{lap:.2f}" for lap in t.laps),
            f"{t.median:.2f}",
            f"{t.ceiling_median:.3f}",
            share(t.ceiling_median, t.median),
            "met" if t.median < GOAL_S else "MISSED",
        ]
        for t in timings
    ]
    header = [
        "database",
        "request",
        "runs (s)",
        "median (s)",
        "ceiling median (s)",
        "share of ceiling",
        f"goal < {GOAL_S:g} s",
    ]
    return render_table(header, rows, markdown)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4500)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=3, help="measured requests of each (3)")
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--ini", type=Path, default=DEFAULT_INI)
    parser.add_argument("--profile", action="store_true", help="in-process, under cProfile")
    parser.add_argument("--profile-lines", type=int, default=40)
    parser.add_argument("--profile-sort", default="cumulative", help="pstats order (cumulative)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--worker",
        action="store_true",
        help="then send every queued email with tmo-mail-worker to a local SMTP server, timed",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        busy_before = cpu_busy_share()
        with contextlib.ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-notices-")))
            database_url = stack.enter_context(fresh_database(args.database, workdir))
            secret = secrets.token_urlsafe(48)
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "TMO_SECRET": secret,
                "TMO_MAIL_MODE": "memory",
            }
            runs = 2 if args.profile else args.runs
            note(f"Migrating a fresh {args.database} database, {args.members} members...")
            setup = prepare_database(database_url, secret, args.members, runs, args.seed)
            if args.profile:
                profile(args, env, setup)
                return 0
            timings = measure(args, env, workdir, database_url, setup)
            drained = None
            if args.worker:
                note("Sending the outbox with tmo-mail-worker --once...")
                drained = drain_outbox(args, env, database_url)
    except KeyboardInterrupt:
        note("Interrupted: every process stopped and the database deleted.")
        return 130
    print(describe(args, busy_before))
    print()
    print(table(timings, args.markdown))
    if drained:
        print()
        print(
            f"tmo-mail-worker --once sent {drained.emails} emails to a local SMTP server in "
            f"{drained.seconds:.1f}s ({drained.emails / drained.seconds:.0f} a second, its start "
            f"included): the {drained.queued} in the outbox and the {drained.own} checkpoints it "
            "wrote itself; each arrived once."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
