"""The Youth Forum's budget year and its ledger: opening a year with the constitution's
allocation, closing an ended one (its money lapsing or carrying over), adjustments, and every
entry checked against the year's balances with the year's row locked.

Money is committed with the year's budget row locked (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite every write transaction begins IMMEDIATE) and the remaining money checked in the same
transaction, so the budget is never over-committed however many approvals race.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.youth import YouthBudgetYear, YouthLedgerEntry, YouthProposal
from tmo.rules import youth as rules
from tmo.rules.youth import YouthError
from tmo.services import audit


def year_for(dbsession: Session, constitution: Constitution, day: date) -> YouthBudgetYear | None:
    start = rules.year_start(day, constitution.youth)
    return dbsession.scalar(select(YouthBudgetYear).where(YouthBudgetYear.starts_on == start))


def newest_open_year(dbsession: Session) -> YouthBudgetYear | None:
    """The budget year proposals are made against: the newest not yet closed (opening a year
    closes the one before it)."""
    return dbsession.scalar(
        select(YouthBudgetYear)
        .where(YouthBudgetYear.closed_on.is_(None))
        .order_by(YouthBudgetYear.starts_on.desc())
        .limit(1)
    )


def lock_year(dbsession: Session, year_id: int) -> YouthBudgetYear:
    """The year's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
    IMMEDIATE transaction already holds the database's write lock), and read afresh."""
    return dbsession.scalar(
        select(YouthBudgetYear)
        .where(YouthBudgetYear.id == year_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def as_entry(entry: YouthLedgerEntry) -> rules.Entry:
    return rules.Entry(entry.kind, entry.amount_pence, entry.proposal_id)


def year_entries(dbsession: Session, year: YouthBudgetYear) -> list[YouthLedgerEntry]:
    return list(
        dbsession.scalars(
            select(YouthLedgerEntry)
            .where(YouthLedgerEntry.year_id == year.id)
            .order_by(YouthLedgerEntry.id)
        )
    )


def year_balances(dbsession: Session, year: YouthBudgetYear) -> rules.Balances:
    return rules.balances(as_entry(e) for e in year_entries(dbsession, year))


def outstanding(dbsession: Session, year: YouthBudgetYear, proposal: YouthProposal) -> int:
    """What the year has committed to ``proposal`` and not yet spent or released."""
    return rules.outstanding([as_entry(e) for e in year_entries(dbsession, year)], proposal.id)


def add_entry(
    dbsession: Session,
    year: YouthBudgetYear,
    kind: str,
    amount: int,
    *,
    on: date,
    actor_id: int | None,
    proposal: YouthProposal | None = None,
    reason: str = "",
    receipt=None,
) -> YouthLedgerEntry:
    """One ledger entry, checked against the year's balances as they stand. The caller holds
    the year's lock (``lock_year``)."""
    entries = [as_entry(e) for e in year_entries(dbsession, year)]
    new = rules.Entry(kind, amount, proposal.id if proposal else None)
    committed = rules.outstanding(entries, proposal.id) if proposal else 0
    problems = rules.entry_problems(rules.balances(entries), new, committed)
    if problems:
        raise YouthError(" ".join(problems))
    entry = YouthLedgerEntry(
        year_id=year.id,
        kind=kind,
        amount_pence=amount,
        proposal_id=proposal.id if proposal else None,
        entry_date=on,
        reason=reason,
        receipt_file_id=receipt.id if receipt else None,
        actor_id=actor_id,
    )
    dbsession.add(entry)
    year.revision += 1
    dbsession.flush()
    audit.record(
        dbsession,
        f"youth.ledger.{kind}",
        actor_id=actor_id,
        target=entry,
        year=rules.year_label(year.starts_on),
        amount_pence=amount,
        proposal=entry.proposal_id,
    )
    return entry


def open_year(
    dbsession: Session, constitution: Constitution, *, day: date, actor_id: int | None
) -> YouthBudgetYear:
    """The budget year ``day`` falls in, allocated the constitution's amount; the year before,
    if it has ended and is still open, is closed first (its money lapsing or carrying over)."""
    rules_ = constitution.youth
    start = rules.year_start(day, rules_)
    if year_for(dbsession, constitution, day) is not None:
        raise YouthError(f"The {rules.year_label(start)} budget is already open.")
    previous = dbsession.scalar(
        select(YouthBudgetYear)
        .where(YouthBudgetYear.starts_on < start, YouthBudgetYear.closed_on.is_(None))
        .order_by(YouthBudgetYear.starts_on.desc())
        .limit(1)
    )
    year = YouthBudgetYear(starts_on=start, ends_on=rules.year_end(start))
    dbsession.add(year)
    try:
        with dbsession.begin_nested():
            dbsession.flush()
    except IntegrityError:
        raise YouthError(f"The {rules.year_label(start)} budget is already open.") from None
    add_entry(
        dbsession,
        year,
        rules.ALLOCATION,
        rules_.annual_budget_pence,
        on=start,
        actor_id=actor_id,
        reason=f"Devolved budget for {rules.year_label(start)}",
    )
    if previous is not None and previous.ends_on <= day:
        close_year(dbsession, constitution, previous, into=year, actor_id=actor_id, today=day)
    return year


def close_year(
    dbsession: Session,
    constitution: Constitution,
    year: YouthBudgetYear,
    *,
    into: YouthBudgetYear | None,
    actor_id: int | None,
    today: date,
) -> int:
    """End an ended year: the money left neither committed nor spent lapses, or carries over
    into ``into`` as the constitution says. Returns the amount."""
    year = lock_year(dbsession, year.id)
    if year.closed_on is not None:
        raise YouthError("This budget year is already closed.")
    if today < year.ends_on:
        raise YouthError("A budget year can be closed only after it ends.")
    amount = rules.year_end_amount(year_balances(dbsession, year))
    carry = constitution.youth.unspent_at_year_end == "carry_over" and into is not None
    if amount:
        label = rules.year_label(year.starts_on)
        add_entry(
            dbsession,
            year,
            rules.LAPSE,
            amount,
            on=year.ends_on,
            actor_id=actor_id,
            reason=f"Carried over to {rules.year_label(into.starts_on)}" if carry else "Lapsed",
        )
        if carry:
            add_entry(
                dbsession,
                lock_year(dbsession, into.id),
                rules.ALLOCATION,
                amount,
                on=into.starts_on,
                actor_id=actor_id,
                reason=f"Carried over from {label}",
            )
    year.closed_on = today
    audit.record(dbsession, "youth.year_closed", actor_id=actor_id, target=year, amount=amount)
    return amount


def adjust_budget(
    dbsession: Session,
    constitution: Constitution,
    *,
    amount: int,
    reason: str,
    actor_id: int | None,
    today: date,
) -> YouthLedgerEntry:
    if not reason:
        raise YouthError("Give the reason for the adjustment.")
    year = open_year_for(dbsession, constitution, today)
    return add_entry(
        dbsession, year, rules.ADJUSTMENT, amount, on=today, actor_id=actor_id, reason=reason
    )


def open_year_for(dbsession: Session, constitution: Constitution, day: date) -> YouthBudgetYear:
    """Today's budget year, locked; YouthError when it has not been opened."""
    year = year_for(dbsession, constitution, day)
    if year is None:
        start = rules.year_start(day, constitution.youth)
        raise YouthError(
            f"The {rules.year_label(start)} budget has not been opened yet: a youth worker "
            "opens it."
        )
    return lock_year(dbsession, year.id)
