"""The board: appointing directors to seats (every rule checked on every change), ending terms,
the roster of seats on a day, the seats retiring at an AGM, and the register of interests. Every
day is given: the request's ``today``, or the day a change takes effect."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from tmo.constitution import Constitution
from tmo.models.board import Director, Directorship, InterestDeclaration
from tmo.models.membership import Member
from tmo.refusal import Refusal
from tmo.rules import board as rules
from tmo.services import audit

INTEREST_KINDS = (
    ("employment", "Employment or business"),
    ("property", "Property or land"),
    ("contracts", "Contracts with the TMO"),
    ("gifts", "Gifts or hospitality"),
    ("family", "Family or close personal ties"),
    ("other", "Other"),
)
# A declaration that there is nothing (more) to declare: it renews the declarations.
NOTHING_TO_DECLARE = "nothing"
INTEREST_LABELS = {**dict(INTEREST_KINDS), NOTHING_TO_DECLARE: "Nothing to declare"}


class BoardError(Refusal):
    """A change refused by the constitution's rules; ``problems`` names each rule broken."""

    def __init__(self, problems: list[str], field: str | None = None):
        super().__init__(" ".join(problems), field)
        self.problems = problems


def as_term(directorship: Directorship) -> rules.Term:
    return rules.Term(
        seat=rules.Seat(directorship.seat_category, directorship.seat_number),
        person=directorship.director_id,
        how=directorship.how,
        start=directorship.start_date,
        end=directorship.end_date,
        ended_on=directorship.ended_on,
        council_associated=directorship.director.council_associated,
    )


def all_directorships(dbsession: Session) -> list[Directorship]:
    """Every term, each with its director (read in the same statement)."""
    return list(
        dbsession.scalars(
            select(Directorship)
            .options(joinedload(Directorship.director))
            .order_by(Directorship.start_date, Directorship.id)
        )
    )


# Built once: the public roster asks it on every request.
DIRECTORSHIPS_ON = (
    select(Directorship)
    .options(joinedload(Directorship.director))
    .where(
        Directorship.start_date <= bindparam("day"),
        or_(Directorship.end_date.is_(None), Directorship.end_date > bindparam("day")),
        or_(Directorship.ended_on.is_(None), Directorship.ended_on > bindparam("day")),
    )
    .order_by(Directorship.start_date, Directorship.id)
)


def directorships_on(dbsession: Session, day: date) -> list[Directorship]:
    """The terms current on ``day`` (as ``rules.Term.current_on`` judges), each with its
    director: the board as it sits, read without its history."""
    return list(dbsession.scalars(DIRECTORSHIPS_ON, {"day": day}))


def terms_by_seat(dbsession: Session) -> list[Directorship]:
    """Every term on every seat, seat by seat, each seat's terms in order: the board's history."""
    return sorted(
        all_directorships(dbsession),
        key=lambda d: (d.seat_category, d.seat_number, d.start_date),
    )


def all_directors(dbsession: Session) -> list[Director]:
    """Everyone who serves or has served, by name."""
    return list(dbsession.scalars(select(Director).order_by(Director.name)))


def director_of_account(dbsession: Session, account_id: int) -> Director | None:
    """The director who logs in with ``account_id``, if any."""
    return dbsession.scalar(select(Director).where(Director.account_id == account_id))


# What eligibility to serve depends on, as the secretary records it for a director.
ELIGIBILITY_FLAGS = (
    "is_employee",
    "is_paid_contractor",
    "is_disqualified",
    "has_serious_arrears",
    "council_associated",
)


def director_to_appoint(
    dbsession: Session,
    *,
    director_id: int | None,
    name: str,
    date_of_birth: date | None,
    member_id: int | None,
    **flags: bool,
) -> Director:
    """Someone who has served before (``director_id``) or a new person, with their entry in the
    register and what their eligibility depends on as the secretary has just checked it."""
    if director_id is None:
        director = Director(name=name, date_of_birth=date_of_birth)
        dbsession.add(director)
    else:
        director = dbsession.get(Director, director_id)
    if member_id is not None:
        director.member_id = member_id
        director.member = dbsession.get(Member, member_id)
    for flag in ELIGIBILITY_FLAGS:
        setattr(director, flag, flags[flag])
    return director


def is_member_on(member: Member | None, day: date) -> bool:
    return (
        member is not None
        and member.admitted_on <= day
        and (member.ceased_on is None or member.ceased_on > day)
    )


def as_person(director: Director, day: date) -> rules.Person:
    return rules.Person(
        born=director.date_of_birth,
        is_member=is_member_on(director.member, day),
        is_employee=director.is_employee,
        is_paid_contractor=director.is_paid_contractor,
        is_disqualified=director.is_disqualified,
        has_serious_arrears=director.has_serious_arrears,
    )


