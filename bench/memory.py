"""Memory bench: how much a serving process of tmo holds after log-ins and casts.

``.venv/bin/python bench/memory.py [--logins 1000] [--casts 10000] [--connections 8]
[--database sqlite|postgresql] [--workers N] [--server-threads N] [--markdown]`` sets up a fresh
database as ``bench/ballots.py`` does (a generated register, one election with its poll open and a
login session for every voter), with one known password for every voter's account. It starts tmo
as ``ini/production.ini`` serves it (its ``workers`` and ``threads``, unless given), then:

1. logs in ``--logins`` times over ``--connections`` connections (``POST /login``, each as a
   different voter: argon2id checks the password every time), every answer a 302 to the front
   door;
2. casts ``--casts`` ballots with wrk, as ``bench/ballots.py`` does, every answer a receipt;
3. reads each serving process's resident memory (``VmRSS``) and its peak (``VmHWM``) from
   ``/proc``, after start-up, after the log-ins and after the casts.

Then, tmo stopped, it does the same with the ceiling: ``bench/hello.py`` on the same waitress
settings, whose log-in view checks each password against an argon2 hash of the same cost and
whose cast inserts one row, and prints tmo's share of it at each moment: the ceiling's largest
serving process's resident memory over each of tmo's (100%: tmo holds no more than the bare
stack doing the same work).

The goal: every serving process under 200 MB after 1,000 log-ins and 10,000 casts. Every
process it starts is stopped and the database deleted on the way out. See bench/README.md.
"""

import argparse
import concurrent.futures
import contextlib
import http.client
import os
import re
import secrets
import signal
import sys
import tempfile
import urllib.parse
from pathlib import Path

import run as harness
from ballots import cast_once, prepare_database, run_wrk, voter_files
from run import (
    CSRF_COOKIE,
    HOST,
    REQUEST_TIMEOUT_S,
    cpu_busy_share,
    fresh_database,
    note,
    raise_keyboard_interrupt,
    start_server,
    wait_until_ready,
)

GOAL_MB = 200
PASSWORD = "bench-memory-" + secrets.token_urlsafe(12)
VOTER_EMAIL = "voter{number}@voters.bench.example.org"


def serving_processes(server) -> list[int]:
    """The server's process and the workers it forked (tmo.server), those that serve."""
    pid = server.process.pid
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status:
            children.append(int(entry.name))
    return sorted(children) or [pid]


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid``, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = {
        name: int(value) / 1024
        for name, value in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE)
    }
    return found["VmRSS"], found["VmHWM"]


def csrf_pair(port: int) -> str:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            if header.startswith(f"{CSRF_COOKIE}="):
                return header.split(";", 1)[0].split("=", 1)[1]
    finally:
        connection.close()
    raise SystemExit("GET /login set no CSRF cookie")


