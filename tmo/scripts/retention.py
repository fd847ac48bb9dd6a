"""``tmo-retention [--config INI] [--dry-run]``: purge the register entries of former members
whose retention period (the constitution's, at least the Companies Act's 10 years) has passed.

A purged entry keeps only its member number and dates, so numbers are never reused."""

import argparse
import sys
from datetime import date

from tmo.scripts.environment import clock_for, database_session
from tmo.services.constitution import constitution_on
from tmo.services.membership import entries_due_for_purge, purge


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-retention", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="development.ini", help="the ini file")
    parser.add_argument("--dry-run", action="store_true", help="list what is due; purge nothing")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    clock = clock_for(args.config)
    today = args.today or clock.today()
    with database_session(args.config) as dbsession:
        rules = constitution_on(dbsession, today)
        due = entries_due_for_purge(dbsession, rules, today)
        years = rules.membership.register_retention_years
        for member in due:
            print(f"{member.number_label}  ceased {member.ceased_on.isoformat()}")
        if args.dry_run:
            print(f"{len(due)} former member(s) ceased over {years} years ago: nothing purged.")
            return 0
        purge(dbsession, due, clock.now())
        dbsession.commit()
    print(
        f"Purged {len(due)} register entr{'y' if len(due) == 1 else 'ies'} "
        f"of members who ceased over {years} years ago."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
