"""Scottish STV counted against 21 real Glasgow 2007 wards, stage by stage, plus tie rules.

The reference reports, in the shared folder ../shared/reference/stv-scotland beside the
repository (or $TMO_REFERENCE_DIR/stv-scotland; see tests/reference.py), are the Droop package's
counts under its "Scottish STV" rule. Droop logs several actions per statutory stage, so the
parser below keeps every action that shows totals and the alignment maps each to one of our
stages: "Begin Count", "Surplus transferred" and "Transfer defeated" open a new stage; "Elect,
transfer pending", "Defeat low candidate", "Elect remaining candidates", "Defeat remaining
candidates" and "Count Complete" restate the totals of the stage before them, and are checked
against it too.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reference import stv_scotland, stv_scotland_wards
from tmo.rules.counting import (
    STV_SCALE,
    Ballot,
    CountResult,
    Election,
    StageAction,
    count_scottish_stv,
    read_blt,
)

WARDS = stv_scotland_wards()

_ACTION = re.compile(r"^Action: (?P<kind>[^:]+)(?:: (?P<subject>.*))?$")
_CANDIDATES = re.compile(
    r"^\t(?P<state>Hopeful|Pending|Elected|Defeated|Withdrawn):\s+(?P<names>.*) "
    r"\((?P<value>\d+\.\d{5})\)$"
)
_SUMMARY = re.compile(r"^\t(?P<label>[A-Za-z ]+): (?P<value>\d+(?:\.\d{5})?)$")
_TRAILING_AMOUNT = re.compile(r" \(\d+\.\d{5}\)$")


def units(text: str) -> int:
    """'1412.45570' -> 141245570: the report always prints exactly five decimals."""
    whole, _, fraction = text.partition(".")
    return int(whole) * STV_SCALE + int(fraction or "0")


def normalise(name: str) -> str:
    """Droop collapses runs of spaces in names; compare names the same way."""
    return " ".join(name.split())


@dataclass
class ReportAction:
    kind: str
    subject: str
    totals: dict[str, int] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    header: dict[str, int]
    actions: list[ReportAction]


def parse_report(text: str) -> Report:
    header: dict[str, int] = {}
    actions: list[ReportAction] = []
    for line in text.splitlines():
        if action_match := _ACTION.match(line):
            subject = _TRAILING_AMOUNT.sub("", action_match["subject"] or "")
            actions.append(ReportAction(action_match["kind"], normalise(subject)))
        elif candidates_match := _CANDIDATES.match(line):
            for name in candidates_match["names"].split(", "):
                actions[-1].totals[normalise(name)] = units(candidates_match["value"])
        elif summary_match := _SUMMARY.match(line):
            target = actions[-1].summary if actions else header
            target[summary_match["label"]] = units(summary_match["value"])
    return Report(header=header, actions=actions)


def load(ward: str) -> tuple[Election, Report]:
    folder = stv_scotland()
    election = read_blt((folder / f"{ward}.blt").read_text())
    report = parse_report((folder / f"{ward}.report.txt").read_text())
    return election, report


_OPENS_STAGE = {
    "Begin Count": StageAction.FIRST_PREFERENCES,
    "Surplus transferred": StageAction.SURPLUS,
    "Transfer defeated": StageAction.EXCLUSION,
}
_ANNOUNCES_NEXT_STAGE = {
    "Transfer high surplus": StageAction.SURPLUS,
    "Defeat low candidate": StageAction.EXCLUSION,
}


def assert_matches_report(result: CountResult, election: Election, report: Report) -> int:
    """Walk the report's actions against our stages; return how many totals were compared."""
    names = [normalise(name) for name in election.candidates]
    number_of = {name: candidate for candidate, name in enumerate(names)}
    transfer_stages = [s for s in result.stages if s.action != StageAction.LAST_VACANCIES]
    position = -1
    compared = 0
    for action in report.actions:
        if action.kind in _OPENS_STAGE:
            position += 1
            stage = transfer_stages[position]
            assert stage.action == _OPENS_STAGE[action.kind], (action, stage.description)
            if stage.subject is not None:
                assert names[stage.subject] == action.subject, stage.description
        elif action.kind in _ANNOUNCES_NEXT_STAGE:
            coming = transfer_stages[position + 1]
            assert coming.action == _ANNOUNCES_NEXT_STAGE[action.kind]
            assert coming.subject is not None
            assert names[coming.subject] == action.subject
        elif action.kind == "Elect, transfer pending":
            assert number_of[action.subject] in transfer_stages[position].elected_so_far
        elif action.kind == "Elect remaining candidates":
            assert number_of[action.subject] in result.elected
        elif action.kind == "Defeat remaining candidates":
            assert number_of[action.subject] not in result.elected
        else:
            assert action.kind == "Count Complete", action.kind
        stage = transfer_stages[position]
        if action.totals:
            expected = {number_of[name]: value for name, value in action.totals.items()}
            assert stage.totals == expected, f"{action.kind}: {action.subject}"
            compared += len(expected)
        assert stage.nontransferable == action.summary["Nontransferable votes"], action
        assert stage.residual == action.summary["Residual"], action
    assert position == len(transfer_stages) - 1, "our count has stages the report lacks"
    return compared


