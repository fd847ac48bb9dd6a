"""``tmo-demo``: load the demo TMO (tmo.demo) into an empty database, and leave a loaded one
alone. The demo is dated as of today in London, and this is the one place that reads the clock
for it."""

import argparse
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from tmo.demo import (
    DEMO_ACCOUNTS,
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    DEMO_YOUTH_ACCOUNTS,
    DEMO_YOUTH_APPLICANT,
    load_demo,
)
from tmo.scripts.environment import database_session, ini_argument


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-demo", description=__doc__.splitlines()[0])
    ini_argument(parser)
    args = parser.parse_args(argv)
    today = datetime.now(ZoneInfo("Europe/London")).date()
    with database_session(args.config_uri) as dbsession:
        loaded = load_demo(dbsession, today)
        dbsession.commit()
    if loaded:
        print(f"Loaded the demo TMO. Log in as any of these with the password {DEMO_PASSWORD}:")
        for email, _, roles in DEMO_ACCOUNTS:
            print(f"  {email:32} {', '.join(r.label for r in roles) or 'Resident'}")
        for email in DEMO_APPLICANTS:
            print(f"  {email:32} Resident, applied to join")
        for email, _, _, age in DEMO_YOUTH_ACCOUNTS:
            print(f"  {email:32} Youth forum member, aged {age}")
        print(f"  {DEMO_YOUTH_APPLICANT[0]:32} Resident, asked to join the Youth Forum")
    else:
        print("The database already holds data: the demo was not loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
