"""Casting ballots in secret, online and on paper, and the ballot paper each voter sees.

Casting is the one path that must be fast and exact. It locks the election's row (PostgreSQL:
``SELECT ... FOR UPDATE``; SQLite: the write transaction already began IMMEDIATE), checks the
clock, marks the voter on the roll with a conditional UPDATE that only an unmarked entry
matches, and appends the ballot, sealed to the election's public key before it is written, to
the keyed hash chain, all in one transaction (on PostgreSQL, everything after the lock in one
statement: ``ONE_STATEMENT_CAST``). The ballot is never stored readable: the voter's
receipt is the tracker of the sealed ballot (tmo.rules.sealing), which matches its ciphertext
and nothing else. A second cast by the
same member, even at the same instant, finds the mark and is refused. Casting writes nothing to
the audit log: an entry naming the voter, with its time, next to a ballot log in time order would
undo the secret ballot. The roll mark (a flag, with no date) is the record that a member voted.
"""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, exists, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from tmo.models import data_version, mark_written
from tmo.models.elections import Candidate, Election, RollEntry, SealedBallot
from tmo.models.membership import Member
from tmo.rules import elections as rules
from tmo.rules import sealing
from tmo.rules.elections import CandidateStatus
from tmo.services import audit
from tmo.services.elections.nominations import accepted, surname_order
from tmo.services.elections.refusals import AlreadyVoted, ElectionError, NotOnRoll
from tmo.services.membership import active_membership_query


@dataclass(frozen=True)
class Sealed:
    """A ballot sealed to the election's public key, and its tracker (the voter's receipt)."""

    ciphertext: str
    tracker: str


def seal(election: Election, preferences: Sequence[int]) -> Sealed:
    """Seal ``preferences`` to the election's public key (done before the election's lock is
    taken, so the receipt can be shown and mailed without holding it)."""
    if not election.sealing_key:
        raise ElectionError("This election has no sealing key: its poll cannot take ballots.")
    ciphertext = sealing.seal(election.sealing_key, preferences)
    return Sealed(ciphertext, sealing.tracker(ciphertext))


# A cast's statements, built once as plain SQL expressions over the tables and run on the
# session's connection: building a statement, and the ORM's work around running it, cost a cast
# far more than SQLite takes to run it.
_ELECTION = Election.__table__
_ROLL = RollEntry.__table__
_BALLOT = SealedBallot.__table__
_CANDIDATE = Candidate.__table__

# The election's row, locked to the commit (PostgreSQL: FOR UPDATE; SQLite: the write
# transaction began IMMEDIATE), read as the few columns a cast needs.
LOCK_FOR_BALLOTS = (
    select(
        _ELECTION.c.status,
        _ELECTION.c.poll_opens_at,
        _ELECTION.c.poll_closes_at,
        _ELECTION.c.chain_head,
        _ELECTION.c.sealing_key,
    )
    .where(_ELECTION.c.id == bindparam("election"))
    .with_for_update()
)
# The roll mark: only an unmarked entry matches, so a second cast marks nothing.
MARK_ON_ROLL = (
    update(_ROLL)
    .where(
        _ROLL.c.election_id == bindparam("election"),
        _ROLL.c.member_id == bindparam("member"),
        _ROLL.c.voted.is_(False),
    )
    .values(voted=True, channel=bindparam("mark_channel"))
)
ON_ROLL = select(_ROLL.c.id).where(
    _ROLL.c.election_id == bindparam("election"), _ROLL.c.member_id == bindparam("member")
)
STORE_BALLOTS = insert(_BALLOT)
MOVE_HEAD = (
    update(_ELECTION)
    .where(_ELECTION.c.id == bindparam("election"))
    .values(
        chain_head=bindparam("new_head"),
        ballots_cast=_ELECTION.c.ballots_cast + bindparam("added"),
    )
)


