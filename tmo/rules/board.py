"""Board rules: the seats the constitution creates, terms of office, who may hold a seat, the
composition the board must keep, the council-influence warning, rotation and attendance.

Pure functions over plain values. A term's end is a date, so a seat falls vacant by itself when
the date passes: nothing has to run for it.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tmo.constitution import BoardRules, SeatCategory, SeatCategoryKey
from tmo.rules.membership import add_years, age_on

ELECTED, COUNCIL, BOARD, CO_OPTED, EX_OFFICIO = (
    "elected",
    "council_appointment",
    "board_appointment",
    "co_opted",
    "ex_officio",
)
HOW_HELD = {
    ELECTED: "Elected by the members",
    COUNCIL: "Appointed by the council",
    BOARD: "Appointed by the board",
    CO_OPTED: "Co-opted to a casual vacancy",
    EX_OFFICIO: "Ex officio",
}
# Appointed seats are offered for re-appointment when a term ends; elected ones are re-elected.
REAPPOINTED = frozenset({COUNCIL, BOARD})
# How a category's seats are normally filled -> how its holders hold them.
FILLED_BY_HOW = {
    "election": ELECTED,
    "council_appointment": COUNCIL,
    "board_appointment": BOARD,
    "ex_officio": EX_OFFICIO,
}
END_REASONS = {
    "retired": "Retired by rotation",
    "resigned": "Resigned",
    "removed": "Removed",
    "disqualified": "Disqualified",
    "died": "Died",
    "ceased_office": "No longer holds the office",
}


@dataclass(frozen=True, order=True)
class Seat:
    # A SeatCategoryKey; any other name is a seat the constitution does not create.
    category: SeatCategoryKey | str
    number: int


def board_seats(board: BoardRules) -> list[Seat]:
    """Every seat the constitution creates, category by category."""
    return [
        Seat(category.key, number)
        for category in board.seat_categories
        for number in range(1, category.seats + 1)
    ]


def category_of(board: BoardRules, key: SeatCategoryKey | str) -> SeatCategory:
    for category in board.seat_categories:
        if category.key == key:
            return category
    raise KeyError(key)


@dataclass(frozen=True)
class Term:
    """One person's hold on one seat, from ``start`` until ``end`` (exclusive) or ``ended_on``."""

    seat: Seat
    person: int
    how: str
    start: date
    end: date | None  # None: held while the person holds an office (ex officio)
    ended_on: date | None = None
    council_associated: bool = False

    @property
    def last_day_excluded(self) -> date | None:
        """The first day the seat is no longer held by this term."""
        ends = [day for day in (self.end, self.ended_on) if day is not None]
        return min(ends) if ends else None

    def current_on(self, day: date) -> bool:
        finish = self.last_day_excluded
        return self.start <= day and (finish is None or day < finish)


def term_end(start: date, how: str, board: BoardRules, next_agm: date | None = None) -> date | None:
    """When a term that starts on ``start`` ends: the constitution's term for elected and
    appointed directors, the next AGM for a co-opted one, never for an ex officio one."""
    if how == EX_OFFICIO:
        return None
    if how == CO_OPTED:
        if next_agm is None or next_agm <= start:
            raise ValueError("a co-option lasts until the next AGM: give its date")
        return next_agm
    return add_years(start, board.term_years)


def holding_problems(how: str, board: BoardRules) -> list[str]:
    """Why no seat may be held ``how`` under the constitution (empty if one may)."""
    if how == CO_OPTED and not board.co_option_allowed:
        return [
            "The constitution does not allow co-option: a casual vacancy stays vacant until it "
            "is filled as its seats are filled."
        ]
    return []


def ways_of_holding(board: BoardRules) -> dict[str, str]:
    """How a seat may come to be held under the constitution, with the words for each."""
    return {how: label for how, label in HOW_HELD.items() if not holding_problems(how, board)}


def holder_on(terms: Iterable[Term], seat: Seat, day: date) -> Term | None:
    for term in terms:
        if term.seat == seat and term.current_on(day):
            return term
    return None


def current_terms(terms: Iterable[Term], day: date) -> list[Term]:
    return [term for term in terms if term.current_on(day)]


