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
        ("\u00b2 1\n", "line 1: expected 'candidates seats'"),
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


@pytest.mark.parametrize(
    ("ballot_line", "ballot"),
    [
        ("3 2 1 0", Ballot(3, (1, 0))),
        ("03 02 01 00", Ballot(3, (1, 0))),
        ("3\t2  1 0\r", Ballot(3, (1, 0))),
        ("5 0", Ballot(5, ())),
    ],
)
def test_reads_a_ballot_line_however_it_is_spaced_or_padded(
    ballot_line: str, ballot: Ballot
) -> None:
    text = f'2 1\n1 1 0\n{ballot_line}\n# a comment\n\n7 2 0\n0\n"A"\n"B"\n'
    assert read_blt(text).ballots == [Ballot(1, (0,)), ballot, Ballot(7, (1,))]


@pytest.mark.parametrize(
    ("ballot_line", "message"),
    [
        ("+1 1 0", "line 3: a ballot line is a weight"),
        ("1 +1 0", "line 3: a ballot line is a weight"),
        ("1 1_0 0", "line 3: a ballot line is a weight"),
        ("1 0 1 0", "line 3: preferences must be from 1 to 2"),
        ("1 2 1 2 0", "line 3: a candidate is ranked twice"),
        ("00 1 0", "line 3: ballot weight must be at least 1"),
        ("1 1", "line 3: a ballot line must end with 0"),
        ("1 3 0", "line 3: preferences must be from 1 to 2"),
        ("1 \u00b2 0", "line 3: a ballot line is a weight"),
        ("\u0661 1 0", "line 3: a ballot line is a weight"),
    ],
)
def test_a_faulty_ballot_line_among_good_ones_is_named(ballot_line: str, message: str) -> None:
    text = f'2 1\n1 1 0\n{ballot_line}\n2 2 1 0\n0\n"A"\n"B"\n'
    with pytest.raises(BallotFileError, match=message):
        read_blt(text)


@st.composite
def loosely_written(draw: st.DrawFn, election: Election) -> str:
    """`election` as BLT with the liberties a hand-edited file takes: padded numbers, runs of
    spaces and tabs, CRLF endings, comments and blank lines between the ballots (the lone 0
    ending the ballots is written as it is)."""
    lines = write_blt(election).split("\n")
    loose = []
    for line in lines:
        if line[:1].isdigit() and line != "0":
            numbers = [str(int(field)).zfill(draw(st.integers(1, 3))) for field in line.split()]
            separators = draw(
                st.lists(st.sampled_from([" ", "  ", "\t"]), min_size=len(numbers) - 1)
            )
            line = numbers[0] + "".join(
                s + n for s, n in zip(separators, numbers[1:], strict=False)
            )
        loose.append(line + draw(st.sampled_from(["", "\r", " "])))
        loose.extend(draw(st.lists(st.sampled_from(["", "# note", "  "]), max_size=2)))
    return "\n".join(loose)


@given(data=st.data(), election=elections())
def test_any_loosely_written_election_reads_the_same(
    data: st.DataObject, election: Election
) -> None:
    assert read_blt(data.draw(loosely_written(election))) == election