def _one_statement_cast():
    """A whole cast after the lock's read, as one statement (PostgreSQL, whose data-modifying
    WITH runs them together: three round trips fewer while the election's lock is held). Each
    step runs only if the one before it wrote: the roll mark, the ballot, the chain head and
    count, and the data version's token, in that order (the token's row is locked last, as at
    any commit). Answers the number of roll entries marked: 0 if the voter is not on the roll
    or has already voted, and then nothing is written."""
    mark = MARK_ON_ROLL.returning(_ROLL.c.id).cte("mark")
    ballot_columns = ("id", "election_id", "ciphertext", "tracker", "previous_hash", "hash")
    ballot = (
        insert(_BALLOT)
        .from_select(
            ballot_columns,
            select(
                *(
                    bindparam(f"ballot_{name}", type_=_BALLOT.c[name].type)
                    for name in ballot_columns
                ),
            ).where(exists(select(mark.c.id))),
        )
        .returning(_BALLOT.c.id)
        .cte("ballot")
    )
    head = MOVE_HEAD.where(exists(select(ballot.c.id))).returning(_ELECTION.c.id).cte("head")
    token = data_version.NEW_TOKEN.where(exists(select(head.c.id))).cte("token")
    return select(select(func.count()).select_from(mark).scalar_subquery()).add_cte(
        ballot, head, token
    )


ONE_STATEMENT_CAST = _one_statement_cast()
ACCEPTED_IDS = select(_CANDIDATE.c.id).where(
    _CANDIDATE.c.election_id == bindparam("election"),
    _CANDIDATE.c.status == CandidateStatus.ACCEPTED,
)


def _linked(election_id: int, head: str, sealed: Sequence[Sealed], key: bytes):
    """The rows of ``sealed`` linked into the election's chain after ``head`` (read under the
    election's lock), and the new head."""
    rows = []
    for ballot in sealed:
        ballot_id = secrets.token_hex(16)
        previous, head = head, rules.ballot_hash(key, head, ballot_id, ballot.ciphertext)
        rows.append(
            {
                "id": ballot_id,
                "election_id": election_id,
                "ciphertext": ballot.ciphertext,
                "tracker": ballot.tracker,
                "previous_hash": previous,
                "hash": head,
            }
        )
    return rows, head


def _written(dbsession: Session, election_id: int) -> None:
    """The ballots' writes, made on the session's connection, made known to the session."""
    mark_written(dbsession)
    # An Election already loaded in this session must not keep the old head and count.
    loaded = dbsession.identity_map.get(dbsession.identity_key(Election, election_id))
    if loaded is not None:
        dbsession.expire(loaded, ["chain_head", "ballots_cast"])


def _append(
    dbsession: Session, election_id: int, head: str, sealed: Sequence[Sealed], key: bytes
) -> str:
    """Link ``sealed`` into the election's chain after ``head`` (read under the election's lock)
    and write them: one INSERT of every ballot and one UPDATE of the head and the count, as plain
    statements rather than the ORM's flush at the commit, whose work would be done under the
    lock. Returns the new head."""
    rows, head = _linked(election_id, head, sealed, key)
    connection = dbsession.connection()
    connection.execute(STORE_BALLOTS, rows)
    connection.execute(MOVE_HEAD, {"election": election_id, "new_head": head, "added": len(rows)})
    _written(dbsession, election_id)
    return head


def _lock_for_ballots(dbsession: Session, election_id: int, now: datetime) -> Row:
    """The election's row, locked to the commit, read as the few columns a cast needs; refused
    unless the poll is open at ``now``."""
    row = dbsession.connection().execute(LOCK_FOR_BALLOTS, {"election": election_id}).one()
    if not rules.accepting_ballots(row.status, row.poll_opens_at, row.poll_closes_at, now):
        raise ElectionError("The poll is not open.")
    return row


def accepted_ids(dbsession: Session, election: Election) -> list[int]:
    """The ids of the election's accepted candidates, those a ballot may name (what a cast needs
    of its candidates, without loading them)."""
    if "candidates" not in inspect(election).unloaded:
        return [candidate.id for candidate in accepted(election)]
    return list(dbsession.connection().scalars(ACCEPTED_IDS, {"election": election.id}))


