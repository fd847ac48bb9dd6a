"""Ballot bench: many members casting their ballots in one election at once, beside the ceiling.

``.venv/bin/python bench/ballots.py [--voters 20000] [--connections 8,16,32]
[--database sqlite|postgresql] [--markdown]`` creates a fresh database (a SQLite file in a
temporary directory, or a new PostgreSQL database on 127.0.0.1:5432 as user postgres), migrates
it, generates a register of members (``bench/register_search.py``'s generator) and sets up, with
bulk inserts and no argon2: one STV election with its poll open (five candidates, three seats) and,
for each voter, an account holding the member role, its login session (a known cookie token whose
SHA-256 is stored, as a log-in stores it) and an entry on the election's roll. Then, for each
number of connections:

1. starts tmo (``ini/production.ini``) and the ceiling (``bench/hello.py``: one row inserted per
   POST, in its own table of the same database) on waitress, as ``bench/run.py`` does;
2. checks one cast on each (tmo: 200 with a receipt, then 409 for the same voter again);
3. warms each up with ``--warmup-voters`` voters of their own, then drives each with wrk
   (``bench/scenario.lua``, ``requests=FILE``): every request is ``POST
   /elections/N/ballot/cast`` as a different voter, with their cookie and CSRF token and a ranking
   of their own; each voter casts exactly once, and wrk stops when every voter has an answer (or
   at ``--time-limit``). An answer but 200 with "Your vote is cast" (a 409 "already voted"
   included) counts as an error.

Last, it verifies the election: as many sealed ballots stored as voters answered, the roll marks
equal to the ballots, the keyed hash chain followed from its genesis to the published head
(``tmo.services.elections.verify`` and ``tmo-election verify``), and the stored rankings, opened
with the sealing key the bench holds as a scrutineer would, the very ones sent. It prints
ballots/s, p50/p95/p99, errors and the time 85,000 ballots would take at that rate.
``--profile N`` instead casts N ballots in-process under cProfile (no HTTP) and prints where the
time goes. Every process it starts is stopped and the database deleted on the way out.
See bench/README.md.
"""

import argparse
import collections
import contextlib
import cProfile
import http.client
import io
import json
import math
import os
import pstats
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import run as harness
from hello import create_ceiling_tables
from register_search import generate, rows_in_chunks
from run import (
    HOST,
    LOAD_TIMEOUT_S,
    REQUEST_TIMEOUT_S,
    Server,
    code_version,
    cpu_busy_share,
    cpu_model,
    fresh_database,
    note,
    raise_keyboard_interrupt,
    report_server_problems,
    start_server,
    wait_until_ready,
    wrk_version,
)

# The goal: 85,000 ballots within 10 minutes, p99 under 250 ms, no errors.
GOAL_BALLOTS = 85_000
GOAL_SECONDS = 600
GOAL_P99_MS = 250.0
CAST_PATH = "/elections/{election_id}/ballot/cast"
RECEIPT_TEXT = "Your vote is cast"
VOTER_DOMAIN = "voters.bench.example.org"
# About 87% of a generated register may vote (10% former members, 3% associates).
ENTITLED_SHARE = 0.85
CANDIDATES = 5
SEATS = 3


@dataclass(frozen=True)
class Voter:
    cookie: str  # the Cookie header: the login session and the CSRF cookie
    body: str  # the cast form: csrf_token and the ranks
    preferences: tuple[int, ...]  # candidate ids in preference order, as the ballot stores them

    def line(self) -> str:
        return f"{self.cookie}\t{self.body}"


@dataclass(frozen=True)
class Election:
    election_id: int
    candidate_ids: list[int]
    voters: list[Voter]
    # The bench holds the election's sealing key, as its scrutineer would: it opens the box
    # after the runs to compare the rankings stored with those sent.
    private_key: bytes = b""

    @property
    def path(self) -> str:
        return CAST_PATH.format(election_id=self.election_id)


@dataclass(frozen=True)
class CastResult:
    """One wrk run through a file of voters."""

    voters: int  # lines in the file
    sent: int
    answered: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    wrong: int
    socket_errors: int
    timeouts: int

    @property
    def per_s(self) -> float:
        return self.answered / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        # A voter never answered (the time limit, a broken connection) is an error too.
        return self.wrong + self.socket_errors + (self.voters - self.answered)

    @property
    def ok(self) -> int:
        return self.answered - self.wrong


