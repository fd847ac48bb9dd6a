"""The audit log: append an entry (who did what to which record, and when) and verify the chain.

Every entry stores a hash of its content and of the entry before it, so an entry edited or
deleted behind the application's back breaks the chain and ``tmo-audit verify`` names it. Appends
are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock) so the chain
never forks.

The hash is an HMAC-SHA256 under a key derived from the server's secret (``tmo.secret``, kept
outside the database): whoever can write the database can edit an entry but cannot recompute the
hashes after it, as they could when it was a plain SHA-256 (the scheme of the entries written
before, kept and checked as "sha256"; none may follow an "hmac" one, or an editor could downgrade
the chain's end). HMAC, not a signature on every entry: it costs a microsecond an append, needs no
key but the one the server already keeps, and what a signature would add (a proof anyone can
check without the secret) is given by the signed checkpoints (``tmo.services.checkpoints``), which
carry the head to other people's mailboxes, where removing the newest entries is also found.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tmo.clock import CLOCK, SystemClock
from tmo.models import server_secret
from tmo.models.accounts import Account
from tmo.models.audit import AuditEntry
from tmo.rules.chains import derive_key, keyed_hash
from tmo.rules.checkpoints import Anchor
from tmo.services.search import LIKE_ESCAPE, starts_with_pattern

GENESIS_HASH = "0" * 64
# Any fixed 64-bit number: the key of the advisory lock that serialises appends on PostgreSQL.
AUDIT_LOCK_KEY = 0x746D6F_617564
# How an entry's hash is made: keyed with the server's secret, or (entries from before) plain.
HMAC, SHA256 = "hmac", "sha256"


@cache
def _key(secret: str) -> bytes:
    return derive_key(secret, "audit")


def audit_key(dbsession: Session) -> bytes:
    """The audit chain's key, derived from the secret of the deployment that opened the
    database ``dbsession`` writes to."""
    return _key(server_secret(dbsession))


def entry_hash(
    previous_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    target_type: str | None,
    target_id: str | None,
    detail: dict,
    *,
    key: bytes | None,
) -> str:
    """The entry's hash: the HMAC under ``key``, or the plain SHA-256 of the entries written
    before the chain was keyed (``key`` None)."""
    content = json.dumps(
        {
            "previous": previous_hash,
            "at": occurred_at.isoformat(timespec="microseconds"),
            "actor": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "detail": detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    if key is None:
        return hashlib.sha256(content.encode()).hexdigest()
    return keyed_hash(key, content)


def moment_of(dbsession: Session) -> datetime:
    """Now, by the clock of whoever writes through ``dbsession``: the moment of the request it
    serves, or the clock a script set on it, or else the computer's."""
    request = dbsession.info.get("request")
    if request is not None:
        return request.now
    return dbsession.info.get(CLOCK, SystemClock()).now()


def record(
    dbsession: Session,
    action: str,
    *,
    actor_id: int | None,
    target=None,
    target_type: str | None = None,
    target_id=None,
    now: datetime | None = None,
    **detail,
) -> AuditEntry:
    """Append one entry, made at ``now`` (by default the moment of the session's request).
    ``detail`` holds plain JSON values and never a secret or a ballot."""
    if target is not None:
        dbsession.flush()
        target_type = target_type or type(target).__tablename__
        target_id = target.id
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    previous = dbsession.scalar(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    previous = previous or GENESIS_HASH
    occurred_at = now or moment_of(dbsession)
    target_id = None if target_id is None else str(target_id)
    key = audit_key(dbsession)
    entry = AuditEntry(
        occurred_at=occurred_at,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        previous_hash=previous,
        entry_hash=entry_hash(
            previous, occurred_at, actor_id, action, target_type, target_id, detail, key=key
        ),
        scheme=HMAC,
    )
    dbsession.add(entry)
    dbsession.flush()
    return entry


def entries_query(action: str):
    """The log, newest first; only the entries whose action starts with ``action``, if given."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.like(starts_with_pattern(action), escape=LIKE_ESCAPE))
    return query


def actor_names(dbsession: Session, entries) -> dict[int, str]:
    """The name of the account behind each of ``entries``, by its id."""
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id}
    if not actor_ids:
        return {}
    return {
        account.id: account.display_name
        for account in dbsession.scalars(select(Account).where(Account.id.in_(actor_ids)))
    }


def head(dbsession: Session) -> tuple[str, int]:
    """The audit log's head and its number of entries, for a checkpoint."""
    last = dbsession.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or GENESIS_HASH, dbsession.scalar(select(func.count()).select_from(AuditEntry))


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problems: list[str]
    # Entries whose plain SHA-256 anyone could recompute (written before the chain was keyed).
    unkeyed: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(dbsession: Session, anchor: Anchor | None = None) -> ChainReport:
    """Recompute every entry's hash, each by its scheme, and check each links to the one before
    it; with an ``anchor`` (a head known from outside), that the log's entry number
    ``anchor.count``, counting from 1 in the order written, still has the hash ``anchor.head``:
    entries after it were written later, and each must still chain on."""
    problems = []
    expected_previous = GENESIS_HASH
    count = unkeyed = 0
    keyed = False
    key = None
    anchored = anchor is not None and anchor.count == 0 and anchor.head == GENESIS_HASH
    if anchor is not None and anchor.count == 0 and anchor.head != GENESIS_HASH:
        problems.append(f"{anchor.name} gives a head for no entries that is not the first hash")
        anchored = True
    rows = dbsession.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        count += 1
        if entry.previous_hash != expected_previous:
            problems.append(
                f"entry {entry.id}: does not follow the entry before it "
                "(an entry was deleted, inserted or reordered)"
            )
        if entry.scheme == HMAC:
            keyed = True
            key = key or audit_key(dbsession)
        elif entry.scheme == SHA256:
            unkeyed += 1
            if keyed:
                problems.append(
                    f"entry {entry.id}: hashed without the key after keyed entries "
                    "(its hash was recomputed by someone without the server's secret)"
                )
        else:
            problems.append(f"entry {entry.id}: an unknown hash scheme {entry.scheme!r}")
        recomputed = entry_hash(
            entry.previous_hash,
            entry.occurred_at,
            entry.actor_id,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.detail,
            key=key if entry.scheme == HMAC else None,
        )
        if recomputed != entry.entry_hash:
            problems.append(f"entry {entry.id}: its content was changed after it was written")
        expected_previous = entry.entry_hash
        if anchor is not None and count == anchor.count:
            if entry.entry_hash == anchor.head:
                anchored = True
            else:
                problems.append(
                    f"entry {entry.id}: is entry number {count}, whose hash {anchor.name} "
                    f"gives as {anchor.head}, but its hash is {entry.entry_hash} "
                    "(the log was rewritten up to it)"
                )
                anchored = True  # reported once
    if anchor is not None and not anchored:
        problems.append(
            f"the log has {count} entries, but {anchor.name} counted {anchor.count}: "
            "entries were removed from its end"
        )
    return ChainReport(count, problems, unkeyed)
