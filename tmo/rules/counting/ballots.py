"""Ballots and elections as the counters see them, and the two file formats they travel in.

An `Election` is a title, candidate names, a number of seats, the ballots and the set of
withdrawn candidates. Candidates are 0-based indices into `candidates` everywhere in code; only
the files use other numbering.

BLT (the format of OpenSTV, Droop and the Electoral Reform Society) is read and written here:

    4 2                 <- number of candidates, number of seats
    -3                  <- optional: withdrawn candidates, as negative 1-based numbers
    12 1 2 0            <- weight (identical papers), 1-based preferences in order, 0
    7 3 0
    0                   <- end of ballots
    "Ann Smith"         <- candidate names, in quotes, one per line, in number order
    "Bob Jones"
    "Cat Brown"
    "Dee Green"
    "Board election"    <- title, in quotes

Equal rankings ("1=2"), skipped rankings ("-") and ballot identifiers are not accepted: a
tenant ballot paper ranks candidates strictly, and a file that says otherwise is rejected.

Block-vote CSV, for elections where each voter marks up to N candidates with an X:

    Ann Smith,Bob Jones,Cat Brown
    1,,1
    ,1,
    1,1,

The header row names the candidates in ballot-paper order. Each further row is one ballot
paper; a cell holding `1` (or `x`/`X`) is a vote for that column's candidate, a blank cell is
no vote. A row with no marks is a blank paper, which counts for nobody, so it is skipped.
The number of seats is not in the file: the caller supplies it. Writing expands a ballot of
weight k into k identical rows so that every row stays one paper.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter


class BallotFileError(ValueError):
    """A ballot file that cannot be read; the message names the line and what is wrong."""


@dataclass(frozen=True)
class Ballot:
    """`weight` identical ballot papers ranking (or, for block vote, marking) these candidates."""

    weight: int
    preferences: tuple[int, ...]


@dataclass
class Election:
    """Everything a count needs: who stands, how many seats, and how people voted."""

    title: str
    candidates: list[str]
    seats: int
    ballots: list[Ballot]
    withdrawn: set[int] = field(default_factory=set)


_QUOTED = re.compile(r'"([^"\n]*)"')
_FIRST, _MIDDLE, _LAST = itemgetter(0), itemgetter(slice(1, -1)), itemgetter(-1)
_BLOCK_MARKS = frozenset({"1", "x", "X"})


def read_blt(text: str) -> Election:
    """Parse BLT text into an `Election`, rejecting anything ambiguous with the line number."""
    # only newlines end a line: str.splitlines would also split names on \x1e or \u2028
    stripped = [line.strip() for line in text.split("\n")]
    # comments and blank lines carry nothing a count needs; the rest keep their line numbers
    numbers = [n for n, line in enumerate(stripped, start=1) if line and not line.startswith("#")]
    lines = [stripped[number - 1] for number in numbers]
    if not lines:
        raise BallotFileError("empty BLT file: expected 'candidates seats' on the first line")
    n_candidates, seats = _read_header(numbers[0], lines[0])
    first_ballot = 1
    withdrawn: set[int] = set()
    if len(lines) > 1 and lines[1].startswith("-"):
        withdrawn = _read_withdrawn(numbers[1], lines[1], n_candidates)
        first_ballot = 2
    ballots, names_from = _read_ballot_lines(numbers, lines, first_ballot, n_candidates)
    quoted = _QUOTED.findall("\n".join(lines[names_from:]))
    if len(quoted) < n_candidates:
        raise BallotFileError(
            f"BLT file names {len(quoted)} candidates after the ballots; the header says "
            f"{n_candidates}"
        )
    if len(quoted) > n_candidates + 1:
        raise BallotFileError(
            f"BLT file has {len(quoted) - n_candidates} quoted strings after the candidate names; "
            "expected only the title"
        )
    title = quoted[n_candidates] if len(quoted) > n_candidates else ""
    return Election(
        title=title,
        candidates=quoted[:n_candidates],
        seats=seats,
        ballots=ballots,
        withdrawn=withdrawn,
    )


def _read_ballot_lines(
    numbers: list[int], lines: list[str], first: int, n_candidates: int
) -> tuple[list[Ballot], int]:
    """The ballots from `lines[first]` up to the lone 0, and the index of the line after it.

    Most files are plain digits and spaces, read by the quick reader; anything else (or any
    fault) is read line by line, which names the first faulty line by its number.
    """
    try:
        end = lines.index("0", first)
    except ValueError:
        end = None
    if end is not None:
        ballots = _read_plain_ballots(lines[first:end], n_candidates)
        if ballots is not None:
            return ballots, end + 1
    ballots = []
    for position in range(first, len(lines)):
        if lines[position] == "0":
            return ballots, position + 1
        ballots.append(_read_ballot_line(numbers[position], lines[position], n_candidates))
    raise BallotFileError("BLT file ends early: expected the ballots, a lone 0 and names")


def _read_plain_ballots(texts: list[str], n_candidates: int) -> list[Ballot] | None:
    """Ballot lines of ASCII digits, each ending in a single 0, as `_read_ballot_line` reads
    them; None where one is anything else, for that reader to judge.

    Each step runs over all the lines at once (``map``), which is what makes it quick.
    """
    # a preference is looked up by its text: "+1", "01" or "1_0" is not one, and needs no int()
    candidate_of = {str(number): number - 1 for number in range(1, n_candidates + 1)}.__getitem__
    fields = list(map(str.split, texts))
    weights = list(map(_FIRST, fields))
    digits = "".join(weights)
    if (
        set(map(_LAST, fields)) != {"0"}
        or not _is_number(digits)
        or "0" in set(map(_FIRST, weights))
    ):
        return None
    try:
        preferences = list(map(tuple, map(partial(map, candidate_of), map(_MIDDLE, fields))))
    except KeyError:
        return None
    del fields  # freed before the ballots are built: fewer objects for the collector to walk
    if list(map(len, map(set, preferences))) != list(map(len, preferences)):
        return None
    return list(map(Ballot, map(int, weights), preferences))


def _is_number(text: str) -> bool:
    # str.isdigit alone also passes superscripts, which int() refuses, and other scripts' digits
    return text.isascii() and text.isdigit()


def _read_header(number: int, line: str) -> tuple[int, int]:
    fields = line.split()
    if len(fields) != 2 or not all(_is_number(field) for field in fields):
        raise BallotFileError(f"line {number}: expected 'candidates seats', got {line!r}")
    n_candidates, seats = int(fields[0]), int(fields[1])
    if n_candidates < 1 or seats < 1:
        raise BallotFileError(f"line {number}: candidates and seats must both be at least 1")
    return n_candidates, seats


def _read_withdrawn(number: int, line: str, n_candidates: int) -> set[int]:
    withdrawn: set[int] = set()
    for field_text in line.split():
        if not re.fullmatch(r"-[1-9][0-9]*", field_text):
            raise BallotFileError(
                f"line {number}: withdrawn candidates must be like -3, got {line!r}"
            )
        candidate = -int(field_text)
        if candidate > n_candidates:
            raise BallotFileError(f"line {number}: no candidate {candidate} to withdraw")
        withdrawn.add(candidate - 1)
    return withdrawn


def _read_ballot_line(number: int, line: str, n_candidates: int) -> Ballot:
    fields = line.split()
    if not all(_is_number(field_text) for field_text in fields):
        raise BallotFileError(
            f"line {number}: a ballot line is a weight, preferences and 0 (equal or skipped "
            f"rankings are not accepted), got {line!r}"
        )
    numbers = [int(field_text) for field_text in fields]
    if len(numbers) < 2 or numbers[-1] != 0:
        raise BallotFileError(f"line {number}: a ballot line must end with 0, got {line!r}")
    weight, preferences = numbers[0], numbers[1:-1]
    if weight < 1:
        raise BallotFileError(f"line {number}: ballot weight must be at least 1")
    if any(preference < 1 or preference > n_candidates for preference in preferences):
        raise BallotFileError(f"line {number}: preferences must be from 1 to {n_candidates}")
    if len(set(preferences)) != len(preferences):
        raise BallotFileError(f"line {number}: a candidate is ranked twice on {line!r}")
    return Ballot(weight=weight, preferences=tuple(preference - 1 for preference in preferences))


def write_blt(election: Election) -> str:
    """Write an `Election` as BLT text that `read_blt` turns back into an equal `Election`."""
    for name in [*election.candidates, election.title]:
        if '"' in name or "\n" in name or "\r" in name:
            raise ValueError(f"cannot write {name!r} to BLT: names may not hold quotes or newlines")
    lines = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        lines.append(" ".join(f"-{candidate + 1}" for candidate in sorted(election.withdrawn)))
    for ballot in election.ballots:
        preferences = " ".join(str(preference + 1) for preference in ballot.preferences)
        lines.append(f"{ballot.weight} {preferences} 0" if preferences else f"{ballot.weight} 0")
    lines.append("0")
    lines.extend(f'"{name}"' for name in election.candidates)
    lines.append(f'"{election.title}"')
    return "\n".join(lines) + "\n"


def read_block_csv(text: str, *, seats: int, title: str = "") -> Election:
    """Parse block-vote CSV (see the module docstring) into an `Election` of weight-1 ballots."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise BallotFileError("empty CSV file: expected a header row of candidate names")
    candidates = [cell.strip() for cell in rows[0]]
    if any(not name for name in candidates):
        raise BallotFileError("line 1: every column needs a candidate name")
    if len(set(candidates)) != len(candidates):
        raise BallotFileError("line 1: a candidate name appears twice")
    ballots: list[Ballot] = []
    for row_number, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        if len(cells) > len(candidates):
            raise BallotFileError(f"row {row_number}: more cells than candidates")
        marked: list[int] = []
        for column, cell in enumerate(cells):
            if cell in _BLOCK_MARKS:
                marked.append(column)
            elif cell:
                raise BallotFileError(
                    f"row {row_number}: a mark must be 1 or x or blank, got {cell!r} for "
                    f"{candidates[column]}"
                )
        ballots.append(Ballot(weight=1, preferences=tuple(marked)))
    return Election(title=title, candidates=candidates, seats=seats, ballots=ballots)


def write_block_csv(election: Election) -> str:
    """Write an `Election` as block-vote CSV: one row per ballot paper, 1 where marked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(election.candidates)
    for ballot in election.ballots:
        marked = set(ballot.preferences)
        row = ["1" if candidate in marked else "" for candidate in range(len(election.candidates))]
        writer.writerows([row] * ballot.weight)
    return buffer.getvalue()


def aggregate_ballots(ballots: Iterable[Ballot]) -> dict[tuple[int, ...], int]:
    """Add up the weights of ballots with identical preferences, keeping first-seen order."""
    totals: dict[tuple[int, ...], int] = {}
    for ballot in ballots:
        totals[ballot.preferences] = totals.get(ballot.preferences, 0) + ballot.weight
    return totals
