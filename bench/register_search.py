"""Register search bench: the secretary's register of members over N generated members.

``.venv/bin/python bench/register_search.py [--members 100000] [--database sqlite|postgresql]
[--duration 10] [--connections 4] [--runs 50] [--markdown]`` creates a fresh database (a SQLite
file in a temporary directory, or a new PostgreSQL database on 127.0.0.1:5432 as user postgres),
migrates it, bulk-loads N members with their homes across 20 estates and 400 blocks (about 10%
former members) and one secretary account, then:

1. **in-process**: times each kind of search (surname, first name, postcode, member number, block,
   street, estate filter, later pages...) through ``register_query`` and ``paginate`` on a session,
   ``--runs`` times each, and prints p50/p95/max per kind, so that a slow kind stands out; beside
   each, its ceiling: the very statements that search ran, with their parameters, on a bare DBAPI
   connection (every row fetched), and tmo's share of it;
2. **over HTTP**: starts tmo on waitress (``bench/serve.py``, as ``bench/run.py`` does), logs in as
   the secretary once, and drives ``GET /secretary/register?q=...`` with wrk, every request the
   next of a list of realistic searches of every kind, printing requests/s and p50/p95/p99; then
   the same for the ceiling, ``bench/hello.py`` running those statements for the same searches on
   the same database and waitress settings, and tmo's share of its requests a second.

Every process it starts is stopped and the database deleted on the way out. See bench/README.md.
"""

import argparse
import contextlib
import http.client
import os
import pickle
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import run as harness
from run import (
    CSRF_COOKIE,
    HOST,
    REQUEST_TIMEOUT_S,
    BenchRequest,
    LoadSettings,
    cpu_busy_share,
    cpu_model,
    fresh_database,
    note,
    percentile,
    raise_keyboard_interrupt,
    report_server_problems,
    start_server,
    wait_until_ready,
    wrk_version,
)

SECRETARY_EMAIL = "secretary@bench.example.org"
SECRETARY_PASSWORD = "register-bench-2026"  # noqa: S105 (a throwaway database's account)
REGISTER_PATH = "/secretary/register"

# Above this, an in-process kind or the HTTP p95 is marked as over the target.
TARGET_P95_MS = 30.0


# The generated register -------------------------------------------------------------------------


