"""Bench harness: tmo on waitress against a fresh database, next to the bare-Pyramid ceiling.

``.venv/bin/python bench/run.py [--scenario home|login|all] [--duration 10] [--connections 8]
[--threads N] [--database sqlite|postgresql] [--markdown]`` creates a temporary database (a SQLite
file, or a PostgreSQL database on 127.0.0.1:5432 as user postgres), migrates it and loads the demo.
For each scenario it starts tmo (``ini/production.ini``, mail kept in memory, a generated secret)
and the "hello" app of ``bench/hello.py`` in two waitress subprocesses with the same settings on
free 127.0.0.1 ports, then warms up and drives each in turn with wrk (``bench/scenario.lua``) or,
without wrk, a small Python load generator. It prints requests/s, p50/p95/p99 latency and errors
for each, and stops every process and deletes the database on the way out, including on Ctrl-C,
``kill`` and failures. See bench/README.md.
"""

import argparse
import configparser
import contextlib
import ctypes
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SERVE_SCRIPT = BENCH_DIR / "serve.py"
WRK_SCRIPT = BENCH_DIR / "scenario.lua"
DEFAULT_INI = REPO_DIR / "ini" / "production.ini"

HOST = "127.0.0.1"
POSTGRES_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

SCENARIOS = ("home", "login", "front-door", "membership", "meetings", "board")
LOGIN_EMAIL = "member@example.org"
CSRF_COOKIE = "tmo_csrf"

STARTUP_TIMEOUT_S = 60
# A request unanswered for this long counts as an error (a timeout), in wrk and in Python.
LOAD_TIMEOUT_S = 5
# Single requests the harness sends itself (the CSRF fetch, the checks): generous.
REQUEST_TIMEOUT_S = 10
# wrk (or the Python generator) may overrun --duration by this much before it is stopped.
RUN_GRACE_S = 60

PR_SET_PDEATHSIG = 1
# Above this share of CPU busy before the run, the figures are flagged as taken on a busy machine.
BUSY_MACHINE_SHARE = 0.10

# Pyramid 2.1 imports pkg_resources (see pyproject.toml); the warning says nothing about the bench.
warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)


@dataclass(frozen=True)
class BenchRequest:
    """The one request a scenario sends again and again, and the status a right answer has."""

    method: str
    path: str
    expected_status: int
    headers: dict[str, str] = field(default_factory=dict)
    form: tuple[tuple[str, str], ...] = ()

    def body(self) -> bytes | None:
        return urllib.parse.urlencode(self.form).encode() if self.form else None

    def http_headers(self) -> dict[str, str]:
        if not self.form:
            return dict(self.headers)
        return {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}

    def wrk_arguments(self) -> list[str]:
        """The request as ``scenario.lua`` reads it, after wrk's ``--``."""
        arguments = [f"expect={self.expected_status}", f"method={self.method}"]
        arguments += [f"header.{name}={value}" for name, value in self.headers.items()]
        arguments += [f"form.{name}={value}" for name, value in self.form]
        return arguments


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    wrong_status: int
    socket_errors: int
    timeouts: int

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        return self.wrong_status + self.socket_errors


@dataclass(frozen=True)
class Row:
    scenario: str
    target: str
    result: LoadResult
    # Whether the server still answered a plain GET / (within LOAD_TIMEOUT_S) after the run.
    answered_after: bool = True

    def warning(self) -> str | None:
        """What a reader of the figures must know: a stalled server, timeouts, wrong answers."""
        result = self.result
        if not self.answered_after:
            return (
                f"{self.scenario}/{self.target}: {result.requests} requests completed, then the "
                f"server stopped answering (GET / unanswered {LOAD_TIMEOUT_S}s after the run)"
            )
        if result.requests == 0:
            return f"{self.scenario}/{self.target}: no request completed"
        if result.timeouts:
            return f"{self.scenario}/{self.target}: {result.timeouts} requests timed out"
        if result.wrong_status:
            return (
                f"{self.scenario}/{self.target}: {result.wrong_status} answers had another status"
            )
        return None


@dataclass
class Server:
    """A waitress subprocess serving ``app`` on ``port``, its output going to ``log_path``."""

    app: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass(frozen=True)
