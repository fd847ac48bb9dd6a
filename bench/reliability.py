"""Reliability bench: what many requests at once, and a server killed mid-write, must not break.

``.venv/bin/python bench/reliability.py [--database sqlite|postgresql] [--double-voters 1000]
[--guesses 60] [--approvals 100] [--burst-voters 400] [--markdown]`` creates a fresh database,
migrates it and sets up an election with its poll open and voters logged in (``bench/ballots.py``'s
``prepare_database``: accounts, sessions, roll entries), starts tmo on waitress
(``ini/production.ini``, as ``bench/run.py`` does) and, over HTTP only:

1. **Double casts**: every one of ``--double-voters`` voters casts twice at the same moment (the
   two POSTs released together by a barrier, ``--clients`` threads in all). Counted: voters with
   two ballots taken (200 twice), ballots stored beyond the roll marks. Both must be 0.
2. **Log-in guesses**: ``--guesses`` wrong passwords for one account, all released at once, each
   from its own client with its own CSRF cookie. Counted: the guesses whose password was checked
   (the audit log's ``account.login_failed`` entries); at most the limit
   (``tmo.throttle.login_account``, 5) may be, the rest must be 429.
3. **Racing approvals**: ``--approvals`` passed Youth Forum proposals, the sum of their costs
   beyond the year's budget, their votes over, opened by the youth worker at the same moment
   (one GET of each proposal's page, released together by a barrier, each from its own client:
   the first request after a vote's time ends counts it, and every request on the forum's pages
   counts every vote that is over, so they all race to commit). Counted from the ledger: pence
   committed beyond the budget (must be 0), and the proposals committed (exactly as many as the
   budget covers) and agreed but unfunded (the rest). The proposals are set up as
   ``tests/youth_setup.py`` sets them up for the tests' race.
4. **Kill -9 mid-burst**: ``--burst-voters`` other voters cast from ``--clients`` threads; once a
   quarter of them are answered the server is killed with SIGKILL, then started again. Counted:
   the casts acknowledged (200 with a receipt) whose roll mark or ballot is missing after the
   restart. Must be 0 (a cast not acknowledged may or may not have been taken).

Beside each, the ceiling: the same requests, from the same clients at once, to ``bench/hello.py``
on the same waitress settings and database (a cast or a proposal's page: one row inserted; a
log-in: the form parsed; killed the same way mid-burst), and tmo's share of the rate it achieves
(requests a second; for the burst, casts taken a second until the kill).

Every process it starts is stopped and the database deleted on the way out. See bench/README.md.
"""

import argparse
import contextlib
import http.client
import os
import platform
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

from ballots import RECEIPT_TEXT, prepare_database
from run import (
    CSRF_COOKIE,
    DEFAULT_INI,
    HOST,
    REQUEST_TIMEOUT_S,
    cpu_model,
    fresh_database,
    note,
    raise_keyboard_interrupt,
    share,
    start_server,
    wait_until_ready,
)

# The tests' set-ups and races, shared with the bench (the repository's root on the path).
sys.path.append(str(Path(__file__).resolve().parents[1]))
from tests.races import at_the_same_moment
from tests.youth_setup import COST
from tmo.rules.youth import ProposalStatus

GUESSED_EMAIL = "guessed@bench.example.org"


def post(port: int, path: str, body: str, cookie: str, method: str = "POST") -> tuple[int, str]:
    """One POST (or a GET without ``body``); (status, page), or (0, the error) if the
    connection failed."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S * 3)
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body.encode() if body else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:  # a server killed mid-answer
        return 0, repr(error)
    finally:
        connection.close()


def database_counts(database_url: str, election_id: int, account_email: str | None = None):
    """(voted roll entries, ballots, {the ballots' trackers, each voter's receipt}, login
    failures audited for the email)."""
    from sqlalchemy import create_engine, func, select

    from tmo.models.accounts import Account
    from tmo.models.audit import AuditEntry
    from tmo.models.elections import RollEntry, SealedBallot

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            voted = connection.scalar(
                select(func.count())
                .select_from(RollEntry)
                .where(RollEntry.election_id == election_id, RollEntry.voted.is_(True))
            )
            receipts = set(
                connection.scalars(
                    select(SealedBallot.tracker).where(SealedBallot.election_id == election_id)
                )
            )
            ballots = len(receipts)
            failures = 0
            if account_email:
                account_id = connection.scalar(
                    select(Account.id).where(Account.email == account_email)
                )
                failures = connection.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(
                        AuditEntry.action == "account.login_failed",
                        AuditEntry.target_id == str(account_id),
                    )
                )
    finally:
        engine.dispose()
    return voted, ballots, receipts, failures


def add_guessed_account(database_url: str) -> None:
    """An account with a real argon2 hash, for the guesses to miss."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from tmo.models.accounts import Account
    from tmo.services.accounts import hash_password

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            session.add(
                Account(
                    email=GUESSED_EMAIL,
                    display_name="Guessed",
                    password_hash=hash_password(secrets.token_urlsafe(16)),
                    email_verified_at=datetime.now(UTC),
                )
            )
            session.commit()
    finally:
        engine.dispose()


