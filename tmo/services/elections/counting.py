"""The ballot log after the close: following and verifying the hash chain, tipping out the box,
the count (recorded as it was made), recounts by ``verify``, and the anonymised export.
"""

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tmo.models.audit import AuditEntry
from tmo.models.elections import Ballot, Candidate, Election, RollEntry
from tmo.rules import counting
from tmo.rules import elections as rules
from tmo.rules.elections import Status
from tmo.services import audit, checkpoints
from tmo.services.elections.casting import validate_ballot
from tmo.services.elections.lifecycle import closed, move_to, status_of
from tmo.services.elections.nominations import accepted
from tmo.services.elections.refusals import ElectionError


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


def ballot_problem(election: Election, ballot: Ballot) -> str | None:
    """What makes a stored ballot one that could not have been cast, if anything."""
    try:
        preferences = rules.decode_preferences(ballot.preferences)
        if len(set(preferences)) != len(preferences):
            raise ValueError("a candidate chosen twice")
        if election.method == "block":
            validate_ballot(election, marked=preferences)
        else:
            validate_ballot(election, numbers={c: n for n, c in enumerate(preferences, 1)})
    except (ValueError, ElectionError):
        return f"ballot {ballot.receipt}: its choices are not a valid ballot for this election"
    return None


def chain(dbsession: Session, election: Election) -> tuple[list[Ballot], list[str]]:
    """The ballots in log order, followed from the genesis hash, and every break found."""
    ballots = dbsession.scalars(select(Ballot).where(Ballot.election_id == election.id)).all()
    by_previous = {ballot.previous_hash: ballot for ballot in ballots}
    ordered: list[Ballot] = []
    problems: list[str] = []
    head = rules.genesis(election.id)
    while head in by_previous:
        ballot = by_previous.pop(head)
        invalid = ballot_problem(election, ballot)
        if invalid:
            problems.append(invalid)
        elif ballot.hash != rules.ballot_hash(
            ballot.previous_hash,
            ballot.id,
            ballot.receipt,
            ballot.cast_on,
            rules.decode_preferences(ballot.preferences),
        ):
            problems.append(f"ballot {ballot.receipt}: its contents do not match its hash")
        # Follow the stored hash so that one altered ballot is reported once.
        ordered.append(ballot)
        head = ballot.hash
    for ballot in by_previous.values():
        problems.append(f"ballot {ballot.receipt}: not linked into the chain")
    if election.roll_frozen_on is not None and head != election.chain_head:
        problems.append("the chain does not end at the election's recorded head")
    recorded = published_head(dbsession, election)
    if recorded is not None and head != recorded:
        problems.append("the chain does not end at the head published when the poll closed")
    if len(ordered) != election.ballots_cast:
        problems.append(
            f"{len(ordered)} ballots in the chain, but {election.ballots_cast} recorded as cast"
        )
    marks = dbsession.scalar(
        select(func.count())
        .select_from(RollEntry)
        .where(RollEntry.election_id == election.id, RollEntry.voted)
    )
    if marks != len(ballots):
        problems.append(f"{len(ballots)} ballots stored, but {marks} voters marked on the roll")
    return ordered, problems


def ballot_names(candidates: Sequence[Candidate]) -> list[str]:
    """The names on the count and in the exported file: no quotes (BLT cannot hold them), and
    two candidates of the same name told apart by their member numbers."""
    names = [c.name.replace('"', "'") for c in candidates]
    return [
        f"{name} ({c.member.number_label})" if names.count(name) > 1 else name
        for name, c in zip(names, candidates, strict=True)
    ]