class LoadSettings:
    generator: str  # "wrk" or "python"
    connections: int
    threads: int


def note(message: str) -> None:
    """Progress goes to stderr, so that stdout holds only the figures."""
    print(message, file=sys.stderr, flush=True)


# Processes --------------------------------------------------------------------------------------


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


LIBC = _libc()


def die_with_parent() -> None:
    """In the child, before exec: be sent SIGTERM if the harness dies without cleaning up."""
    if LIBC is not None:
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_process(process: subprocess.Popen, timeout_s: float = 10) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_settings(ini: Path, database: str) -> tuple[int, int]:
    """The processes and threads the ini file's ``[server:main]`` serves with (tmo.server), on
    ``database`` ("sqlite" or "postgresql"): what the bench runs by default."""
    from tmo.server import workers_for

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini)
    section = parser["server:main"] if parser.has_section("server:main") else {}
    workers = workers_for(section.get("workers", "1"), database)
    return workers, int(section.get("threads", "4"))


def start_server(
    stack, app: str, server_threads: int, env: dict, log_path: Path, ini: Path, workers: int = 1
):
    port = free_port()
    command = [sys.executable, str(SERVE_SCRIPT), app, "--port", str(port)]
    command += ["--threads", str(server_threads), "--workers", str(workers), "--ini", str(ini)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_DIR,
            # Its own session: Ctrl-C reaches the harness only, which then stops it in order.
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    stack.callback(stop_process, process)
    return Server(app=app, port=port, process=process, log_path=log_path)


def wait_until_ready(server: Server, path: str = "/") -> None:
    """Poll ``GET path`` until it answers 200; fail early if the process has died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(
                f"The {server.app} server exited ({server.process.returncode}):\n"
                + server.log_tail()
            )
        connection = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
            last_problem = f"GET {path} answered {response.status}"
        except OSError as error:
            last_problem = str(error)
        finally:
            connection.close()
        time.sleep(0.1)
    raise SystemExit(
        f"The {server.app} server did not answer within {STARTUP_TIMEOUT_S}s ({last_problem}):\n"
        + server.log_tail()
    )


def answers(server: Server, path: str = "/") -> bool:
    """Whether ``GET path`` gets any answer within LOAD_TIMEOUT_S (wrk does not count requests
    that never get an answer, so a server that stalls must be caught this way)."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=LOAD_TIMEOUT_S)
    try:
        connection.request("GET", path)
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def report_server_problems(server: Server) -> None:
    """Say if a server logged errors under load, and how often waitress had no idle thread."""
    try:
        lines = server.log_path.read_text(errors="replace").splitlines()
    except OSError:
        return
    queued = sum("Task queue depth" in line for line in lines)
    if queued:
        note(f"  ({server.app}: waitress found every thread busy {queued} times)")
    problems = [
        line
        for line in lines
        if re.search(r"WARNING|ERROR|CRITICAL|Traceback", line) and "Task queue depth" not in line
    ]
    if problems:
        note(f"  {server.app} logged {len(problems)} warning/error lines, e.g.:")
        for line in problems[:5]:
            note(f"    {line}")


# The database -----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path):
    """Yield the SQLAlchemy URL of a new, empty database; drop it (PostgreSQL) on the way out."""
    if kind == "sqlite":
        # The file lives in the harness's temporary directory, which is deleted at the end.
        yield f"sqlite:///{workdir / 'tmo.sqlite'}"
        return
    import psycopg
    from psycopg import sql

    name = f"tmo_bench_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield POSTGRES_URL.format(name=name)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def migrate_and_load_demo(database_url: str, secret: str) -> None:
    from tmo.demo import load_demo
    from tmo.models import get_engine, get_session_factory
    from tmo.scripts.migrate import upgrade
    from tmo.settings import finalise

    raw = {"sqlalchemy.url": database_url, "tmo.secret": secret, "tmo.mail_mode": "memory"}
    # An explicit, empty environment: a DATABASE_URL in the shell must not redirect the bench.
    settings = finalise(raw, environ={})
    upgrade(settings)
    engine = get_engine(settings)
    dbsession = get_session_factory(engine)()
    try:
        if not load_demo(dbsession, date.today(), secret=secret):
            raise SystemExit("The fresh database already held accounts: refusing to go on.")
        dbsession.commit()
    finally:
        dbsession.close()
        engine.dispose()


# Scenarios --------------------------------------------------------------------------------------


def home_request(tmo: Server) -> BenchRequest:
    """GET / with no cookies: the public home page, as a first-time visitor sees it."""
    return BenchRequest("GET", "/", 200)


def login_request(tmo: Server) -> BenchRequest:
    """POST /login as a demo member, with one CSRF cookie and token fetched here beforehand."""
    from tmo.demo import DEMO_PASSWORD

    connection = http.client.HTTPConnection(HOST, tmo.port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        page = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookies.load(header)
    except OSError as error:
        raise SystemExit(f"GET /login on tmo failed ({error!r}):\n{tmo.log_tail()}") from None
    finally:
        connection.close()
    if CSRF_COOKIE not in cookies:
        raise SystemExit(f"GET /login set no {CSRF_COOKIE} cookie (status {response.status}).")
    cookie_token = cookies[CSRF_COOKIE].value
    field_match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"', page)
    if field_match is None or field_match.group(1) != cookie_token:
        raise SystemExit("The log-in form's csrf_token field does not match its cookie.")
    request = BenchRequest(
        "POST",
        "/login",
        302,
        headers={"Cookie": f"{CSRF_COOKIE}={cookie_token}"},
        form=(
            ("_charset_", "UTF-8"),
            ("__formid__", "form"),
            ("csrf_token", cookie_token),
            ("email", LOGIN_EMAIL),
            ("password", DEMO_PASSWORD),
            ("submit", "submit"),
        ),
    )
    check_answer(tmo, request, location_suffix="/needs-you")
    return request


def logged_in_cookie(tmo: Server) -> str:
    """The Cookie header of a demo member who has logged in and been shown the page the log-in
    leads to, as a browser holds it then: the CSRF cookie, the login session, and the flash
    message ("You are logged in as...") already shown, so no longer sent."""
    request = login_request(tmo)
    jar = SimpleCookie(request.headers["Cookie"])

    def send(method: str, path: str, body: bytes | None, headers: dict) -> str:
        connection = http.client.HTTPConnection(HOST, tmo.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or ():
                jar.load(header)
            return response.headers.get("Location", "")
        finally:
            connection.close()

    def cookie_header() -> str:
        return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items() if morsel.value)

    location = send("POST", request.path, request.body(), request.http_headers())
    landing = urllib.parse.urlsplit(location).path or "/"
    send("GET", landing, None, {"Cookie": cookie_header()})
    return cookie_header()


def member_page(path: str):
    def request(tmo: Server) -> BenchRequest:
        return BenchRequest("GET", path, 200, headers={"Cookie": logged_in_cookie(tmo)})

    request.__doc__ = f"GET {path} as a demo member who has logged in."
    return request


def board_request(tmo: Server) -> BenchRequest:
    """GET /board with no cookies: the board as the public sees it."""
    return BenchRequest("GET", "/board", 200)


SCENARIO_METHODS = {
    "home": "GET",
    "login": "POST",
    "front-door": "GET",
    "membership": "GET",
    "meetings": "GET",
    "board": "GET",
}

SCENARIO_REQUESTS = {
    "home": home_request,
    "login": login_request,
    "front-door": member_page("/needs-you"),
    "membership": member_page("/membership"),
    "meetings": member_page("/meetings"),
    "board": board_request,
}


def check_answer(server: Server, request: BenchRequest, location_suffix: str | None = None):
    """Send ``request`` once and fail loudly unless it gets the expected answer."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(
            request.method, request.path, body=request.body(), headers=request.http_headers()
        )
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
    except OSError as error:
        raise SystemExit(
            f"{request.method} {request.path} on {server.app} failed ({error!r}):\n"
            + server.log_tail()
        ) from None
    finally:
        connection.close()
    location = response.getheader("Location") or ""
    if response.status != request.expected_status or (
        location_suffix and not location.endswith(location_suffix)
    ):
        raise SystemExit(
            f"{request.method} {request.path} on {server.app} answered {response.status} "
            f"(Location {location!r}), expected {request.expected_status}:\n{body[:2000]}"
        )


# Load generators --------------------------------------------------------------------------------


def run_wrk(port: int, request: BenchRequest, duration_s: int, load: LoadSettings) -> LoadResult:
    command = [
        "wrk",
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={duration_s}s",
        f"--timeout={LOAD_TIMEOUT_S}s",
        "--latency",
        f"--script={WRK_SCRIPT}",
        f"http://{HOST}:{port}{request.path}",
        "--",
        *request.wrk_arguments(),
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=duration_s + RUN_GRACE_S,
        check=False,
        preexec_fn=die_with_parent,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            figures = json.loads(line.removeprefix("BENCH_RESULT "))
            break
    else:
        raise SystemExit(
            f"wrk exited {completed.returncode} without a BENCH_RESULT line:\n"
            f"{completed.stdout}\n{completed.stderr}"
        )
    return LoadResult(
        requests=int(figures["requests"]),
        duration_s=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        wrong_status=int(figures["wrong_status"]),
        socket_errors=sum(int(figures[key]) for key in ("connect", "read", "write", "timeout")),
        timeouts=int(figures["timeout"]),
    )


def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run_python_load(
    port: int, request: BenchRequest, duration_s: int, load: LoadSettings
) -> LoadResult:
    """One thread per connection, each sending ``request`` on a keep-alive connection."""
    body, headers = request.body(), request.http_headers()
    latencies: list[list[float]] = [[] for _ in range(load.connections)]
    wrong_status = [0] * load.connections
    socket_errors = [0] * load.connections
    timeouts = [0] * load.connections
    started = time.perf_counter()
    deadline = started + duration_s

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=LOAD_TIMEOUT_S)
        try:
            while time.perf_counter() < deadline:
                sent_at = time.perf_counter()
                try:
                    connection.request(request.method, request.path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    socket_errors[index] += 1
                    timeouts[index] += isinstance(error, TimeoutError)
                    connection.close()
                    continue
                latencies[index].append(time.perf_counter() - sent_at)
                if response.status != request.expected_status:
                    wrong_status[index] += 1
                if response.will_close:
                    connection.close()
        finally:
            connection.close()

    clients = [
        threading.Thread(target=client, args=(index,), daemon=True)
        for index in range(load.connections)
    ]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=duration_s + RUN_GRACE_S)
    elapsed = time.perf_counter() - started
    every_latency = sorted(latency for per_client in latencies for latency in per_client)
    return LoadResult(
        requests=len(every_latency),
        duration_s=elapsed,
        p50_ms=percentile(every_latency, 50) * 1000,
        p95_ms=percentile(every_latency, 95) * 1000,
        p99_ms=percentile(every_latency, 99) * 1000,
        wrong_status=sum(wrong_status),
        socket_errors=sum(socket_errors),
        timeouts=sum(timeouts),
    )


def drive(port: int, request: BenchRequest, duration_s: int, load: LoadSettings) -> LoadResult:
    if load.generator == "wrk":
        return run_wrk(port, request, duration_s, load)
    return run_python_load(port, request, duration_s, load)


# Output -----------------------------------------------------------------------------------------

COLUMNS = (
    "scenario",
    "target",
    "requests",
    "requests/s",
    "share of ceiling",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
)


def share(tmo: float | None, ceiling: float | None) -> str:
    """tmo's figure as a share of the ceiling's, as every bench prints it: a rate over the
    ceiling's rate, or the ceiling's time over tmo's (100% is as fast as the bare stack)."""
    if not tmo or not ceiling or math.isnan(tmo) or math.isnan(ceiling):
        return "-"
    return f"{tmo / ceiling:.1%}"


def share_of_ceiling(rows: list[Row], row: Row) -> str:
    """tmo's requests a second as a share of the ceiling's in the same scenario and run: the
    figure that shows a regression whatever the machine."""
    if row.target == "ceiling":
        return "-"
    for other in rows:
        if other.scenario == row.scenario and other.target == "ceiling":
            return share(row.result.requests_per_s, other.result.requests_per_s)
    return "-"


def row_cells(row: Row, rows: list[Row]) -> list[str]:
    result = row.result
    latencies = (result.p50_ms, result.p95_ms, result.p99_ms)
    return [
        row.scenario,
        row.target,
        str(result.requests),
        f"{result.requests_per_s:.1f}",
        share_of_ceiling(rows, row),
        *(f"{latency:.2f}" if result.requests else "-" for latency in latencies),
        str(result.errors),
    ]


def text_table(rows: list[Row]) -> str:
    cells = [list(COLUMNS)] + [row_cells(row, rows) for row in rows]
    widths = [max(len(line[column]) for line in cells) for column in range(len(COLUMNS))]

    def render(line: list[str]) -> str:
        parts = [
            value.ljust(width) if column < 2 else value.rjust(width)
            for column, (value, width) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(cells[0]), rule] + [render(line) for line in cells[1:]])


def markdown_table(rows: list[Row]) -> str:
    alignments = ["---", "---"] + ["---:"] * (len(COLUMNS) - 2)
    lines = ["| " + " | ".join(COLUMNS) + " |", "| " + " | ".join(alignments) + " |"]
    lines += ["| " + " | ".join(row_cells(row, rows)) + " |" for row in rows]
    return "\n".join(lines)


def code_version() -> str:
    """The commit measured, and whether tmo/ differed from it (BENCH_COMMIT names the commit of
    a ``git archive`` copy, which has no repository to ask)."""
    if os.environ.get("BENCH_COMMIT"):
        return f"commit {os.environ['BENCH_COMMIT']} (an archive of it)"
    git = ["git", "-C", str(REPO_DIR)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "tmo"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"commit {head or 'unknown'}" + (" with uncommitted changes in tmo/" if dirty else "")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def wrk_version() -> str:
    completed = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first_line = (completed.stdout or completed.stderr).splitlines()[:1]
    return first_line[0].split(" Copyright")[0] if first_line else "wrk"


def cpu_busy_share(interval_s: float = 1.0) -> float | None:
    """The share of all CPUs busy over the next ``interval_s`` (from /proc/stat), else None."""

    def idle_and_total() -> tuple[int, int]:
        # user nice system idle iowait irq softirq steal
        ticks = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
        return ticks[3] + ticks[4], sum(ticks)

    try:
        idle_before, total_before = idle_and_total()
        time.sleep(interval_s)
        idle_after, total_after = idle_and_total()
    except (OSError, ValueError):
        return None
    elapsed = total_after - total_before
    return 1 - (idle_after - idle_before) / elapsed if elapsed else None


def describe_run(args, load: LoadSettings, busy_before: float | None) -> str:
    generator = wrk_version() if load.generator == "wrk" else "Python load generator"
    client = (
        f"{load.connections} connections on {load.threads} wrk thread(s)"
        if load.generator == "wrk"
        else f"{load.connections} connections, one thread each"
    )
    return (
        f"database {args.database}; {args.duration}s per run after {args.warmup}s of warm-up; "
        f"{client} ({generator}); {args.workers} waitress process(es) of "
        f"{args.server_threads} thread(s) each (tmo.server); "
        f"{os.cpu_count()} x {cpu_model()}; Python {platform.python_version()}"
        + ("" if busy_before is None else f"; CPU {busy_before:.0%} busy just before the run")
    )


# Main -------------------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="all")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=8, help="concurrent client connections")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="wrk threads (the Python generator uses one thread per connection)",
    )
    parser.add_argument(
        "--server-threads", type=int, help="waitress threads per process (default: the ini's)"
    )
    parser.add_argument(
        "--workers", type=int, help="waitress processes (default: the ini's, tmo.server)"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="auto: wrk when installed, else the Python generator",
    )
    parser.add_argument("--ini", type=Path, default=DEFAULT_INI, help="tmo's ini file")
    parser.add_argument(
        "--rendered",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"measure each page also as rendered afresh, the page cache off ('{RENDERED}')",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 0 or args.connections < 1 or args.threads < 1:
        parser.error("--duration, --connections and --threads must be positive")
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections (each wrk thread needs one)")
    workers, threads = server_settings(args.ini, args.database)
    args.workers = args.workers or workers
    args.server_threads = args.server_threads or threads
    if args.load_generator == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk), or use --load-generator python")
    return args


def load_settings(args) -> LoadSettings:
    generator = args.load_generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    return LoadSettings(generator=generator, connections=args.connections, threads=args.threads)


# The target that serves every page as it renders it: tmo with its page cache turned off.
RENDERED = "tmo, rendered"


def targets(args, scenario: str, env: dict) -> list[tuple[str, str, dict]]:
    """(target, app, environment) of each server a scenario measures: tmo, then, for a page
    (a GET), tmo rendering every page afresh (``--rendered``), then the ceiling."""
    chosen = [("tmo", "tmo", env)]
    if args.rendered and SCENARIO_METHODS[scenario] == "GET":
        chosen.append((RENDERED, "tmo", {**env, "TMO_PAGE_CACHE_MB": "0"}))
    return [*chosen, ("ceiling", "hello", env)]


def bench_scenario(args, load, scenario: str, env: dict, workdir: Path) -> list[Row]:
    """Start tmo and the ceiling afresh, then warm up and measure each in turn."""
    rows = []
    with contextlib.ExitStack() as stack:
        servers = {
            target: start_server(
                stack,
                app,
                args.server_threads,
                env,
                workdir / f"{scenario}-{target.replace(', ', '-')}.log",
                args.ini,
                args.workers,
            )
            for target, app, env in targets(args, scenario, env)
        }
        for server in servers.values():
            wait_until_ready(server)
        request = SCENARIO_REQUESTS[scenario](servers["tmo"])
        for target, server in servers.items():
            check_answer(server, request)
            if args.warmup:
                drive(server.port, request, args.warmup, load)
            note(f"{scenario} on {target} (port {server.port}): {args.duration}s...")
            result = drive(server.port, request, args.duration, load)
            rows.append(Row(scenario, target, result, answered_after=answers(server)))
            note(
                f"  {result.requests_per_s:.1f} requests/s, p99 {result.p99_ms:.1f} ms, "
                f"{result.errors} errors"
            )
            report_server_problems(server)
    return rows


def bench(args, load: LoadSettings) -> list[Row]:
    scenarios = SCENARIOS if args.scenario == "all" else (args.scenario,)
    rows: list[Row] = []
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-bench-")))
        database_url = stack.enter_context(fresh_database(args.database, workdir))
        secret = secrets.token_urlsafe(48)
        note(f"Migrating a fresh {args.database} database and loading the demo...")
        migrate_and_load_demo(database_url, secret)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TMO_SECRET": secret,
            "TMO_MAIL_MODE": "memory",
        }
        for scenario in scenarios:
            rows += bench_scenario(args, load, scenario, env, workdir)
    return rows


def raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_arguments(argv)
    load = load_settings(args)
    # Ctrl-C (even where a shell started the harness with SIGINT ignored) and a plain `kill`
    # both end in the same clean-up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGHUP, raise_keyboard_interrupt)
    try:
        # Other work on the machine (a test suite, a build) makes every figure lower.
        busy_before = cpu_busy_share()
        rows = bench(args, load)
    except KeyboardInterrupt:
        note("Interrupted: every process stopped and the database deleted.")
        return 130
    cautions = [caution for row in rows if (caution := row.warning())]
    print(describe_run(args, load, busy_before))
    print()
    print(markdown_table(rows) if args.markdown else text_table(rows))
    print_cautions(cautions, busy_before, args.markdown)
    return 0


def print_cautions(cautions: list[str], busy_before: float | None, markdown: bool) -> None:
    """What makes a run's figures doubtful, after its table (a busy machine first)."""
    if busy_before is not None and busy_before > BUSY_MACHINE_SHARE:
        cautions = [f"the CPUs were already {busy_before:.0%} busy before the run", *cautions]
    if cautions:
        print()
        for caution in cautions:
            print(f"- Warning: {caution}." if markdown else f"Warning: {caution}.")


if __name__ == "__main__":
    sys.exit(main())