def listed(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


ESTATES = (
    ("Lancaster West", "W11 1"),
    ("Silchester", "W10 6"),
    ("Wornington Green", "W10 5"),
    ("Edenham", "W10 5"),
    ("Trellick", "W10 5"),
    ("Kensal House", "W10 5"),
    ("Swinbrook", "W10 6"),
    ("Treverton", "W10 6"),
    ("Barlby", "W10 6"),
    ("Cheltenham", "W10 5"),
    ("Henry Dickens Court", "W11 4"),
    ("Clarendon Walk", "W11 1"),
    ("Notting Barns", "W10 6"),
    ("Avondale Park", "W11 4"),
    ("World's End", "SW10 0"),
    ("Cremorne", "SW10 0"),
    ("Warwick", "W14 8"),
    ("Kensal Green", "NW10 5"),
    ("Mozart", "W10 4"),
    ("Brunel", "W2 5"),
)
BLOCK_WORDS = listed(
    "Oak Ash Elm Beech Hazel Rowan Willow Holly Cedar Maple Poplar Alder Birch Larch Linden "
    "Hawthorn Juniper Sycamore Chestnut Walnut Testerton Verity Camelford Talbot Kingsdown "
    "Frinstead Hurstway Markland Dixon Nesham Bramley Darfield Hesketh Shalfleet Ruston "
    "Clarendon Whitstable Lowerwood Thorpe Brixham Wadham Morland Elkstone Appleford Balliol "
    "Blagrove Portland Sutton Ashburnham Wellington Raymede Kelfield Millwood Bosworth Murchison "
    "Adair Hazlewood Lockton Carlton Fenelon"
)
BLOCK_KINDS = ("House", "Court", "Walk", "Tower", "Close", "Mansions", "Point")
STREETS = listed(
    "Golborne Road, Portobello Road, Ladbroke Grove, Westbourne Park Road, Elkstone Road, "
    "Wornington Road, Bramley Road, Latimer Road, Silchester Road, Lancaster Road, Cambridge "
    "Gardens, Oxford Gardens, St Charles Square, Kensal Road, Harrow Road, Bosworth Road, "
    "Swinbrook Road, Southam Street, Appleford Road, Adair Road, Hazlewood Crescent, Lonsdale "
    "Road, Talbot Road, Walmer Road, Treadgold Street, Freston Road, Barlby Road, Exmoor Street, "
    "Dalgarno Gardens, Kingsdown Close, Lots Road, Cremorne Road, Blantyre Street, Warwick Road, "
    "Russell Road, Fernhead Road, Shirland Road, Great Western Road, Chippenham Road, Kilburn "
    "Lane, Bravington Road, Ilbert Street, Lancefield Street, Westway, Maxilla Walk",
    ", ",
)
FIRST_NAMES = listed(
    "Mohammed Muhammad Oliver Jack Harry George Noah Leo Arthur Oscar Charlie Jacob Thomas Adam "
    "Daniel David James John Michael Paul Peter Robert William Joseph Samuel Kwame Kofi Chinedu "
    "Emeka Tunde Femi Ade Yusuf Ibrahim Ali Omar Hassan Abdi Ahmed Tariq Imran Bilal Ravi Sanjay "
    "Arjun Raj Wei Jun Tomasz Piotr Marek Luca Marco Mateo Diego Carlos Jose Sean Patrick Declan "
    "Olivia Amelia Isla Ava Mia Ivy Lily Sophia Grace Freya Emily Florence Poppy Evie Ella Ruby "
    "Mary Margaret Patricia Susan Linda Elizabeth Sarah Jennifer Karen Helen Ruth Joan Janet "
    "Zainab Aisha Fatima Amina Maryam Hodan Sahra Nadia Leila Yasmin Priya Anjali Sunita Mei Ling "
    "Agnieszka Katarzyna Ewa Maria Ana Sofia Lucia Bridget Siobhan Niamh Chloe Jade Shanice "
    "Precious Blessing Abena Ama Ngozi Chioma Folake Funmi Kemi Adaeze Rosa Carmen Elena Irina"
)
# Surnames by weight: the common ones far more common, as in any register.
SURNAME_GROUPS = (
    (30, listed("Smith Jones Williams Brown Taylor Ahmed Khan Ali Hussain Begum Davies Evans")),
    (
        12,
        listed(
            "Wilson Johnson Roberts Walker Wright Robinson Thompson White Hughes Edwards Green "
            "Hall Wood Harris Lewis Martin Jackson Clarke Clark Turner Hill Scott Cooper Morris "
            "Ward Moore King Watson Baker Harrison Morgan Patel Young Allen Mitchell James "
            "Anderson Phillips Lee Bell Parker Davis Okafor Adeyemi Mensah Osei Owusu Boateng "
            "Mohamed Abdi Hassan Ibrahim Yusuf Omar Rahman Islam Uddin Miah Chowdhury Singh"
        ),
    ),
    (
        4,
        listed(
            "O'Brien O'Connor O'Neill O'Sullivan McCarthy Murphy Kelly Walsh Byrne Ryan Doyle "
            "Kowalski Nowak Wisniewski Lewandowski Silva Santos Ferreira Pereira Costa Oliveira "
            "Rossi Russo Esposito Bianchi Garcia Martinez Rodriguez Lopez Gonzalez Fernandes "
            "Nguyen Tran Chen Wang Li Zhang Liu Wong Kaur Sharma Gupta Mistry Shah Mehta "
            "Adebayo Okonkwo Eze Nwosu Ogunleye Afolabi Asante Appiah Addo Kamara Conteh Bangura "
            "Warsame Farah Jama Elmi Haile Tesfaye Bekele Demir Yilmaz Kaya Papadopoulos "
            "Smith-Jones Lloyd-Davies Taylor-Brown"
        ),
    ),
    (2, ["De Souza", "Da Silva", "Van der Berg", "Abu Bakr", "El Amin", "Mac Giolla"]),
)
SURNAMES = tuple((name, weight) for weight, names in SURNAME_GROUPS for name in names)
CEASED_REASONS = ("resigned", "moved_away", "died", "tenancy_ended")


@dataclass(frozen=True)
class Register:
    """What was generated, for building realistic searches."""

    members: int
    surnames: list[str]
    first_names: list[str]
    blocks: list[str]
    streets: list[str]
    postcodes: list[str]
    estate_ids: list[int]
    block_ids: list[int]


def rows_in_chunks(dbsession, model, rows: list[dict], size: int = 5000) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), size):
        dbsession.execute(insert(model), rows[start : start + size])