@dataclass(frozen=True)
class Appointed:
    directorship: Directorship
    # The council-influence share (%) when it has reached the threshold, else None.
    council_influence: int | None


def appoint(
    dbsession: Session,
    constitution: Constitution,
    *,
    director: Director,
    seat: rules.Seat,
    how: str,
    start: date,
    actor_id: int | None,
    nomination_date: date | None = None,
    decision_reference: str = "",
    next_agm: date | None = None,
) -> Appointed:
    """Give ``director`` ``seat`` from ``start``; raises BoardError naming each rule broken."""
    board = constitution.board
    refused = rules.holding_problems(how, board)
    if refused:
        raise BoardError(refused, "how")
    dbsession.flush()
    try:
        end = rules.term_end(start, how, board, next_agm)
    except ValueError:
        raise BoardError(
            ["A co-option lasts until the next AGM: give the AGM's date."], "next_agm"
        ) from None
    new = rules.Term(seat, director.id or 0, how, start, end, None, director.council_associated)
    existing = [as_term(d) for d in all_directorships(dbsession)]
    problems = rules.appointment_problems(existing, new, as_person(director, start), board)
    if problems:
        raise BoardError(problems, "seat")
    directorship = Directorship(
        director=director,
        seat_category=seat.category,
        seat_number=seat.number,
        how=how,
        start_date=start,
        end_date=end,
        nomination_date=nomination_date,
        decision_reference=decision_reference,
    )
    dbsession.add(directorship)
    audit.record(
        dbsession,
        "board.appointed",
        actor_id=actor_id,
        target=directorship,
        director=director.id,
        seat=f"{seat.category} {seat.number}",
        how=how,
        start=start.isoformat(),
        end=end.isoformat() if end else None,
    )
    influence = rules.council_influence(rules.current_terms([*existing, new], start), board)
    return Appointed(directorship, influence)


def end_term(
    dbsession: Session,
    directorship: Directorship,
    *,
    on: date,
    reason: str,
    note: str,
    actor_id: int | None,
) -> None:
    if reason not in rules.END_REASONS:
        raise BoardError(["Choose why the term is ending."], "reason")
    if directorship.ended_on is not None:
        raise BoardError(["This term has already ended."], "on")
    if on < directorship.start_date:
        raise BoardError(["A term cannot end before it starts."], "on")
    if directorship.end_date is not None and on >= directorship.end_date:
        raise BoardError(["This term has already reached its end date: the seat is vacant."], "on")
    directorship.ended_on = on
    directorship.end_reason = reason
    directorship.end_note = note
    audit.record(
        dbsession,
        "board.term_ended",
        actor_id=actor_id,
        target=directorship,
        reason=reason,
        on=on.isoformat(),
    )


@dataclass(frozen=True)
class Holding:
    """Who holds a seat and how, as the public roster shows it."""

    name: str
    how: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class PublicSeatRow:
    seat: rules.Seat
    category_name: str
    holding: Holding | None

    @property
    def vacant(self) -> bool:
        return self.holding is None


# Built once: the public roster asks it on every request, as plain values (loading each term and
# its director cost more than the query).
HOLDINGS_ON = (
    select(
        Directorship.seat_category,
        Directorship.seat_number,
        Director.name,
        Directorship.how,
        Directorship.start_date,
        Directorship.end_date,
    )
    .join(Director, Directorship.director_id == Director.id)
    .where(
        Directorship.start_date <= bindparam("day"),
        or_(Directorship.end_date.is_(None), Directorship.end_date > bindparam("day")),
        or_(Directorship.ended_on.is_(None), Directorship.ended_on > bindparam("day")),
    )
    .order_by(Directorship.start_date, Directorship.id)
)


def public_roster(dbsession: Session, constitution: Constitution, day: date) -> list[PublicSeatRow]:
    """Every seat the constitution creates, with who holds it on ``day`` (or a vacancy): the
    terms of ``directorships_on``, as the public sees them."""
    board = constitution.board
    by_seat: dict[rules.Seat, Holding] = {}
    for category, number, name, how, start, end in dbsession.execute(HOLDINGS_ON, {"day": day}):
        by_seat[rules.Seat(category, number)] = Holding(name, how, start, end)
    return [
        PublicSeatRow(seat, rules.category_of(board, seat.category).name, by_seat.get(seat))
        for seat in rules.board_seats(board)
    ]


@dataclass(frozen=True)
class SeatRow:
    seat: rules.Seat
    category_name: str
    directorship: Directorship | None

    @property
    def vacant(self) -> bool:
        return self.directorship is None


