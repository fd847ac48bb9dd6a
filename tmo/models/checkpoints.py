"""Checkpoints: a chain's head and length at a moment, signed with the server's Ed25519 key and
emailed to people who keep their own copies (tmo.services.checkpoints). The row is the server's
own note of what it sent: when the next one is due, and the head at a poll's close that the
result sheet prints. Its worth is in the copies outside the database, not in this row."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tmo.models.meta import Base, utcnow


class Checkpoint(Base):
    __tablename__ = "checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "audit" (the audit log) or "ballots" (an election's ballot log).
    kind: Mapped[str] = mapped_column(String(16))
    # The election whose ballots it is, or whose officials it was sent to with the audit log's;
    # None for an audit log checkpoint sent for no election.
    election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    # "daily" during a poll, "close" at its close.
    occasion: Mapped[str] = mapped_column(String(16))
    head: Mapped[str] = mapped_column(String(64))
    count: Mapped[int]
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The signed text exactly as it was sent.
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_checkpoint_election", "election_id", "kind", "made_at"),)
