"""``tmo-election verify ELECTION [INI]``: check an election's ballot box and count, and name
every difference. Before the box is opened: follow the sealed ballots' keyed chain from its first
hash to the election's head (the key is derived from the deployment's ``tmo.secret``). After:
recount the counted ballots to the result sheet and check there are as many trackers, counted
ballots and roll marks as ballots recorded at the head. Exits 0 when everything agrees, 1 when
anything does not, 2 when there is no such election."""

import argparse
import sys

from tmo.models.elections import Election
from tmo.scripts.environment import database_session, ini_argument, load_settings
from tmo.services import elections


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-election", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check an election's ballot box and count")
    verify.add_argument("election", type=int, help="the election's number")
    ini_argument(verify)
    args = parser.parse_args(argv)
    key = elections.chain_key(load_settings(args.config_uri)["tmo.secret"])
    with database_session(args.config_uri) as dbsession:
        election = dbsession.get(Election, args.election)
        if election is None:
            print(f"There is no election {args.election}.", file=sys.stderr)
            return 2
        problems = elections.verify(dbsession, election, key=key)
        opened = elections.opened(election)
        cast = election.ballots_cast
        head = election.chain_head
        counted = bool(election.result_sheet)
        title = election.title
    print(f"Election {args.election}: {title}")
    print(f"Ballots in the log: {cast}")
    print(f"Box: {'opened at the count' if opened else 'sealed'}")
    print(f"Published head: {head or '(none: the poll has not opened)'}")
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
