"""``tmo-audit verify [INI] [--checkpoint FILE | --head HEX --count N]``: recompute the audit
log's hash chain and name any entry edited, deleted or reordered behind the application's back;
given a head kept outside the database (a signed checkpoint as emailed), also any removed from
its end or rewritten. Exits 1 if the chain is broken, 2 if the checkpoint is refused.
``tmo-audit public-key [INI]``: the server's key that signs checkpoints, for those who keep
them."""

import argparse
import sys

from tmo.rules.checkpoints import fingerprint, public_key_text
from tmo.scripts.anchors import Unusable, anchor_arguments, anchor_from
from tmo.scripts.environment import database_session, ini_argument
from tmo.services import audit, checkpoints


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-audit", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check the audit log's hash chain")
    ini_argument(verify)
    anchor_arguments(verify, "the audit log")
    public_key = commands.add_parser("public-key", help="the key that signs checkpoints")
    ini_argument(public_key)
    args = parser.parse_args(argv)
    with database_session(args.config_uri) as dbsession:
        key = checkpoints.verify_key(dbsession)
        if args.command == "public-key":
            print(f"{fingerprint(key)}\n{public_key_text(key)}")
            return 0
        try:
            anchor = anchor_from(args, verify, key, "audit")
        except Unusable as problem:
            print(problem, file=sys.stderr)
            return 2
        report = audit.verify_chain(dbsession, anchor)
    for problem in report.problems:
        print(problem)
    if report.unkeyed:
        print(
            f"{report.unkeyed} entries from before the log was keyed have plain SHA-256 hashes, "
            "which anyone could recompute: only a checkpoint vouches for them."
        )
    if report.intact:
        anchored = f"; it holds the head of {anchor.name}" if anchor else ""
        print(
            f"The audit log is intact: {report.entries} entries, every hash checks out{anchored}."
        )
        return 0
    print(
        f"The audit log is BROKEN: {len(report.problems)} problem(s) in {report.entries} entries."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
