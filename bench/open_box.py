"""Opening bench: the count of an election whose box holds 85,000 sealed ballots.

``.venv/bin/python bench/open_box.py [--ballots 85000] [--database sqlite|postgresql]
[--markdown]`` creates a fresh database (as ``bench/run.py`` does), migrates it, generates a
register with enough voting members (``bench/register_search.py``'s generator) and sets up, with
bulk inserts: one STV election of five candidates for three seats whose poll has closed, a
sealing key the bench holds, and for each voter a roll entry marked voted and a sealed ballot of
a ranking of their own, sealed to the election's public key and chained under the chain key of a
fresh ``tmo.secret``, exactly as ``tmo.services.elections.cast`` writes them. Then it times, on a
fresh session:

1. ``elections.verify`` before the opening (the sealed chain followed to the head, read only);
2. ``elections.count`` with the key (``open_box``: the chain checked, every ballot unsealed in a
   random order, the counted ballots, trackers and roll written and the sealed ballots deleted,
   all in one transaction; then the count), and the commit;
3. ``elections.verify`` after (the recount to the result sheet).

and checks that the counted rankings are exactly the rankings sealed. Before, on copies of the
box and the roll, it times the ceiling of each step: the bare stack doing the same work (a hash
chain walked with hmac and hashlib; the ballots unsealed with PyNaCl and the same rows written
and deleted with one core statement each), and prints tmo's share of it. The goal it is read
against: **85,000 ballots opened and counted in under 60 seconds**. Every process it starts is
stopped and the database deleted on the way out. See bench/README.md.
"""

import argparse
import base64
import collections
import contextlib
import hashlib
import hmac
import math
import platform
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from register_search import generate, render_table, rows_in_chunks
from run import cpu_busy_share, cpu_model, fresh_database, note, share
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text

GOAL_SECONDS = 60
CANDIDATES = 5
SEATS = 3
# The share of generated members who may vote (current, not associates), with room to spare.
ENTITLED_SHARE = 0.85


