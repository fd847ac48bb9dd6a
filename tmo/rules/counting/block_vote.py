"""Block vote: each voter marks up to N candidates for N seats, and the N with most votes win.

This module owns the block-vote count. A ballot is a set of marks, so `Ballot.preferences` is
read as the marked candidates in any order. Checking that nobody marked more than N candidates
is the ballot-taker's job: `count_block_vote` refuses such a ballot (and one that marks a
candidate twice) with ValueError rather than guessing which marks to keep. Marks for a
withdrawn candidate count for nobody. When candidates tie for the last seat(s), lots are drawn
one seat at a time with `random.Random` seeded from the count's seed, the same way the STV
counter draws them, and every draw is kept in the result.
"""

from __future__ import annotations

import random

from tmo.rules.counting.ballots import Election
from tmo.rules.counting.result import BLOCK_SCALE, CountResult, LotDraw, Stage, StageAction

BLOCK_VOTE = "block-vote"


def count_block_vote(election: Election, *, seed: str = "") -> CountResult:
    """Count a block vote: totals per candidate, top `seats` elected, last-seat ties by lot."""
    validate_block_ballots(election)
    standing = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
    totals = dict.fromkeys(standing, 0)
    valid_papers = 0
    for ballot in election.ballots:
        marks = [candidate for candidate in ballot.preferences if candidate in totals]
        # a paper marking no standing candidate is blank: it counts for nobody
        if not marks:
            continue
        valid_papers += ballot.weight
        for candidate in marks:
            totals[candidate] += ballot.weight
    ranked = sorted(standing, key=lambda candidate: (-totals[candidate], candidate))
    seats = min(election.seats, len(standing))
    elected = ranked[:seats]
    lots: list[LotDraw] = []
    notes: list[str] = []
    if 0 < seats < len(ranked) and totals[ranked[seats - 1]] == totals[ranked[seats]]:
        elected, lots, notes = _draw_for_last_seats(election, totals, ranked, seats, seed)
    stage = Stage(
        number=1,
        action=StageAction.BLOCK_COUNT,
        subject=None,
        description=f"Votes counted from {valid_papers} valid ballot papers",
        totals=totals,
        nontransferable=0,
        residual=0,
        elected_so_far=tuple(elected),
        excluded_so_far=(),
        lot_draws=tuple(lots),
        notes=tuple(notes),
    )
    return CountResult(
        method=BLOCK_VOTE,
        title=election.title,
        seats=election.seats,
        valid_votes=valid_papers,
        quota=None,
        scale=BLOCK_SCALE,
        seed=seed,
        stages=[stage],
        elected=elected,
        lots=lots,
    )


def validate_block_ballots(election: Election) -> None:
    """Refuse ballots marking too many candidates, one candidate twice, or unknown candidates."""
    if election.seats < 1:
        raise ValueError(f"an election needs at least one seat, not {election.seats}")
    n_candidates = len(election.candidates)
    for number, ballot in enumerate(election.ballots, start=1):
        if ballot.weight < 1:
            raise ValueError(f"ballot {number}: weight must be at least 1, not {ballot.weight}")
        if len(set(ballot.preferences)) != len(ballot.preferences):
            raise ValueError(f"ballot {number} marks a candidate twice: {ballot.preferences}")
        if len(ballot.preferences) > election.seats:
            raise ValueError(
                f"ballot {number} marks {len(ballot.preferences)} candidates for "
                f"{election.seats} seats"
            )
        if any(not 0 <= candidate < n_candidates for candidate in ballot.preferences):
            raise ValueError(f"ballot {number} marks a candidate not on the list")


def _draw_for_last_seats(
    election: Election, totals: dict[int, int], ranked: list[int], seats: int, seed: str
) -> tuple[list[int], list[LotDraw], list[str]]:
    """Elect everyone clear of the tie, then fill each remaining seat by one recorded lot."""
    boundary_votes = totals[ranked[seats - 1]]
    elected = [candidate for candidate in ranked if totals[candidate] > boundary_votes]
    tied = [candidate for candidate in ranked if totals[candidate] == boundary_votes]
    lots: list[LotDraw] = []
    notes: list[str] = []
    while len(elected) < seats:
        seat = len(elected) + 1
        key = f"{seed}|stage 1|seat {seat}"
        # a lot must be repeatable by anyone holding the seed, not unpredictable
        chosen = random.Random(key).choice(tied)  # noqa: S311
        lots.append(
            LotDraw(
                stage=1,
                purpose=f"seat {seat}",
                tied=tuple(tied),
                chosen=chosen,
                method=f"random.Random({key!r}).choice({tied!r})",
            )
        )
        names = ", ".join(election.candidates[candidate] for candidate in tied)
        notes.append(
            f"Tie for seat {seat} between {names} on {boundary_votes} votes: lot drawn, "
            f"{election.candidates[chosen]} elected"
        )
        elected.append(chosen)
        tied = [candidate for candidate in tied if candidate != chosen]
    return elected, lots, notes
