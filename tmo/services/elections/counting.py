"""The ballot box after the close: following and verifying the sealed ballots' keyed hash chain,
opening the box with its holder's key (``open_box``), the count (recorded as it was made),
recounts by ``verify``, the trackers and the anonymised export.
"""

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nacl.public import PrivateKey
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tmo.models.audit import AuditEntry
from tmo.models.elections import (
    BallotTracker,
    Candidate,
    CountedBallot,
    Election,
    RollEntry,
    SealedBallot,
)
from tmo.rules import counting, sealing
from tmo.rules import elections as rules
from tmo.rules.elections import Status
from tmo.rules.text import tidied
from tmo.services import audit, checkpoints
from tmo.services.elections.casting import validate_ballot
from tmo.services.elections.lifecycle import closed, lock_election, move_to, status_of
from tmo.services.elections.nominations import accepted
from tmo.services.elections.refusals import ElectionError
from tmo.services.elections.sealing import check_key


def ballots_published(election: Election, now: datetime) -> bool:
    """After the close the anonymised ballots and their receipts are public."""
    return election.roll_frozen_on is not None and closed(election, now)


def published_head(dbsession: Session, election: Election) -> str | None:
    """The chain head written into the hash-chained audit log when the poll closed."""
    entry = dbsession.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == "election.poll_closed",
            AuditEntry.target_type == "election",
            AuditEntry.target_id == str(election.id),
        )
        .order_by(AuditEntry.id)
    ).first()
    return entry.detail.get("chain_head") if entry else None


def opened(election: Election) -> bool:
    """Whether the ballot box has been opened: an election with a poll is counted by opening it."""
    return election.roll_frozen_on is not None and election.counted_at is not None


def ballot_problem(election: Election, preferences: Sequence[int]) -> str | None:
    """What makes a ballot one that could not have been cast, if anything."""
    try:
        if len(set(preferences)) != len(preferences):
            raise ValueError("a candidate chosen twice")
        if election.method == "block":
            validate_ballot(election, marked=preferences)
        else:
            validate_ballot(election, numbers={c: n for n, c in enumerate(preferences, 1)})
    except (ValueError, ElectionError):
        return "its choices are not a valid ballot for this election"
    return None


def roll_marks(dbsession: Session, election: Election) -> int:
    return dbsession.scalar(
        select(func.count())
        .select_from(RollEntry)
        .where(RollEntry.election_id == election.id, RollEntry.voted)
    )


def chain(
    dbsession: Session, election: Election, key: bytes
) -> tuple[list[SealedBallot], list[str]]:
    """The sealed ballots in log order, followed from the genesis hash under the chain's
    ``key``, and every break found. Nothing is unsealed: this can be run at any time."""
    ballots = dbsession.scalars(
        select(SealedBallot).where(SealedBallot.election_id == election.id)
    ).all()
    by_previous = {ballot.previous_hash: ballot for ballot in ballots}
    ordered: list[SealedBallot] = []
    problems: list[str] = []
    head = rules.genesis(election.id)
    while head in by_previous:
        ballot = by_previous.pop(head)
        if ballot.hash != rules.ballot_hash(
            key, ballot.previous_hash, ballot.id, ballot.ciphertext
        ):
            problems.append(f"ballot {ballot.tracker}: its contents do not match its hash")
        elif ballot.tracker != sealing.tracker(ballot.ciphertext):
            problems.append(f"ballot {ballot.tracker}: its tracker is not its ciphertext's")
        # Follow the stored hash so that one altered ballot is reported once.
        ordered.append(ballot)
        head = ballot.hash
    for ballot in by_previous.values():
        problems.append(f"ballot {ballot.tracker}: not linked into the chain")
    if election.roll_frozen_on is not None and head != election.chain_head:
        problems.append("the chain does not end at the election's recorded head")
    recorded = published_head(dbsession, election)
    if recorded is not None and head != recorded:
        problems.append("the chain does not end at the head published when the poll closed")
    if len(ordered) != election.ballots_cast:
        problems.append(
            f"{len(ordered)} ballots in the chain, but {election.ballots_cast} recorded as cast"
        )
    marks = roll_marks(dbsession, election)
    if marks != len(ballots):
        problems.append(f"{len(ballots)} ballots stored, but {marks} voters marked on the roll")
    return ordered, problems