def prepare(database_url: str, secret: str, ballots: int, seed: int):
    """The election with its box full; returns (election id, private key, rankings sealed)."""
    from nacl.public import PrivateKey
    from sqlalchemy import select

    from tmo.constitution import Constitution
    from tmo.models import get_engine, get_session_factory
    from tmo.models.accounts import Account, RoleGrant
    from tmo.models.elections import Candidate, RollEntry, SealedBallot
    from tmo.models.membership import Member
    from tmo.permissions import Role
    from tmo.rules import elections as rules
    from tmo.rules import sealing
    from tmo.rules.elections import Status
    from tmo.scripts.migrate import upgrade
    from tmo.services import elections
    from tmo.settings import finalise

    settings = finalise(
        {"sqlalchemy.url": database_url, "tmo.secret": secret, "tmo.mail_mode": "memory"},
        environ={},
    )
    upgrade(settings)
    engine = get_engine(settings)
    dbsession = get_session_factory(engine)()
    started = time.perf_counter()
    try:
        generate(dbsession, math.ceil((ballots + CANDIDATES) / ENTITLED_SHARE) + 100, seed)
        officer = Account(
            email="returning.officer@open-box.bench.example.org",
            display_name="Bench Returning Officer",
            password_hash="!",  # noqa: S106 (no password: never logged in with)
            role_grants=[RoleGrant(role=Role.RETURNING_OFFICER)],
        )
        dbsession.add(officer)
        dbsession.flush()
        entitled = dbsession.execute(
            select(Member.id, Member.name)
            .where(Member.ceased_on.is_(None), Member.associate.is_(False))
            .order_by(Member.member_number)
        ).all()
        if len(entitled) < ballots + CANDIDATES:
            raise SystemExit(f"Only {len(entitled)} members may vote, for {ballots} ballots.")
        standing, voting = entitled[:CANDIDATES], entitled[CANDIDATES : CANDIDATES + ballots]
        now = datetime.now(UTC)
        election = elections.create(
            dbsession,
            Constitution(),
            title="Board election (open-box bench)",
            method="stv",
            seats=SEATS,
            seat_category="resident",
            seats_description="",
            returning_officer_id=officer.id,
            scrutineer_id=None,
            notice_on=date.today() - timedelta(days=30),
            actor_id=officer.id,
            now=now,
        )
        for member_id, name in standing:
            dbsession.add(
                Candidate(
                    election=election,
                    member_id=member_id,
                    name=name,
                    nominated_by_id=member_id,
                    consented_at=now,
                    status="accepted",
                    decided_at=now,
                )
            )
        dbsession.flush()
        key = PrivateKey.generate()
        election.sealing_key = sealing.public_key_text(key)
        election.status = Status.POLL_OPEN
        election.poll_opens_at = now - timedelta(days=14)
        election.poll_closes_at = now - timedelta(hours=1)
        election.roll_frozen_on = date.today() - timedelta(days=14)
        election.paper_key = secrets.token_hex(32)
        chain_key = elections.chain_key(secret)
        candidate_ids = [candidate.id for candidate in election.candidates]
        rng = random.Random(seed + 3)
        head = rules.genesis(election.id)
        rankings, sealed_rows = [], []
        for _ in voting:
            ranked = tuple(rng.sample(candidate_ids, rng.randint(1, len(candidate_ids))))
            rankings.append(ranked)
            ciphertext = sealing.seal(election.sealing_key, ranked)
            ballot_id = secrets.token_hex(16)
            digest = rules.ballot_hash(chain_key, head, ballot_id, ciphertext)
            sealed_rows.append(
                {
                    "id": ballot_id,
                    "election_id": election.id,
                    "ciphertext": ciphertext,
                    "tracker": sealing.tracker(ciphertext),
                    "previous_hash": head,
                    "hash": digest,
                }
            )
            head = digest
        election.chain_head = head
        election.ballots_cast = len(sealed_rows)
        roll = [
            {"election_id": election.id, "member_id": member_id, "voted": True, "channel": "online"}
            for member_id, _ in voting
        ]
        rows_in_chunks(dbsession, RollEntry, roll)
        rows_in_chunks(dbsession, SealedBallot, sealed_rows)
        election_id = election.id
        dbsession.commit()
        note(f"  {ballots} sealed ballots set up in {time.perf_counter() - started:.1f}s")
    finally:
        dbsession.close()
        engine.dispose()
    return election_id, key, rankings


def timed_open(database_url: str, secret: str, election_id: int, key, rankings) -> dict:
    from sqlalchemy import select

    from tmo.models import get_engine, get_session_factory
    from tmo.models.elections import CountedBallot, Election, SealedBallot
    from tmo.rules.elections import decode_preferences
    from tmo.services import elections

    # With the secret, as the app opens it: the count writes the audit log.
    engine = get_engine({"sqlalchemy.url": database_url, "tmo.secret": secret})
    factory = get_session_factory(engine)
    chain_key = elections.chain_key(secret)
    figures = {}
    try:
        with factory() as dbsession:
            election = dbsession.get(Election, election_id)
            started = time.perf_counter()
            problems = elections.verify(dbsession, election, key=chain_key)
            figures["verify the sealed chain (read only)"] = time.perf_counter() - started
            if problems:
                raise SystemExit("The bench's box does not verify: " + "; ".join(problems[:3]))
        with factory() as dbsession:
            election = dbsession.get(Election, election_id)
            started = time.perf_counter()
            elections.count(
                dbsession,
                election,
                election.returning_officer_id,
                datetime.now(UTC),
                key=chain_key,
                private_key=key,
            )
            counted = time.perf_counter()
            dbsession.commit()
            done = time.perf_counter()
            figures["open the box and count (one transaction)"] = counted - started
            figures["commit"] = done - counted
            figures["open, count and commit"] = done - started
        with factory() as dbsession:
            election = dbsession.get(Election, election_id)
            started = time.perf_counter()
            problems = elections.verify(dbsession, election, key=chain_key)
            figures["verify after (the recount)"] = time.perf_counter() - started
            left = dbsession.scalars(
                select(SealedBallot.id).where(SealedBallot.election_id == election_id)
            ).all()
            stored = collections.Counter(
                decode_preferences(text)
                for text in dbsession.scalars(
                    select(CountedBallot.preferences).where(
                        CountedBallot.election_id == election_id
                    )
                )
            )
            figures["checks"] = [
                "tmo.services.elections.verify after: "
                + ("no difference" if not problems else "; ".join(problems[:3])),
                f"sealed ballots left: {len(left)}",
                "the counted rankings are "
                + (
                    "exactly the rankings sealed"
                    if stored == collections.Counter(rankings)
                    else "NOT the rankings sealed"
                )
                + f" ({len(rankings)} ballots)",
                "elected: " + ", ".join(c.name for c in elections.elected(election)),
            ]
    finally:
        engine.dispose()
    return figures


