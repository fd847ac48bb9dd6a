"""``tmo-election verify ELECTION [INI] [--checkpoint FILE | --head HEX --count N]``: check an
election's ballot box and count, and name every difference. Before the box is opened: follow the
sealed ballots' keyed chain from its first hash to the election's head (the key is derived from
the deployment's ``tmo.secret``). After: recount the counted ballots to the result sheet and check
there are as many trackers, counted ballots and roll marks as ballots recorded at the head. Given
a head kept outside the database (the signed checkpoint emailed to the returning officer and the
scrutineer), the log must still hold it: a ballot removed from the end with its voter's roll
mark, or one added after the close, is found. Exits 0 when everything agrees, 1 when anything does
not, 2 when there is no such election or the checkpoint is refused."""

import argparse
import sys

from tmo.models.elections import Election
from tmo.rules.checkpoints import chain_problems
from tmo.scripts.anchors import Unusable, anchor_arguments, anchor_from
from tmo.scripts.environment import database_session, ini_argument, load_settings
from tmo.services import checkpoints, elections


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-election", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check an election's ballot box and count")
    verify.add_argument("election", type=int, help="the election's number")
    ini_argument(verify)
    anchor_arguments(verify, "the ballot log")
    args = parser.parse_args(argv)
    key = elections.chain_key(load_settings(args.config_uri)["tmo.secret"])
    with database_session(args.config_uri) as dbsession:
        election = dbsession.get(Election, args.election)
        if election is None:
            print(f"There is no election {args.election}.", file=sys.stderr)
            return 2
        try:
            anchor = anchor_from(
                args, verify, checkpoints.verify_key(dbsession), "ballots", election.id
            )
        except Unusable as problem:
            print(problem, file=sys.stderr)
            return 2
        problems = elections.verify(dbsession, election, key=key)
        opened = elections.opened(election)
        cast = election.ballots_cast
        ballots = [] if opened else elections.chain(dbsession, election, key)[0]
        head = election.chain_head
        if anchor is not None and opened:
            # The sealed ballots are gone once the box is opened: what remains to compare is the
            # head and the count the election recorded, against the checkpoint's.
            if anchor.at_close and (anchor.head, anchor.count) != (head, cast):
                problems.append(
                    f"ballots: the box opened held {cast} ballots ending at {head}, not the "
                    f"{anchor.count} ending at {anchor.head} of {anchor.name}"
                )
            elif anchor.count > cast:
                problems.append(
                    f"ballots: {anchor.name} counted {anchor.count} ballots; the box held {cast}"
                )
        elif anchor is not None:
            problems += [
                f"ballots: {problem}"
                for problem in chain_problems(
                    [ballot.hash for ballot in ballots],
                    first=ballots[0].previous_hash if ballots else head,
                    head=anchor.head,
                    count=anchor.count,
                    ends_there=anchor.at_close,
                    anchor=anchor.name,
                )
            ]
        counted = bool(election.result_sheet)
        title = election.title
    print(f"Election {args.election}: {title}")
    print(f"Ballots in the log: {cast}")
    print(f"Box: {'opened at the count' if opened else 'sealed'}")
    print(f"Published head: {head or '(none: the poll has not opened)'}")
    if anchor is not None:
        print(f"Checked against {anchor.name}: {anchor.count} ballots ending at {anchor.head}")
    for problem in problems:
        print(f"DIFFERENCE: {problem}")
    if problems:
        print(f"The election does NOT verify: {len(problems)} difference(s).")
        return 1
    if opened:
        print(
            "The election verifies: the counted ballots"
            + (" recount to the declared result sheet" if counted else "")
            + ", and there are as many trackers as ballots cast."
        )
    else:
        print("The election verifies: every sealed ballot's hash checks out to the head.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