@dataclass(frozen=True)
class Person:
    """What eligibility to serve depends on, as the secretary has recorded it."""

    born: date | None
    is_member: bool
    is_employee: bool = False
    is_paid_contractor: bool = False
    is_disqualified: bool = False
    has_serious_arrears: bool = False


def eligibility_problems(
    person: Person, category: SeatCategory, board: BoardRules, on: date
) -> list[str]:
    """Why ``person`` may not hold a seat of ``category`` on ``on`` (empty if they may)."""
    problems = []
    if category.filled_by == "election" and not person.is_member:
        problems.append(f"A {category.name.lower()} director must be a current member of the TMO.")
    if person.born is None:
        problems.append("Record the director's date of birth: directors must be old enough.")
    elif age_on(person.born, on) < board.minimum_director_age:
        problems.append(
            f"A director must be at least {board.minimum_director_age} years old "
            "(Companies Act 2006 s157 and the constitution)."
        )
    if person.is_employee or person.is_paid_contractor:
        problems.append(
            "Directors may not be employees of the TMO or paid for work for it: board "
            "members are volunteers."
        )
    if person.is_disqualified:
        problems.append("An undischarged bankrupt or a disqualified director may not serve.")
    if board.serious_arrears_bar and person.has_serious_arrears:
        problems.append("Someone with serious rent arrears may not serve, under the constitution.")
    return problems


def composition_problems(terms: Sequence[Term], board: BoardRules) -> list[str]:
    """How the current terms break the board's composition rules, naming each rule broken."""
    problems = []
    counts: dict[str, int] = {}
    for term in terms:
        counts[term.seat.category] = counts.get(term.seat.category, 0) + 1
    for category in board.seat_categories:
        if counts.get(category.key, 0) > category.seats:
            problems.append(
                f"Seat limit: the constitution has {category.seats} {category.name.lower()} "
                f"seat{'s' if category.seats != 1 else ''}, and all are filled."
            )
    filled = len(terms)
    if filled > board.maximum_directors:
        problems.append(
            f"Board size: the board may have at most {board.maximum_directors} directors."
        )
    if board.resident_majority_required and filled:
        residents = sum(
            1 for term in terms if category_of(board, term.seat.category).counts_as_resident
        )
        if residents * 2 <= filled:
            problems.append(
                "Resident majority: residents must hold more than half of the filled seats "
                f"({residents} of {filled} would not)."
            )
    return problems


def council_associated(term: Term, board: BoardRules) -> bool:
    return term.council_associated or category_of(board, term.seat.category).council_associated


def council_influence(terms: Sequence[Term], board: BoardRules) -> int | None:
    """The share (whole %) of directors who are council-associated, when it reaches the
    constitution's threshold (Local Government and Housing Act 1989 s69); otherwise None."""
    if not terms:
        return None
    share = 100 * sum(1 for term in terms if council_associated(term, board)) / len(terms)
    return round(share) if share >= board.council_influence_percent else None


# A term falls due at the AGM nearest its end: AGMs move (the third Thursday of September, say)
# while terms keep their anniversaries, and each AGM must elect exactly one yearly cohort.
AGM_WINDOW_MONTHS = 6


def retiring_at(terms: Iterable[Term], agm: date, after: date | None = None) -> list[Term]:
    """The elected and co-opted terms due for election at the AGM on ``agm``: those ending
    within six months either side of it (and, if given, after ``after``). The successor's term
    starts when the old one ends, so the anniversaries never drift."""
    first, last = add_months(agm, -AGM_WINDOW_MONTHS), add_months(agm, AGM_WINDOW_MONTHS)
    return sorted(
        (
            term
            for term in terms
            if term.how in (ELECTED, CO_OPTED)
            and term.ended_on is None
            and term.end is not None
            and first <= term.end < last
            and (after is None or term.end > after)
        ),
        key=lambda term: term.seat,
    )


def rotation_cohort(seat: Seat, board: BoardRules) -> int:
    """Which yearly group a seat belongs to (1..rotation_cohorts), so that about
    1/rotation_cohorts of the resident seats fall due each year."""
    return (seat.number - 1) % board.rotation_cohorts + 1