# The ceiling ------------------------------------------------------------------------------------

ceiling_metadata = MetaData()
ceiling_counted = Table(
    "bench_ceiling_counted",
    ceiling_metadata,
    Column("id", String(32), primary_key=True),
    Column("election_id", Integer, nullable=False),
    Column("preferences", String(500), nullable=False),
)
ceiling_trackers = Table(
    "bench_ceiling_tracker",
    ceiling_metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", Integer, nullable=False),
    Column("tracker", String(19), nullable=False),
)
# Copies of the box and the roll (CREATE TABLE ... AS), for the ceiling to empty.
SEALED_COPY, ROLL_COPY = "bench_ceiling_sealed", "bench_ceiling_roll"


def bare_walk(connection, election_id: int, chain_key: bytes) -> int:
    """The keyed hash chain followed from the genesis, every hash and tracker recomputed with
    hmac and hashlib: the ballots walked (SystemExit if any does not match)."""
    from tmo.rules.elections import genesis

    rows = connection.execute(
        text(
            "SELECT id, ciphertext, tracker, previous_hash, hash FROM sealed_ballot "
            "WHERE election_id = :election"
        ),
        {"election": election_id},
    ).all()
    by_previous = {row.previous_hash: row for row in rows}
    head, walked = genesis(election_id), 0
    while head in by_previous:
        row = by_previous.pop(head)
        digest = hmac.new(
            chain_key, f"{row.previous_hash}|{row.id}|{row.ciphertext}".encode(), hashlib.sha256
        ).hexdigest()
        tracker = hashlib.sha256(base64.b64decode(row.ciphertext)).hexdigest()[:16]
        if digest != row.hash or tracker != row.tracker.replace("-", ""):
            raise SystemExit(f"The bare walk finds ballot {row.tracker} altered")
        head, walked = row.hash, walked + 1
    return walked