def counting_election(election: Election, ballots: Sequence[Ballot]) -> counting.Election:
    candidates = sorted(accepted(election), key=lambda c: c.id)
    index = {candidate.id: position for position, candidate in enumerate(candidates)}
    papers: dict[tuple[int, ...], int] = {}
    for ballot in ballots:
        ranked = tuple(index[c] for c in rules.decode_preferences(ballot.preferences))
        papers[ranked] = papers.get(ranked, 0) + 1
    return counting.Election(
        title=election.title.replace('"', "'"),
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


def run_count(election: Election, ballots: Sequence[Ballot]) -> Count:
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


def mix_ballot_box(dbsession: Session, election: Election) -> None:
    """Tip out the ballot box before the count: write the ballots again in a random order and
    the roll again in member order, in one transaction, so that neither the rows' order nor the
    transaction that wrote them says in what order ballots arrived and voters were marked. The
    chain keeps its own order through each ballot's previous hash."""
    ballots = [
        {column.key: getattr(ballot, column.key) for column in Ballot.__table__.columns}
        for ballot in dbsession.scalars(select(Ballot).where(Ballot.election_id == election.id))
    ]
    roll = [
        {
            "election_id": entry.election_id,
            "member_id": entry.member_id,
            "voted": entry.voted,
            "channel": entry.channel,
        }
        for entry in dbsession.scalars(
            select(RollEntry)
            .where(RollEntry.election_id == election.id)
            .order_by(RollEntry.member_id)
        )
    ]
    secrets.SystemRandom().shuffle(ballots)
    dbsession.execute(delete(Ballot).where(Ballot.election_id == election.id))
    dbsession.execute(delete(RollEntry).where(RollEntry.election_id == election.id))
    if ballots:
        dbsession.execute(insert(Ballot), ballots)
    if roll:
        dbsession.execute(insert(RollEntry), roll)
    dbsession.expire_all()


def count(dbsession: Session, election: Election, actor_id: int | None, now: datetime) -> Count:
    current = status_of(election, now)
    contested = not rules.uncontested(len(accepted(election)), election.seats)
    if current is Status.NOMINATIONS_CLOSED and contested:
        raise ElectionError("The candidates exceed the seats: open the poll.")
    ballots, problems = chain(dbsession, election)
    if problems:
        raise ElectionError("The ballot log does not verify: " + "; ".join(problems) + ".")
    if contested and not ballots:
        raise ElectionError(
            "No ballots were cast, so there is nothing to count: cancel the election."
        )
    if current is Status.POLL_CLOSED and election.status is Status.POLL_OPEN:
        audit.record(
            dbsession,
            "election.poll_closed",
            actor_id=None,
            target=election,
            ballots=len(ballots),
            chain_head=election.chain_head,
        )
        election.status = Status.POLL_CLOSED
        checkpoints.send_for_election(dbsession, election, now)
    # The lots' seed is drawn now, so nobody could know it while the poll was open.
    election.seed = secrets.token_hex(16)
    move_to(
        dbsession, election, Status.COUNTED, actor_id, now, ballots=len(ballots), seed=election.seed
    )
    if ballots:
        mix_ballot_box(dbsession, election)
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


def verify(dbsession: Session, election: Election) -> list[str]:
    """Recompute the chain and, once counted, the count; every difference found."""
    ballots, problems = chain(dbsession, election)
    if election.result_sheet and not problems:
        again = run_count(election, ballots)
        if again.sheet != election.result_sheet:
            problems.append("recounting the ballots gives a different result sheet")
        if [c.id for c in again.elected] != [c.id for c in elected(election)]:
            problems.append("recounting the ballots elects different candidates")
    return problems


def export(election: Election, ballots: Sequence[Ballot]) -> tuple[str, str]:
    """(file name, text): BLT for STV, CSV for block vote, the ballots in no telling order."""
    counted = counting_election(election, ballots)
    if election.method == "block":
        return f"election-{election.id}.csv", counting.write_block_csv(counted)
    return f"election-{election.id}.blt", counting.write_blt(counted)


def receipts_query(election: Election, search: str = ""):
    """The receipts of the ballots in the box, in the order of the codes (never the order the
    ballots arrived in); only ``search`` if one is given."""
    query = select(Ballot.receipt).where(Ballot.election_id == election.id).order_by(Ballot.receipt)
    if search:
        query = query.where(Ballot.receipt == search)
    return query
