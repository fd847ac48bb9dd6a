"""The head a chain is checked against, from outside the database: ``--checkpoint FILE`` (a signed
checkpoint as emailed, the whole email or only its blocks) or ``--head HEX --count N`` typed in.
Shared by ``tmo-audit verify`` and ``tmo-election verify``."""

import argparse
import re
from pathlib import Path

from tmo.rules import checkpoints as rules


class Unusable(Exception):
    """No anchor can be taken from what was given: the message says why (the script exits 2)."""


def anchor_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--checkpoint",
        metavar="FILE",
        help=f"a checkpoint the server signed and emailed: {what} must still hold its head",
    )
    group.add_argument("--head", metavar="HEX", help="a head known from outside (with --count)")
    parser.add_argument("--count", type=int, metavar="N", help="how many the head closes")


def anchor_from(args, parser, verify_key, kind: str, election_id: int | None = None):
    """The anchor the arguments give (None: none), after checking a checkpoint's signature;
    ``Unusable`` when there is none to take from the file."""
    if args.head is None and args.count is None and args.checkpoint is None:
        return None
    if args.checkpoint is None:
        if args.head is None or args.count is None or args.count < 0:
            parser.error("--head and --count go together (a count of 0 or more)")
        if not re.fullmatch(r"[0-9a-f]{64}", args.head.lower()):
            parser.error("--head is 64 hexadecimal digits")
        # Typed in from the result sheet: the head at the close, where the log must end.
        return rules.Anchor(args.head.lower(), args.count, "the head given", at_close=True)
    try:
        text = Path(args.checkpoint).read_text(encoding="utf-8")
        found = rules.latest(rules.read_all(text, verify_key), kind, election_id)
    except (OSError, UnicodeDecodeError, rules.CheckpointRefused) as problem:
        raise Unusable(f"The checkpoint is REFUSED: {problem}") from None
    if found is None:
        subject = f"election {election_id}'s ballots" if election_id else "the audit log"
        raise Unusable(f"There is no checkpoint of {subject} in {args.checkpoint}.")
    return found.anchor()