def bare_opening(database_url: str, election_id: int, key, chain_key: bytes, rankings) -> dict:
    """The ceiling of each step, in seconds, on one connection of the same database (tmo's
    SQLite settings): the bare chain walk; the opening as the bare stack does it, on copies of
    the box and the roll made beforehand (untimed): in one transaction the sealed ballots read,
    shuffled and unsealed with libsodium (PyNaCl's SealedBox), the box and the roll emptied, the
    counted ballots, the sorted trackers and the roll written with one executemany each; the
    commit; and the counted ballots read back, what any recount reads first."""
    from hello import vote_engine
    from nacl.public import SealedBox

    engine = vote_engine(database_url)
    ceilings = {}
    try:
        with engine.begin() as connection:
            ceiling_metadata.create_all(connection)
            for copy, table, columns in (
                (SEALED_COPY, "sealed_ballot", "id, ciphertext, tracker"),
                (ROLL_COPY, "roll_entry", "election_id, member_id, voted, channel"),
            ):
                connection.execute(
                    text(
                        f"CREATE TABLE {copy} AS SELECT {columns} FROM {table} "  # noqa: S608
                        "WHERE election_id = :election"
                    ),
                    {"election": election_id},
                )
        with engine.connect() as connection:
            started = time.perf_counter()
            walked = bare_walk(connection, election_id, chain_key)
            ceilings["verify the sealed chain (read only)"] = time.perf_counter() - started
        box = SealedBox(key)
        started = time.perf_counter()
        with engine.begin() as connection:
            ballots = connection.execute(
                text(f"SELECT ciphertext, tracker FROM {SEALED_COPY}")  # noqa: S608
            ).all()
            secrets.SystemRandom().shuffle(ballots)
            opened = [
                " ".join(box.decrypt(base64.b64decode(ciphertext)).decode().split())
                for ciphertext, _ in ballots
            ]
            roll = connection.execute(
                text(
                    f"SELECT election_id, member_id, voted, channel FROM {ROLL_COPY} "  # noqa: S608
                    "ORDER BY member_id"
                )
            ).all()
            connection.execute(text(f"DELETE FROM {SEALED_COPY}"))  # noqa: S608
            connection.execute(text(f"DELETE FROM {ROLL_COPY}"))  # noqa: S608
            connection.execute(
                insert(ceiling_counted),
                [
                    {"id": secrets.token_hex(16), "election_id": election_id, "preferences": text_}
                    for text_ in opened
                ],
            )
            connection.execute(
                insert(ceiling_trackers),
                [
                    {"election_id": election_id, "tracker": tracker}
                    for tracker in sorted(tracker for _, tracker in ballots)
                ],
            )
            connection.execute(
                text(
                    f"INSERT INTO {ROLL_COPY} (election_id, member_id, voted, channel) "  # noqa: S608
                    "VALUES (:election_id, :member_id, :voted, :channel)"
                ),
                [row._asdict() for row in roll],
            )
            committing = time.perf_counter()
        done = time.perf_counter()
        ceilings["open the box and count (one transaction)"] = committing - started
        ceilings["commit"] = done - committing
        ceilings["open, count and commit"] = done - started
        with engine.connect() as connection:
            started = time.perf_counter()
            counted = collections.Counter(
                tuple(int(part) for part in preferences.split())
                for preferences in connection.scalars(select(ceiling_counted.c.preferences))
            )
            ceilings["verify after (the recount)"] = time.perf_counter() - started
    finally:
        engine.dispose()
    if walked != len(rankings) or counted != collections.Counter(rankings):
        raise SystemExit(f"The ceiling walked {walked} ballots and opened other rankings")
    return ceilings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="open_box.py", description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=85_000, help="sealed ballots in the box")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the register and ballots")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    busy_before = cpu_busy_share()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tmo-open-box-")))
        database_url = stack.enter_context(fresh_database(args.database, workdir))
        secret = secrets.token_urlsafe(48)
        note(f"Migrating a fresh {args.database} database, sealing {args.ballots} ballots...")
        election_id, key, rankings = prepare(database_url, secret, args.ballots, args.seed)
        note("The ceiling: a bare walk of the chain, a bare opening of a copy of the box...")
        from tmo.services.elections import chain_key

        ceilings = bare_opening(database_url, election_id, key, chain_key(secret), rankings)
        note("Opening the box...")
        figures = timed_open(database_url, secret, election_id, key, rankings)
    checks = figures.pop("checks")
    busy = "unknown" if busy_before is None else f"{busy_before:.0%}"
    print(
        f"database {args.database}; {args.ballots} sealed ballots; "
        f"{cpu_model()}; Python {platform.python_version()}; CPU {busy} busy just before the run"
    )
    print()
    rows = [
        [step, f"{seconds:.2f}", f"{ceilings[step]:.2f}", share(ceilings[step], seconds)]
        for step, seconds in figures.items()
    ]
    header = ("step", "seconds", "ceiling seconds", "share of ceiling")
    print(render_table(header, rows, args.markdown))
    total = figures["open, count and commit"]
    print()
    print(
        f"goal (under {GOAL_SECONDS} s to open and count): "
        + ("met" if total < GOAL_SECONDS else "MISSED")
    )
    for check in checks:
        print(f"- {check}" if args.markdown else check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