def first_term_end(seat: Seat, start: date, board: BoardRules) -> date:
    """When a seat's first term ends if the board starts rotating on ``start``: cohort 1 after
    one year, cohort 2 after two, ... so that later terms (all full length) stay staggered."""
    years = min(rotation_cohort(seat, board), board.term_years)
    return add_years(start, years)


def consecutive_absences(attendance: Sequence[str]) -> int:
    """Meetings missed in a row without accepted apologies, counting back from the latest.

    ``attendance`` is oldest first; each item is "present", "apologies" or "absent". Accepted
    apologies neither count nor break the run (the member was excused).
    """
    run = 0
    for mark in reversed(attendance):
        if mark == "absent":
            run += 1
        elif mark == "present":
            break
    return run


def flagged_for_absence(attendance: Sequence[str], board: BoardRules) -> bool:
    return consecutive_absences(attendance) >= board.absences_before_flag


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def declaration_due(declared_on: date, board: BoardRules, today: date) -> bool:
    """A declaration of interests older than the renewal period must be renewed."""
    return today >= add_months(declared_on, board.interests_renewal_months)


def interest_dates_problem(
    from_date: date, to_date: date | None, today: date
) -> tuple[str, str] | None:
    """(the field, what is wrong) with an interest's dates, or None: an interest is declared once
    held (it began by today), and it cannot end before it began."""
    if from_date > today:
        return (
            "from_date",
            f"An interest is declared once held: the date it began cannot be after today, "
            f"{today:%-d %B %Y}.",
        )
    if to_date is not None and to_date < from_date:
        return (
            "to_date",
            f"The interest cannot end before it began ({from_date:%-d %B %Y}): check the dates.",
        )
    return None


def appointment_problems(
    terms: Sequence[Term], new: Term, person: Person, board: BoardRules
) -> list[str]:
    """Why ``new`` may not begin (empty if it may): the seat must exist and be free on its first
    day, the person must be eligible and hold no other seat, and the board's composition with
    the new term must keep every rule."""
    on = new.start
    if new.seat not in board_seats(board):
        return [f"The constitution has no seat {new.seat.category} {new.seat.number}."]
    current = current_terms(terms, on)
    problems = []
    finish = new.last_day_excluded or date.max

    def overlaps(term: Term) -> bool:
        # Over the new term's whole span, not only its first day: a backdated term must not
        # overlap a later one already recorded.
        ends = term.last_day_excluded
        return term.start < finish and (ends is None or new.start < ends)

    if any(term.seat == new.seat and overlaps(term) for term in terms):
        category = category_of(board, new.seat.category)
        held = sum(1 for term in current if term.seat.category == category.key)
        if held >= category.seats:
            problems.append(
                f"Seat limit: the constitution has {category.seats} {category.name.lower()} "
                f"seat{'s' if category.seats != 1 else ''}, and all are filled."
            )
        else:
            problems.append("That seat is already held on that date.")
    if any(term.person == new.person and overlaps(term) for term in terms):
        problems.append("This person already holds a seat on the board.")
    problems += holding_problems(new.how, board)
    problems += eligibility_problems(person, category_of(board, new.seat.category), board, on)
    problems += composition_problems([*current, new], board)
    if board.maximum_consecutive_terms:
        run = consecutive_terms(terms, new.person, new.seat.category, on)
        if run >= board.maximum_consecutive_terms:
            problems.append(
                f"Term limit: a director may serve at most {board.maximum_consecutive_terms} "
                "consecutive terms in the same category."
            )
    return list(dict.fromkeys(problems))  # a rule named once, however it was reached


def consecutive_terms(terms: Iterable[Term], person: int, category: str, on: date) -> int:
    """How many terms in ``category`` the person has served back to back up to ``on``."""
    mine = sorted(
        (t for t in terms if t.person == person and t.seat.category == category and t.start < on),
        key=lambda t: t.start,
        reverse=True,
    )
    run, expected_end = 0, on
    for term in mine:
        if term.last_day_excluded != expected_end:
            break
        run += 1
        expected_end = term.start
    return run