@pytest.mark.parametrize("ward", WARDS)
def test_elects_the_same_candidates_as_the_reference(ward: str) -> None:
    election, report = load(ward)
    result = count_scottish_stv(election, seed=ward)
    expected = {
        action.subject
        for action in report.actions
        if action.kind in ("Elect, transfer pending", "Elect remaining candidates")
    }
    assert {normalise(election.candidates[c]) for c in result.elected} == expected
    assert len(result.elected) == election.seats
    assert result.quota == report.header["Quota"]
    assert result.valid_votes * STV_SCALE == report.header["Ballots"]
    assert result.lots == []


@pytest.mark.parametrize("ward", WARDS)
def test_every_total_at_every_stage_matches_the_reference(ward: str) -> None:
    election, report = load(ward)
    result = count_scottish_stv(election, seed=ward)
    compared = assert_matches_report(result, election, report)
    assert compared > 0


def test_all_21_reference_wards_are_present() -> None:
    folder = stv_scotland()
    assert len(WARDS) == 21
    assert all((folder / f"{ward}.report.txt").is_file() for ward in WARDS)


def test_a_later_surplus_revalues_every_paper_held() -> None:
    # Springburn's second surplus mixes papers worth 1 and papers worth a transfer value
    election, _ = load("Springburn-2007")
    result = count_scottish_stv(election)
    second_surplus = [s for s in result.stages if s.action == StageAction.SURPLUS][1]
    assert "84.68116" in second_surplus.description
    assert "paper values" in second_surplus.description


def test_last_vacancies_stage_repeats_the_totals_before_it() -> None:
    election, _ = load("Govan-2007")
    result = count_scottish_stv(election)
    last, before = result.stages[-1], result.stages[-2]
    assert last.action == StageAction.LAST_VACANCIES
    assert last.totals == before.totals
    assert [election.candidates[c] for c in result.elected] == [
        "Allison Hunter",
        "John Flanagan",
        "Stephen Dornan",
        "Shaukat Butt",
    ]


def ballots(*groups: tuple[int, str]) -> list[Ballot]:
    """(weight, 'ABD') -> a ballot ranking A, B, D, with candidates lettered from A = 0."""
    return [
        Ballot(weight, tuple(ord(letter) - ord("A") for letter in order))
        for weight, order in groups
    ]


def test_exclusion_tie_is_broken_by_looking_back_to_an_earlier_stage() -> None:
    # after D is excluded B and C both hold 5; at stage 1 B had 4 and C had 5, so B goes
    election = Election(
        title="look-back",
        candidates=["Ann", "Bob", "Cat", "Dee"],
        seats=1,
        ballots=ballots((10, "A"), (4, "BA"), (5, "C"), (1, "DB"), (1, "D")),
        withdrawn=set(),
    )
    result = count_scottish_stv(election, seed="any")
    exclusions = [s for s in result.stages if s.action == StageAction.EXCLUSION]
    assert [s.subject for s in exclusions] == [3, 1]
    assert exclusions[1].totals[1] == 0
    assert "looking back" in exclusions[1].notes[0]
    assert result.lots == []
    assert result.elected == [0]


def exact_tie() -> Election:
    # Ann and Bob are level at every stage, so only a lot can decide who is excluded
    return Election(
        title="exact tie",
        candidates=["Ann", "Bob", "Cat"],
        seats=1,
        ballots=ballots((3, "A"), (3, "B"), (1, "C")),
        withdrawn=set(),
    )


def test_exact_tie_is_decided_by_a_recorded_lot() -> None:
    result = count_scottish_stv(exact_tie(), seed="board-2025")
    assert len(result.lots) == 1
    draw = result.lots[0]
    assert draw.tied == (0, 1)
    assert draw.purpose == "exclusion"
    assert result.stages[draw.stage - 1].lot_draws == (draw,)
    assert result.elected == [1 - draw.chosen]
    key = f"board-2025|stage {draw.stage}|exclusion"
    assert random.Random(key).choice([0, 1]) == draw.chosen
    assert repr(key) in draw.method


