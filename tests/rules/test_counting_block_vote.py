"""Block vote: top N by votes win, over-marked ballots are refused, last-seat ties go to a lot."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.rules.counting import (
    BLOCK_SCALE,
    Ballot,
    Election,
    count_block_vote,
    read_block_csv,
    render_text_sheet,
    write_block_csv,
)


def election(seats: int, *marks: tuple[int, ...], candidates: int = 4) -> Election:
    names = [f"Candidate {letter}" for letter in "ABCDEFGH"[:candidates]]
    return Election("block", names, seats, [Ballot(1, ballot) for ballot in marks], set())


def test_the_candidates_with_most_votes_win_in_order_of_votes() -> None:
    result = count_block_vote(election(2, (0, 1), (1, 2), (1,), (2, 3), (2,)))
    assert result.stages[0].totals == {0: 1, 1: 3, 2: 3, 3: 1}
    assert result.elected == [1, 2]
    assert result.lots == []
    assert result.scale == BLOCK_SCALE
    assert result.valid_votes == 5


def test_weights_count_as_that_many_papers() -> None:
    weighted = Election("w", ["Ann", "Bob"], 1, [Ballot(3, (0,)), Ballot(2, (1,))], set())
    result = count_block_vote(weighted)
    assert result.stages[0].totals == {0: 3, 1: 2}
    assert result.elected == [0]


def test_a_ballot_marking_more_candidates_than_seats_is_refused() -> None:
    with pytest.raises(ValueError, match="marks 3 candidates for 2 seats"):
        count_block_vote(election(2, (0, 1, 2)))


def test_a_ballot_marking_a_candidate_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        count_block_vote(election(2, (1, 1)))


def test_a_tie_for_the_last_seat_is_decided_by_a_recorded_lot() -> None:
    tied = election(2, (0, 1), (0, 2), (0, 3))
    result = count_block_vote(tied, seed="agm-2025")
    assert result.elected[0] == 0
    assert len(result.lots) == 1
    draw = result.lots[0]
    assert draw.tied == (1, 2, 3)
    assert result.elected[1] == draw.chosen
    assert "agm-2025" in draw.method
    assert result == count_block_vote(tied, seed="agm-2025")


def test_a_different_seed_can_change_who_takes_the_tied_seat() -> None:
    tied = election(2, (0, 1), (0, 2), (0, 3))
    assert {count_block_vote(tied, seed=str(n)).elected[1] for n in range(30)} == {1, 2, 3}


def test_two_seats_among_three_tied_take_one_lot_each() -> None:
    result = count_block_vote(election(2, (0,), (1,), (2,), candidates=3), seed="s")
    assert len(result.lots) == 2
    assert result.lots[0].tied == (0, 1, 2)
    assert len(result.lots[1].tied) == 2
    assert result.elected == [draw.chosen for draw in result.lots]


def test_more_seats_than_candidates_elects_everyone_standing() -> None:
    result = count_block_vote(election(3, (0,), candidates=2))
    assert result.elected == [0, 1]


def test_block_csv_round_trip_and_sheet() -> None:
    text = "Ann,Bob,Cat\n1,,1\n,x,\n\n1,1,\n"
    block = read_block_csv(text, seats=2, title="Board")
    assert block.candidates == ["Ann", "Bob", "Cat"]
    assert [ballot.preferences for ballot in block.ballots] == [(0, 2), (1,), (0, 1)]
    assert read_block_csv(write_block_csv(block), seats=2, title="Board") == block
    sheet = render_text_sheet(count_block_vote(block), block)
    assert sheet.splitlines()[-2:] == ["Elected: Ann", "Elected: Bob"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("Ann,,Cat\n", "candidate name"),
        ("Ann,Ann\n", "twice"),
        ("Ann,Bob\n1,2\n", "must be 1 or x"),
        ("Ann,Bob\n1,,1\n", "more cells"),
    ],
)
def test_block_csv_reports_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_block_csv(text, seats=1)


@st.composite
def block_elections(draw: st.DrawFn) -> Election:
    n_candidates = draw(st.integers(min_value=1, max_value=7))
    seats = draw(st.integers(min_value=1, max_value=4))
    marks = st.lists(
        st.integers(min_value=0, max_value=n_candidates - 1), unique=True, max_size=seats
    ).map(tuple)
    ballot_list = draw(st.lists(st.builds(Ballot, st.integers(1, 5), marks), max_size=15))
    return Election("generated", [f"C{n}" for n in range(n_candidates)], seats, ballot_list, set())


@settings(max_examples=200, deadline=None)
@given(block=block_elections(), seed=st.text(max_size=4))
def test_winners_are_the_top_n(block: Election, seed: str) -> None:
    result = count_block_vote(block, seed=seed)
    totals = result.stages[0].totals
    assert len(result.elected) == min(block.seats, len(block.candidates))
    losers = set(totals) - set(result.elected)
    assert all(totals[winner] >= totals[loser] for winner in result.elected for loser in losers)
    assert sum(totals.values()) == sum(
        ballot.weight * len(ballot.preferences) for ballot in block.ballots
    )
