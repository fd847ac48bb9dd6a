"""Bringing the database in line with a checked register file: estates, blocks, homes and
tenancies added or updated, tenancies the file no longer lists ended, and the memberships resting
on them ceased; and the report of what changed (or, on a dry run, would have)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tmo.models.membership import Block, Estate, Home, Member, Tenancy
from tmo.refusal import Refusal
from tmo.services import audit
from tmo.services.membership import cease_for_ended_tenancies
from tmo.services.properties.reading import Register, read_register

# Flushing in batches keeps a progress bar honest and the pending set small.
FLUSH_EVERY = 1000

# How many of each kind of change a report names line by line; the counts are always whole.
LINES_KEPT = 500

# progress(items, total, description) -> the same items, reporting as they pass (tqdm, say).
Progress = Callable[[Iterable, int, str], Iterable]


@dataclass
class ImportReport:
    file_name: str
    as_of: date
    dry_run: bool
    rows: int = 0
    homes_in_file: int = 0
    tenancies_in_file: int = 0
    homes_added: int = 0
    homes_changed: int = 0
    tenancies_added: int = 0
    tenancies_changed: int = 0
    tenancies_ended: int = 0
    memberships_ceased: int = 0
    #: Above these, ending tenancies or ceasing memberships must be confirmed (None: no limit).
    tenancies_limit: int | None = None
    memberships_limit: int | None = None
    #: The number that was typed to confirm it, if any.
    confirmed: int | None = None
    #: Each kind of change (a COUNT_LABELS name) -> up to LINES_KEPT lines naming what changes.
    details: dict[str, list[str]] = field(default_factory=dict)

    COUNT_LABELS = (
        ("homes_added", "Homes added"),
        ("homes_changed", "Homes changed"),
        ("tenancies_added", "Tenancies added"),
        ("tenancies_changed", "Tenancies changed"),
        ("tenancies_ended", "Tenancies ended"),
        ("memberships_ceased", "Memberships ceased"),
    )

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _ in self.COUNT_LABELS}

    def labelled_counts(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, name)) for name, label in self.COUNT_LABELS]

    def note(self, name: str, line: str) -> None:
        kept = self.details.setdefault(name, [])
        if len(kept) < LINES_KEPT:
            kept.append(line)

    def changes(self) -> list[tuple[str, int, list[str]]]:
        """(label, count, the lines kept) of each kind of change that happens."""
        return [
            (label, getattr(self, name), self.details.get(name, []))
            for name, label in self.COUNT_LABELS
            if getattr(self, name)
        ]

    @property
    def changed_anything(self) -> bool:
        return any(self.counts().values())

    @property
    def loses_anything(self) -> bool:
        """Whether the import ends a tenancy or ceases a membership: worth a warning."""
        return bool(self.tenancies_ended or self.memberships_ceased)

    @property
    def confirmation_number(self) -> int | None:
        """The number to type to confirm an import above the limit (None: no need)."""
        if self.memberships_limit is not None and self.memberships_ceased > self.memberships_limit:
            return self.memberships_ceased
        if self.tenancies_limit is not None and self.tenancies_ended > self.tenancies_limit:
            return self.tenancies_ended
        return None

    def confirmation_prompt(self) -> str:
        number = self.confirmation_number
        if number is None:
            return ""
        if number == self.memberships_ceased and self.memberships_ceased:
            what = f"{plural(number, 'membership')} will cease"
        else:
            what = f"{plural(number, 'tenancy', 'tenancies')} will end"
        return f"Type {number} to confirm that {what}."

    def loss_summary(self) -> str:
        parts = []
        if self.tenancies_ended:
            parts.append(f"end {plural(self.tenancies_ended, 'tenancy', 'tenancies')}")
        if self.memberships_ceased:
            parts.append(f"cease {plural(self.memberships_ceased, 'membership')}")
        return " and ".join(parts)

    def lines(self, listed: int = 50) -> list[str]:
        """The report as plain text, for the console, naming up to ``listed`` of each change."""
        width = max(len(label) for _, label in self.COUNT_LABELS)
        heading = (
            f"{self.file_name}: {self.rows} rows, {self.homes_in_file} homes, "
            f"{self.tenancies_in_file} tenancy holders (as of {self.as_of.isoformat()})"
        )
        found = [heading]
        found += [f"  {label:<{width}}  {number:>6}" for label, number in self.labelled_counts()]
        for label, number, lines in self.changes():
            found.append(f"{label}:")
            found += [f"  {line}" for line in lines[:listed]]
            if number > len(lines[:listed]):
                found.append(f"  and {number - len(lines[:listed])} more")
        if self.dry_run and self.loses_anything:
            found.append(f"Warning: importing this file would {self.loss_summary()}.")
        if self.dry_run:
            found.append("Checked only: nothing was saved.")
        elif not self.changed_anything:
            found.append("The register already matched the file: nothing changed.")
        return found


def plural(number: int, word: str, words: str | None = None) -> str:
    return f"{number} {word if number == 1 else (words or word + 's')}"


class ImportNotConfirmed(Refusal):
    """An import that would end tenancies or cease memberships above the constitution's limit,
    without the number typed to confirm it: nothing was changed. ``report`` is what it would do."""

    field = "confirm"

    def __init__(self, report: "ImportReport"):
        number = report.confirmation_number
        if report.confirmed is None:
            message = (
                f"Importing this file would {report.loss_summary()}. Nothing has been changed. "
                f"{report.confirmation_prompt()}"
            )
        else:
            message = (
                f"You typed {report.confirmed}, but importing this file would "
                f"{report.loss_summary()}: nothing has been changed. Check the list below; to go "
                f"ahead, type {number}."
            )
        super().__init__(message)
        self.report = report


def _no_progress(items: Iterable, total: int, description: str) -> Iterable:
    return items


def _update(record, values: dict) -> bool:
    """Set each of ``values`` on ``record`` that differs; whether any did."""
    changed = False
    for attribute, value in values.items():
        if getattr(record, attribute) != value:
            setattr(record, attribute, value)
            changed = True
    return changed


def _apply(
    dbsession: Session, register: Register, report: ImportReport, actor_id, progress: Progress
):
    estates = {estate.name: estate for estate in dbsession.scalars(select(Estate))}
    blocks = {
        (estate_name, block.name): block
        for block, estate_name in dbsession.execute(select(Block, Estate.name).join(Block.estate))
    }
    homes = {home.reference: home for home in dbsession.scalars(select(Home))}
    tenancies = {
        (tenancy.reference, tenancy.holder_number): tenancy
        for tenancy in dbsession.scalars(select(Tenancy))
    }

    # Estates and blocks first, so that every home can be given their ids.
    for record in register.homes.values():
        if record.estate not in estates:
            estates[record.estate] = Estate(name=record.estate)
            dbsession.add(estates[record.estate])
        if record.block and (record.estate, record.block) not in blocks:
            block = Block(estate=estates[record.estate], name=record.block)
            blocks[(record.estate, record.block)] = block
            dbsession.add(block)
    dbsession.flush()

    total = len(register.homes)
    for index, record in enumerate(progress(register.homes.values(), total, "Homes"), start=1):
        block = blocks.get((record.estate, record.block))
        values = {
            "estate_id": estates[record.estate].id,
            "block_id": block.id if block else None,
            "address_line_1": record.address_line_1,
            "address_line_2": record.address_line_2,
            "postcode": record.postcode,
            "ward": record.ward,
            "tenure_type": record.tenure_type,
        }
        home = homes.get(record.reference)
        if home is None:
            homes[record.reference] = Home(reference=record.reference, **values)
            dbsession.add(homes[record.reference])
            report.homes_added += 1
            report.note("homes_added", f"{record.reference}: {homes[record.reference].address}")
        elif _update(home, values):
            report.homes_changed += 1
            report.note("homes_changed", f"{record.reference}: {home.address}")
        if index % FLUSH_EVERY == 0:
            dbsession.flush()
    dbsession.flush()
    home_by_id = {home.id: home for home in homes.values()}

    def described(reference, holder_number, name, home_id) -> str:
        return f"{reference}/{holder_number} {name}, {home_by_id[home_id].address}"

    total = len(register.tenancies)
    items = progress(register.tenancies.values(), total, "Tenancies")
    for index, record in enumerate(items, start=1):
        values = {
            "home_id": homes[record.home_reference].id,
            "holder_name": record.holder_name,
            "holding": record.holding,
            "start_date": record.start_date,
            "end_date": record.end_date,
        }
        tenancy = tenancies.get(record.key)
        if tenancy is None:
            dbsession.add(
                Tenancy(reference=record.reference, holder_number=record.holder_number, **values)
            )
            report.tenancies_added += 1
            report.note(
                "tenancies_added",
                described(
                    record.reference, record.holder_number, record.holder_name, values["home_id"]
                ),
            )
        else:
            was_current = tenancy.end_date is None
            if _update(tenancy, values):
                line = described(
                    tenancy.reference, tenancy.holder_number, tenancy.holder_name, tenancy.home_id
                )
                if was_current and tenancy.end_date is not None:
                    report.tenancies_ended += 1
                    report.note("tenancies_ended", f"{line} (ends {tenancy.end_date.isoformat()})")
                else:
                    report.tenancies_changed += 1
                    report.note("tenancies_changed", line)
        if index % FLUSH_EVERY == 0:
            dbsession.flush()

    # The file lists every current tenancy: one it no longer lists has ended.
    for key, tenancy in tenancies.items():
        if tenancy.end_date is None and key not in register.tenancies:
            tenancy.end_date = report.as_of
            report.tenancies_ended += 1
            report.note(
                "tenancies_ended",
                described(
                    tenancy.reference, tenancy.holder_number, tenancy.holder_name, tenancy.home_id
                )
                + " (not in the file)",
            )
    dbsession.flush()

    # Every membership resting on a tenancy that has ended by the import date, whether this
    # import ended it or an earlier one recorded an end date that has since arrived.
    resting = dbsession.execute(
        select(
            Member.tenancy_id, Tenancy.end_date, Member.member_number, Member.name, Member.address
        )
        .join(Tenancy, Member.tenancy_id == Tenancy.id)
        .where(Member.ceased_on.is_(None), Tenancy.end_date <= report.as_of)
        .order_by(Member.member_number)
    ).all()
    for _, end_date, number, name, address in resting:
        report.note(
            "memberships_ceased",
            f"Member {number} {name}, {address} (ceases {end_date.isoformat()})",
        )
    report.memberships_ceased = cease_for_ended_tenancies(
        dbsession, {tenancy_id: end_date for tenancy_id, end_date, *_ in resting}, actor_id
    )


def _limits(dbsession: Session, confirm_percent: int | None) -> tuple[int | None, int | None]:
    """(tenancies, memberships) an import may end or cease without being confirmed: the share
    ``confirm_percent`` of today's current tenancies and members, rounded down."""
    if confirm_percent is None:
        return None, None
    current = dbsession.scalar(
        select(func.count()).select_from(Tenancy).where(Tenancy.end_date.is_(None))
    )
    members = dbsession.scalar(
        select(func.count()).select_from(Member).where(Member.ceased_on.is_(None))
    )
    return current * confirm_percent // 100, members * confirm_percent // 100