def validate_ballot(
    election: Election, *, marked=(), numbers=None, candidate_ids: Sequence[int] | None = None
) -> tuple[int, ...]:
    """The preferences a ballot marked or numbered expresses, or ElectionError saying what to
    put right. ``candidate_ids``: the accepted candidates' (``accepted_ids``), if known."""
    if candidate_ids is None:
        candidate_ids = [candidate.id for candidate in accepted(election)]
    try:
        if election.method == "block":
            return rules.block_ballot(list(marked), candidate_ids, election.seats)
        return rules.stv_ballot(dict(numbers or {}), candidate_ids)
    except rules.BallotRefused as refused:
        raise ElectionError(str(refused)) from None


def cast(
    dbsession: Session,
    election_id: int,
    member_id: int,
    preferences: Sequence[int] | Sealed,
    *,
    key: bytes,
    now: datetime,
    channel: str = "online",
) -> str:
    """Store one ballot, sealed, and mark the voter at ``now``; returns its tracker, the voter's
    receipt. ``preferences`` may come already sealed (``seal``). ``key`` is the ballot chain's
    key (``chain_key``). ``channel`` is "online" (with an account) or "code" (with the code on
    the poll card): either marks the member's one roll entry. Raises AlreadyVoted, or
    NotOnRoll."""
    election = _lock_for_ballots(dbsession, election_id, now)
    sealed = preferences if isinstance(preferences, Sealed) else seal(election, preferences)
    voter = {"election": election_id, "member": member_id}
    connection = dbsession.connection()
    if connection.dialect.name == "postgresql":
        ((ballot,), head) = _linked(election_id, election.chain_head, [sealed], key)
        marked = connection.scalar(
            ONE_STATEMENT_CAST,
            {
                **voter,
                "mark_channel": channel,
                **{f"ballot_{name}": value for name, value in ballot.items()},
                "new_head": head,
                "added": 1,
                "token": data_version.new_token(),
            },
        )
        if marked == 1:
            _written(dbsession, election_id)
            data_version.token_written(dbsession)
    else:
        marked = connection.execute(MARK_ON_ROLL, {**voter, "mark_channel": channel}).rowcount
        if marked == 1:
            _append(dbsession, election_id, election.chain_head, [sealed], key)
    if marked != 1:
        on_roll = connection.scalar(ON_ROLL, voter)
        if on_roll is None:
            raise NotOnRoll("You are not on the roll of voters for this election.")
        raise AlreadyVoted("You have already voted in this election.")
    return sealed.tracker


def enter_paper_batch(
    dbsession: Session,
    election: Election,
    member_numbers: Sequence[int],
    papers: Sequence[Sequence[int]],
    actor_id: int,
    *,
    key: bytes,
    now: datetime,
) -> int:
    """Mark each voter who returned a paper on the roll and add the papers to the log, sealed
    like any other ballot, in an order that says nothing of who returned which. Returns the
    number of papers entered."""
    # Papers are entered while the poll is open, so the chain head published at the close is final.
    try:
        locked = _lock_for_ballots(dbsession, election.id, now)
    except ElectionError:
        raise ElectionError("Paper ballots are entered while the poll is open.") from None
    if len(member_numbers) != len(papers):
        raise ElectionError(
            f"The batch names {len(member_numbers)} voters but holds {len(papers)} papers: "
            "each paper needs its voter marked on the roll.",
            "voters",
        )
    if len(set(member_numbers)) != len(member_numbers):
        raise ElectionError("A member number appears twice in the batch.", "voters")
    entries = dbsession.execute(
        select(RollEntry, Member)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.election_id == election.id, Member.member_number.in_(member_numbers))
    ).all()
    found = {member.member_number: entry for entry, member in entries}
    missing = [str(n) for n in member_numbers if n not in found]
    if missing:
        raise ElectionError("Not on the roll: member numbers " + ", ".join(missing) + ".", "voters")
    voted = [str(n) for n in member_numbers if found[n].voted]
    if voted:
        raise ElectionError(
            "Already voted (online or on paper): member numbers " + ", ".join(voted) + ".",
            "voters",
        )
    # The same conditional mark as an online cast: an entry marked meanwhile matches no row,
    # and the whole batch is refused rather than one of its voters voting twice.
    marked = dbsession.execute(
        update(RollEntry)
        .where(
            RollEntry.id.in_([entry.id for entry in found.values()]),
            RollEntry.voted.is_(False),
        )
        .values(voted=True, channel="paper")
        .execution_options(synchronize_session=False)
    ).rowcount
    if marked != len(found):
        raise AlreadyVoted(
            "A voter in this batch has just voted another way: enter the batch again.", "voters"
        )
    shuffled = list(papers)
    secrets.SystemRandom().shuffle(shuffled)
    sealed = [seal(election, preferences) for preferences in shuffled]
    _append(dbsession, election.id, locked.chain_head, sealed, key)
    audit.record(
        dbsession, "election.paper_batch", actor_id=actor_id, target=election, papers=len(papers)
    )
    return len(papers)


