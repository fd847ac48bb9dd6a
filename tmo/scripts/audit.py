"""``tmo-audit verify [INI]``: recompute the audit log's hash chain and name any entry edited,
deleted or reordered behind the application's back. Exits 1 if the chain is broken."""

import argparse
import sys

from tmo.scripts.environment import database_session, ini_argument
from tmo.services.audit import verify_chain


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-audit", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check the audit log's hash chain")
    ini_argument(verify)
    args = parser.parse_args(argv)
    with database_session(args.config_uri) as dbsession:
        report = verify_chain(dbsession)
    for problem in report.problems:
        print(problem)
    if report.intact:
        print(f"The audit log is intact: {report.entries} entries, every hash checks out.")
        return 0
    print(
        f"The audit log is BROKEN: {len(report.problems)} problem(s) in {report.entries} entries."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
