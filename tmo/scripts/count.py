"""`tmo-count`: count an election from a ballot file and print its result sheet.

    tmo-count FILE [--method stv|block] [--seats N] [--seed SEED] [--title TITLE]

A `.blt` file is counted by Scottish STV unless `--method block` is given (then each ballot's
preferences are read as its marks); a `.csv` file is a block-vote file and needs `--seats`.
`--seats` overrides the number of seats in a BLT file. Without `--seed` the seed is the SHA-256
of the file, so anyone holding the file draws the same lots. Exit status: 0 when the sheet is
printed, 2 when the arguments, the file or its ballots cannot be used (with the reason on stderr).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from tmo.rules.counting import (
    Election,
    count_block_vote,
    count_scottish_stv,
    read_block_csv,
    read_blt,
    render_text_sheet,
)

PROGRAM = "tmo-count"


class UsageError(Exception):
    """The arguments and the file do not fit together; the message says how."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Count an election from a BLT or block-vote CSV file and print the result.",
    )
    parser.add_argument("file", type=Path, help="ballot file: .blt (ranked) or .csv (block vote)")
    parser.add_argument(
        "--method",
        choices=["stv", "block"],
        help="counting method (default: stv for .blt files, block for .csv files)",
    )
    parser.add_argument("--seats", type=int, help="number of seats (required for .csv files)")
    parser.add_argument(
        "--seed", help="seed for drawing lots (default: the SHA-256 of the ballot file)"
    )
    parser.add_argument(
        "--title", help="the election's title on the sheet (default: the file's own, or its name)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        # argparse has already printed the usage and the reason
        return exit_request.code if isinstance(exit_request.code, int) else 2
    try:
        sheet = count_file(
            args.file, method=args.method, seats=args.seats, seed=args.seed, title=args.title
        )
    except (OSError, UnicodeDecodeError) as error:
        print(f"{PROGRAM}: error: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    except (UsageError, ValueError) as error:
        print(f"{PROGRAM}: error: {args.file}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(sheet)
    return 0


def count_file(
    path: Path, *, method: str | None, seats: int | None, seed: str | None, title: str | None = None
) -> str:
    """Read, count and render one ballot file; raise on anything that stops a fair count."""
    if seats is not None and seats < 1:
        raise UsageError("--seats must be at least 1")
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    is_csv = path.suffix.lower() == ".csv"
    method = method or ("block" if is_csv else "stv")
    if seed is None:
        seed = hashlib.sha256(raw).hexdigest()
    election = _read_election(path, text, is_csv=is_csv, seats=seats)
    if title is not None:
        election.title = title
    if method == "stv":
        if is_csv:
            raise UsageError("STV needs ranked ballots in a BLT file, not a block-vote CSV")
        result = count_scottish_stv(election, seed=seed)
    else:
        result = count_block_vote(election, seed=seed)
    return render_text_sheet(result, election)


def _read_election(path: Path, text: str, *, is_csv: bool, seats: int | None) -> Election:
    if is_csv:
        if seats is None:
            raise UsageError("a block-vote CSV file does not say how many seats: give --seats")
        return read_block_csv(text, seats=seats, title=path.stem)
    election = read_blt(text)
    if seats is not None:
        election.seats = seats
    return election


if __name__ == "__main__":
    sys.exit(main())
