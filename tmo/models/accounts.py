"""Accounts: people who log in, the roles they hold, their login sessions, single-use tokens and
the record of failed attempts that throttling counts."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmo.models.meta import Base, StrEnumType, utcnow
from tmo.permissions import Role


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (see services.accounts.normalise_email) so look-ups are exact.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email_verified_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="account",
        cascade="all, delete-orphan",
        foreign_keys="RoleGrant.account_id",
        order_by="RoleGrant.role",
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({Role.RESIDENT, *(grant.role for grant in self.role_grants)})

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


class RoleGrant(Base):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("account_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(StrEnumType(Role))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    account: Mapped[Account] = relationship(back_populates="role_grants", foreign_keys=[account_id])


class LoginSession(Base):
    """A logged-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    account: Mapped[Account] = relationship()


class AccountToken(Base):
    """A single-use, expiring token sent by email (verify an address, reset a password)."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()


class ThrottleAttempt(Base):
    """Attempts in the current window under one hashed key (an email address, a client address,
    a voting code): one row a key, incremented in place, so that attempts made at the same
    moment queue on its lock and each reads the count the one before it left."""

    __tablename__ = "throttle_attempt"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    window_started_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