def generate(dbsession, members: int, seed: int) -> Register:
    """Bulk-insert ``members`` members, their homes, 20 estates, 400 blocks and the secretary."""
    from tmo.models.accounts import Account, RoleGrant
    from tmo.models.membership import Block, Estate, Home, Member

    try:
        from tmo.models.membership import member_search_keys
    except ImportError:  # a tmo from before the search keys: measured the same way

        def member_search_keys(name: str, address: str) -> dict:
            return {}

    from tmo.models.meta import utcnow
    from tmo.permissions import Role
    from tmo.services.accounts import hash_password

    rng = random.Random(seed)
    estates, blocks, homes, people = [], [], [], []
    # Each estate: a postcode sector, its streets, and 20 blocks with a postcode each.
    block_names = [f"{word} {kind}" for word in BLOCK_WORDS for kind in BLOCK_KINDS]
    block_places = []  # (block id, estate id, block name, street, postcode)
    street_places = []  # (estate id, street, sector)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    for estate_id, (estate_name, sector) in enumerate(ESTATES, start=1):
        estates.append({"id": estate_id, "name": f"{estate_name} Estate"})
        streets = rng.sample(STREETS, 4)
        street_places += [(estate_id, street, sector) for street in streets]
        units = rng.sample([a + b for a in letters for b in letters], 20)
        for name, unit in zip(rng.sample(block_names, 20), units, strict=True):
            block_id = len(blocks) + 1
            blocks.append({"id": block_id, "estate_id": estate_id, "name": name})
            block_places.append((block_id, estate_id, name, rng.choice(streets), sector + unit))
    # Homes: nine in ten are flats in a block; the rest are houses on the estates' streets.
    home_count = max(1, round(members * 0.93))
    flat_numbers = dict.fromkeys(range(1, len(blocks) + 1), 0)
    house_numbers: dict[str, int] = {}
    for home_id in range(1, home_count + 1):
        if rng.random() < 0.9:
            block_id, estate_id, name, street, postcode = rng.choice(block_places)
            flat_numbers[block_id] += 1
            line_1 = f"Flat {flat_numbers[block_id]} {name}"
        else:
            block_id = None
            estate_id, street, sector = rng.choice(street_places)
            house_numbers[street] = house_numbers.get(street, 0) + 1
            line_1 = f"{house_numbers[street]} {street}"
            postcode = sector + rng.choice(letters) + rng.choice(letters)
            street = ""
        line_2 = f"{street}, London" if street else "London"
        homes.append(
            {
                "id": home_id,
                "reference": f"P{home_id:07d}",
                "estate_id": estate_id,
                "block_id": block_id,
                "address_line_1": line_1,
                "address_line_2": line_2,
                "postcode": postcode,
                "ward": "Golborne",
                "tenure_type": "Secure",
            }
        )
    surnames, weights = zip(*SURNAMES, strict=True)
    numbers = list(range(1, members + 1))
    rng.shuffle(numbers)
    today = date.today()
    for member_id, number in enumerate(numbers, start=1):
        # The first home_count members hold one home each; the rest are joint tenants.
        home = homes[member_id - 1] if member_id <= home_count else rng.choice(homes)
        first = rng.choice(FIRST_NAMES)
        middle = f" {rng.choice(FIRST_NAMES)}" if rng.random() < 0.08 else ""
        name = f"{first}{middle} {rng.choices(surnames, weights)[0]}"
        address = ", ".join(
            part for part in (home["address_line_1"], home["address_line_2"], home["postcode"])
        )
        admitted = today - timedelta(days=rng.randrange(30, 20 * 365))
        ceased = None
        if rng.random() < 0.1:
            ceased = min(today, admitted + timedelta(days=rng.randrange(30, 10 * 365)))
        people.append(
            {
                # A bulk insert skips Member's own upkeep of its search keys.
                **member_search_keys(name, address),
                "id": member_id,
                "member_number": number,
                "home_id": home["id"],
                "name": name,
                "address": address,
                "admitted_on": admitted,
                "ceased_on": ceased,
                "ceased_reason": rng.choice(CEASED_REASONS) if ceased else "",
                "associate": rng.random() < 0.03,
            }
        )
    rows_in_chunks(dbsession, Estate, estates)
    rows_in_chunks(dbsession, Block, blocks)
    rows_in_chunks(dbsession, Home, homes)
    rows_in_chunks(dbsession, Member, people)
    dbsession.add(
        Account(
            email=SECRETARY_EMAIL,
            display_name="Bench Secretary",
            password_hash=hash_password(SECRETARY_PASSWORD),
            email_verified_at=utcnow(),
            role_grants=[RoleGrant(role=Role.SECRETARY)],
        )
    )
    if dbsession.get_bind().dialect.name == "postgresql":
        # Explicit ids leave the sequences behind: move them on, as a real register would be.
        from sqlalchemy import text

        for table in ("estate", "block", "home", "member"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            dbsession.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM {table}"))  # noqa: S608
    return Register(
        members=members,
        surnames=[name for name, weight in SURNAMES],
        first_names=list(FIRST_NAMES),
        blocks=[name for _, _, name, _, _ in block_places],
        streets=sorted({street for _, street, _ in street_places}),
        postcodes=[postcode for *_, postcode in block_places],
        estate_ids=[estate["id"] for estate in estates],
        block_ids=[block["id"] for block in blocks],
    )


def prepare_database(database_url: str, secret: str, members: int, seed: int) -> Register:
    from tmo.models import get_engine, get_session_factory
    from tmo.scripts.migrate import upgrade
    from tmo.settings import finalise

    raw = {"sqlalchemy.url": database_url, "tmo.secret": secret, "tmo.mail_mode": "memory"}
    settings = finalise(raw, environ={})
    upgrade(settings)
    engine = get_engine(settings)
    dbsession = get_session_factory(engine)()
    try:
        started = time.perf_counter()
        register = generate(dbsession, members, seed)
        dbsession.commit()
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a load this size; SQLite is left without statistics,
            # as tmo runs it.
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        note(f"  {members} members generated in {time.perf_counter() - started:.1f}s")
    finally:
        dbsession.close()
        engine.dispose()
    return register


# The searches ------------------------------------------------------------------------------------


# Timed in-process only, not in the HTTP mix: searches a secretary seldom makes, to show what
# they cost.
IN_PROCESS_ONLY = frozenset(
    {"estate and surname", "former, surname", "postcode prefix, all", "one or two letters"}
)


def searches(register: Register, seed: int) -> dict[str, list[dict[str, str]]]:
    """Kind of search -> a few searches of that kind (the form's fields), as a secretary types
    them."""
    rng = random.Random(seed + 1)
    common = ["Smith", "Khan", "Jones", "Ahmed"]
    rare = rng.sample([name for name in register.surnames if " " not in name], 4)
    postcodes = rng.sample(register.postcodes, 6)
    numbers = [rng.randrange(1, register.members + 1) for _ in range(6)]
    return {
        "surname": [{"q": name} for name in common + rare],
        "surname, lower case": [{"q": name.lower()} for name in [*rare, "o'brien"]],
        "first name": [{"q": name} for name in rng.sample(register.first_names, 6)],
        "full name": [{"q": "Zainab Okafor"}, {"q": "mohammed ali"}, {"q": "Mary Smith"}],
        "postcode": [{"q": postcode} for postcode in postcodes[:3]]
        + [{"q": postcode.lower().replace(" ", "")} for postcode in postcodes[3:]],
        "postcode prefix": [{"q": "W10 6"}, {"q": "w11 4"}, {"q": "SW10"}, {"q": "NW10 5"}],
        "member number": [{"q": f"M{number:06d}"} for number in numbers[:3]]
        + [{"q": str(number)} for number in numbers[3:]],
        "block": [{"q": name} for name in rng.sample(register.blocks, 6)],
        "street": [{"q": name} for name in rng.sample(register.streets, 4)],
        "estate, no search": [{"estate": str(i)} for i in rng.sample(register.estate_ids, 4)],
        "block filter": [{"block": str(i)} for i in rng.sample(register.block_ids, 4)],
        "no search": [{}, {"status": "all"}, {"status": "former"}],
        "estate and surname": [
            {"q": name, "estate": str(i)}
            for name, i in zip(common, rng.sample(register.estate_ids, 4), strict=True)
        ],
        "postcode prefix, all": [{"q": "W10 6", "status": "all"}, {"q": "SW10", "status": "all"}],
        "former, surname": [{"q": name, "status": "former"} for name in common],
        "one or two letters": [{"q": "a"}, {"q": "mo"}, {"q": "J"}, {"q": "sa"}],
        "pages 2-3, broad": [
            {"q": "Smith", "page": "2"},
            {"q": "W10", "page": "3"},
            {"status": "all", "page": "3"},
            {"q": "ahmed", "status": "all", "page": "2"},
        ],
    }


def time_in_process(database_url: str, kinds: dict, runs: int):
    """Each kind's searches through register_query + paginate, ``runs`` times, and the same
    statements on a bare DBAPI connection as often: ([(kind, tmo ms)], [(kind, ceiling ms)],
    {query string: [(statement, parameters), ...]}, the SQL each search ran)."""
    from sqlalchemy import event

    from tmo.models import get_engine, get_session_factory
    from tmo.services.paging import page_number, paginate
    from tmo.services.register_search import register_query

    engine = get_engine({"sqlalchemy.url": database_url})
    factory = get_session_factory(engine)
    recording: list | None = None

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if recording is not None:
            recording.append((statement, parameters))

    def search(params) -> float:
        """Milliseconds, on a fresh session (opened before the clock starts)."""
        with factory() as dbsession:
            started = time.perf_counter()
            query, _ = register_query(params)
            page = paginate(dbsession, query, page_number(params.get("page")))
            for member in page.items:
                member.name, member.address, member.number_label  # noqa: B018
            return (time.perf_counter() - started) * 1000

    def bare(statements) -> float:
        """Milliseconds: a pooled connection checked out, the statements run, every row read."""
        started = time.perf_counter()
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            cursor.close()
        finally:
            connection.close()
        return (time.perf_counter() - started) * 1000

    timings, ceilings, recorded = [], [], {}
    try:
        for kind, params_list in kinds.items():
            for params in params_list:  # warm up (statement cache, page cache), and record
                recording = []
                search(params)
                recorded[urllib.parse.urlencode(params)], recording = recording, None
                bare(recorded[urllib.parse.urlencode(params)])
            laps, bare_laps = [], []
            for run in range(runs):
                params = params_list[run % len(params_list)]
                laps.append(search(params))
                bare_laps.append(bare(recorded[urllib.parse.urlencode(params)]))
            timings.append((kind, sorted(laps)))
            ceilings.append((kind, sorted(bare_laps)))
    finally:
        engine.dispose()
    return timings, ceilings, recorded


# Over HTTP ---------------------------------------------------------------------------------------


def log_in(port: int) -> str:
    """Log in as the secretary once: the Cookie header that carries the login session."""
    cookies = SimpleCookie()

    def send(method: str, path: str, body: bytes | None = None, headers=None):
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            page = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookies.load(header)
        return response, page

    response, page = send("GET", "/login")
    token = cookies[CSRF_COOKIE].value if CSRF_COOKIE in cookies else None
    if token is None:
        raise SystemExit(f"GET /login set no {CSRF_COOKIE} cookie (status {response.status}).")
    form = {
        "_charset_": "UTF-8",
        "__formid__": "form",
        "csrf_token": token,
        "email": SECRETARY_EMAIL,
        "password": SECRETARY_PASSWORD,
        "submit": "submit",
    }
    response, page = send(
        "POST",
        "/login",
        body=urllib.parse.urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{CSRF_COOKIE}={token}",
        },
    )
    if response.status != 302:
        raise SystemExit(f"Logging in as the secretary answered {response.status}:\n{page[:2000]}")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


