"""Notices: every message tmo sends a person, and what became of it for each of them.

A ``Notice`` is one message sent to many (a meeting's notice, a poll card, a result); a
``Delivery`` is that message for one person, by the channel they chose: email, or a letter that
waits in a ``PrintRun`` until the secretary marks it posted. A delivery keeps its channel, its
status and its dates, so the sender sees the truth of who has been reached and when each notice
is deemed delivered. A delivery's text stays only until the message has left (emailed, or the
letter posted): a poll card's voting code is in it, and a code is otherwise kept only as a hash.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tmo.models.meta import Base, StrEnumType, utcnow
from tmo.rules.notices import Channel, DeliveryStatus


class ContactChoice:
    """How a person (a member, a youth forum member) has chosen to be reached, and who recorded
    it: by email only with their agreement to electronic communication (Companies Act 2006 Sch 5
    para 6), which they may withdraw; otherwise by post. The register itself rests on the law,
    not on this choice."""

    contact_by: Mapped[Channel] = mapped_column(StrEnumType(Channel, 16), default=Channel.POST)
    # When they agreed to be sent notices by email (None: they have not, or withdrew it).
    email_agreed_at: Mapped[datetime | None]
    # When the choice was last recorded, how the person told us, and who recorded it for them
    # (None: they made it themselves, online).
    contact_recorded_at: Mapped[datetime | None]
    contact_recorded_how: Mapped[str] = mapped_column(String(40), default="")

    @declared_attr
    def contact_recorded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("account.id", ondelete="SET NULL"))


class Notice(Base):
    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is (a NoticeKind value: meeting_notice, poll_card, ...), for the sender's list.
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    # What it is about, for the pages that show its reach (an election, a meeting...).
    about_type: Mapped[str] = mapped_column(String(40), default="")
    about_id: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="notice", order_by="Delivery.id"
    )

    __table_args__ = (Index("ix_notice_about", "about_type", "about_id"),)


class PrintRun(Base):
    """The letters of one go at the printer: one PDF, one CSV for a mailing house, posted on a
    day the secretary records."""

    __tablename__ = "print_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    letters: Mapped[int] = mapped_column(default=0)
    posted_on: Mapped[date | None]
    posted_at: Mapped[datetime | None]
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="print_run", order_by="Delivery.id"
    )


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (
        # The outbox as the worker reads it: emails due to be tried, oldest first.
        Index("ix_delivery_due", "status", "next_attempt_at", "id"),
        Index("ix_delivery_member", "member_id"),
        Index("ix_delivery_print_run", "print_run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    # Who it is for: a member, a youth forum member or an account (one at least, for the
    # record; name, email and address are as they were when it was sent).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    youth_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("youth_member.id", ondelete="SET NULL")
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(420), default="")
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, 16))
    status: Mapped[DeliveryStatus] = mapped_column(StrEnumType(DeliveryStatus, 16))
    # The message for this person; emptied once it has left.
    body: Mapped[str] = mapped_column(Text, default="")
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    print_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("print_run.id", ondelete="SET NULL")
    )
    deemed_delivered_at: Mapped[datetime | None]

    notice: Mapped[Notice] = relationship(back_populates="deliveries")
    print_run: Mapped[PrintRun | None] = relationship(back_populates="deliveries")
