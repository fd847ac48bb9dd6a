"""``tmo-retention [--config INI] [--dry-run]``: purge the register entries of former members
whose retention period (the constitution's, at least the Companies Act's 10 years) has passed,
and list the meetings whose minutes have been kept for the constitution's years.

A purged entry keeps only its member number and dates, so numbers are never reused. Minutes are
never deleted: they are the company's record of what it decided, and the law sets only how long
they must at least be kept (s248, s355); past that, destroying them is for the board to decide."""

import argparse
import sys
from datetime import date

from tmo.clock import london_day
from tmo.scripts.environment import clock_for, database_session
from tmo.services import meetings
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
        list_minutes_past_retention(dbsession, rules, today)
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


def list_minutes_past_retention(dbsession, rules, today: date) -> None:
    kept = meetings.past_retention(dbsession, rules, today)
    years = rules.meetings.minutes_retention_years
    for meeting in kept:
        print(
            f"Minutes of {meeting.body.name}: {meeting.title}, "
            f"{london_day(meeting.starts_at):%-d %B %Y}, "
            f"kept until {meetings.kept_until(meeting, rules):%-d %B %Y}"
        )
    print(
        f"{len(kept)} meeting(s)' minutes kept for the constitution's {years} years: "
        "the board may decide to destroy them; nothing is deleted here."
    )


if __name__ == "__main__":
    sys.exit(main())