class RotatingRequest(BenchRequest):
    """GET of each path in turn (scenario.lua's path= arguments)."""

    def __init__(self, paths: list[str], cookie: str):
        super().__init__("GET", paths[0], 200, headers={"Cookie": cookie})
        object.__setattr__(self, "paths", tuple(paths))

    def wrk_arguments(self) -> list[str]:
        return [*super().wrk_arguments(), *(f"path={path}" for path in self.paths)]


def register_paths(kinds: dict) -> list[str]:
    paths = []
    for kind, params_list in kinds.items():
        if kind in IN_PROCESS_ONLY:
            continue
        for params in params_list:
            query = urllib.parse.urlencode(params)
            paths.append(f"{REGISTER_PATH}?{query}" if query else REGISTER_PATH)
    return paths


def check_pages(server, cookie: str, paths: list[str]) -> None:
    """Every path answers 200 with a register page (and not, say, the log-in form)."""
    for path in paths:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            page = response.read().decode(errors="replace")
        finally:
            connection.close()
        # The ceiling's page lists what its statements read: the count's row at least.
        ran = server.app != "hello" or len(page.splitlines()) > 1
        if response.status != 200 or "Register of members" not in page or not ran:
            raise SystemExit(
                f"GET {path} on {server.app} answered {response.status}:\n{page[:2000]}"
            )


