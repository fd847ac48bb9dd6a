"""Committees and meetings: the bodies and their members, meetings and their agendas, papers, the
record kept at the meeting (attendance, declarations, motions and votes, decisions, actions), the
minutes' lifecycle and amendments, and members' requisitions of a general meeting.

A person at a meeting is named by a ``person_key``: ``director:ID`` for the board (its members are
the directors serving on the day), ``member:ID`` for a general meeting (the register of members),
``body_member:ID`` for anyone else a body lists, ``guest:N`` for someone in attendance.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmo.models.files import StoredFile
from tmo.models.meta import Base, StrEnumType, utcnow
from tmo.rules.meetings import MinutesState


class Body(Base):
    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # One of tmo.rules.meetings.BODY_KINDS.
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    # A number present, or a fraction number/of of the members; none: the constitution's.
    quorum_number: Mapped[int | None]
    quorum_of: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Body | None"] = relationship(remote_side=[id])
    members: Mapped[list["BodyMember"]] = relationship(
        back_populates="body", order_by="BodyMember.from_date"
    )


class BodyMember(Base):
    """A seat on a body other than the board (whose members are its directors) and the general
    meeting (the register of members); the board's officers (chair...) are listed here too."""

    __tablename__ = "body_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    director_id: Mapped[int | None] = mapped_column(ForeignKey("director.id"))
    email: Mapped[str] = mapped_column(String(254), default="")
    # One of tmo.rules.meetings.MEMBER_ROLES.
    role: Mapped[str] = mapped_column(String(32), default="member")
    from_date: Mapped[date]
    to_date: Mapped[date | None]

    body: Mapped[Body] = relationship(back_populates="members")


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_body_starts", "body_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"))
    # One of tmo.rules.meetings.MEETING_KINDS.
    kind: Mapped[str] = mapped_column(String(32), default="ordinary")
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300), default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    notice_given_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    minutes_state: Mapped[MinutesState] = mapped_column(
        StrEnumType(MinutesState, 32), default=MinutesState.DRAFT
    )
    # The agenda as the members and the public are to read it: its items change no more.
    agenda_published_at: Mapped[datetime | None]
    circulated_at: Mapped[datetime | None]
    # Approved by a Decision of a later meeting (decision.approves_meeting_id).
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    signed_by_name: Mapped[str] = mapped_column(String(200), default="")
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisition.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    body: Mapped[Body] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position"
    )
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan"
    )
    amendments: Mapped[list["MinutesAmendment"]] = relationship(
        back_populates="meeting", order_by="MinutesAmendment.id"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int]
    # A standing item (tmo.rules.meetings.STANDING_ITEMS, AGM_ITEMS) or "item".
    kind: Mapped[str] = mapped_column(String(32), default="item")
    title: Mapped[str] = mapped_column(String(200))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # Exempt from publication: never on a public page or a public PDF.
    confidential: Mapped[bool] = mapped_column(default=False)
    # The secretary's minute of the discussion.
    minutes_text: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    papers: Mapped[list["AgendaPaper"]] = relationship(
        back_populates="item", order_by="AgendaPaper.id"
    )
    declarations: Mapped[list["Declaration"]] = relationship(
        back_populates="item", order_by="Declaration.id"
    )
    motions: Mapped[list["Motion"]] = relationship(back_populates="item", order_by="Motion.id")
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="item", order_by="Decision.id"
    )
    actions: Mapped[list["MeetingAction"]] = relationship(
        back_populates="item", order_by="MeetingAction.id"
    )


class AgendaPaper(Base):
    __tablename__ = "agenda_paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="papers")
    file: Mapped[StoredFile] = relationship()


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    person_key: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # One of tmo.rules.meetings.ATTENDANCE.
    status: Mapped[str] = mapped_column(String(32))
    apologies_accepted: Mapped[bool] = mapped_column(default=True)
    arrived: Mapped[str] = mapped_column(String(5), default="")
    departed: Mapped[str] = mapped_column(String(5), default="")
    # Apologies the member sent online before the meeting, and why (for the secretary only).
    apologies_sent_at: Mapped[datetime | None]
    apologies_reason: Mapped[str] = mapped_column(String(500), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")


class Declaration(Base):
    __tablename__ = "declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    interest: Mapped[str] = mapped_column(String(500))

    item: Mapped[AgendaItem] = relationship(back_populates="declarations")


class Motion(Base):
    __tablename__ = "motion"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    proposer_key: Mapped[str] = mapped_column(String(40))
    proposer_name: Mapped[str] = mapped_column(String(200))
    seconder_key: Mapped[str] = mapped_column(String(40))
    seconder_name: Mapped[str] = mapped_column(String(200))
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    casting_vote: Mapped[str] = mapped_column(String(16), default="")
    # tmo.rules.meetings.CARRIED or LOST.
    outcome: Mapped[str] = mapped_column(String(16))

    item: Mapped[AgendaItem] = relationship(back_populates="motions")
    # A recorded vote: how each member voted, by name (empty when only the counts are taken).
    votes: Mapped[list["MotionVote"]] = relationship(
        back_populates="motion", order_by="MotionVote.id"
    )


class MotionVote(Base):
    __tablename__ = "motion_vote"
    __table_args__ = (UniqueConstraint("motion_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"))
    person_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    # One of tmo.rules.meetings.VOTES.
    vote: Mapped[str] = mapped_column(String(16))

    motion: Mapped[Motion] = relationship(back_populates="votes")


class Decision(Base):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))
    text: Mapped[str] = mapped_column(Text)
    # The meeting whose minutes this decision approved as a true record.
    approves_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="decisions")


class MeetingAction(Base):
    __tablename__ = "meeting_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    raised_on: Mapped[date]
    text: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    done_note: Mapped[str] = mapped_column(String(500), default="")

    item: Mapped[AgendaItem] = relationship(back_populates="actions")


class MinutesAmendment(Base):
    """A correction to minutes already circulated: the record itself is never rewritten."""

    __tablename__ = "minutes_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="amendments")
    item: Mapped[AgendaItem | None] = relationship()


class Requisition(Base):
    """Members' requisition of a general meeting (Companies Act 2006 s303)."""

    __tablename__ = "requisition"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Frozen when the threshold is reached: the signatures needed and the deadline to call it.
    threshold_reached_on: Mapped[date | None]
    call_by: Mapped[date | None]
    signatures: Mapped[list["RequisitionSignature"]] = relationship(
        back_populates="requisition", order_by="RequisitionSignature.id"
    )


class RequisitionSignature(Base):
    __tablename__ = "requisition_signature"
    __table_args__ = (UniqueConstraint("requisition_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    requisition: Mapped[Requisition] = relationship(back_populates="signatures")


class CalendarToken(Base):
    """The secret in a person's calendar-feed address (a calendar app sends no log-in cookie):
    only its SHA-256 is kept, and making a new one retires the old."""

    __tablename__ = "calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
