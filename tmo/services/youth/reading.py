"""Reading the Youth Forum's budget and proposals: the year asked for, a year's summary by kind
of idea and by month, its ledger with the running balances, the proposals funded, waiting for
the board or in a year, and the lists of proposals a person may see."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tmo.constitution import Constitution
from tmo.models.youth import YouthBudgetYear, YouthLedgerEntry, YouthMember, YouthProposal
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus
from tmo.services.search import LIKE_ESCAPE, contains_pattern
from tmo.services.youth.budget import as_entry, year_entries, year_for
from tmo.services.youth.proposals import CATEGORIES, CATEGORY_NAMES


@dataclass(frozen=True)
class Summary:
    year: YouthBudgetYear
    balances: rules.Balances
    by_category: list[tuple[str, int, int]]  # (category name, committed, spent)
    months: list[tuple[date, int, int]]  # (month, committed so far, spent so far)


def summary(dbsession: Session, year: YouthBudgetYear, today: date) -> Summary:
    entries = year_entries(dbsession, year)
    proposals = {p.id: p for p in year_proposals(dbsession, year)}
    totals: dict[str, list[int]] = {key: [0, 0] for key, _ in CATEGORIES}
    for entry in entries:
        proposal = proposals.get(entry.proposal_id)
        if proposal is None:
            continue
        _, c, s = rules.EFFECTS[entry.kind]
        totals[proposal.category][0] += c * entry.amount_pence
        totals[proposal.category][1] += s * entry.amount_pence
    by_category = [
        (CATEGORY_NAMES[key], committed, spent)
        for key, (committed, spent) in totals.items()
        if committed or spent
    ]
    months = rules.monthly_totals(
        year.starts_on, [(e.entry_date, as_entry(e)) for e in entries], today
    )
    return Summary(year, rules.balances(as_entry(e) for e in entries), by_category, months)


def status_counts(dbsession: Session) -> dict[str, int]:
    rows = dbsession.execute(
        select(YouthProposal.status, func.count()).group_by(YouthProposal.status)
    )
    return dict(rows.all())


def chosen_year(
    dbsession: Session, constitution: Constitution, asked: str, day: date
) -> YouthBudgetYear | None:
    """The year asked for by its first day (``2025-04-01``), else the year ``day`` is in."""
    try:
        starts = date.fromisoformat(asked)
    except ValueError:
        return year_for(dbsession, constitution, day)
    return dbsession.scalar(select(YouthBudgetYear).where(YouthBudgetYear.starts_on == starts))


def years(dbsession: Session) -> list[YouthBudgetYear]:
    """Every budget year, the latest first."""
    return list(
        dbsession.scalars(select(YouthBudgetYear).order_by(YouthBudgetYear.starts_on.desc()))
    )


def ledger_query(year: YouthBudgetYear):
    """The year's ledger in the order it was written, day by day."""
    return (
        select(YouthLedgerEntry)
        .where(YouthLedgerEntry.year_id == year.id)
        .order_by(YouthLedgerEntry.entry_date, YouthLedgerEntry.id)
    )


def ledger_with_balances(
    dbsession: Session, year: YouthBudgetYear
) -> list[tuple[YouthLedgerEntry, rules.Balances]]:
    """Each of the year's entries with the balances as they stood after it."""
    running = rules.Balances()
    rows = []
    for entry in dbsession.scalars(ledger_query(year)):
        running = running.after(as_entry(entry))
        rows.append((entry, running))
    return rows


def year_proposals(dbsession: Session, year: YouthBudgetYear) -> list[YouthProposal]:
    """The proposals whose money the year committed, in the order they were decided."""
    return list(
        dbsession.scalars(
            select(YouthProposal)
            .where(YouthProposal.year_id == year.id)
            .order_by(YouthProposal.decided_on, YouthProposal.id)
        )
    )


def funded_proposals(dbsession: Session, year: YouthBudgetYear) -> list[YouthProposal]:
    """What the forum agreed and the year funded, the latest decided first: what the public
    summary lists."""
    return list(
        dbsession.scalars(
            select(YouthProposal)
            .options(selectinload(YouthProposal.photos))
            .where(YouthProposal.year_id == year.id, YouthProposal.status.in_(rules.FUNDED))
            .order_by(YouthProposal.decided_on.desc(), YouthProposal.id.desc())
        )
    )


def waiting_for_the_board(dbsession: Session) -> list[YouthProposal]:
    return list(
        dbsession.scalars(
            select(YouthProposal).where(
                YouthProposal.status == ProposalStatus.AWAITING_RATIFICATION
            )
        )
    )


def proposals_query(account_id: int | None, status: str, search: str):
    """The proposals a person may list, newest first: all but the drafts of others (a draft is
    its proposer's own until they send it), in ``status`` if one is given, and with ``search``
    in the title or the description if given."""
    query = (
        select(YouthProposal)
        .join(YouthMember, YouthProposal.proposer_id == YouthMember.id)
        .where(
            or_(
                YouthProposal.status != ProposalStatus.DRAFT,
                YouthMember.account_id == account_id,
            )
        )
        .order_by(YouthProposal.created_at.desc(), YouthProposal.id.desc())
    )
    if status:
        query = query.where(YouthProposal.status == status)
    if search:
        pattern = contains_pattern(search)
        query = query.where(
            or_(
                YouthProposal.title.ilike(pattern, escape=LIKE_ESCAPE),
                YouthProposal.what_and_why.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    return query


def proposal_of_file(dbsession: Session, file_id: int) -> YouthProposal | None:
    """The proposal whose quote or receipt is the stored file ``file_id``."""
    return dbsession.scalar(
        select(YouthProposal).where(
            or_(YouthProposal.quote_file_id == file_id, YouthProposal.receipt_file_id == file_id)
        )
    )