def drive_http(args, env: dict, workdir: Path, paths: list[str], recorded: dict) -> dict:
    """tmo, then the ceiling (bench/hello.py running the SQL each search ran in tmo), each
    driven with the same searches in turn: {target: LoadResult}."""
    load = LoadSettings(generator="wrk", connections=args.connections, threads=args.threads)
    sql_file = workdir / "register-sql.pickle"
    sql_file.write_bytes(pickle.dumps(recorded))
    results = {}
    with contextlib.ExitStack() as stack:
        servers = {
            target: start_server(
                stack, app, args.server_threads, app_env, workdir / f"{app}.log", args.ini
            )
            for target, app, app_env in (
                ("tmo", "tmo", env),
                ("ceiling", "hello", {**env, "BENCH_REGISTER_SQL": str(sql_file)}),
            )
        }
        for server in servers.values():
            wait_until_ready(server)
        cookie = log_in(servers["tmo"].port)
        for target, server in servers.items():
            check_pages(server, cookie, paths)
            request = RotatingRequest(paths, cookie)
            if args.warmup:
                harness.run_wrk(server.port, request, args.warmup, load)
            note(f"Driving {len(paths)} searches in turn on {target} for {args.duration}s...")
            results[target] = harness.run_wrk(server.port, request, args.duration, load)
            report_server_problems(server)
    return results