def test_same_seed_gives_the_same_result() -> None:
    assert count_scottish_stv(exact_tie(), seed="s") == count_scottish_stv(exact_tie(), seed="s")


def test_a_different_seed_can_change_the_winner_of_an_exact_tie() -> None:
    winners = {count_scottish_stv(exact_tie(), seed=f"seed-{n}").elected[0] for n in range(20)}
    assert winners == {0, 1}


def test_equal_surpluses_are_ordered_by_lot_when_equal_throughout() -> None:
    election = Election(
        title="equal surpluses",
        candidates=["Ann", "Bob", "Cat", "Dee"],
        seats=3,
        ballots=ballots((5, "AC"), (5, "BD"), (2, "C"), (1, "D")),
        withdrawn=set(),
    )
    result = count_scottish_stv(election, seed="x")
    assert [draw.purpose for draw in result.lots] == ["order of surplus transfer"]
    assert result.stages[1].subject == result.lots[0].chosen
    assert sorted(result.elected[:2]) == [0, 1]


def test_a_candidate_on_exactly_the_quota_has_no_surplus_stage() -> None:
    election = Election(
        title="exact quota",
        candidates=["Ann", "Bob", "Cat"],
        seats=1,
        ballots=ballots((4, "AB"), (2, "B"), (1, "C")),
        withdrawn=set(),
    )
    result = count_scottish_stv(election)
    assert result.quota == 4 * STV_SCALE
    assert result.elected == [0]
    assert len(result.stages) == 1


def test_withdrawn_candidates_are_skipped() -> None:
    election = Election(
        title="withdrawn",
        candidates=["Ann", "Bob", "Cat"],
        seats=1,
        ballots=ballots((3, "BA"), (2, "A"), (2, "C")),
        withdrawn={1},
    )
    result = count_scottish_stv(election)
    assert 1 not in result.stages[0].totals
    assert result.stages[0].totals[0] == 5 * STV_SCALE
    assert result.elected == [0]


@pytest.mark.parametrize(
    "bad_ballot",
    [Ballot(1, (0, 0)), Ballot(1, (5,)), Ballot(0, (0,))],
    ids=["ranked twice", "unknown candidate", "zero weight"],
)
def test_rejects_malformed_ballots(bad_ballot: Ballot) -> None:
    election = Election("bad", ["Ann", "Bob"], 1, [bad_ballot], set())
    with pytest.raises(ValueError):
        count_scottish_stv(election)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n_candidates = draw(st.integers(min_value=1, max_value=6))
    seats = draw(st.integers(min_value=1, max_value=4))
    rankings = st.permutations(range(n_candidates)).flatmap(
        lambda order: st.integers(min_value=0, max_value=len(order)).map(
            lambda length: tuple(order[:length])
        )
    )
    ballot_list = draw(
        st.lists(
            st.builds(Ballot, weight=st.integers(min_value=1, max_value=40), preferences=rankings),
            max_size=12,
        )
    )
    withdrawn = draw(st.sets(st.integers(min_value=0, max_value=n_candidates - 1), max_size=1))
    candidates = [f"Candidate {number}" for number in range(n_candidates)]
    return Election("generated", candidates, seats, ballot_list, withdrawn)


@settings(max_examples=200, deadline=None)
@given(election=elections(), seed=st.text(max_size=5))
def test_every_stage_accounts_for_every_valid_vote(election: Election, seed: str) -> None:
    result = count_scottish_stv(election, seed=seed)
    for stage in result.stages:
        assert stage.nontransferable >= 0
        assert stage.residual >= 0
        assert all(total >= 0 for total in stage.totals.values())
        accounted = sum(stage.totals.values()) + stage.nontransferable + stage.residual
        assert accounted == result.valid_votes * STV_SCALE


@settings(max_examples=200, deadline=None)
@given(election=elections(), seed=st.text(max_size=5))
def test_fills_every_seat_it_can_with_distinct_candidates(election: Election, seed: str) -> None:
    result = count_scottish_stv(election, seed=seed)
    standing = len(election.candidates) - len(election.withdrawn)
    assert len(result.elected) == min(election.seats, standing)
    assert len(set(result.elected)) == len(result.elected)
    assert not set(result.elected) & set(result.stages[-1].excluded_so_far)
    assert result == count_scottish_stv(election, seed=seed)
