"""Single transferable vote counted under the Scottish STV rules (SSI 2007/42, rules 45-52).

This module owns the statutory count and nothing else. Every value is an integer number of
1/100,000 votes; every division truncates, as rule 48(3) says ("any remainder being ignored"),
and no float is ever formed.

- Rule 45-46: first preferences; quota = floor(valid papers / (seats + 1)) + 1.
- Rule 47: a candidate whose votes equal or exceed the quota is deemed elected at once; one on
  exactly the quota has no surplus, so no surplus stage follows for them.
- Rule 48: a surplus is transferred by re-valuing *every* paper the candidate holds: each paper's
  new value is (surplus x its value when received) / (candidate's total votes), truncated to
  five places. Papers then go to their next continuing preference or are set aside as
  non-transferable; the elected candidate keeps exactly the quota. (The 2007 Order re-values
  all papers held, not only the last parcel received as "last parcel" rules such as Northern
  Ireland's do; the Glasgow 2007 reference counts confirm it.)
- Rule 49: with several surpluses the largest goes first; equal surpluses are ordered by the
  most recent earlier stage at which the candidates' totals differed, then by lot.
- Rule 50-51: with no surplus to transfer, the continuing candidate with fewest votes is
  excluded and all their papers move on at the value they carry, in one stage; equal lowest
  totals are resolved by looking back through earlier stages, then by lot.
- Rule 52: once continuing candidates are no more than the vacancies left, they are all deemed
  elected and no further transfer is made (a pending surplus is then never transferred).

Identical ballots always travel together, so they are aggregated into parcels: a parcel of n
papers of value v counts n x v, which equals counting the papers one by one because the
truncation in rule 48(3) applies to the value of each paper, not to the parcel.

Lots are drawn with `random.Random` seeded by the count's seed, the stage number and the
purpose, so the same seed always gives the same draw; each draw is kept in the result with the
exact expression that repeats it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from tmo.rules.counting.ballots import Election, aggregate_ballots
from tmo.rules.counting.result import (
    STV_SCALE,
    CountResult,
    LotDraw,
    Stage,
    StageAction,
    format_votes,
)

SCOTTISH_STV = "scottish-stv"


@dataclass
class _Parcel:
    """Identical ballot papers that have so far travelled together through the count."""

    preferences: tuple[int, ...]
    papers: int
    position: int
    value: int

    @property
    def votes(self) -> int:
        return self.papers * self.value


def droop_quota(valid_papers: int, seats: int) -> int:
    """Rule 46: floor(valid papers / (seats + 1)) + 1, in whole votes."""
    return valid_papers // (seats + 1) + 1


def count_scottish_stv(election: Election, *, seed: str = "") -> CountResult:
    """Count `election` under the Scottish STV rules; `seed` makes any lot drawn repeatable."""
    validate_election(election)
    return _ScottishCount(election, seed).run()


def validate_election(election: Election) -> None:
    """Refuse an election whose ballots name unknown candidates or rank one candidate twice."""
    n_candidates = len(election.candidates)
    if election.seats < 1:
        raise ValueError(f"an election needs at least one seat, not {election.seats}")
    if any(not 0 <= candidate < n_candidates for candidate in election.withdrawn):
        raise ValueError("a withdrawn candidate is not on the candidate list")
    for ballot in election.ballots:
        if ballot.weight < 1:
            raise ValueError(f"ballot weight must be at least 1, not {ballot.weight}")
        if any(not 0 <= candidate < n_candidates for candidate in ballot.preferences):
            raise ValueError(f"ballot {ballot.preferences} names a candidate not on the list")
        if len(set(ballot.preferences)) != len(ballot.preferences):
            raise ValueError(f"ballot {ballot.preferences} ranks a candidate twice")


class _ScottishCount:
    """The mutable state of one count in progress; `run` drives it stage by stage."""

    def __init__(self, election: Election, seed: str) -> None:
        self.election = election
        self.seed = seed
        standing = [c for c in range(len(election.candidates)) if c not in election.withdrawn]
        self.hopeful: set[int] = set(standing)
        self.totals: dict[int, int] = dict.fromkeys(standing, 0)
        self.piles: dict[int, list[_Parcel]] = {candidate: [] for candidate in standing}
        self.elected: list[int] = []
        self.pending_surplus: list[int] = []
        self.excluded: list[int] = []
        self.nontransferable = 0
        self.stages: list[Stage] = []
        self.lots: list[LotDraw] = []
        self.stage_draws: list[LotDraw] = []
        self.stage_notes: list[str] = []
        self.valid_papers = 0
        self.quota = 0

    def name(self, candidate: int) -> str:
        return self.election.candidates[candidate]

    def votes(self, units: int) -> str:
        return format_votes(units, STV_SCALE)

    def run(self) -> CountResult:
        self.sort_first_preferences()
        while not self.count_complete():
            if self.pending_surplus:
                self.transfer_largest_surplus()
            else:
                self.exclude_lowest()
        self.fill_last_vacancies()
        return CountResult(
            method=SCOTTISH_STV,
            title=self.election.title,
            seats=self.election.seats,
            valid_votes=self.valid_papers,
            quota=self.quota,
            scale=STV_SCALE,
            seed=self.seed,
            stages=self.stages,
            elected=list(self.elected),
            lots=list(self.lots),
        )

    def seats_left(self) -> int:
        return self.election.seats - len(self.elected)

    def count_complete(self) -> bool:
        """Rule 52 (and the obvious case): no seats left, or no more hopefuls than seats."""
        return self.seats_left() <= 0 or len(self.hopeful) <= self.seats_left()

    def sort_first_preferences(self) -> None:
        """Rules 45-46: one parcel per distinct ballot, credited at value 1 to its first choice."""
        for preferences, papers in aggregate_ballots(self.election.ballots).items():
            parcel = _Parcel(preferences=preferences, papers=papers, position=-1, value=STV_SCALE)
            first_choice = self.next_continuing(parcel)
            # a paper with no standing candidate on it is not a valid vote for anyone
            if first_choice is None:
                continue
            self.valid_papers += papers
            self.receive(first_choice, parcel)
        self.quota = droop_quota(self.valid_papers, self.election.seats) * STV_SCALE
        self.finish_stage(
            StageAction.FIRST_PREFERENCES,
            None,
            f"First preferences; {self.valid_papers} valid ballot papers; "
            f"quota {self.votes(self.quota)}",
        )

    def next_continuing(self, parcel: _Parcel) -> int | None:
        """Move the parcel's pointer to its next preference for a continuing candidate."""
        position = parcel.position + 1
        while position < len(parcel.preferences):
            if parcel.preferences[position] in self.hopeful:
                parcel.position = position
                return parcel.preferences[position]
            position += 1
        parcel.position = len(parcel.preferences)
        return None

    def receive(self, candidate: int, parcel: _Parcel) -> None:
        self.piles[candidate].append(parcel)
        self.totals[candidate] += parcel.votes

    def pass_on(self, parcels: list[_Parcel]) -> None:
        """Pass each parcel to its next continuing choice, or set it aside as non-transferable."""
        for parcel in parcels:
            recipient = self.next_continuing(parcel)
            if recipient is None:
                self.nontransferable += parcel.votes
            else:
                self.receive(recipient, parcel)

    def transfer_largest_surplus(self) -> None:
        """Rule 49: the largest surplus first; equal ones by look-back, then by lot."""
        largest = max(self.totals[candidate] for candidate in self.pending_surplus)
        tied = [c for c in self.pending_surplus if self.totals[c] == largest]
        candidate = self.break_tie(tied, "highest", "order of surplus transfer")
        self.transfer_surplus(candidate)

    def transfer_surplus(self, candidate: int) -> None:
        """Rule 48: re-value every paper the candidate holds and pass it on; they keep the quota."""
        total = self.totals[candidate]
        surplus = total - self.quota
        parcels = self.piles[candidate]
        self.piles[candidate] = []
        revaluations: set[tuple[int, int]] = set()
        for parcel in parcels:
            # rule 48(3): surplus x value of the paper / total votes, remainder ignored
            new_value = surplus * parcel.value // total
            revaluations.add((parcel.value, new_value))
            parcel.value = new_value
        self.pass_on(parcels)
        self.totals[candidate] = self.quota
        self.pending_surplus.remove(candidate)
        if len(revaluations) == 1:
            old_value, new_value = revaluations.pop()
            how = f"transfer value {self.votes(new_value)} on papers worth {self.votes(old_value)}"
        else:
            how = f"{len(revaluations)} paper values each re-valued by surplus x value / total"
        self.finish_stage(
            StageAction.SURPLUS,
            candidate,
            f"Surplus of {self.name(candidate)} ({self.votes(surplus)}) transferred; {how}",
        )

    def exclude_lowest(self) -> None:
        """Rules 50-51: exclude the hopeful with fewest votes and pass all their papers on."""
        lowest = min(self.totals[candidate] for candidate in self.hopeful)
        tied = sorted(c for c in self.hopeful if self.totals[c] == lowest)
        candidate = self.break_tie(tied, "lowest", "exclusion")
        self.hopeful.remove(candidate)
        self.excluded.append(candidate)
        parcels = self.piles[candidate]
        self.piles[candidate] = []
        self.totals[candidate] = 0
        self.pass_on(parcels)
        self.finish_stage(
            StageAction.EXCLUSION,
            candidate,
            f"Exclusion of {self.name(candidate)} ({self.votes(lowest)})",
        )

    def fill_last_vacancies(self) -> None:
        """Rule 52: the continuing candidates fill the vacancies left, with no further transfer."""
        if self.seats_left() <= 0 or not self.hopeful:
            return
        remaining = sorted(self.hopeful, key=lambda candidate: (-self.totals[candidate], candidate))
        self.hopeful.clear()
        self.elected.extend(remaining)
        names = ", ".join(self.name(candidate) for candidate in remaining)
        self.finish_stage(
            StageAction.LAST_VACANCIES,
            None,
            f"Continuing candidates no more than vacancies left: {names} deemed elected",
            deem_quota_reachers=False,
        )

    def deem_quota_reachers_elected(self) -> None:
        """Rule 47: everyone at or over the quota is elected now, highest total first."""
        reached = [c for c in self.hopeful if self.totals[c] >= self.quota]
        for candidate in sorted(reached, key=lambda c: (-self.totals[c], c)):
            self.hopeful.remove(candidate)
            self.elected.append(candidate)
            # rule 48(1) transfers only votes that exceed the quota; exactly a quota has none
            if self.totals[candidate] > self.quota:
                self.pending_surplus.append(candidate)

    def finish_stage(
        self,
        action: str,
        subject: int | None,
        description: str,
        *,
        deem_quota_reachers: bool = True,
    ) -> None:
        if deem_quota_reachers:
            self.deem_quota_reachers_elected()
        residual = self.valid_papers * STV_SCALE - sum(self.totals.values()) - self.nontransferable
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                subject=subject,
                description=description,
                totals=dict(self.totals),
                nontransferable=self.nontransferable,
                residual=residual,
                elected_so_far=tuple(self.elected),
                excluded_so_far=tuple(self.excluded),
                lot_draws=tuple(self.stage_draws),
                notes=tuple(self.stage_notes),
            )
        )
        self.stage_draws = []
        self.stage_notes = []

    def break_tie(self, tied: list[int], prefer: Literal["highest", "lowest"], purpose: str) -> int:
        """Rules 49(2)-(3), 51(2): look back stage by stage for a difference, else draw lots."""
        if len(tied) == 1:
            return tied[0]
        pick = max if prefer == "highest" else min
        names = ", ".join(self.name(candidate) for candidate in sorted(tied))
        still_tied = sorted(tied)
        for stage in reversed(self.stages):
            best = pick(stage.totals[candidate] for candidate in still_tied)
            narrowed = [c for c in still_tied if stage.totals[c] == best]
            if len(narrowed) < len(still_tied):
                still_tied = narrowed
                if len(still_tied) == 1:
                    chosen = still_tied[0]
                    self.stage_notes.append(
                        f"Tie for {purpose} between {names} resolved by looking back: "
                        f"{self.name(chosen)} had the {prefer} total at stage {stage.number}"
                    )
                    return chosen
        return self.draw_lot(still_tied, purpose, names)

    def draw_lot(self, tied: list[int], purpose: str, names: str) -> int:
        """Draw lots reproducibly: the seed, stage and purpose fix the generator's state."""
        stage_number = len(self.stages) + 1
        key = f"{self.seed}|stage {stage_number}|{purpose}"
        # a lot must be repeatable by anyone holding the seed, not unpredictable
        generator = random.Random(key)  # noqa: S311
        chosen = generator.choice(tied)
        draw = LotDraw(
            stage=stage_number,
            purpose=purpose,
            tied=tuple(tied),
            chosen=chosen,
            method=f"random.Random({key!r}).choice({list(tied)!r})",
        )
        self.lots.append(draw)
        self.stage_draws.append(draw)
        self.stage_notes.append(
            f"Tie for {purpose} between {names} equal at every stage: "
            f"lot drawn, {self.name(chosen)} chosen for {purpose}"
        )
        return chosen