# Output -----------------------------------------------------------------------------------------


def kinds_table(timings, ceilings, queries: dict, markdown: bool) -> str:
    header = (
        "kind of search",
        "example",
        "p50 ms",
        "p95 ms",
        "max ms",
        "ceiling p50 ms",
        "share of ceiling",
    )
    rows = []
    for (kind, laps), (_, bare_laps) in zip(timings, ceilings, strict=True):
        example = urllib.parse.urlencode(queries[kind][0]) or "(none)"
        p95 = percentile(laps, 95)
        flag = " !" if p95 > TARGET_P95_MS else ""
        if kind in IN_PROCESS_ONLY:
            kind += " *"
        p50, bare_p50 = statistics.median(laps), statistics.median(bare_laps)
        rows.append(
            (
                kind,
                example,
                f"{p50:.2f}",
                f"{p95:.2f}{flag}",
                f"{laps[-1]:.2f}",
                f"{bare_p50:.2f}",
                harness.share(bare_p50, p50),
            )
        )
    return render_table(header, rows, markdown)


def render_table(header, rows, markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("| " + " | ".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + " |")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(line[i]) for line in (header, *rows)) for i in range(len(header))]
    render = lambda line: "  ".join(  # noqa: E731
        value.ljust(width) if i < 2 else value.rjust(width)
        for i, (value, width) in enumerate(zip(line, widths, strict=True))
    ).rstrip()
    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(row) for row in rows)])


