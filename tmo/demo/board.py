"""The demo's board: a full board under the model rules, its resident seats rotating. The board
began four AGMs before the AGM due a fortnight after the demo's day, with staggered first terms, so
about a third of the resident seats fall due at each AGM: three retire at the next one, the seats
of the demo's election, whose declaration ends their terms. The chair and the director demo
accounts sit in resident seats that do not retire this year; the appointed directors joined at
different times within the last three years; Yusuf holds the Youth Forum chair's ex officio
seat."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.constitution import BoardRules, Constitution, SeatCategoryKey
from tmo.models.accounts import Account
from tmo.models.board import Director, Directorship, InterestDeclaration
from tmo.models.membership import Member
from tmo.rules.board import BOARD, COUNCIL, ELECTED, EX_OFFICIO, Seat, first_term_end
from tmo.rules.membership import add_years

# The appointed and ex officio directors of the demo board (invented people).
DEMO_COUNCILLORS = ("Cllr Helen Marsh", "Cllr Tunde Bakare", "Cllr Priya Raman", "Cllr Owen Pryce")
DEMO_INDEPENDENTS = ("Grace Ellison", "Marcus Obi", "Leah Novak")
RESIDENT_DIRECTORS_WITH_ACCOUNTS = ("Chris Walsh", "Dana Kowalski")
OTHER_RESIDENT_DIRECTORS = 6
# The next AGM, when a third of the resident seats retire, is this many days after the demo's day.
DAYS_TO_THE_AGM = 14


def load_demo_board(dbsession: Session, accounts_by_name: dict[str, Account], today: date) -> None:
    rules = Constitution().board
    seat_demo_residents(dbsession, accounts_by_name, today, rules)
    seat_demo_appointees(dbsession, today, rules)
    youth_chair = add_director(
        dbsession, "Yusuf", date(today.year - 19, 5, 5), account=accounts_by_name.get("Yusuf")
    )
    add_term(
        dbsession,
        youth_chair,
        Seat(SeatCategoryKey.YOUTH_CHAIR, 1),
        EX_OFFICIO,
        date(today.year - 1, 6, 1),
        None,
    )
    dbsession.flush()
    chair = dbsession.scalar(select(Director).where(Director.name == "Chris Walsh"))
    dbsession.add(
        InterestDeclaration(
            director=chair,
            kind="property",
            description="Leaseholder of a flat on the Adela Gardens Estate, let to a tenant",
            from_date=date(2018, 4, 1),
            declared_on=today - timedelta(days=40),
        )
    )


def add_director(dbsession, name, born, member=None, account=None, council=False) -> Director:
    director = Director(
        name=name,
        date_of_birth=born,
        member_id=member.id if member else None,
        account_id=account.id if account else None,
        council_associated=council,
    )
    dbsession.add(director)
    return director


def add_term(dbsession, director, seat: Seat, how, start, end, **extra) -> None:
    dbsession.add(
        Directorship(
            director=director,
            seat_category=seat.category,
            seat_number=seat.number,
            how=how,
            start_date=start,
            end_date=end,
            **extra,
        )
    )


def seat_demo_residents(
    dbsession: Session, accounts_by_name: dict[str, Account], today: date, rules: BoardRules
) -> None:
    """Eight members in the resident seats since the board began, each re-elected at every AGM
    their seat fell due at. Seats 1, 4 and 7 retire at the next AGM: the chair and the director
    hold seats 2 and 3."""
    founded = add_years(today, -4) + timedelta(days=DAYS_TO_THE_AGM)
    members = dbsession.scalars(
        select(Member).where(Member.ceased_on.is_(None)).order_by(Member.member_number)
    ).all()
    named = [m for m in members if m.account_id and m.name in RESIDENT_DIRECTORS_WITH_ACCOUNTS]
    others = [m for m in members if m not in named and m.account_id is None]
    seated = others[:1] + named + others[1:OTHER_RESIDENT_DIRECTORS]
    for number, member in enumerate(seated, start=1):
        seat = Seat(SeatCategoryKey.RESIDENT, number)
        director = add_director(
            dbsession,
            member.name,
            date(1950 + number * 3, number, 10),
            member=member,
            account=accounts_by_name.get(member.name),
        )
        start, end = founded, first_term_end(seat, founded, rules)
        while end <= today:
            add_term(dbsession, director, seat, ELECTED, start, end)
            start, end = end, add_years(end, rules.term_years)
        add_term(dbsession, director, seat, ELECTED, start, end)


def seat_demo_appointees(dbsession: Session, today: date, rules: BoardRules) -> None:
    """The council's nominees and the board's independent appointees, each appointed at a
    different time within the last three years."""
    for number, name in enumerate(DEMO_COUNCILLORS, start=1):
        start = add_years(today, -(number % 3)) - timedelta(days=45 * number)
        add_term(
            dbsession,
            add_director(dbsession, name, date(1962 + number, 3, 1)),
            Seat(SeatCategoryKey.COUNCILLOR, number),
            COUNCIL,
            start,
            add_years(start, rules.term_years),
            nomination_date=start - timedelta(days=14),
        )
    for number, name in enumerate(DEMO_INDEPENDENTS, start=1):
        start = add_years(today, -(number % 3)) - timedelta(days=60 * number)
        add_term(
            dbsession,
            add_director(dbsession, name, date(1968 + number, 7, 7)),
            Seat(SeatCategoryKey.INDEPENDENT, number),
            BOARD,
            start,
            add_years(start, rules.term_years),
            decision_reference=f"Board {start:%-d %B %Y}, minute {number + 3}",
        )
