"""Bringing the database in line with a checked register file: estates, blocks, homes and
tenancies added or updated, tenancies the file no longer lists ended, and the memberships resting
on them ceased; and the report of what changed (or, on a dry run, would have)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.models.membership import Block, Estate, Home, Member, Tenancy
from tmo.services import audit
from tmo.services.membership import cease_for_ended_tenancies
from tmo.services.properties.reading import Register, read_register

# Flushing in batches keeps a progress bar honest and the pending set small.
FLUSH_EVERY = 1000

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

    @property
    def changed_anything(self) -> bool:
        return any(self.counts().values())

    def lines(self) -> list[str]:
        """The report as plain text, for the console."""
        width = max(len(label) for _, label in self.COUNT_LABELS)
        heading = (
            f"{self.file_name}: {self.rows} rows, {self.homes_in_file} homes, "
            f"{self.tenancies_in_file} tenancy holders (as of {self.as_of.isoformat()})"
        )
        found = [heading]
        found += [f"  {label:<{width}}  {number:>6}" for label, number in self.labelled_counts()]
        if self.dry_run:
            found.append("Checked only: nothing was saved.")
        elif not self.changed_anything:
            found.append("The register already matched the file: nothing changed.")
        return found


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
        elif _update(home, values):
            report.homes_changed += 1
        if index % FLUSH_EVERY == 0:
            dbsession.flush()
    dbsession.flush()

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
        else:
            was_current = tenancy.end_date is None
            if _update(tenancy, values):
                if was_current and tenancy.end_date is not None:
                    report.tenancies_ended += 1
                else:
                    report.tenancies_changed += 1
        if index % FLUSH_EVERY == 0:
            dbsession.flush()

    # The file lists every current tenancy: one it no longer lists has ended.
    for key, tenancy in tenancies.items():
        if tenancy.end_date is None and key not in register.tenancies:
            tenancy.end_date = report.as_of
            report.tenancies_ended += 1
    dbsession.flush()

    # Every membership resting on a tenancy that has ended by the import date, whether this
    # import ended it or an earlier one recorded an end date that has since arrived.
    resting = dbsession.execute(
        select(Member.tenancy_id, Tenancy.end_date)
        .join(Tenancy, Member.tenancy_id == Tenancy.id)
        .where(Member.ceased_on.is_(None), Tenancy.end_date <= report.as_of)
    ).all()
    report.memberships_ceased = cease_for_ended_tenancies(
        dbsession, {tenancy_id: end_date for tenancy_id, end_date in resting}, actor_id
    )


def import_properties(
    dbsession: Session,
    rows_or_file,
    *,
    as_of: date,
    actor_id: int | None,
    dry_run: bool = False,
    file_name: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the council's register from ``rows_or_file`` (a path, the file's bytes, a file
    object, or rows as dicts). Raises PropertyImportError, having written nothing, if any row is
    wrong. A dry run does all the work inside a SAVEPOINT and rolls it back: the report is the
    same and nothing persists, not even the audit entry."""
    register, name = read_register(rows_or_file)
    report = ImportReport(
        file_name=file_name or name or "(rows)",
        as_of=as_of,
        dry_run=dry_run,
        rows=register.rows,
        homes_in_file=len(register.homes),
        tenancies_in_file=len(register.tenancies),
    )
    progress = progress or _no_progress
    if dry_run:
        savepoint = dbsession.begin_nested()
        try:
            _apply(dbsession, register, report, actor_id, progress)
        finally:
            savepoint.rollback()
        return report
    _apply(dbsession, register, report, actor_id, progress)
    audit.record(
        dbsession,
        "properties.imported",
        actor_id=actor_id,
        file=report.file_name,
        as_of=as_of.isoformat(),
        rows=report.rows,
        **report.counts(),
    )
    return report