def http_table(results: dict, markdown: bool) -> str:
    header = (
        "target",
        "searches",
        "requests",
        "requests/s",
        "share of ceiling",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
    )
    ceiling = results.get("ceiling")
    rows = [
        (
            target,
            "every kind in turn",
            str(result.requests),
            f"{result.requests_per_s:.1f}",
            harness.share(result.requests_per_s, ceiling.requests_per_s)
            if target == "tmo" and ceiling
            else "-",
            f"{result.p50_ms:.2f}",
            f"{result.p95_ms:.2f}",
            f"{result.p99_ms:.2f}",
            str(result.errors),
        )
        for target, result in results.items()
    ]
    return render_table(header, rows, markdown)


# Main -------------------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--members", type=int, default=100_000, help="members to generate")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=50, help="in-process runs per kind of search")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk load measured")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=4, help="concurrent wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated register")
    parser.add_argument("--ini", type=Path, default=harness.DEFAULT_INI, help="tmo's ini file")
    parser.add_argument("--no-http", action="store_true", help="only the in-process timings")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    args = parser.parse_args(argv)
    if min(args.members, args.runs, args.duration, args.connections, args.threads) < 1:
        parser.error("--members, --runs, --duration, --connections and --threads must be positive")
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections (each wrk thread needs one)")
    if not args.no_http and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk), or use --no-http")
    return args


def bench(args) -> tuple[list, list, dict, dict]:
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-register-")))
        database_url = stack.enter_context(fresh_database(args.database, workdir))
        secret = secrets.token_urlsafe(48)
        note(f"Migrating a fresh {args.database} database, generating {args.members} members...")
        register = prepare_database(database_url, secret, args.members, args.seed)
        kinds = searches(register, args.seed)
        note(f"Timing {len(kinds)} kinds of search in-process, {args.runs} runs each...")
        timings, ceilings, recorded = time_in_process(database_url, kinds, args.runs)
        results = {}
        if not args.no_http:
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "TMO_SECRET": secret,
                "TMO_MAIL_MODE": "memory",
            }
            results = drive_http(args, env, workdir, register_paths(kinds), recorded)
    return timings, ceilings, results, kinds


def describe_run(args, busy_before: float | None) -> str:
    http_part = (
        "no HTTP run"
        if args.no_http
        else (
            f"HTTP: {args.duration}s after {args.warmup}s of warm-up, {args.connections} "
            f"connections on {args.threads} wrk thread(s) ({wrk_version()}), waitress with "
            f"{args.server_threads} threads"
        )
    )
    return (
        f"{args.members} members on {args.database}; in-process: {args.runs} runs per kind; "
        f"{http_part}; {os.cpu_count()} x {cpu_model()}; Python {sys.version.split()[0]}"
        + ("" if busy_before is None else f"; CPU {busy_before:.0%} busy just before the run")
    )


def main(argv=None) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGHUP, raise_keyboard_interrupt)
    try:
        busy_before = cpu_busy_share()
        timings, ceilings, results, kinds = bench(args)
    except KeyboardInterrupt:
        note("Interrupted: every process stopped and the database deleted.")
        return 130
    print(describe_run(args, busy_before))
    print()
    print(kinds_table(timings, ceilings, kinds, args.markdown))
    print()
    print(
        f"p50/p95/max: register_query + paginate on a fresh session, {args.runs} runs per kind."
        f" ! marks a p95 over {TARGET_P95_MS:.0f} ms; * a kind left out of the HTTP mix. "
        "Ceiling: the same statements with the same parameters on a bare DBAPI connection, "
        "every row fetched; share of ceiling: its p50 over tmo's."
    )
    cautions = []
    if results:
        print()
        print(http_table(results, args.markdown))
        for target, result in results.items():
            if result.errors:
                cautions.append(
                    f"{target}: {result.errors} requests failed or had another status than 200"
                )
    harness.print_cautions(cautions, busy_before, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