# 1. Double casts --------------------------------------------------------------------------------


def double_casts(port: int, path: str, voters, clients: int) -> dict:
    statuses = {}

    def cast_twice(index_voter):
        index, voter = index_voter
        together = threading.Barrier(2)
        answers = []

        def one():
            together.wait()
            answers.append(post(port, path, voter.body, voter.cookie))

        pair = [threading.Thread(target=one) for _ in range(2)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
        statuses[index] = answers

    with ThreadPoolExecutor(max_workers=max(1, clients // 2)) as pool:
        list(pool.map(cast_twice, enumerate(voters)))
    taken = {i: sum(s == 200 and RECEIPT_TEXT in p for s, p in a) for i, a in statuses.items()}
    return {
        "voters": len(voters),
        "requests": 2 * len(voters),
        "twice_taken": sum(1 for n in taken.values() if n > 1),
        "once_taken": sum(1 for n in taken.values() if n == 1),
        "none_taken": sum(1 for n in taken.values() if n == 0),
        "errors_5xx": sum(1 for a in statuses.values() for s, _ in a if s >= 500 or s == 0),
    }


# 2. Log-in guesses ------------------------------------------------------------------------------


def login_form(port: int) -> tuple[str, str]:
    """(Cookie header, form body without the password) from one GET /login."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        page = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookies.load(header)
    finally:
        connection.close()
    if CSRF_COOKIE in cookies:
        token = cookies[CSRF_COOKIE].value
        assert re.search(rf'name="csrf_token"[^>]*value="{re.escape(token)}"', page)
    else:  # the ceiling, which checks no token
        token = secrets.token_urlsafe(24)
    body = urllib.parse.urlencode(
        {"_charset_": "UTF-8", "__formid__": "form", "csrf_token": token, "email": GUESSED_EMAIL}
    )
    return f"{CSRF_COOKIE}={token}", body


def login_guesses(port: int, guesses: int) -> list[int]:
    forms = [login_form(port) for _ in range(guesses)]
    statuses = []

    def guess(numbered_form):
        number, (cookie, body) = numbered_form
        wrong = urllib.parse.urlencode({"password": f"wrong guess {number}", "submit": "submit"})
        statuses.append(post(port, "/login", f"{body}&{wrong}", cookie)[0])

    at_the_same_moment(guess, list(enumerate(forms)))
    return statuses


# 3. Racing approvals ----------------------------------------------------------------------------

YOUTH_WORKER_EMAIL = "youth.worker@bench.example.org"


def youth_settings(database_url: str, secret: str) -> dict:
    from tmo.settings import finalise

    raw = {"sqlalchemy.url": database_url, "tmo.secret": secret, "tmo.mail_mode": "memory"}
    return finalise(raw, environ={})


def add_racing_proposals(database_url: str, secret: str, number: int) -> tuple[str, list]:
    """The youth worker, logged in, and ``number`` passed proposals waiting to be counted
    (``tests/youth_setup.py``); (the youth worker's Cookie header, each proposal's page)."""
    from ballots import harness_token_digest

    from tests.youth_setup import proposals_ready_to_count
    from tmo.clock import london_day
    from tmo.constitution import Constitution
    from tmo.models import get_engine, get_session_factory
    from tmo.models.accounts import Account, LoginSession, RoleGrant
    from tmo.permissions import Role
    from tmo.services.accounts import hash_password

    engine = get_engine(youth_settings(database_url, secret))
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    try:
        with get_session_factory(engine)() as session:
            worker = Account(
                email=YOUTH_WORKER_EMAIL,
                display_name="Youth worker",
                password_hash=hash_password(secrets.token_urlsafe(16)),
                email_verified_at=now,
            )
            session.add(worker)
            session.flush()
            session.add(RoleGrant(account_id=worker.id, role=Role.YOUTH_WORKER))
            session.add(
                LoginSession(
                    account_id=worker.id,
                    token_hash=harness_token_digest(token),
                    expires_at=now + timedelta(hours=12),
                )
            )
            ids = proposals_ready_to_count(session, Constitution(), number, COST, london_day(now))
    finally:
        engine.dispose()
    return f"tmo_session={token}", [f"/youth/proposals/{proposal_id}" for proposal_id in ids]


def racing_approvals(port: int, cookie: str, paths: list[str]) -> list[int]:
    """Every proposal's page asked for at the same moment, each from its own client; their
    statuses."""
    statuses = []
    at_the_same_moment(
        lambda path: statuses.append(post(port, path, "", cookie, method="GET")[0]), paths
    )
    return statuses


def what_the_approvals_left(database_url: str, secret: str):
    from tests.youth_setup import what_was_counted
    from tmo.clock import london_day
    from tmo.constitution import Constitution
    from tmo.models import get_engine, get_session_factory

    engine = get_engine(youth_settings(database_url, secret))
    try:
        with get_session_factory(engine)() as session:
            return what_was_counted(session, Constitution(), london_day(datetime.now(UTC)))
    finally:
        engine.dispose()


# 4. Kill -9 mid-burst ---------------------------------------------------------------------------


def burst_then_kill(server, path: str, voters, clients: int) -> tuple[dict, float]:
    """Cast for every voter from ``clients`` threads; SIGKILL the server once a quarter are
    answered. Returns {voter index: the receipt code if acknowledged, else the status (0 for no
    answer)}, and the casts taken (200) a second until the kill."""
    answered = {}
    lock = threading.Lock()
    killed = threading.Event()
    started = time.monotonic()
    rate = [0.0]

    def cast(index_voter):
        index, voter = index_voter
        if killed.is_set():
            answered[index] = 0
            return
        status, page = post(server.port, path, voter.body, voter.cookie)
        receipt = re.search(r'id="receipt">([^<]+)<', page) if status == 200 else None
        with lock:
            answered[index] = receipt.group(1) if receipt else status
            if not killed.is_set() and len(answered) >= len(voters) // 4:
                os.kill(server.process.pid, signal.SIGKILL)
                killed.set()
                taken = sum(1 for code in answered.values() if code == 200 or isinstance(code, str))
                rate[0] = taken / (time.monotonic() - started)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(cast, enumerate(voters)))
    server.process.wait(timeout=30)
    return answered, rate[0]


def per_second(count: int, run) -> tuple[float, float]:
    """(the seconds ``run()`` took, ``count`` over them)."""
    started = time.monotonic()
    run()
    seconds = time.monotonic() - started
    return seconds, count / seconds


def rates(tmo: float, ceiling: float, unit: str) -> str:
    return f"tmo {tmo:.0f} {unit}/s, ceiling {ceiling:.0f} {unit}/s"


# The run ----------------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--double-voters", type=int, default=1000)
    parser.add_argument("--guesses", type=int, default=60)
    parser.add_argument("--approvals", type=int, default=100)
    parser.add_argument("--burst-voters", type=int, default=400)
    parser.add_argument("--clients", type=int, default=64, help="concurrent client threads")
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--markdown", action="store_true")
    return parser.parse_args(argv)


def bench(args) -> list[tuple[str, str, str, str]]:
    rows = []
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-reliab-")))
        database_url = stack.enter_context(fresh_database(args.database, workdir))
        secret = secrets.token_urlsafe(48)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TMO_SECRET": secret,
            "TMO_MAIL_MODE": "memory",
        }
        total = args.double_voters + args.burst_voters
        note(f"Migrating a fresh {args.database} database, setting up {total} voters...")
        election = prepare_database(database_url, secret, total, args.seed)
        add_guessed_account(database_url)
        cookie, proposal_paths = add_racing_proposals(database_url, secret, args.approvals)
        doubles = election.voters[: args.double_voters]
        burst = election.voters[args.double_voters : total]

        def serve(label):
            app = "hello" if label == "hello" else "tmo"
            server = start_server(
                stack, app, args.server_threads, env, workdir / f"{label}.log", DEFAULT_INI
            )
            wait_until_ready(server)
            return server

        server = serve("tmo")
        ceiling = serve("hello")
        casts = {}
        note(f"1. {len(doubles)} voters casting twice at once...")
        requests = 2 * len(doubles)
        seconds, tmo_rate = per_second(
            requests,
            lambda: casts.update(double_casts(server.port, election.path, doubles, args.clients)),
        )
        voted, ballots, _, _ = database_counts(database_url, election.election_id)
        _, ceiling_rate = per_second(
            requests, lambda: double_casts(ceiling.port, election.path, doubles, args.clients)
        )
        rows.append(
            (
                f"double casts: {casts['voters']} voters x 2 at once ({casts['requests']} "
                f"POSTs, {seconds:.0f} s)",
                f"{casts['twice_taken']} voters with two ballots taken; {ballots - voted} "
                f"ballots beyond the roll marks; {casts['once_taken']} taken once, "
                f"{casts['none_taken']} none; {casts['errors_5xx']} answers 5xx or none; "
                + rates(tmo_rate, ceiling_rate, "POSTs"),
                share(tmo_rate, ceiling_rate),
                "0 and 0" if casts["twice_taken"] == 0 and ballots == voted else "FAILED",
            )
        )

        note(f"2. {args.guesses} wrong passwords for one account at once...")
        statuses = []
        _, tmo_rate = per_second(
            args.guesses, lambda: statuses.extend(login_guesses(server.port, args.guesses))
        )
        *_, judged = database_counts(database_url, election.election_id, GUESSED_EMAIL)
        _, ceiling_rate = per_second(
            args.guesses, lambda: login_guesses(ceiling.port, args.guesses)
        )
        limit = 5
        rows.append(
            (
                f"log-in guesses: {args.guesses} wrong passwords at once, one account",
                f"{judged} checked (audited account.login_failed); "
                f"{statuses.count(429)} answered 429, {statuses.count(200)} 200, "
                f"{sum(1 for s in statuses if s >= 500 or s == 0)} 5xx or none; "
                + rates(tmo_rate, ceiling_rate, "guesses"),
                share(tmo_rate, ceiling_rate),
                f"at most {limit}: " + ("yes" if judged <= limit else "FAILED"),
            )
        )

        note(f"3. {args.approvals} approvals counted at once against one budget...")
        statuses = []
        _, tmo_rate = per_second(
            len(proposal_paths),
            lambda: statuses.extend(racing_approvals(server.port, cookie, proposal_paths)),
        )
        counted = what_the_approvals_left(database_url, secret)
        _, ceiling_rate = per_second(
            len(proposal_paths), lambda: racing_approvals(ceiling.port, cookie, proposal_paths)
        )
        budget = counted.balances.allocated
        rows.append(
            (
                f"racing approvals: {args.approvals} passed proposals' pages opened at once, "
                f"{len(proposal_paths) * COST // 100:,} pounds asked of a {budget // 100:,} pound "
                "budget",
                f"{counted.overspent} pence committed beyond the budget; "
                f"{counted.statuses.count(ProposalStatus.COMMITTED)} committed "
                f"({counted.commitments} in the ledger), "
                f"{counted.statuses.count(ProposalStatus.UNFUNDED)} agreed but unfunded; "
                f"{sum(1 for s in statuses if s >= 500 or s == 0)} answers 5xx or none; "
                + rates(tmo_rate, ceiling_rate, "counts"),
                share(tmo_rate, ceiling_rate),
                "0 overspent"
                if counted.overspent == 0 and counted.commitments == budget // COST
                else "FAILED",
            )
        )

        note(f"4. {len(burst)} voters casting, the server killed with SIGKILL mid-burst...")
        answered, tmo_rate = burst_then_kill(server, election.path, burst, args.clients)
        _, ceiling_rate = burst_then_kill(ceiling, election.path, burst, args.clients)
        restarted = serve("tmo-restarted")
        voted, ballots, receipts, _ = database_counts(database_url, election.election_id)
        acknowledged = [code for code in answered.values() if isinstance(code, str)]
        lost = [code for code in acknowledged if code not in receipts]
        rows.append(
            (
                f"kill -9 mid-burst: {len(burst)} casts from {args.clients} clients, killed "
                f"after {len(burst) // 4} answers, restarted",
                f"{len(acknowledged)} acknowledged, {len(lost)} of them lost; "
                f"{len(answered) - len(acknowledged)} unacknowledged; "
                f"ballots {ballots} = roll marks {voted}: {ballots == voted}; "
                f"restarted server answers: {restarted.process.poll() is None}; "
                + rates(tmo_rate, ceiling_rate, "casts")
                + " until the kill",
                share(tmo_rate, ceiling_rate),
                "0 lost" if not lost and ballots == voted else "FAILED",
            )
        )
    return rows


def main(argv=None) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        rows = bench(args)
    except KeyboardInterrupt:
        note("Interrupted: every process stopped and the database deleted.")
        return 130
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.database}, {cpu_model()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.server_threads} waitress threads"
    )
    if args.markdown:
        print("| scenario | measured | share of ceiling | goal |\n| --- | --- | ---: | --- |")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        for scenario, measured, of_ceiling, goal in rows:
            print(scenario, measured, f"share of ceiling: {of_ceiling}", goal, sep="\n", end="\n\n")
    return 0 if all("FAILED" not in row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
