"""The Youth Forum: its members (young people of the area, approved by a youth worker), the
devolved budget (one row per financial year, and its ledger), spending proposals with their forum
votes and declared interests, photos for reports back, and the chair and how the forum elected
them.

Who is in the forum on a day is worked out from the dates (approval, birthday, leaving); the
budget's balances are the sums of its ledger entries. Money is integer pence.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmo.models.accounts import Account
from tmo.models.board import Directorship
from tmo.models.files import StoredFile
from tmo.models.meetings import Decision
from tmo.models.meta import Base, StrEnumType, utcnow
from tmo.models.notices import ContactChoice
from tmo.rules.youth import ChairElectionStatus, MemberStatus, ProposalStatus


class YouthMember(ContactChoice, Base):
    """A young person's application to the forum and, once approved, their membership."""

    __tablename__ = "youth_member"
    __table_args__ = (
        # One application or membership per account at a time.
        Index(
            "uq_youth_member_live_account",
            "account_id",
            unique=True,
            sqlite_where=text("status != 'rejected'"),
            postgresql_where=text("status != 'rejected'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    postcode: Mapped[str] = mapped_column(String(10))
    # Their home address, for letters: asked only of those who choose post.
    address: Mapped[str] = mapped_column(String(420), default="")
    # applied -> approved | rejected
    status: Mapped[MemberStatus] = mapped_column(
        StrEnumType(MemberStatus, 16), default=MemberStatus.APPLIED, index=True
    )
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_on: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    # Left before ageing out (resigned, moved away).
    left_on: Mapped[date | None]

    account: Mapped[Account] = relationship(foreign_keys=[account_id])


class YouthBudgetYear(Base):
    """One financial year's devolved budget. Its row is locked while money is committed, so two
    approvals can never both take the last of it."""

    __tablename__ = "youth_budget_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(unique=True)
    ends_on: Mapped[date]
    # Raised by every ledger entry: a transaction holding a stale view of the year conflicts.
    revision: Mapped[int] = mapped_column(default=0)
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries: Mapped[list["YouthLedgerEntry"]] = relationship(
        back_populates="year", order_by="YouthLedgerEntry.id"
    )


class YouthLedgerEntry(Base):
    __tablename__ = "youth_ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("youth_budget_year.id"), index=True)
    # One of tmo.rules.youth.ENTRY_KINDS.
    kind: Mapped[str] = mapped_column(String(16))
    # Pence; positive, except an adjustment's, which may be negative.
    amount_pence: Mapped[int]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("youth_proposal.id"), index=True)
    entry_date: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500), default="")
    receipt_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    year: Mapped[YouthBudgetYear] = relationship(back_populates="entries")
    proposal: Mapped["YouthProposal | None"] = relationship()


class YouthProposal(Base):
    """A spend a forum member proposes, through its lifecycle (tmo.rules.youth.TRANSITIONS)."""

    __tablename__ = "youth_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("youth_member.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    what_and_why: Mapped[str] = mapped_column(Text)
    who_benefits: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    cost_pence: Mapped[int]
    cost_breakdown: Mapped[str] = mapped_column(Text)
    quote_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    status: Mapped[ProposalStatus] = mapped_column(
        StrEnumType(ProposalStatus, 24), default=ProposalStatus.DRAFT, index=True
    )
    worker_comments: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    vote_opened_on: Mapped[date | None]
    vote_closes_on: Mapped[date | None]
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    abstentions: Mapped[int] = mapped_column(default=0)
    by_casting_vote: Mapped[bool] = mapped_column(default=False)
    decided_on: Mapped[date | None]
    # The budget year the money was committed from.
    year_id: Mapped[int | None] = mapped_column(ForeignKey("youth_budget_year.id"))
    # The board's minuted decision (above the constitution's threshold): the board's Decision
    # when its meeting is recorded in tmo, otherwise the minute in words and its date.
    ratification_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    ratification_reference: Mapped[str] = mapped_column(String(200), default="")
    ratification_date: Mapped[date | None]
    actual_pence: Mapped[int | None]
    spent_on: Mapped[date | None]
    receipt_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    # An overspend topped up from the budget, or an underspend released: said in words.
    spend_note: Mapped[str] = mapped_column(String(500), default="")
    report: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[date | None]

    proposer: Mapped[YouthMember] = relationship()
    quote: Mapped[StoredFile | None] = relationship(foreign_keys=[quote_file_id])
    receipt: Mapped[StoredFile | None] = relationship(foreign_keys=[receipt_file_id])
    year: Mapped[YouthBudgetYear | None] = relationship()
    ratification_decision: Mapped[Decision | None] = relationship()
    votes: Mapped[list["YouthVote"]] = relationship(back_populates="proposal")
    interests: Mapped[list["YouthInterest"]] = relationship(back_populates="proposal")
    photos: Mapped[list["YouthReportPhoto"]] = relationship(
        back_populates="proposal", order_by="YouthReportPhoto.id"
    )


