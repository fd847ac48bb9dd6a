"""A long past for the demo TMO: ``grow_history`` adds decades of board terms, hundreds of
meetings, past elections, former members, decided applications, proposals, accounts and audit
entries, so a test can compare a page over the demo's few years with the same page over many.

Rows are copies of the demo's own (a meeting with its agenda and attendance, an election with its
candidates, a proposal), moved back in time, and written in bulk."""

from datetime import date, timedelta

from sqlalchemy import insert, inspect, select

from tests import factories
from tmo.constitution import SeatCategoryKey
from tmo.models.accounts import Account, RoleGrant
from tmo.models.board import Director, Directorship, InterestDeclaration
from tmo.models.elections import Candidate, Election
from tmo.models.meetings import AgendaItem, Attendance, Body, Meeting
from tmo.models.membership import MembershipApplication
from tmo.models.youth import YouthProposal
from tmo.permissions import Role
from tmo.rules.board import ELECTED
from tmo.rules.elections import Status
from tmo.rules.membership import ApplicationStatus
from tmo.services import audit


def columns_of(row, **changes) -> dict:
    """``row``'s columns but its id, with ``changes``."""
    mapper = inspect(type(row))
    values = {
        attribute.key: getattr(row, attribute.key)
        for attribute in mapper.column_attrs
        if not any(column.primary_key for column in attribute.columns)
    }
    values.update(changes)
    return values


def copy_of(row, **changes):
    """A new row of ``row``'s kind with its columns (but its id) and ``changes``."""
    return type(row)(**columns_of(row, **changes))


def years_back(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def grow_history(
    dbsession,
    today: date,
    *,
    board_years: int = 45,
    meetings: int = 490,
    elections: int = 20,
    members: int = 150,
    proposals: int = 60,
    accounts: int = 60,
    audit_entries: int = 200,
) -> None:
    """The demo (about 5 years of board terms, 17 meetings) given ``board_years`` more years of
    terms before it, ``meetings`` more past meetings, and the rest, all before ``today``."""
    add_board_terms(dbsession, today, board_years)
    add_meetings(dbsession, meetings)
    add_elections(dbsession, elections)
    add_members(dbsession, members)
    add_proposals(dbsession, proposals)
    add_accounts(dbsession, accounts)
    administrator = dbsession.scalar(select(Account).order_by(Account.id))
    for number in range(audit_entries):
        audit.record(dbsession, "history.grown", actor_id=administrator.id, number=number)
    dbsession.commit()


def add_board_terms(dbsession, today: date, years: int) -> None:
    """Three resident seats and a councillor's held a year at a time by someone new, each year
    of the ``years`` before the board's earliest term."""
    founded = dbsession.scalar(select(Directorship.start_date).order_by(Directorship.start_date))
    seats = [(SeatCategoryKey.RESIDENT, n) for n in (1, 2, 3)] + [(SeatCategoryKey.COUNCILLOR, 1)]
    for year in range(1, years + 1):
        start = years_back(founded, year)
        for category, number in seats:
            director = Director(name=f"Former director {year}-{category}-{number}")
            director.terms.append(
                Directorship(
                    seat_category=category,
                    seat_number=number,
                    how=ELECTED,
                    start_date=start,
                    end_date=years_back(founded, year - 1),
                )
            )
            director.declarations.append(
                InterestDeclaration(
                    kind="other",
                    description="A past interest",
                    from_date=start,
                    to_date=years_back(founded, year - 1),
                    declared_on=start,
                )
            )
            dbsession.add(director)
    dbsession.flush()


def add_meetings(dbsession, count: int) -> None:
    """Copies of the board's past meetings, a year further back each round, with their agenda
    and attendance (written in bulk: thousands of rows)."""
    board = dbsession.scalar(select(Body).where(Body.kind == "board"))
    past = dbsession.scalars(
        select(Meeting).where(Meeting.body_id == board.id, Meeting.signed_at.is_not(None))
    ).all()
    copies = []
    for number in range(count):
        meeting = past[number % len(past)]
        back = timedelta(days=365 * (1 + number // len(past)))
        copy = copy_of(
            meeting,
            title=f"{meeting.title} ({number})",
            starts_at=meeting.starts_at - back,
            notice_given_at=meeting.notice_given_at - back,
            signed_at=meeting.signed_at - back,
        )
        copies.append((meeting, copy))
    dbsession.add_all(copy for _, copy in copies)
    dbsession.flush()
    items, attendance = [], []
    for meeting, copy in copies:
        items += [columns_of(item, meeting_id=copy.id) for item in meeting.items]
        attendance += [columns_of(seen, meeting_id=copy.id) for seen in meeting.attendance]
    dbsession.execute(insert(AgendaItem), items)
    dbsession.execute(insert(Attendance), attendance)


def add_elections(dbsession, count: int) -> None:
    """The demo's election held and declared once a year in each of ``count`` past years."""
    election = dbsession.scalar(select(Election).order_by(Election.id))
    for year in range(1, count + 1):
        back = timedelta(days=365 * year)
        copy = copy_of(
            election,
            title=f"Board election, {year} years ago",
            status=Status.DECLARED,
            notice_on=election.notice_on - back,
            nominations_open_at=election.nominations_open_at - back,
            nominations_close_at=election.nominations_close_at - back,
            poll_opens_at=election.poll_opens_at - back,
            poll_closes_at=election.poll_closes_at - back,
            declared_on=(election.poll_closes_at - back).date() + timedelta(days=1),
            chain_head="",
        )
        copy.candidates = [
            copy_of(candidate, election_id=None, photo_id=None)
            for candidate in dbsession.scalars(
                select(Candidate).where(Candidate.election_id == election.id)
            )
        ]
        dbsession.add(copy)
    dbsession.flush()


def add_members(dbsession, count: int) -> None:
    """``count`` former members, and an application decided for each."""
    for member in factories.MemberFactory.build_batch(
        count, admitted_on=date(2001, 1, 1), ceased_on=date(2005, 1, 1)
    ):
        dbsession.add(member)
        dbsession.add(
            MembershipApplication(
                home=member.home,
                full_name=member.name,
                holding="secure_tenant",
                consented_at=member.email_agreed_at,
                status=ApplicationStatus.ADMITTED,
            )
        )
    dbsession.flush()


def add_proposals(dbsession, count: int) -> None:
    """Copies of the forum's decided proposals."""
    decided = dbsession.scalars(
        select(YouthProposal).where(YouthProposal.decided_on.is_not(None))
    ).all()
    for number in range(count):
        proposal = decided[number % len(decided)]
        dbsession.add(
            copy_of(proposal, title=f"Past idea {number}", quote_file_id=None, receipt_file_id=None)
        )
    dbsession.flush()


def add_accounts(dbsession, count: int) -> None:
    """``count`` accounts, every other one a member's."""
    for number, account in enumerate(factories.AccountFactory.build_batch(count, roles=None)):
        if number % 2:
            account.role_grants.append(RoleGrant(role=Role.MEMBER))
        dbsession.add(account)
    dbsession.flush()
