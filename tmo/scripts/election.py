"""``tmo-election verify ELECTION [INI]``: follow an election's ballot log from its first hash to
its published head, recompute every ballot's hash and, once counted, the count itself, and name
every difference. Exits 0 when everything agrees, 1 when anything does not, 2 when there is no
such election."""

import argparse
import sys

from tmo.models.elections import Election
from tmo.scripts.environment import database_session, ini_argument
from tmo.services import elections


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-election", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check an election's ballot log and count")
    verify.add_argument("election", type=int, help="the election's number")
    ini_argument(verify)
    args = parser.parse_args(argv)
    with database_session(args.config_uri) as dbsession:
        election = dbsession.get(Election, args.election)
        if election is None:
            print(f"There is no election {args.election}.", file=sys.stderr)
            return 2
        ballots, _ = elections.chain(dbsession, election)
        problems = elections.verify(dbsession, election)
        head = election.chain_head
        counted = bool(election.result_sheet)
        title = election.title
    print(f"Election {args.election}: {title}")
    print(f"Ballots in the log: {len(ballots)}")
    print(f"Published head: {head or '(none: the poll has not opened)'}")
    for problem in problems:
        print(f"DIFFERENCE: {problem}")
    if problems:
        print(f"The election does NOT verify: {len(problems)} difference(s).")
        return 1
    recount = " and recounting them gives the declared result sheet" if counted else ""
    print(f"The election verifies: every ballot's hash checks out{recount}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