def log_in(port: int, token: str, number: int) -> int:
    body = urllib.parse.urlencode(
        [
            ("_charset_", "UTF-8"),
            ("__formid__", "form"),
            ("csrf_token", token),
            ("email", VOTER_EMAIL.format(number=number)),
            ("password", PASSWORD),
            ("submit", "submit"),
        ]
    )
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "POST",
            "/login",
            body=body,
            headers={
                "Cookie": f"{CSRF_COOKIE}={token}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def snapshot(server, target: str, label: str) -> list[tuple[str, str, int, float, float]]:
    return [(target, label, pid, *memory_mb(pid)) for pid in serving_processes(server)]


def measure(args, stack, env: dict, workdir: Path, election, target: str) -> list:
    """Start ``target`` (tmo, or the ceiling: bench/hello.py), log in and cast as the bench
    does, and read its memory after each."""
    app = "tmo" if target == "tmo" else "hello"
    if app == "hello":
        from tmo.services.accounts import hash_password

        env = {**env, "BENCH_PASSWORD_HASH": hash_password(PASSWORD)}
    server = start_server(
        stack, app, args.server_threads, env, workdir / f"{app}.log", args.ini, args.workers
    )
    wait_until_ready(server)
    rows = snapshot(server, target, "started")
    # The ceiling checks no CSRF token: any will do.
    token = csrf_pair(server.port) if app == "tmo" else secrets.token_urlsafe(24)
    note(f"{target}: {args.logins} log-ins over {args.connections} connections...")
    with concurrent.futures.ThreadPoolExecutor(args.connections) as pool:
        statuses = list(
            pool.map(lambda n: log_in(server.port, token, n), range(1, args.logins + 1))
        )
    wrong = sum(status != 302 for status in statuses)
    if wrong:
        raise SystemExit(f"{wrong} of {args.logins} log-ins on {target} did not answer 302")
    rows += snapshot(server, target, f"after {args.logins:,} log-ins")
    note(f"{target}: {args.casts} casts with wrk over {args.connections} connections...")
    casting = election.voters[: args.casts]
    files = voter_files(workdir, f"casts-{target}", casting, args.workers)
    result = run_wrk([server] * args.workers, election.path, files, args.connections, 900)
    if result.errors or result.answered != len(casting):
        status, page = cast_once(server, election.path, election.voters[args.casts])
        raise SystemExit(
            f"casts on {target}: {result.answered} answered, {result.errors} errors "
            f"({result.wrong} wrong, {result.timeouts} timed out); one more cast answered "
            f"{status}:\n{page[:1500]}\n{server.log_tail()}"
        )
    rows += snapshot(server, target, f"after {args.casts:,} casts")
    harness.report_server_problems(server)
    return rows


def bench(args):
    rows = []
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-memory-")))
        database_url = stack.enter_context(fresh_database(args.database, workdir))
        secret = secrets.token_urlsafe(48)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TMO_SECRET": secret,
            "TMO_MAIL_MODE": "memory",
        }
        voters = max(args.logins, args.casts) + 1
        note(f"Migrating a fresh {args.database} database, setting up {voters} voters...")
        election = prepare_database(database_url, secret, voters, args.seed, password=PASSWORD)
        # One after the other, each stopped before the next starts: neither's memory is
        # measured while the other holds the machine's.
        for target in ("tmo", "ceiling"):
            with contextlib.ExitStack() as servers:
                rows += measure(args, servers, env, workdir, election, target)
    return rows


def memory_share(row, rows) -> str:
    """The ceiling's largest serving process over this tmo process, at the same moment, in
    resident memory: 100% holds no more than the bare stack."""
    target, label, _, rss, _ = row
    if target != "tmo":
        return "-"
    ceiling = [other[3] for other in rows if other[0] == "ceiling" and other[1] == label]
    return harness.share(max(ceiling), rss) if ceiling else "-"


def table(rows, markdown: bool) -> str:
    from register_search import render_table

    columns = (
        "target",
        "moment",
        "process",
        "RSS MB",
        "peak RSS MB",
        "share of ceiling",
        f"under {GOAL_MB} MB",
    )
    cells = [
        [
            target,
            label,
            str(pid),
            f"{rss:.1f}",
            f"{peak:.1f}",
            memory_share((target, label, pid, rss, peak), rows),
            ("yes" if peak < GOAL_MB else "no") if target == "tmo" else "",
        ]
        for target, label, pid, rss, peak in rows
    ]
    return render_table(columns, cells, markdown)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=1000)
    parser.add_argument("--casts", type=int, default=10000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, help="waitress processes (default: the ini's)")
    parser.add_argument("--server-threads", type=int, help="threads each (default: the ini's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--ini", type=Path, default=harness.DEFAULT_INI)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    workers, threads = harness.server_settings(args.ini, args.database)
    args.workers = args.workers or workers
    args.server_threads = args.server_threads or threads
    if args.connections % args.workers:
        parser.error("--workers must divide --connections")
    return args


def main(argv=None) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        busy = cpu_busy_share()
        rows = bench(args)
    except KeyboardInterrupt:
        note("Interrupted: every process stopped and the database deleted.")
        return 130
    print(
        f"database {args.database}; {args.workers} waitress process(es) of "
        f"{args.server_threads} thread(s) (tmo.server); {args.logins:,} log-ins then "
        f"{args.casts:,} casts over {args.connections} connections"
        + ("" if busy is None else f"; CPU {busy:.0%} busy before the run")
    )
    print()
    print(table(rows, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
