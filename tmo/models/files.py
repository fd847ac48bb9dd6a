"""Uploaded files: meeting papers, candidates' photos, quotes and receipts.

A file is kept in the database, beside the record it belongs to: outside the web root, in the same
transaction and backup as everything else, and never reachable by a path a person typed. Each
domain serves its files through its own view and permission (a confidential paper stays private).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tmo.models.meta import Base, utcnow


class StoredFile(Base):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name the person's computer gave it, cleaned to a safe download name.
    filename: Mapped[str] = mapped_column(String(200))
    # Worked out from the content, never taken from the browser.
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