def turnout(dbsession: Session, election: Election) -> tuple[int, int]:
    """(voted, on the roll): the one figure that may be shown while the poll is open."""
    on_roll, voted = dbsession.execute(
        select(func.count(), func.count().filter(RollEntry.voted)).where(
            RollEntry.election_id == election.id
        )
    ).one()
    return voted, on_roll


def roll_entry(dbsession: Session, election: Election, member: Member | None) -> RollEntry | None:
    """The member's line on the election's roll, if they have one."""
    if member is None:
        return None
    return dbsession.scalar(
        select(RollEntry).where(
            RollEntry.election_id == election.id, RollEntry.member_id == member.id
        )
    )


# Built once: every cast asks it, for the permission to vote.
MEMBERSHIP_AND_ROLL_ENTRY = (
    active_membership_query(bindparam("account"))
    .add_columns(RollEntry)
    .outerjoin(
        RollEntry,
        (RollEntry.member_id == Member.id) & (RollEntry.election_id == bindparam("election")),
    )
)


def membership_and_roll_entry(
    dbsession: Session, election: Election, account_id: int
) -> tuple[Member | None, RollEntry | None]:
    """The account's current membership and its line on the election's roll, in one query (a
    cast's permission check needs both)."""
    found = dbsession.execute(
        MEMBERSHIP_AND_ROLL_ENTRY, {"account": account_id, "election": election.id}
    ).first()
    return (found[0], found[1]) if found else (None, None)


def ballot_paper(election: Election, member: Member | None) -> list[Candidate]:
    """The candidates in the order this voter sees them: alphabetical by surname, or an order of
    their own that stays the same each time they look (drawn from the election's secret paper
    key, which is never published: a published order would let anyone pick out a voter's
    ballot numbered straight down their paper)."""
    candidates = accepted(election)
    if election.ballot_order == "alphabetical" or member is None:
        return surname_order(candidates)

    def shuffled(candidate: Candidate) -> str:
        key = f"{election.paper_key}:{member.id}:{candidate.id}"
        return hashlib.sha256(key.encode()).hexdigest()

    return sorted(candidates, key=shuffled)


def read_paper(election: Election, line: str) -> tuple[int, ...]:
    """One paper ballot as typed: the ballot numbers (1, 2, 3... in surname order) of the
    candidates, in preference order or as ticked."""
    paper = surname_order(accepted(election))
    numbers = [rules.whole_number(part) for part in line.replace(",", " ").split()]
    if any(number is None or not 1 <= number <= len(paper) for number in numbers):
        raise ElectionError(
            f"“{line}”: use the ballot numbers 1 to {len(paper)}, separated by spaces.", "papers"
        )
    if len(set(numbers)) != len(numbers):
        raise ElectionError(f"“{line}”: a candidate appears twice on this paper.", "papers")
    chosen = [paper[n - 1].id for n in numbers]
    if election.method == "block":
        return validate_ballot(election, marked=chosen)
    return validate_ballot(
        election, numbers={candidate: rank for rank, candidate in enumerate(chosen, 1)}
    )
