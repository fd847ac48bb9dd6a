"""``tmo-backup [INI] FILE``: write a consistent copy of the configured database to FILE while
the app serves (SQLite through its online backup API, PostgreSQL through ``pg_dump -Fc``). The
copy holds no secret: keep ``TMO_SECRET`` apart, or the audit chain and the voting codes in it
cannot be checked. Exits 1, saying why, when no backup was written."""

import argparse
import sys

from pyramid.exceptions import ConfigurationError

from tmo.scripts.environment import database_url_for
from tmo.services.backups import BackupFailed, backup


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-backup", description=__doc__.splitlines()[0])
    parser.add_argument("arguments", nargs="+", metavar="[INI] FILE", help="the ini, the backup")
    args = parser.parse_args(argv)
    if len(args.arguments) > 2:
        parser.error("give at most an ini file and the backup's file")
    *ini, file = args.arguments
    try:
        url = database_url_for(ini[0] if ini else "development.ini")
        print(backup(url, file))
    except (BackupFailed, ConfigurationError) as failure:
        print(f"No backup was written. {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