def roster(dbsession: Session, constitution: Constitution, day: date) -> list[SeatRow]:
    """Every seat the constitution creates, with its holder on ``day`` (or a vacancy)."""
    board = constitution.board
    by_seat: dict[rules.Seat, Directorship] = {}
    for directorship in directorships_on(dbsession, day):
        by_seat[as_term(directorship).seat] = directorship
    return [
        SeatRow(seat, rules.category_of(board, seat.category).name, by_seat.get(seat))
        for seat in rules.board_seats(board)
    ]


def warnings(dbsession: Session, constitution: Constitution, day: date) -> list[str]:
    """What the secretary should know about the board as it stands on ``day``."""
    board = constitution.board
    terms = [as_term(d) for d in directorships_on(dbsession, day)]
    found = list(rules.composition_problems(terms, board))
    share = rules.council_influence(terms, board)
    if share is not None:
        found.append(council_influence_warning(share, board.council_influence_percent))
    return found


def council_influence_warning(share: int, threshold: int) -> str:
    return (
        f"Council influence: {share}% of the directors are council-associated, at or above "
        f"{threshold}%. The TMO is 'council-influenced' under the Local Government and Housing "
        "Act 1989 s69, which brings duties: take advice."
    )


def next_elected_end(dbsession: Session, day: date) -> date | None:
    ends = [
        d.end_date
        for d in all_directorships(dbsession)
        if d.how in (rules.ELECTED, rules.CO_OPTED)
        and d.ended_on is None
        and d.end_date is not None
        and d.end_date > day
    ]
    return min(ends) if ends else None


def retiring(dbsession: Session, agm: date, today: date) -> list[Directorship]:
    """The elected and co-opted terms that end after ``today`` and by the AGM on ``agm``."""
    directorships = all_directorships(dbsession)
    due = set(rules.retiring_at([as_term(d) for d in directorships], agm, today))
    return [d for d in directorships if as_term(d) in due]


@dataclass(frozen=True)
class Interest:
    """What a declaration of interest says: its kind, the interest, and when it was held."""

    kind: str
    description: str
    from_date: date
    to_date: date | None = None


def declare_interest(
    dbsession: Session,
    director: Director,
    interest: Interest,
    *,
    actor_id: int | None,
    today: date,
) -> InterestDeclaration:
    """Record ``director``'s declaration, made ``today``."""
    check_interest_dates(interest, today)
    declaration = InterestDeclaration(director=director, declared_on=today, **vars(interest))
    dbsession.add(declaration)
    audit.record(
        dbsession,
        "board.interest_declared",
        actor_id=actor_id,
        target=declaration,
        kind=interest.kind,
    )
    return declaration


def check_interest_dates(interest: Interest, today: date) -> None:
    problem = rules.interest_dates_problem(interest.from_date, interest.to_date, today)
    if problem:
        raise BoardError([problem[1]], problem[0])


def change_interest(
    dbsession: Session,
    declaration: InterestDeclaration,
    interest: Interest,
    *,
    actor_id: int | None,
    today: date,
) -> None:
    """Correct or bring up to date a declaration (an interest that has ended gets its end):
    declared again ``today``, what it said before kept in the audit log."""
    if declaration.kind == NOTHING_TO_DECLARE:
        raise BoardError(["A declaration that there was nothing to declare is not changed."])
    check_interest_dates(interest, today)
    before = {
        "kind": declaration.kind,
        "description": declaration.description,
        "from": declaration.from_date.isoformat(),
        "to": declaration.to_date.isoformat() if declaration.to_date else None,
        "declared_on": declaration.declared_on.isoformat(),
    }
    for name, value in vars(interest).items():
        setattr(declaration, name, value)
    declaration.declared_on = today
    audit.record(
        dbsession,
        "board.interest_changed",
        actor_id=actor_id,
        target=declaration,
        before=before,
    )


def declare_nothing(
    dbsession: Session, director: Director, *, actor_id: int | None, today: date
) -> InterestDeclaration:
    """``director`` declares, ``today``, that they have nothing (more) to declare: their
    declarations are renewed."""
    held = [d for d in director.declarations if d.kind != NOTHING_TO_DECLARE and current(d, today)]
    words = (
        "Nothing further to declare: the interests listed are up to date."
        if held
        else "Nothing to declare."
    )
    return declare_interest(
        dbsession,
        director,
        Interest(NOTHING_TO_DECLARE, words, today),
        actor_id=actor_id,
        today=today,
    )


def current(declaration: InterestDeclaration, today: date) -> bool:
    return declaration.to_date is None or declaration.to_date >= today


def serving_directors(dbsession: Session, day: date) -> list[Director]:
    current = directorships_on(dbsession, day)
    return sorted({d.director for d in current}, key=lambda director: director.name)


def renewal_due(director: Director, constitution: Constitution, today: date) -> bool:
    """No declaration yet, or the latest is older than the constitution's renewal period."""
    if not director.declarations:
        return True
    latest = max(d.declared_on for d in director.declarations)
    return rules.declaration_due(latest, constitution.board, today)
