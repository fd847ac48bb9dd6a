"""The audit log: append an entry (who did what to which record, and when) and verify the chain.

Every entry stores the SHA-256 of its content and of the entry before it, so an entry edited or
deleted behind the application's back breaks the chain and ``tmo-audit verify`` names it. Appends
are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock) so the chain
never forks.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tmo.clock import CLOCK, SystemClock
from tmo.models.accounts import Account
from tmo.models.audit import AuditEntry
from tmo.services.search import LIKE_ESCAPE, starts_with_pattern

GENESIS_HASH = "0" * 64
# Any fixed 64-bit number: the key of the advisory lock that serialises appends on PostgreSQL.
AUDIT_LOCK_KEY = 0x746D6F_617564


def entry_hash(
    previous_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    target_type: str | None,
    target_id: str | None,
    detail: dict,
) -> str:
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
    return hashlib.sha256(content.encode()).hexdigest()


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
    entry = AuditEntry(
        occurred_at=occurred_at,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        previous_hash=previous,
        entry_hash=entry_hash(
            previous, occurred_at, actor_id, action, target_type, target_id, detail
        ),
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


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(dbsession: Session) -> ChainReport:
    """Recompute every entry's hash and check each links to the one before it."""
    problems = []
    expected_previous = GENESIS_HASH
    count = 0
    rows = dbsession.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        count += 1
        if entry.previous_hash != expected_previous:
            problems.append(
                f"entry {entry.id}: does not follow the entry before it "
                "(an entry was deleted, inserted or reordered)"
            )
        recomputed = entry_hash(
            entry.previous_hash,
            entry.occurred_at,
            entry.actor_id,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.detail,
        )
        if recomputed != entry.entry_hash:
            problems.append(f"entry {entry.id}: its content was changed after it was written")
        expected_previous = entry.entry_hash
    return ChainReport(count, problems)
