"""The audit log: an append-only, hash-chained record of who did what to which record, and when."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from tmo.models.meta import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A plain id, not a foreign key: the log outlives accounts and must never be rewritten.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # Each entry's hash covers its content and the hash before it; a fork is refused outright.
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # How entry_hash was made: "hmac" (keyed with the server's secret) from issue 13 on;
    # "sha256" (plain, recomputable by anyone) for the entries written before.
    scheme: Mapped[str] = mapped_column(String(8), server_default="sha256")
