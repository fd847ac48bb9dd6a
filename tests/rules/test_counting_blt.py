"""BLT files: reading the Glasgow data (see tests/reference.py), round-tripping, and clear errors
on malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reference import stv_scotland
from tmo.rules.counting import Ballot, BallotFileError, Election, read_blt, write_blt

SMALL = """\
4 2
-3
12 1 2 0
7 3 0
1 4 2 1 0
0
"Ann Smith"
"Bob Jones"
"Cat Brown"
"Dee Green"
"Board election"
"""


def test_reads_header_withdrawn_ballots_names_and_title() -> None:
    election = read_blt(SMALL)
    assert election == Election(
        title="Board election",
        candidates=["Ann Smith", "Bob Jones", "Cat Brown", "Dee Green"],
        seats=2,
        ballots=[Ballot(12, (0, 1)), Ballot(7, (2,)), Ballot(1, (3, 1, 0))],
        withdrawn={2},
    )


def test_writes_what_it_reads() -> None:
    assert write_blt(read_blt(SMALL)) == SMALL


def test_govan_round_trips() -> None:
    govan = read_blt((stv_scotland() / "Govan-2007.blt").read_text())
    assert govan.title == "GOVAN Ward"
    assert len(govan.candidates) == 11
    assert govan.seats == 4
    assert sum(ballot.weight for ballot in govan.ballots) == 9560
    assert read_blt(write_blt(govan)) == govan


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("3\n", "candidates seats"),
        ("2 1\n1 1 0\n", "ends early"),
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n', "preferences must be from 1 to 2"),
        ('2 1\n1 1 1 0\n0\n"A"\n"B"\n', "ranked twice"),
        ('2 1\n1 1=2 0\n0\n"A"\n"B"\n', "equal or skipped"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n', "end with 0"),
        ('2 1\n0 1 0\n0\n"A"\n"B"\n', "weight"),
        ('2 1\n-5\n0\n"A"\n"B"\n', "no candidate 5"),
        ('2 1\n1 1 0\n0\n"A"\n', "names 1 candidates"),
    ],
)
def test_malformed_blt_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BallotFileError, match=message):
        read_blt(text)


def test_refuses_to_write_a_name_with_a_quote() -> None:
    with pytest.raises(ValueError, match="quotes"):
        write_blt(Election('Say "hi"', ["Ann"], 1, [], set()))


names = st.text(
    alphabet=st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs", "Zl", "Zp")),
    max_size=12,
)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    candidates = draw(st.lists(names, min_size=1, max_size=6))
    n = len(candidates)
    rankings = st.lists(st.integers(0, n - 1), unique=True, max_size=n).map(tuple)
    return Election(
        title=draw(names),
        candidates=candidates,
        seats=draw(st.integers(1, 5)),
        ballots=draw(st.lists(st.builds(Ballot, st.integers(1, 99), rankings), max_size=8)),
        withdrawn=draw(st.sets(st.integers(0, n - 1), max_size=n)),
    )


@given(election=elections())
def test_any_election_round_trips_through_blt(election: Election) -> None:
    assert read_blt(write_blt(election)) == election
