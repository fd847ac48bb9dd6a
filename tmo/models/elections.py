"""Elections: the election and its timeline, nominations with their proposers and seconders, the
frozen roll of voters, and the ballots.

Secrecy is in the schema. While the poll is open a ballot is a ``SealedBallot``: a random id, the
ballot sealed to the election's public key (whose private key tmo never holds) and its link in the
keyed hash chain; nothing in it can be read without the key holder. When the box is opened at the
count, the ballots are unsealed in a random order into ``CountedBallot`` rows (a random id and the
candidates in order, nothing else) and the sealed ones are deleted; the trackers voters were given
are kept apart, sorted, in ``BallotTracker``. No table holds a tracker beside a ballot's choices,
and none has a column that leads to a member, an account or a roll entry. The roll says only
whether a member has voted (a flag, with no date or time); it is marked in the same transaction
as the sealed ballot is stored, and a member can be marked once.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tmo.models.accounts import Account
from tmo.models.files import StoredFile
from tmo.models.membership import Member
from tmo.models.meta import Base, StrEnumType, utcnow
from tmo.rules.elections import CandidateStatus, Status


class Election(Base):
    __tablename__ = "election"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[Status] = mapped_column(StrEnumType(Status), default=Status.DRAFT)
    # "stv" or "block" (tmo.constitution.ELECTION_METHODS).
    method: Mapped[str] = mapped_column(String(16))
    ballot_order: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int]
    # The seat category the winners take (resident seats).
    seat_category: Mapped[str] = mapped_column(String(32))
    # What the seats are: "Three resident seats retiring by rotation; one casual vacancy".
    seats_description: Mapped[str] = mapped_column(String(500), default="")
    returning_officer_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    scrutineer_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    notice_on: Mapped[date]
    nominations_open_at: Mapped[datetime]
    nominations_close_at: Mapped[datetime]
    poll_opens_at: Mapped[datetime]
    poll_closes_at: Mapped[datetime]
    # The day the roll was frozen, None until the poll is opened.
    roll_frozen_on: Mapped[date | None]
    # The seed for any drawing of lots: drawn at the count, published with the result.
    seed: Mapped[str] = mapped_column(String(64), default="")
    # The secret each voter's order of candidates is drawn from; never published.
    paper_key: Mapped[str] = mapped_column(String(64), default="")
    # The public key ballots are sealed to (hex), fixed when its holder has shown they kept the
    # private key; "" until then. The private key is never stored (tmo.rules.sealing).
    sealing_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # A key made but not yet confirmed by its holder.
    pending_sealing_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The sealed ballots' chain: its last hash (the genesis hash while there are none) and
    # length. Kept after the box is opened, as the head the opening checked.
    chain_head: Mapped[str] = mapped_column(String(64), default="")
    ballots_cast: Mapped[int] = mapped_column(default=0)
    # When the returning officer last reminded those who had not voted (None: never).
    reminded_at: Mapped[datetime | None]
    result_sheet: Mapped[str] = mapped_column(Text, default="")
    # The count as recorded when it was made (stages, totals, lots), shown by the result page.
    result_record: Mapped[str] = mapped_column(Text, default="")
    elected_candidate_ids: Mapped[str] = mapped_column(String(500), default="")
    counted_at: Mapped[datetime | None]
    declared_on: Mapped[date | None]
    cancelled_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    returning_officer: Mapped[Account] = relationship(foreign_keys=[returning_officer_id])
    scrutineer: Mapped[Account | None] = relationship(foreign_keys=[scrutineer_id])
    candidates: Mapped[list["Candidate"]] = relationship(
        back_populates="election", order_by="Candidate.id"
    )


class Candidate(Base):
    """A nomination, and the candidate it makes once accepted."""

    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    # The name on the ballot paper.
    name: Mapped[str] = mapped_column(String(200))
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    consented_at: Mapped[datetime | None]
    statement: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    # nominated -> accepted | rejected | withdrawn
    status: Mapped[CandidateStatus] = mapped_column(
        StrEnumType(CandidateStatus, 16), default=CandidateStatus.NOMINATED
    )
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    election: Mapped[Election] = relationship(back_populates="candidates")
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    nominated_by: Mapped[Member] = relationship(foreign_keys=[nominated_by_id])
    photo: Mapped[StoredFile | None] = relationship()
    supporters: Mapped[list["Supporter"]] = relationship(
        back_populates="candidate", order_by="Supporter.id", cascade="all, delete-orphan"
    )


class Supporter(Base):
    """A proposer or seconder of a nomination, who confirms online."""

    __tablename__ = "supporter"
    __table_args__ = (UniqueConstraint("candidate_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    # "proposer" or "seconder"
    role: Mapped[str] = mapped_column(String(16))
    confirmed_at: Mapped[datetime | None]

    candidate: Mapped[Candidate] = relationship(back_populates="supporters")
    member: Mapped[Member] = relationship()


class RollEntry(Base):
    """A member entitled to vote, frozen when the poll opens; ``voted`` is the roll mark. It
    keeps no date: a day a single member voted would otherwise name that day's ballot."""

    __tablename__ = "roll_entry"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    voted: Mapped[bool] = mapped_column(default=False)
    # How the member voted: "online", "code" or "paper" ("" until they have).
    channel: Mapped[str] = mapped_column(String(8), default="")
    # The HMAC of the voting code on the member's poll card (tmo.services.elections.codes),
    # never the code: a reissued code replaces it, and the old one matches nothing.
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    member: Mapped[Member] = relationship()
    election: Mapped[Election] = relationship()


class SealedBallot(Base):
    """One ballot as cast: sealed to the election's public key, linked into the keyed chain.
    Deleted when the box is opened."""

    __tablename__ = "sealed_ballot"
    __table_args__ = (
        # The chain cannot fork: each hash is followed by at most one ballot.
        UniqueConstraint("election_id", "previous_hash"),
        Index("ix_sealed_ballot_election_tracker", "election_id", "tracker", unique=True),
    )

    # Random, so that ids say nothing of the order ballots arrived in.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    # The SealedBox ciphertext, base64; its tracker is worked out from it (tmo.rules.sealing).
    ciphertext: Mapped[str] = mapped_column(Text)
    tracker: Mapped[str] = mapped_column(String(20))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CountedBallot(Base):
    """One ballot as it came out of the opened box: the choices, and nothing else."""

    __tablename__ = "counted_ballot"

    # Random, drawn when the box was opened.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    # Candidate ids in preference order (block vote: the candidates marked), space-separated.
    preferences: Mapped[str] = mapped_column(String(500))


class BallotTracker(Base):
    """The tracker of a sealed ballot that went into the opened box, kept for voters to find;
    written sorted when the box is opened, apart from the ballots."""

    __tablename__ = "ballot_tracker"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    tracker: Mapped[str] = mapped_column(String(20), primary_key=True)
