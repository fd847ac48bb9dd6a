"""``tmo-restore [INI] FILE [--force]``: bring a backup written by ``tmo-backup`` back into the
configured database (SQLite: into its file; PostgreSQL: ``pg_restore --clean --if-exists`` in one
transaction). Refuses a database that already holds data unless ``--force``. Exits 1, saying why,
when nothing was restored."""

import argparse
import sys

from pyramid.exceptions import ConfigurationError

from tmo.scripts.environment import database_url_for
from tmo.services.backups import BackupFailed, restore


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-restore", description=__doc__.splitlines()[0])
    parser.add_argument("arguments", nargs="+", metavar="[INI] FILE", help="the ini, the backup")
    parser.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    args = parser.parse_args(argv)
    if len(args.arguments) > 2:
        parser.error("give at most an ini file and the backup's file")
    *ini, file = args.arguments
    try:
        url = database_url_for(ini[0] if ini else "development.ini")
        print(restore(url, file, force=args.force))
    except (BackupFailed, ConfigurationError) as failure:
        print(f"Nothing was restored. {failure}", file=sys.stderr)
        return 1
    print(
        "If the app is newer than the backup, run its migrations next "
        "(alembic -c INI upgrade head); restart the app."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
