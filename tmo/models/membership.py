"""Membership: the property register (estates, blocks, homes and their tenancies, as the council's
housing system exports them), applications to join, and the register of members.

A member's register entry keeps the Companies Act s113 fields (name, address, date admitted, date
ceased) for ten years after ceasing; everything else personal can be erased on request.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmo.models.accounts import Account
from tmo.models.meta import Base, utcnow


class Estate(Base):
    __tablename__ = "estate"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Block(Base):
    __tablename__ = "block"
    __table_args__ = (UniqueConstraint("estate_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    estate: Mapped[Estate] = relationship()


class Home(Base):
    __tablename__ = "home"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The council's property reference: how a re-import recognises the home.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("block.id"), index=True)
    address_line_1: Mapped[str] = mapped_column(String(200))
    address_line_2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    ward: Mapped[str] = mapped_column(String(80), default="")
    tenure_type: Mapped[str] = mapped_column(String(32))

    estate: Mapped[Estate] = relationship()
    block: Mapped[Block | None] = relationship()
    tenancies: Mapped[list["Tenancy"]] = relationship(
        back_populates="home", order_by="Tenancy.holder_number"
    )

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.postcode]
        return ", ".join(part for part in parts if part)


class Tenancy(Base):
    """One person's hold on a home: a joint tenancy is one row per joint tenant."""

    __tablename__ = "tenancy"
    __table_args__ = (UniqueConstraint("reference", "holder_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))
    holder_number: Mapped[int] = mapped_column(default=1)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    # One of tmo.constitution.TENURES.
    holding: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    home: Mapped[Home] = relationship(back_populates="tenancies")

    def current_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)


class MembershipApplication(Base):
    __tablename__ = "membership_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    holding: Mapped[str] = mapped_column(String(32))
    associate: Mapped[bool] = mapped_column(default=False)
    date_of_birth: Mapped[date | None]
    consented_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # submitted -> admitted | rejected | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    matched_tenancy_id: Mapped[int | None] = mapped_column(ForeignKey("tenancy.id"))
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    home: Mapped[Home] = relationship()
    matched_tenancy: Mapped[Tenancy | None] = relationship()


class Member(Base):
    """An entry in the register of members (Companies Act 2006 s113)."""

    __tablename__ = "member"
    __table_args__ = (
        # One active membership per account.
        Index(
            "uq_member_active_account",
            "account_id",
            unique=True,
            sqlite_where=text("ceased_on IS NULL"),
            postgresql_where=text("ceased_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[int] = mapped_column(unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    tenancy_id: Mapped[int | None] = mapped_column(ForeignKey("tenancy.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("membership_application.id"))
    # The s113 fields, kept as admitted so the register reads the same after a move or erasure.
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(420))
    admitted_on: Mapped[date]
    ceased_on: Mapped[date | None] = mapped_column(index=True)
    associate: Mapped[bool] = mapped_column(default=False)
    ceased_reason: Mapped[str] = mapped_column(String(32), default="")
    ceased_note: Mapped[str] = mapped_column(String(500), default="")
    # Personal data beyond s113: erasable on request.
    date_of_birth: Mapped[date | None]
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    erased_at: Mapped[datetime | None]

    account: Mapped[Account | None] = relationship()
    home: Mapped[Home] = relationship()
    tenancy: Mapped[Tenancy | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.ceased_on is None

    @property
    def number_label(self) -> str:
        return f"M{self.member_number:06d}"