@dataclass(frozen=True)
class Row:
    connections: int
    target: str
    result: CastResult


# Setting up the election ------------------------------------------------------------------------


def prepare_database(
    database_url: str, secret: str, voters: int, seed: int, password: str | None = None
) -> Election:
    """Migrate, generate the register, and set up the election, its voters and their sessions."""
    from nacl.public import PrivateKey
    from sqlalchemy import func, select, text, update

    from tmo.clock import london_day
    from tmo.constitution import Constitution
    from tmo.models import get_engine, get_session_factory
    from tmo.models.accounts import Account, LoginSession, RoleGrant
    from tmo.models.elections import Candidate, RollEntry
    from tmo.models.elections import Election as ElectionRow
    from tmo.models.membership import Member
    from tmo.models.meta import utcnow
    from tmo.permissions import Role
    from tmo.rules.elections import Status, genesis
    from tmo.rules.sealing import public_key_text
    from tmo.scripts.migrate import upgrade
    from tmo.services import elections
    from tmo.services.accounts import hash_password
    from tmo.settings import finalise

    raw = {"sqlalchemy.url": database_url, "tmo.secret": secret, "tmo.mail_mode": "memory"}
    settings = finalise(raw, environ={})
    upgrade(settings)
    create_ceiling_tables(database_url)
    engine = get_engine(settings)
    dbsession = get_session_factory(engine)()
    started = time.perf_counter()
    try:
        members = math.ceil((voters + CANDIDATES) / ENTITLED_SHARE) + 100
        generate(dbsession, members, seed)
        # One hash for every bench account, of a password nobody knows unless one is given
        # (bench/memory.py logs in with it).
        password_hash = hash_password(password or secrets.token_urlsafe(24))
        officer = Account(
            email=f"returning.officer@{VOTER_DOMAIN}",
            display_name="Bench Returning Officer",
            password_hash=password_hash,
            email_verified_at=utcnow(),
            role_grants=[RoleGrant(role=Role.RETURNING_OFFICER)],
        )
        dbsession.add(officer)
        dbsession.flush()
        entitled = dbsession.execute(
            select(Member.id, Member.name)
            .where(Member.ceased_on.is_(None), Member.associate.is_(False))
            .order_by(Member.member_number)
        ).all()
        if len(entitled) < voters + CANDIDATES:
            raise SystemExit(f"Only {len(entitled)} members may vote, for {voters} voters.")
        standing, voting = entitled[:CANDIDATES], entitled[CANDIDATES : CANDIDATES + voters]
        today = date.today()
        election = elections.create(
            dbsession,
            Constitution(),
            title=f"Board election {today.year} (bench)",
            method="stv",
            seats=SEATS,
            seat_category="resident",
            seats_description="Three resident seats retiring by rotation at the AGM",
            returning_officer_id=officer.id,
            scrutineer_id=None,
            notice_on=today - timedelta(days=30),
            actor_id=officer.id,
            now=utcnow(),
        )
        for member_id, name in standing:
            moment = election.nominations_open_at + timedelta(days=1)
            dbsession.add(
                Candidate(
                    election=election,
                    member_id=member_id,
                    name=name,
                    nominated_by_id=member_id,
                    consented_at=moment,
                    status="accepted",
                    decided_at=moment + timedelta(days=1),
                )
            )
        election.status = Status.POLL_OPEN
        election.roll_frozen_on = london_day(election.poll_opens_at)
        # Every ballot is sealed to this key's public half (tmo keeps nothing else of it).
        sealing_key = PrivateKey.generate()
        election.sealing_key = public_key_text(sealing_key)
        # The key of each voter's order of candidates (before it had its own column, the seed).
        if hasattr(ElectionRow, "paper_key"):
            election.paper_key = secrets.token_hex(32)
        else:
            election.seed = secrets.token_hex(16)
        dbsession.flush()
        election.chain_head = genesis(election.id)
        if not elections.accepting(election, utcnow()):
            raise SystemExit("The bench election's poll is not open now: its timeline is wrong.")
        candidate_ids = [candidate.id for candidate in election.candidates]

        first_account = dbsession.scalar(select(func.max(Account.id))) + 1
        expires = utcnow() + timedelta(hours=12)
        now = utcnow()
        rng = random.Random(seed + 2)
        accounts, grants, updates, sessions, roll, people = [], [], [], [], [], []
        for number, (member_id, name) in enumerate(voting):
            account_id = first_account + number
            email = f"voter{number + 1}@{VOTER_DOMAIN}"
            accounts.append(
                {
                    "id": account_id,
                    "email": email,
                    "display_name": name[:100],
                    "password_hash": password_hash,
                    "email_verified_at": now,
                }
            )
            grants.append({"account_id": account_id, "role": Role.MEMBER})
            updates.append({"id": member_id, "account_id": account_id, "contact_email": email})
            token = secrets.token_urlsafe(32)
            sessions.append(
                {
                    "token_hash": harness_token_digest(token),
                    "account_id": account_id,
                    "expires_at": expires,
                }
            )
            roll.append({"election_id": election.id, "member_id": member_id})
            csrf = secrets.token_urlsafe(24)
            ranked = tuple(rng.sample(candidate_ids, rng.randint(1, len(candidate_ids))))
            form = [("csrf_token", csrf)]
            form += [(f"rank-{c}", str(rank)) for rank, c in enumerate(ranked, start=1)]
            people.append(
                Voter(
                    cookie=f"tmo_session={token}; tmo_csrf={csrf}",
                    body=urllib.parse.urlencode(form),
                    preferences=ranked,
                )
            )
        rows_in_chunks(dbsession, Account, accounts)
        rows_in_chunks(dbsession, RoleGrant, grants)
        for start in range(0, len(updates), 5000):
            dbsession.execute(update(Member), updates[start : start + 5000])
        rows_in_chunks(dbsession, LoginSession, sessions)
        rows_in_chunks(dbsession, RollEntry, roll)
        if engine.dialect.name == "postgresql":
            dbsession.execute(
                text("SELECT setval(pg_get_serial_sequence('account', 'id'), MAX(id)) FROM account")
            )
        election_id = election.id
        dbsession.commit()
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        note(
            f"  {members} members generated, {voters} voters set up in "
            f"{time.perf_counter() - started:.1f}s"
        )
    finally:
        dbsession.close()
        engine.dispose()
    return Election(election_id, candidate_ids, people, bytes(sealing_key))