def import_properties(
    dbsession: Session,
    rows_or_file,
    *,
    as_of: date,
    actor_id: int | None,
    confirm_percent: int | None,
    confirmed: int | None = None,
    dry_run: bool = False,
    file_name: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the council's register from ``rows_or_file`` (a path, the file's bytes, a file
    object, or rows as dicts). Raises PropertyImportError, having written nothing, if any row is
    wrong. A dry run does all the work inside a SAVEPOINT and rolls it back: the report is the
    same and nothing persists, not even the audit entry.

    An import that would end more than ``confirm_percent`` of the current tenancies or cease more
    than that share of the members (the constitution's ``membership.import_confirm_percent``;
    None: no limit, for the tests of other things) raises ImportNotConfirmed, having written
    nothing, unless ``confirmed`` is the number its report asks to be typed."""
    register, name = read_register(rows_or_file)
    tenancies_limit, memberships_limit = _limits(dbsession, confirm_percent)
    report = ImportReport(
        file_name=file_name or name or "(rows)",
        as_of=as_of,
        dry_run=dry_run,
        rows=register.rows,
        homes_in_file=len(register.homes),
        tenancies_in_file=len(register.tenancies),
        tenancies_limit=tenancies_limit,
        memberships_limit=memberships_limit,
        confirmed=confirmed,
    )
    progress = progress or _no_progress
    # Always inside a SAVEPOINT, so that a dry run or an unconfirmed import leaves no trace.
    savepoint = dbsession.begin_nested()
    try:
        _apply(dbsession, register, report, actor_id, progress)
    except BaseException:
        savepoint.rollback()
        raise
    needed = report.confirmation_number
    if dry_run or (needed is not None and confirmed != needed):
        savepoint.rollback()
        if dry_run:
            return report
        raise ImportNotConfirmed(report)
    savepoint.commit()
    audit.record(
        dbsession,
        "properties.imported",
        actor_id=actor_id,
        file=report.file_name,
        as_of=as_of.isoformat(),
        rows=report.rows,
        confirmed=confirmed if needed is not None else None,
        **report.counts(),
    )
    return report