def counted_preferences(dbsession: Session, election: Election) -> list[tuple[int, ...]]:
    """The ballots taken out of the opened box, in the random order they were written."""
    return [
        rules.decode_preferences(text)
        for text in dbsession.scalars(
            select(CountedBallot.preferences).where(CountedBallot.election_id == election.id)
        )
    ]


def ballot_names(candidates: Sequence[Candidate]) -> list[str]:
    """The names on the count and in the exported file: one line and no quotes (BLT cannot
    hold them), and two candidates of the same name told apart by their member numbers."""
    names = [tidied(c.name).replace('"', "'") for c in candidates]
    return [
        f"{name} ({c.member.number_label})" if names.count(name) > 1 else name
        for name, c in zip(names, candidates, strict=True)
    ]


def counting_election(election: Election, ballots: Sequence[Sequence[int]]) -> counting.Election:
    candidates = sorted(accepted(election), key=lambda c: c.id)
    index = {candidate.id: position for position, candidate in enumerate(candidates)}
    papers: dict[tuple[int, ...], int] = {}
    for preferences in ballots:
        ranked = tuple(index[c] for c in preferences)
        papers[ranked] = papers.get(ranked, 0) + 1
    return counting.Election(
        title=tidied(election.title).replace('"', "'"),
        candidates=ballot_names(candidates),
        seats=election.seats,
        ballots=[counting.Ballot(weight, prefs) for prefs, weight in sorted(papers.items())],
    )


@dataclass(frozen=True)
class Count:
    sheet: str
    result: counting.CountResult | None
    names: list[str]
    elected: list[Candidate]


def run_count(election: Election, ballots: Sequence[Sequence[int]]) -> Count:
    candidates = sorted(accepted(election), key=lambda c: c.id)
    counted = counting_election(election, ballots)
    if not ballots and rules.uncontested(len(candidates), election.seats):
        sheet = (
            f"{election.title}\n\nUncontested: {len(candidates)} candidate(s) for "
            f"{election.seats} seat(s), declared elected without a poll.\n\n"
            + "".join(f"Elected: {name}\n" for name in counted.candidates)
        )
        return Count(sheet, None, counted.candidates, candidates)
    count = counting.count_block_vote if election.method == "block" else counting.count_scottish_stv
    result = count(counted, seed=election.seed)
    sheet = counting.render_text_sheet(result, counted)
    return Count(sheet, result, counted.candidates, [candidates[i] for i in result.elected])


