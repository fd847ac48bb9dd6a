"""``tmo-demo``: load the demo TMO (tmo.demo) into an empty database, and leave a loaded one
alone. The demo is dated as of today in London, or as of the day ``--today`` gives, and this is
the deployment's clock (``tmo.clock``) gives it."""

import argparse
import re
import sys
from datetime import date

from tmo.demo import (
    DEMO_ACCOUNTS,
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    DEMO_SEALING_PHRASE,
    DEMO_YOUTH_ACCOUNTS,
    DEMO_YOUTH_APPLICANT,
    load_demo,
)
from tmo.scripts.environment import database_session, ini_argument, load_settings, today_for

# date.fromisoformat also takes 20270315 and 2027-W11-1; the option promises only this form.
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day_argument(text: str) -> date:
    if not DAY_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(f"give the day as YYYY-MM-DD, not '{text}'")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a day of the calendar") from None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-demo", description=__doc__.splitlines()[0])
    ini_argument(parser)
    parser.add_argument(
        "--today",
        type=day_argument,
        metavar="YYYY-MM-DD",
        help="the day the demo is dated as of (default: today in London)",
    )
    args = parser.parse_args(argv)
    today = args.today or today_for(args.config_uri)
    with database_session(args.config_uri) as dbsession:
        loaded = load_demo(dbsession, today, secret=load_settings(args.config_uri)["tmo.secret"])
        dbsession.commit()
    if loaded:
        print(f"Loaded the demo TMO as of {today:%-d %B %Y}.")
        print(f"Log in as any of these with the password {DEMO_PASSWORD}:")
        for email, _, roles in DEMO_ACCOUNTS:
            print(f"  {email:32} {', '.join(r.label for r in roles) or 'Resident'}")
        for email in DEMO_APPLICANTS:
            print(f"  {email:32} Resident, applied to join")
        for email, _, _, age in DEMO_YOUTH_ACCOUNTS:
            print(f"  {email:32} Youth forum member, aged {age}")
        print(f"  {DEMO_YOUTH_APPLICANT[0]:32} Resident, asked to join the Youth Forum")
        print("The board election's poll has closed with its ballots sealed: its scrutineer")
        print("(scrutineer@example.org) opens the box and counts with the demo's recovery")
        print("phrase, then the returning officer declares. The phrase:")
        print(f"  {DEMO_SEALING_PHRASE}")
    else:
        print("The database already holds data: the demo was not loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