def harness_token_digest(token: str) -> str:
    """The login session's stored form of its cookie token (tmo.services.accounts)."""
    from tmo.services.accounts import _token_digest

    return _token_digest(token)


# Driving it -------------------------------------------------------------------------------------


def cast_once(server: Server, path: str, voter: Voter) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(
            "POST",
            path,
            body=voter.body.encode(),
            headers={
                "Cookie": voter.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    except OSError as error:
        message = f"POST {path} on {server.app} failed ({error!r}):\n{server.log_tail()}"
        raise SystemExit(message) from None
    finally:
        connection.close()


def check_casting(server: Server, path: str, voter: Voter) -> None:
    """One ballot is taken; on tmo, the same voter again is refused with 409."""
    status, page = cast_once(server, path, voter)
    if status != 200 or RECEIPT_TEXT not in page:
        raise SystemExit(f"Casting on {server.app} answered {status}:\n{page[:2000]}")
    if server.app == "tmo":
        status, page = cast_once(server, path, voter)
        if status != 409:
            raise SystemExit(f"Casting twice on tmo answered {status}, not 409:\n{page[:2000]}")


def write_voters(path: Path, voters: list[Voter]) -> Path:
    path.write_text("".join(voter.line() + "\n" for voter in voters))
    return path


def start_wrk(port: int, url_path: str, voters_file: Path, connections: int, time_limit_s: int):
    command = [
        "wrk",
        "--threads=1",
        f"--connections={connections}",
        f"--duration={time_limit_s}s",
        f"--timeout={LOAD_TIMEOUT_S}s",
        "--latency",
        f"--script={harness.WRK_SCRIPT}",
        f"http://{HOST}:{port}{url_path}",
        "--",
        "expect=200",
        "method=POST",
        f"requests={voters_file}",
        f"expect_body={RECEIPT_TEXT}",
    ]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=harness.die_with_parent,
    )


def wrk_figures(process: subprocess.Popen, time_limit_s: int) -> dict:
    try:
        stdout, stderr = process.communicate(timeout=time_limit_s + harness.RUN_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    for line in stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise SystemExit(
        f"wrk exited {process.returncode} without a BENCH_RESULT line:\n{stdout}\n{stderr}"
    )


def merged_percentile(runs: list[dict], percent: float) -> float:
    """The latency at ``percent`` over several wrk runs at once, from each run's quantiles
    (0.1% apart), each weighted by its requests: microseconds."""
    if len(runs) == 1:
        return runs[0]["quantiles"][min(998, max(0, round(percent * 10) - 1))]
    points = sorted(
        (value, run["requests"] / len(run["quantiles"]))
        for run in runs
        for value in run["quantiles"]
    )
    rank = percent / 100 * sum(weight for _, weight in points)
    total = 0.0
    for value, weight in points:
        total += weight
        if total >= rank:
            return value
    return points[-1][0] if points else math.nan


def run_wrk(servers: list[Server], url_path: str, files: list[Path], connections: int, limit: int):
    """One wrk per server, all at once, each with its share of the connections and voters."""
    share = connections // len(servers)
    processes = [
        start_wrk(server.port, url_path, voters_file, share, limit)
        for server, voters_file in zip(servers, files, strict=True)
        # A file with no voter would keep its wrk waiting until the time limit.
        if voters_file.stat().st_size
    ]
    runs = [wrk_figures(process, limit) for process in processes]
    total = lambda key: sum(int(run[key]) for run in runs)  # noqa: E731
    return CastResult(
        voters=sum(sum(1 for _ in voters_file.open()) for voters_file in files),
        sent=total("sent"),
        answered=total("answered"),
        duration_s=(max(run["last_us"] for run in runs) - min(run["first_us"] for run in runs))
        / 1e6,
        p50_ms=merged_percentile(runs, 50) / 1000,
        p95_ms=merged_percentile(runs, 95) / 1000,
        p99_ms=merged_percentile(runs, 99) / 1000,
        max_ms=max(run["max_us"] for run in runs) / 1000,
        wrong=total("wrong_status"),
        socket_errors=sum(total(key) for key in ("connect", "read", "write", "timeout")),
        timeouts=total("timeout"),
    )


def voter_files(workdir: Path, name: str, voters: list[Voter], parts: int) -> list[Path]:
    """The voters dealt into ``parts`` files, one for each server."""
    return [
        write_voters(workdir / f"{name}-{part}.txt", voters[part::parts]) for part in range(parts)
    ]


@dataclass
class Blocks:
    """The voters of one number of connections: one for the check, the warm-up's, the run's."""

    check: Voter
    warmup: list[Voter]
    measured: list[Voter]


def split_voters(voters: list[Voter], levels: list[int], per_run: int, warmup: int) -> list:
    blocks, start = [], 0
    for _ in levels:
        chunk = voters[start : start + 1 + warmup + per_run]
        blocks.append(Blocks(chunk[0], chunk[1 : 1 + warmup], chunk[1 + warmup :]))
        start += 1 + warmup + per_run
    return blocks


def bench_level(args, env, workdir, election: Election, connections: int, block: Blocks):
    rows = []
    processes = args.processes
    with contextlib.ExitStack() as stack:
        # One server of ``processes`` processes on one port (tmo.server, as ini/production.ini
        # serves tmo), driven by one wrk per process, each with its share of the voters.
        servers = {
            target: [
                start_server(
                    stack,
                    app,
                    args.server_threads,
                    env,
                    workdir / f"{connections}-{app}.log",
                    args.ini,
                    processes,
                )
            ]
            * processes
            for target, app in (("tmo", "tmo"), ("ceiling", "hello"))
        }
        for group in servers.values():
            wait_until_ready(group[0])
        warmup_files = voter_files(workdir, f"warmup-{connections}", block.warmup, processes)
        for target, group in servers.items():
            if target == "ceiling" and args.no_ceiling:
                continue
            check_casting(group[0], election.path, block.check)
            measured = block.measured
            if target == "ceiling" and args.ceiling_voters:
                measured = measured[: args.ceiling_voters]
            files = voter_files(workdir, f"run-{connections}-{target}", measured, processes)
            warmed = None
            if block.warmup:
                warmed = run_wrk(group, election.path, warmup_files, connections, args.time_limit)
            note(
                f"{len(measured)} ballots on {target} (port {group[0].port}), "
                f"{connections} connections..."
            )
            result = run_wrk(group, election.path, files, connections, args.time_limit)
            rows.append((Row(connections, target, result), warmed))
            note(
                f"  {result.per_s:.1f} ballots/s, p99 {result.p99_ms:.1f} ms, "
                f"{result.errors} errors, {result.duration_s:.1f}s"
            )
            report_server_problems(group[0])
            if not harness.answers(group[0]):
                note(f"  {group[0].app} no longer answers GET / after the run")
    return rows


# Verifying --------------------------------------------------------------------------------------


def verify_election(args, database_url: str, env: dict, election: Election, sent_ok) -> list:
    """What the database holds after the runs, checked against what was sent."""
    from hello import votes
    from nacl.public import PrivateKey
    from sqlalchemy import func, select

    from tmo.models import get_engine, get_session_factory
    from tmo.models.elections import Election as ElectionRow
    from tmo.models.elections import RollEntry, SealedBallot
    from tmo.rules import sealing
    from tmo.services import elections

    findings = []
    engine = get_engine({"sqlalchemy.url": database_url})
    dbsession = get_session_factory(engine)()
    key = elections.chain_key(env["TMO_SECRET"])
    try:
        row = dbsession.get(ElectionRow, election.election_id)
        ballots = dbsession.scalar(
            select(func.count()).select_from(SealedBallot).where(SealedBallot.election_id == row.id)
        )
        marks = dbsession.scalar(
            select(func.count())
            .select_from(RollEntry)
            .where(RollEntry.election_id == row.id, RollEntry.voted.is_(True))
        )
        receipts = dbsession.scalar(
            select(func.count(func.distinct(SealedBallot.tracker))).where(
                SealedBallot.election_id == row.id
            )
        )
        chained, _ = elections.chain(dbsession, row, key)
        problems = elections.verify(dbsession, row, key=key)
        # The bench holds the key: it opens each sealed ballot (without touching the box).
        box = sealing.opener(PrivateKey(election.private_key))
        stored = collections.Counter(
            sealing.unseal(box, ciphertext)
            for ciphertext in dbsession.scalars(
                select(SealedBallot.ciphertext).where(SealedBallot.election_id == row.id)
            )
        )
        ceiling_rows = dbsession.scalar(select(func.count()).select_from(votes))
        expected = collections.Counter(voter.preferences for voter in sent_ok["tmo"])
        findings.append(
            f"ballots stored {ballots}; voters answered 200 by tmo {len(sent_ok['tmo'])}; "
            f"roll marks {marks}; election.ballots_cast {row.ballots_cast}; distinct trackers "
            f"{receipts}; ballots in the chain {len(chained)}"
        )
        findings.append(
            "tmo.services.elections.verify: "
            + ("no difference" if not problems else "; ".join(problems[:5]))
        )
        if sent_ok["complete"]:
            same = stored == expected
            findings.append(
                "the stored rankings are "
                + ("exactly the rankings sent" if same else "NOT the rankings sent")
                + f" ({sum(expected.values())} ballots, {len(expected)} different rankings)"
            )
        else:
            findings.append("some voters had no answer: the rankings were not compared")
        findings.append(f"ceiling rows {ceiling_rows}; ceiling answers 200 {sent_ok['ceiling']}")
    finally:
        dbsession.close()
        engine.dispose()
    command = [str(Path(sys.executable).with_name("tmo-election")), "verify"]
    command += [str(election.election_id), str(args.ini)]
    completed = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600, check=False
    )
    last = (completed.stdout.strip().splitlines() or ["(no output)"])[-1]
    findings.append(f"tmo-election verify: exit {completed.returncode}, {last!r}")
    return findings


# Profiling --------------------------------------------------------------------------------------


def profile_casts(args, env: dict, election: Election) -> None:
    """Cast ballots in-process, one at a time, under cProfile; print where the time goes."""
    from pyramid.paster import get_app
    from sqlalchemy import event
    from webob import Request

    os.environ.update({key: env[key] for key in ("DATABASE_URL", "TMO_SECRET", "TMO_MAIL_MODE")})
    app = get_app(str(args.ini), name="main")
    engine = app.registry["dbengine"]
    sql = {"statements": 0, "seconds": 0.0, "log": None}

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        sql["statements"] += 1
        elapsed = time.perf_counter() - conn.info.pop("bench_started")
        sql["seconds"] += elapsed
        if sql["log"] is not None:
            sql["log"].append((elapsed, " ".join(statement.split())))

    def cast(voter: Voter) -> None:
        request = Request.blank(
            election.path,
            method="POST",
            body=voter.body.encode(),
            headers={
                "Cookie": voter.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = request.get_response(app)
        if response.status_code != 200:
            raise SystemExit(f"An in-process cast answered {response.status}")

    warmup = election.voters[: args.warmup_voters]
    timed = election.voters[args.warmup_voters : args.warmup_voters + args.profile]
    profiled = election.voters[args.warmup_voters + args.profile :]
    for voter in warmup:
        cast(voter)
    # First timed without the profiler (its overhead is large), then profiled.
    sql.update(statements=0, seconds=0.0)
    laps = []
    cpu_started = time.thread_time()
    for voter in timed:
        started = time.perf_counter()
        cast(voter)
        laps.append(time.perf_counter() - started)
    # The CPU time of this thread: on a busy machine, steadier than the time on the clock.
    cpu = time.thread_time() - cpu_started
    laps.sort()
    count = len(timed)
    print(
        f"{count} casts in-process on {args.database} (after {len(warmup)} unmeasured), one at a "
        f"time, no HTTP: {cpu / count * 1000:.2f} ms of CPU each; on the clock: mean "
        f"{sum(laps) / count * 1000:.2f} ms, p50 "
        f"{harness.percentile(laps, 50) * 1000:.2f} ms, p95 "
        f"{harness.percentile(laps, 95) * 1000:.2f} ms; {sql['statements'] / count:.1f} SQL "
        f"statements per cast, {sql['seconds'] / count * 1000:.2f} ms in them"
    )
    # One more cast, its statements listed (the last profiled voter's).
    sql["log"] = []
    cast(profiled.pop())
    print("\nThe SQL statements of one cast:")
    for number, (elapsed, statement) in enumerate(sql["log"], start=1):
        shown = statement if len(statement) <= 160 else statement[:157] + "..."
        print(f"{number:3d}. {elapsed * 1000:6.3f} ms  {shown}")
    sql["log"] = None
    profiler = cProfile.Profile()
    profiler.enable()
    for voter in profiled:
        cast(voter)
    profiler.disable()
    print(f"Then {len(profiled)} more under cProfile:")
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(args.profile_lines)
        print(f"\n--- sorted by {order} ---")
        print(text.getvalue())
    if args.profile_output:
        profiler.dump_stats(args.profile_output)


# Output -----------------------------------------------------------------------------------------

COLUMNS = (
    "connections",
    "target",
    "ballots",
    "seconds",
    "ballots/s",
    "share of ceiling",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    f"{GOAL_BALLOTS:,} in",
    "goal",
)


def minutes(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def goal_verdict(result: CastResult) -> str:
    misses = []
    if result.per_s < GOAL_BALLOTS / GOAL_SECONDS:
        misses.append("rate")
    if result.p99_ms >= GOAL_P99_MS:
        misses.append("p99")
    if result.errors:
        misses.append("errors")
    return "met" if not misses else "missed: " + ", ".join(misses)


def share_of_ceiling(row: Row, rows: list[Row]) -> str:
    """tmo's ballots a second as a share of the ceiling's at the same connections, same run."""
    if row.target != "tmo":
        return "-"
    for other in rows:
        if other.target == "ceiling" and other.connections == row.connections:
            return harness.share(row.result.per_s, other.result.per_s)
    return "-"


def row_cells(row: Row, rows: list[Row]) -> list[str]:
    result = row.result
    projected = GOAL_BALLOTS / result.per_s if result.per_s else math.inf
    return [
        str(row.connections),
        row.target,
        str(result.answered),
        f"{result.duration_s:.1f}",
        f"{result.per_s:.1f}",
        share_of_ceiling(row, rows),
        f"{result.p50_ms:.1f}",
        f"{result.p95_ms:.1f}",
        f"{result.p99_ms:.1f}",
        str(result.errors),
        minutes(projected),
        goal_verdict(result) if row.target == "tmo" else "",
    ]


def table(rows: list[Row], markdown: bool) -> str:
    from register_search import render_table

    return render_table(COLUMNS, [row_cells(row, rows) for row in rows], markdown)


def describe_run(args, busy_before: float | None) -> str:
    return (
        f"{code_version()}; database {args.database}; {args.voters} voters per run (ceiling: "
        f"{args.ceiling_voters or args.voters}) after {args.warmup_voters} of warm-up; wrk "
        f"({wrk_version()}) with 1 thread"
        + (f" for each of {args.processes} waitress processes" if args.processes > 1 else "")
        + f"; {args.processes} waitress process(es) (tmo.server) of {args.server_threads} "
        f"thread{'s' if args.server_threads > 1 else ''} each; "
        f"{os.cpu_count()} x {cpu_model()}; Python {sys.version.split()[0]}"
        + ("" if busy_before is None else f"; CPU {busy_before:.0%} busy just before the run")
    )


# Main -------------------------------------------------------------------------------------------


def connection_levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of numbers") from None
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("at least one positive number")
    return levels


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--voters", type=int, default=20_000, help="voters (ballots) per run")
    parser.add_argument(
        "--connections",
        type=connection_levels,
        default=[8, 16, 32],
        help="concurrent wrk connections: one run each, with voters of its own",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--warmup-voters", type=int, default=200, help="unmeasured voters before each run"
    )
    parser.add_argument(
        "--ceiling-voters", type=int, default=0, help="requests to the ceiling (0: --voters)"
    )
    parser.add_argument("--no-ceiling", action="store_true", help="drive tmo only")
    parser.add_argument(
        "--time-limit", type=int, default=900, help="seconds after which a run is stopped"
    )
    parser.add_argument(
        "--server-threads", type=int, help="waitress threads per process (default: the ini's)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="waitress processes for tmo (and for the ceiling), each driven by its own wrk "
        "(default: the ini's workers, tmo.server)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the register and ballots")
    parser.add_argument("--ini", type=Path, default=harness.DEFAULT_INI, help="tmo's ini file")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cast N ballots in-process, profiled"
    )
    parser.add_argument("--profile-lines", type=int, default=30, help="functions listed")
    parser.add_argument("--profile-output", type=Path, help="write the cProfile data here")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    workers, threads = harness.server_settings(args.ini, args.database)
    args.processes = args.processes or workers
    args.server_threads = args.server_threads or threads
    if min(args.voters, args.time_limit, args.server_threads) < 1 or args.warmup_voters < 0:
        parser.error("--voters, --time-limit and --server-threads must be positive")
    if args.processes < 1 or any(level % args.processes for level in args.connections):
        parser.error("--processes must divide every number of --connections")
    if not args.profile and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


def bench(args):
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-ballots-")))
        database_url = stack.enter_context(fresh_database(args.database, workdir))
        secret = secrets.token_urlsafe(48)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TMO_SECRET": secret,
            "TMO_MAIL_MODE": "memory",
        }
        if args.profile:
            voters = args.warmup_voters + 2 * args.profile
            note(f"Migrating a fresh {args.database} database, setting up {voters} voters...")
            election = prepare_database(database_url, secret, voters, args.seed)
            profile_casts(args, env, election)
            return None
        levels = args.connections
        voters = len(levels) * (1 + args.warmup_voters + args.voters)
        note(f"Migrating a fresh {args.database} database, setting up {voters} voters...")
        election = prepare_database(database_url, secret, voters, args.seed)
        blocks = split_voters(election.voters, levels, args.voters, args.warmup_voters)
        rows = []
        sent_ok = {"tmo": [], "ceiling": 0, "complete": True}
        for connections, block in zip(levels, blocks, strict=True):
            for row, warmed in bench_level(args, env, workdir, election, connections, block):
                rows.append(row)
                # The check's ballot, and the warm-up's: stored too, so verified too.
                warm_ok = warmed.ok if warmed else 0
                if row.target == "tmo":
                    sent_ok["tmo"] += [block.check, *block.warmup, *block.measured]
                    sent_ok["complete"] &= row.result.errors == 0
                    sent_ok["complete"] &= warmed is None or warmed.errors == 0
                else:
                    sent_ok["ceiling"] += 1 + warm_ok + row.result.ok
        note("Verifying the election...")
        findings = verify_election(args, database_url, env, election, sent_ok)
    return rows, findings


def main(argv=None) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGHUP, raise_keyboard_interrupt)
    try:
        busy_before = cpu_busy_share()
        outcome = bench(args)
    except KeyboardInterrupt:
        note("Interrupted: every process stopped and the database deleted.")
        return 130
    if outcome is None:
        return 0
    rows, findings = outcome
    print(describe_run(args, busy_before))
    print()
    print(table(rows, args.markdown))
    print()
    for finding in findings:
        print(f"- {finding}" if args.markdown else finding)
    cautions = [
        f"{row.connections} connections, {row.target}: {row.result.errors} errors "
        f"({row.result.wrong} wrong answers, {row.result.socket_errors} socket errors, "
        f"{row.result.voters - row.result.answered} voters unanswered)"
        for row in rows
        if row.result.errors
    ]
    harness.print_cautions(cautions, busy_before, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
