"""``tmo-import-properties FILE [--config INI] [--dry-run] [--confirm N] [--as-of YYYY-MM-DD]``:
import the council's property register CSV and print what changed, line by line. Every wrong line
is printed to stderr and nothing is written (exit 1); a file that does not exist exits 2.
``--dry-run`` checks the file and reports what would change without saving it. An import that
would cease memberships or end tenancies above the constitution's limit is refused with nothing
written (exit 3) unless ``--confirm N`` gives the number it prints. ``--as-of`` is the date on
which tenancies missing from the file end (today unless given).
"""

import argparse
import sys
from datetime import date
from pathlib import Path

from tqdm import tqdm

from tmo.scripts.environment import database_session, today_for
from tmo.services.constitution import constitution_on
from tmo.services.properties import (
    ImportNotConfirmed,
    PropertyImportError,
    describe_error,
    import_properties,
)

# Smaller files import in a blink: a progress bar would only flicker.
PROGRESS_FROM_ROWS = 500


def progress_bar(items, total: int, description: str):
    # disable=None hides the bar when stderr is not a terminal (cron, a pipe, a test).
    return tqdm(
        items,
        total=total,
        desc=description,
        unit=" rows",
        file=sys.stderr,
        leave=False,
        disable=True if total <= PROGRESS_FROM_ROWS else None,
    )


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="tmo-import-properties",
        description="Import the council's property register CSV and print what changed.",
    )
    parser.add_argument("file", type=Path, help="the council's CSV export")
    parser.add_argument(
        "--config", default="development.ini", help="the ini file (development.ini)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and report, saving nothing"
    )
    parser.add_argument(
        "--confirm",
        type=int,
        default=None,
        metavar="N",
        help="the number of memberships ceasing (or tenancies ending) that a large import prints",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        help="the date tenancies missing from the file end (today)",
    )
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"tmo-import-properties: no such file: {args.file}", file=sys.stderr)
        return 2
    as_of = args.as_of or today_for(args.config)
    with database_session(args.config) as dbsession:
        rules = constitution_on(dbsession, as_of)
        try:
            report = import_properties(
                dbsession,
                args.file,
                as_of=as_of,
                actor_id=None,
                confirm_percent=rules.membership.import_confirm_percent,
                confirmed=args.confirm,
                dry_run=args.dry_run,
                progress=progress_bar,
            )
        except ImportNotConfirmed as refusal:
            print("\n".join(refusal.report.lines()), file=sys.stderr)
            print(f"tmo-import-properties: {refusal}", file=sys.stderr)
            print(
                f"Run it again with --confirm {refusal.report.confirmation_number} to import.",
                file=sys.stderr,
            )
            return 3
        except PropertyImportError as error:
            for problem in error.errors:
                print(describe_error(*problem), file=sys.stderr)
            count = len(error.errors)
            print(
                f"{count} problem{'s' if count != 1 else ''} in {args.file.name}: "
                "nothing was imported.",
                file=sys.stderr,
            )
            return 1
        if not args.dry_run:
            dbsession.commit()
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