def open_box(
    dbsession: Session, election: Election, private_key: PrivateKey, key: bytes
) -> list[tuple[int, ...]]:
    """Open the ballot box with its holder's private key, in this one transaction: check the
    sealed chain to the election's head, unseal every ballot in a random order
    (``secrets.SystemRandom``) into ``counted_ballot`` rows with fresh random ids, write the
    trackers apart and sorted, delete the sealed ballots, and write the roll again in member
    order. Returns the ballots' choices. Refuses, changing nothing, if the key is not the
    election's, a ballot does not open or is not valid, or the chain does not verify.

    What remains afterwards, and why. The key is used here, in memory, and nowhere else: no
    table, no audit entry and no log holds it. The database holds the counted ballots (no
    tracker, no date, random ids, written in one transaction in a random order, so neither
    their physical order nor PostgreSQL's ``xmin`` follows the order of casting), the sorted
    trackers, and the roll. The write-ahead log and any backup taken while the poll was open
    hold the sealed ballots as they were written, each beside its roll mark's transaction:
    but only their ciphertext and chain hashes, which nobody can open without the private key,
    and the key was never in tmo. After the opening, the plaintext exists only unlinked.
    """
    check_key(private_key, election.sealing_key)
    ballots, problems = chain(dbsession, election, key)
    if problems:
        raise ElectionError("The ballot log does not verify: " + "; ".join(problems) + ".")
    secrets.SystemRandom().shuffle(ballots)
    box = sealing.opener(private_key)
    opened_ballots = []
    for ballot in ballots:
        try:
            preferences = sealing.unseal(box, ballot.ciphertext)
        except ValueError:
            raise ElectionError(
                f"Ballot {ballot.tracker} does not open with this key: the box is left sealed."
            ) from None
        problem = ballot_problem(election, preferences)
        if problem:
            raise ElectionError(f"Ballot {ballot.tracker}: {problem}; the box is left sealed.")
        opened_ballots.append(preferences)
    trackers = sorted(ballot.tracker for ballot in ballots)
    roll = [
        {
            "election_id": entry.election_id,
            "member_id": entry.member_id,
            "voted": entry.voted,
            "channel": entry.channel,
            # The voting codes' hashes go: no code is redeemed after the close.
        }
        for entry in dbsession.scalars(
            select(RollEntry)
            .where(RollEntry.election_id == election.id)
            .order_by(RollEntry.member_id)
        )
    ]
    dbsession.execute(delete(SealedBallot).where(SealedBallot.election_id == election.id))
    dbsession.execute(delete(RollEntry).where(RollEntry.election_id == election.id))
    if opened_ballots:
        dbsession.execute(
            insert(CountedBallot),
            [
                {
                    "id": secrets.token_hex(16),
                    "election_id": election.id,
                    "preferences": rules.encode_preferences(preferences),
                }
                for preferences in opened_ballots
            ],
        )
        dbsession.execute(
            insert(BallotTracker),
            [{"election_id": election.id, "tracker": tracker} for tracker in trackers],
        )
    if roll:
        dbsession.execute(insert(RollEntry), roll)
    dbsession.expire_all()
    return opened_ballots


def count(
    dbsession: Session,
    election: Election,
    actor_id: int | None,
    now: datetime,
    *,
    key: bytes | None = None,
    private_key: PrivateKey | None = None,
) -> Count:
    """Count the election: an uncontested one at once; one that went to the poll by opening its
    box with the holder's ``private_key`` (``open_box``; ``key`` is the chain's key)."""
    # Under the election's lock: two openings at once make one.
    lock_election(dbsession, election.id)
    current = status_of(election, now)
    try:
        rules.check_transition(current, Status.COUNTED)
    except rules.TransitionRefused as refused:
        raise ElectionError(str(refused)) from None
    contested = not rules.uncontested(len(accepted(election)), election.seats)
    if current is Status.NOMINATIONS_CLOSED and contested:
        raise ElectionError("The candidates exceed the seats: open the poll.")
    polled = election.roll_frozen_on is not None
    if polled and (key is None or private_key is None):
        raise ElectionError("The ballot box is opened with its sealing key.")
    if contested and not election.ballots_cast:
        raise ElectionError(
            "No ballots were cast, so there is nothing to count: cancel the election."
        )
    # The box is checked and opened before anything else is written: a wrong key, a broken
    # chain or a ballot that does not open changes nothing.
    cast = election.ballots_cast
    ballots = open_box(dbsession, election, private_key, key) if polled else []
    if current is Status.POLL_CLOSED and election.status is Status.POLL_OPEN:
        audit.record(
            dbsession,
            "election.poll_closed",
            actor_id=None,
            target=election,
            ballots=election.ballots_cast,
            chain_head=election.chain_head,
        )
        election.status = Status.POLL_CLOSED
        checkpoints.send_for_election(dbsession, election, now)
    # The lots' seed is drawn now, so nobody could know it while the poll was open.
    election.seed = secrets.token_hex(16)
    move_to(dbsession, election, Status.COUNTED, actor_id, now, ballots=cast, seed=election.seed)
    result = run_count(election, ballots)
    election.result_sheet = result.sheet
    election.result_record = json.dumps(
        {
            "names": result.names,
            "result": counting.to_record(result.result) if result.result else None,
        }
    )
    election.elected_candidate_ids = " ".join(str(c.id) for c in result.elected)
    election.counted_at = now
    return result