class YouthVote(Base):
    """One forum member's vote on one proposal (one each: the unique constraint decides a race)."""

    __tablename__ = "youth_vote"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("youth_proposal.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("youth_member.id"), index=True)
    # One of tmo.rules.youth.CHOICES.
    choice: Mapped[str] = mapped_column(String(8))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[YouthProposal] = relationship(back_populates="votes")


class YouthInterest(Base):
    """A member's declared interest in a proposal: they may not vote on it."""

    __tablename__ = "youth_interest"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("youth_proposal.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("youth_member.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[YouthProposal] = relationship(back_populates="interests")
    member: Mapped[YouthMember] = relationship()


class YouthReportPhoto(Base):
    """A photo in a report back, kept only with consent recorded for everyone in it."""

    __tablename__ = "youth_report_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("youth_proposal.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    caption: Mapped[str] = mapped_column(String(200))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[YouthProposal] = relationship(back_populates="photos")
    file: Mapped[StoredFile] = relationship()


class YouthChairElection(Base):
    """The forum's vote for its chair: open -> counted."""

    __tablename__ = "youth_chair_election"
    __table_args__ = (
        # One vote for chair open at a time, however many youth workers open one at once.
        Index(
            "uq_youth_chair_election_open",
            "status",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opened_on: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[ChairElectionStatus] = mapped_column(
        StrEnumType(ChairElectionStatus, 16), default=ChairElectionStatus.OPEN
    )
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("youth_member.id"))
    counted_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidates: Mapped[list["YouthChairCandidate"]] = relationship(
        back_populates="election", order_by="YouthChairCandidate.id"
    )
    winner: Mapped[YouthMember | None] = relationship()


class YouthChairCandidate(Base):
    __tablename__ = "youth_chair_candidate"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("youth_chair_election.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("youth_member.id"))

    election: Mapped[YouthChairElection] = relationship(back_populates="candidates")
    member: Mapped[YouthMember] = relationship()


class YouthChairVote(Base):
    __tablename__ = "youth_chair_vote"
    __table_args__ = (UniqueConstraint("election_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("youth_chair_election.id"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("youth_member.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("youth_chair_candidate.id"))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)


class YouthChairTerm(Base):
    """A member's time as chair, with the board seat it carries (ex officio)."""

    __tablename__ = "youth_chair_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("youth_member.id"), index=True)
    election_id: Mapped[int | None] = mapped_column(ForeignKey("youth_chair_election.id"))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    directorship_id: Mapped[int | None] = mapped_column(ForeignKey("directorship.id"))
    # Why the board seat was not taken (the chair is too young to be a director, say).
    board_note: Mapped[str] = mapped_column(String(500), default="")

    member: Mapped[YouthMember] = relationship()
    directorship: Mapped[Directorship | None] = relationship()
