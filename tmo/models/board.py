"""The board: the people who serve as directors, each term they hold a seat for, and their
declarations of interest.

A seat is (category, number) from the constitution; a term names its seat, how it is held, and
its dates. Whether a seat is filled on a day is worked out from the dates alone.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmo.constitution import SeatCategoryKey
from tmo.models.accounts import Account
from tmo.models.membership import Member
from tmo.models.meta import Base, StrEnumType, utcnow


class Director(Base):
    """A person who serves or served on the board, with what eligibility depends on."""

    __tablename__ = "director"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    date_of_birth: Mapped[date | None]
    is_employee: Mapped[bool] = mapped_column(default=False)
    is_paid_contractor: Mapped[bool] = mapped_column(default=False)
    is_disqualified: Mapped[bool] = mapped_column(default=False)
    has_serious_arrears: Mapped[bool] = mapped_column(default=False)
    # A council officer sitting as an independent, say (s69 counts them).
    council_associated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account | None] = relationship()
    member: Mapped[Member | None] = relationship()
    terms: Mapped[list["Directorship"]] = relationship(
        back_populates="director", order_by="Directorship.start_date"
    )
    declarations: Mapped[list["InterestDeclaration"]] = relationship(
        back_populates="director", order_by="InterestDeclaration.declared_on.desc()"
    )


class Directorship(Base):
    """One term of office on one seat."""

    __tablename__ = "directorship"
    __table_args__ = (Index("ix_directorship_seat", "seat_category", "seat_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    director_id: Mapped[int] = mapped_column(ForeignKey("director.id"), index=True)
    seat_category: Mapped[SeatCategoryKey] = mapped_column(StrEnumType(SeatCategoryKey, 32))
    seat_number: Mapped[int]
    # One of tmo.rules.board.HOW_HELD.
    how: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date]
    # The term's scheduled end (exclusive); None for ex officio.
    end_date: Mapped[date | None]
    # An early end (resignation, removal, disqualification, death).
    ended_on: Mapped[date | None]
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    end_note: Mapped[str] = mapped_column(String(500), default="")
    # The council's nomination date (councillors); the minuted decision (board appointments).
    nomination_date: Mapped[date | None]
    decision_reference: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    director: Mapped[Director] = relationship(back_populates="terms")


class InterestDeclaration(Base):
    __tablename__ = "interest_declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    director_id: Mapped[int] = mapped_column(ForeignKey("director.id"), index=True)
    # One of tmo.services.board.INTEREST_KINDS.
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(500))
    from_date: Mapped[date]
    to_date: Mapped[date | None]
    declared_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    director: Mapped[Director] = relationship(back_populates="declarations")