def elected(election: Election) -> list[Candidate]:
    ids = [int(part) for part in election.elected_candidate_ids.split()]
    by_id = {candidate.id: candidate for candidate in election.candidates}
    return [by_id[i] for i in ids]


def recorded_count(election: Election) -> Count:
    """The count as it was made and recorded, never a fresh one: the result page shows this."""
    record = json.loads(election.result_record)
    result = counting.from_record(record["result"]) if record["result"] else None
    return Count(election.result_sheet, result, record["names"], elected(election))


def verify(
    dbsession: Session,
    election: Election,
    *,
    key: bytes,
    head: str | None = None,
    count: int | None = None,
) -> list[str]:
    """Every difference found. Before the box is opened: the sealed chain followed under the
    chain's ``key`` to the election's head. After: the counted ballots recounted to the result
    sheet, and as many trackers, counted ballots and roll marks as the head's count. ``head``
    and ``count``, where given (from a checkpoint kept outside the database), must be the
    election's recorded head and count."""
    problems: list[str] = []
    if not opened(election):
        _, problems = chain(dbsession, election, key)
    else:
        problems = opened_problems(dbsession, election)
    if head is not None and head != election.chain_head:
        problems.append("the election's head is not the head given")
    if count is not None and count != election.ballots_cast:
        problems.append(
            f"{election.ballots_cast} ballots recorded as cast, but the count given is {count}"
        )
    return problems


def opened_problems(dbsession: Session, election: Election) -> list[str]:
    problems = []
    cast = election.ballots_cast
    left = dbsession.scalar(
        select(func.count())
        .select_from(SealedBallot)
        .where(SealedBallot.election_id == election.id)
    )
    if left:
        problems.append(f"{left} sealed ballots remain after the box was opened")
    trackers = dbsession.scalar(
        select(func.count())
        .select_from(BallotTracker)
        .where(BallotTracker.election_id == election.id)
    )
    if trackers != cast:
        problems.append(f"{trackers} trackers published, but {cast} ballots recorded as cast")
    ballots = counted_preferences(dbsession, election)
    if len(ballots) != cast:
        problems.append(f"{len(ballots)} ballots counted, but {cast} recorded as cast")
    marks = roll_marks(dbsession, election)
    if marks != cast:
        problems.append(f"{cast} ballots recorded as cast, but {marks} voters marked on the roll")
    invalid = sum(1 for preferences in ballots if ballot_problem(election, preferences))
    if invalid:
        problems.append(f"{invalid} counted ballots are not valid ballots for this election")
    elif election.result_sheet:
        again = run_count(election, ballots)
        if again.sheet != election.result_sheet:
            problems.append("recounting the ballots gives a different result sheet")
        if [c.id for c in again.elected] != [c.id for c in elected(election)]:
            problems.append("recounting the ballots elects different candidates")
    return problems


def export(election: Election, ballots: Sequence[Sequence[int]]) -> tuple[str, str]:
    """(file name, text): BLT for STV, CSV for block vote, the ballots in no telling order."""
    counted = counting_election(election, ballots)
    if election.method == "block":
        return f"election-{election.id}.csv", counting.write_block_csv(counted)
    return f"election-{election.id}.blt", counting.write_blt(counted)


def receipts_query(election: Election, search: str = ""):
    """The trackers of the ballots in the box, sorted (never in the order the ballots arrived
    in): the sealed ballots' until the box is opened, then those kept apart from the counted
    ballots; only ``search`` if one is given."""
    column = BallotTracker.tracker if opened(election) else SealedBallot.tracker
    table = column.class_
    query = select(column).where(table.election_id == election.id).order_by(column)
    if search:
        query = query.where(column == sealing.normal_tracker(search))
    return query
