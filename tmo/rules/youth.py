"""Youth Forum rules: who is in the forum on a day (the age band, ageing out on a birthday), what
others may see of a young person, the lifecycles of a membership, a proposal and the chair's
election, the financial year, the budget ledger's arithmetic, counting a forum vote, and electing
the chair.

Pure functions over plain values. Membership ends by date, so a member ages out on their birthday
without anything having to run. Money is integer pence throughout.
"""

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tmo.constitution import MeetingRules, YouthRules
from tmo.presenters import money as format_pounds
from tmo.refusal import Refusal
from tmo.rules import voting
from tmo.rules.membership import add_years, age_on
from tmo.rules.voting import ABSTAIN, AGAINST, FOR


class YouthError(Refusal):
    """A step refused; the message says why in words the person can act on, and ``field`` names
    the form field it is about (none: the whole form)."""


# Age -----------------------------------------------------------------------------------------

# Below this age a person's surname and photo are never shown to others (ICO Children's Code).
ADULT_AGE = 18


def joining_problems(born: date | None, rules: YouthRules, on: date) -> list[str]:
    """Why a person born on ``born`` may not join the forum on ``on`` (empty if they may)."""
    if born is None:
        return ["Enter your date of birth."]
    if born > on:
        return ["Your date of birth must be in the past."]
    age = age_on(born, on)
    if age < rules.minimum_age:
        return [too_young_message(rules)]
    if age > rules.maximum_age:
        return [f"The Youth Forum is for young people aged up to {rules.maximum_age}."]
    return []


def too_young(born: date, rules: YouthRules, on: date) -> bool:
    return born <= on and age_on(born, on) < rules.minimum_age


def too_young_message(rules: YouthRules) -> str:
    return (
        f"The Youth Forum is for young people aged {rules.minimum_age} to {rules.maximum_age}. "
        f"You are very welcome to join when you turn {rules.minimum_age}."
    )


def leaves_on(born: date, rules: YouthRules) -> date:
    """The birthday a member ages out: the day they turn one year older than the oldest age."""
    return add_years(born, rules.maximum_age + 1)


def membership_ends(born: date, left_on: date | None, rules: YouthRules) -> date:
    """The first day a member is no longer in the forum: their ageing-out birthday, or the day
    they left sooner."""
    ages_out = leaves_on(born, rules)
    return min(ages_out, left_on) if left_on else ages_out


def in_forum_on(
    approved_on: date | None, born: date, left_on: date | None, rules: YouthRules, day: date
) -> bool:
    return approved_on is not None and approved_on <= day < membership_ends(born, left_on, rules)


def ageing_out_notice(
    born: date, left_on: date | None, rules: YouthRules, day: date
) -> date | None:
    """The ageing-out birthday when it falls within the constitution's notice period of ``day``
    (and the member has not left sooner); otherwise None."""
    ages_out = leaves_on(born, rules)
    if left_on is not None and left_on <= ages_out:
        return None
    if day < ages_out and (ages_out - day).days <= rules.age_out_notice_days:
        return ages_out
    return None


def shown_name(first_name: str, surname: str, born: date, day: date) -> str:
    """The name others see: an under-18's first name only; an adult's full name."""
    if age_on(born, day) < ADULT_AGE:
        return first_name
    return f"{first_name} {surname}".strip()


# Membership --------------------------------------------------------------------------------


class MemberStatus(enum.StrEnum):
    """A request to join, which a youth worker approves (a membership, until the member ages
    out or leaves, by date) or does not."""

    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return MEMBER_LABELS[self]


MEMBER_LABELS = {
    MemberStatus.APPLIED: "Waiting for approval",
    MemberStatus.APPROVED: "Approved",
    MemberStatus.REJECTED: "Not approved",
}

MEMBER_TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.APPLIED: frozenset({MemberStatus.APPROVED, MemberStatus.REJECTED}),
    MemberStatus.APPROVED: frozenset(),
    MemberStatus.REJECTED: frozenset(),
}


def check_member_transition(current: MemberStatus, target: MemberStatus) -> None:
    if target not in MEMBER_TRANSITIONS[current]:
        raise YouthError("This application has already been decided.")


# The financial year ------------------------------------------------------------------------


def year_start(day: date, rules: YouthRules) -> date:
    """The first day of the financial year ``day`` falls in."""
    start = date(day.year, rules.financial_year_start_month, rules.financial_year_start_day)
    return start if start <= day else add_years(start, -1)


def year_end(start: date) -> date:
    """The first day after the financial year that begins on ``start``."""
    return add_years(start, 1)


def year_label(start: date) -> str:
    """``2026-27`` (or ``2026`` for a year that starts on 1 January)."""
    if (start.month, start.day) == (1, 1):
        return str(start.year)
    return f"{start.year}-{(start.year + 1) % 100:02d}"


# Money -----------------------------------------------------------------------------------

POUNDS = re.compile(r"£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")


def parse_pounds(text: str) -> int:
    """``£1,234.50`` -> 123450 pence; ValueError for anything that is not an amount of money."""
    match = POUNDS.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    pounds, pence = match.groups()
    return int(pounds.replace(",", "")) * 100 + int((pence or "0").ljust(2, "0"))


# The ledger --------------------------------------------------------------------------------

ALLOCATION, COMMITMENT, SPEND, RELEASE, ADJUSTMENT, LAPSE = (
    "allocation",
    "commitment",
    "spend",
    "release",
    "adjustment",
    "lapse",
)
ENTRY_KINDS = {
    ALLOCATION: "Allocation",
    COMMITMENT: "Commitment",
    SPEND: "Spend",
    RELEASE: "Release",
    ADJUSTMENT: "Adjustment",
    LAPSE: "Year end",
}
# How an entry's amount moves (allocated, committed, spent). Amounts are positive, except an
# adjustment's, which may be either.
EFFECTS = {
    ALLOCATION: (1, 0, 0),
    COMMITMENT: (0, 1, 0),
    SPEND: (0, -1, 1),
    RELEASE: (0, -1, 0),
    ADJUSTMENT: (1, 0, 0),
    LAPSE: (-1, 0, 0),
}


@dataclass(frozen=True)
class Entry:
    kind: str
    amount: int
    proposal: int | None = None


@dataclass(frozen=True)
class Balances:
    allocated: int = 0
    committed: int = 0
    spent: int = 0

    @property
    def remaining(self) -> int:
        return self.allocated - self.committed - self.spent

    def after(self, entry: Entry) -> "Balances":
        a, c, s = EFFECTS[entry.kind]
        return Balances(
            self.allocated + a * entry.amount,
            self.committed + c * entry.amount,
            self.spent + s * entry.amount,
        )


def balances(entries: Iterable[Entry]) -> Balances:
    total = Balances()
    for entry in entries:
        total = total.after(entry)
    return total


def outstanding(entries: Iterable[Entry], proposal: int) -> int:
    """What is committed to ``proposal`` and not yet spent or released."""
    return sum(
        EFFECTS[e.kind][1] * e.amount
        for e in entries
        if e.proposal == proposal and e.kind in (COMMITMENT, SPEND, RELEASE)
    )


def entry_problems(current: Balances, entry: Entry, committed_to_proposal: int = 0) -> list[str]:
    """Why ``entry`` may not be added to a year standing at ``current`` (empty if it may).
    ``committed_to_proposal`` is what is outstanding for the entry's proposal. No entry may leave
    the remaining money below zero or spend or release more than was committed."""
    amount = format_pounds(abs(entry.amount))
    if entry.kind not in EFFECTS:
        return ["Unknown kind of ledger entry."]
    if entry.kind != ADJUSTMENT and entry.amount <= 0:
        return ["The amount must be more than £0."]
    if entry.kind == ADJUSTMENT and entry.amount == 0:
        return ["An adjustment must change the budget."]
    if entry.kind in (COMMITMENT, SPEND, RELEASE) and entry.proposal is None:
        return ["Name the proposal the money is for."]
    if entry.kind in (SPEND, RELEASE) and entry.amount > committed_to_proposal:
        return [
            f"Only {format_pounds(committed_to_proposal)} is committed to this proposal, "
            f"less than {amount}."
        ]
    if current.after(entry).remaining < 0:
        return [
            f"Not enough money left: {format_pounds(current.remaining)} remains, and this needs "
            f"{amount}. The budget is never over-committed."
        ]
    return []


def settle_spend(committed: int, actual: int) -> tuple[int, int]:
    """(released, topped up) when ``actual`` is spent on a proposal with ``committed`` pence
    outstanding: an underspend is released back to the budget, an overspend committed first."""
    return max(committed - actual, 0), max(actual - committed, 0)


def year_end_amount(current: Balances) -> int:
    """What lapses (or carries over) at the end of the year: the money neither committed nor
    spent. Outstanding commitments stay with their year until they are spent or released."""
    return max(current.remaining, 0)


def cost_problem(cost: int, budget: int, label: str) -> str | None:
    """A proposal may ask for no more than the whole of the year's budget."""
    if cost <= budget:
        return None
    return (
        f"{format_pounds(cost)} is more than the forum's whole budget for {label}, which is "
        f"{format_pounds(budget)}. Ask for {format_pounds(budget)} or less."
    )


def needs_ratification(cost: int, rules: YouthRules) -> bool:
    return cost > rules.board_ratification_pence


# Proposals ---------------------------------------------------------------------------------


class ProposalStatus(enum.StrEnum):
    """Where a proposal is in its life: drafted, sent to the youth worker (or sent back), put to
    the forum's vote, agreed (and funded, or not), ratified by the board above the threshold,
    spent and reported back; or withdrawn by its proposer."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VOTING = "voting"
    LOST = "lost"
    UNFUNDED = "unfunded"
    AWAITING_RATIFICATION = "awaiting_ratification"
    NOT_RATIFIED = "not_ratified"
    COMMITTED = "committed"
    SPENT = "spent"
    REPORTED = "reported"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUSES[self]


STATUSES = {
    ProposalStatus.DRAFT: "Draft",
    ProposalStatus.SUBMITTED: "Waiting for the youth worker",
    ProposalStatus.RETURNED: "Sent back with comments",
    ProposalStatus.VOTING: "Forum vote open",
    ProposalStatus.LOST: "Not agreed by the forum",
    ProposalStatus.UNFUNDED: "Agreed, but not enough money left",
    ProposalStatus.AWAITING_RATIFICATION: "Agreed, waiting for the board",
    ProposalStatus.NOT_RATIFIED: "Not ratified by the board",
    ProposalStatus.COMMITTED: "Money committed",
    ProposalStatus.SPENT: "Money spent",
    ProposalStatus.REPORTED: "Reported back",
    ProposalStatus.WITHDRAWN: "Withdrawn",
}
# Agreed by the forum and funded: what the public summary lists.
FUNDED = (
    ProposalStatus.AWAITING_RATIFICATION,
    ProposalStatus.COMMITTED,
    ProposalStatus.SPENT,
    ProposalStatus.REPORTED,
)


class Step(enum.StrEnum):
    """What is done to a proposal; each step is audited as ``youth.proposal.<step>``."""

    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    OPEN_VOTE = "open_vote"
    VOTE = "vote"
    COUNT = "count"
    RATIFY = "ratify"
    REFUSE_RATIFICATION = "refuse_ratification"
    SPEND = "spend"
    REPORT = "report"
    WITHDRAW = "withdraw"


# Each step as the end of "This proposal cannot be ... now".
STEP_WORDS = {
    Step.EDIT: "changed",
    Step.SUBMIT: "sent to the youth worker",
    Step.RETURN: "sent back",
    Step.OPEN_VOTE: "put to the forum's vote",
    Step.VOTE: "voted on",
    Step.COUNT: "counted",
    Step.RATIFY: "ratified",
    Step.REFUSE_RATIFICATION: "refused ratification",
    Step.SPEND: "given a spend",
    Step.REPORT: "reported on",
    Step.WITHDRAW: "withdrawn",
}

# Each step: the states it may start from and the state it leads to (None: it stays; the count
# of a vote leads to LOST, UNFUNDED, AWAITING_RATIFICATION or COMMITTED, as the result and the
# budget say).
TRANSITIONS: dict[Step, tuple[frozenset[ProposalStatus], ProposalStatus | None]] = {
    Step.EDIT: (frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED}), None),
    Step.SUBMIT: (
        frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED}),
        ProposalStatus.SUBMITTED,
    ),
    Step.RETURN: (frozenset({ProposalStatus.SUBMITTED}), ProposalStatus.RETURNED),
    Step.OPEN_VOTE: (frozenset({ProposalStatus.SUBMITTED}), ProposalStatus.VOTING),
    Step.VOTE: (frozenset({ProposalStatus.VOTING}), ProposalStatus.VOTING),
    Step.COUNT: (frozenset({ProposalStatus.VOTING}), None),
    Step.RATIFY: (frozenset({ProposalStatus.AWAITING_RATIFICATION}), ProposalStatus.COMMITTED),
    Step.REFUSE_RATIFICATION: (
        frozenset({ProposalStatus.AWAITING_RATIFICATION}),
        ProposalStatus.NOT_RATIFIED,
    ),
    Step.SPEND: (frozenset({ProposalStatus.COMMITTED}), ProposalStatus.SPENT),
    Step.REPORT: (frozenset({ProposalStatus.SPENT}), ProposalStatus.REPORTED),
    Step.WITHDRAW: (
        frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED}),
        ProposalStatus.WITHDRAWN,
    ),
}
# Where members may vote on a proposal (once its vote opens) or declare an interest in it.
BEFORE_THE_COUNT = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.VOTING})


def transition_problem(status: ProposalStatus, step: Step) -> str | None:
    """Why a proposal in ``status`` cannot take ``step`` (None if it can)."""
    starts, _ = TRANSITIONS[step]
    if status in starts:
        return None
    return (
        f"This proposal cannot be {STEP_WORDS[step]} now: it is “{STATUSES.get(status, status)}”."
    )


def check_transition(status: ProposalStatus, step: Step) -> None:
    """Refuse ``step`` on a proposal in ``status``, saying why, unless it may be taken."""
    problem = transition_problem(status, step)
    if problem:
        raise YouthError(problem)


CHOICES = {FOR: "For", AGAINST: "Against", ABSTAIN: "Abstain"}


@dataclass(frozen=True)
class VoteResult:
    votes_for: int
    votes_against: int
    abstentions: int
    passed: bool
    # The chair's casting vote broke a tie.
    by_casting_vote: bool


def count_votes(
    choices: Sequence[str],
    chair_choice: str | None,
    rules: YouthRules,
    *,
    when_no_votes_cast: bool = MeetingRules.casting_vote_when_no_votes_cast,
) -> VoteResult:
    """The forum's votes, decided as every body's are (``tmo.rules.voting``): a simple majority
    of the votes cast for or against. On a tie the chair's casting vote (when the constitution
    gives one) goes the way the chair voted; an abstaining or absent chair casts none, and a tie
    without a casting vote is lost. ``when_no_votes_cast`` is the constitution's meetings rule of
    that name."""
    votes_for = sum(1 for c in choices if c == FOR)
    against = sum(1 for c in choices if c == AGAINST)
    abstentions = sum(1 for c in choices if c == ABSTAIN)
    allowed = voting.casting_vote_allowed(
        votes_for,
        against,
        chair_has_casting_vote=rules.chair_casting_vote,
        when_no_votes_cast=when_no_votes_cast,
    )
    outcome = voting.decide(votes_for, against, chair_choice, casting_allowed=allowed)
    return VoteResult(votes_for, against, abstentions, outcome.carried, outcome.by_casting_vote)


def may_count(closes_on: date, today: date, eligible: int, voted: int) -> bool:
    """A vote is counted once its window has closed, or sooner when every forum member who may
    vote has voted."""
    return today >= closes_on or (eligible > 0 and voted >= eligible)


# The chair --------------------------------------------------------------------------------


class ChairElectionStatus(enum.StrEnum):
    """The forum's vote for its chair: open until a youth worker counts it."""

    OPEN = "open"
    COUNTED = "counted"

    @property
    def label(self) -> str:
        return CHAIR_ELECTION_LABELS[self]


CHAIR_ELECTION_LABELS = {
    ChairElectionStatus.OPEN: "Voting open",
    ChairElectionStatus.COUNTED: "Counted",
}

CHAIR_ELECTION_TRANSITIONS: dict[ChairElectionStatus, frozenset[ChairElectionStatus]] = {
    ChairElectionStatus.OPEN: frozenset({ChairElectionStatus.COUNTED}),
    ChairElectionStatus.COUNTED: frozenset(),
}


def check_chair_election_transition(
    current: ChairElectionStatus, target: ChairElectionStatus
) -> None:
    if target not in CHAIR_ELECTION_TRANSITIONS[current]:
        raise YouthError("This election has already been counted.")


def chair_winner(tallies: Mapping[int, int]) -> int | None:
    """The candidate with the most votes; None when nobody voted or the top is tied (the forum
    votes again)."""
    if not tallies:
        return None
    top = max(tallies.values())
    leaders = [candidate for candidate, votes in tallies.items() if votes == top]
    return leaders[0] if top > 0 and len(leaders) == 1 else None


# The dashboard -----------------------------------------------------------------------------


def monthly_totals(
    start: date, dated: Iterable[tuple[date, Entry]], today: date
) -> list[tuple[date, int, int]]:
    """For each month of the year from ``start`` up to ``today``: (month start, committed so far
    (including what has since been spent), spent so far). What the dashboard's chart draws."""
    months = []
    month = start
    end = year_end(start)
    while month < end and month <= max(today, start):
        months.append(month)
        month = next_month(month)
    ordered = sorted(dated, key=lambda item: item[0])
    rows = []
    for number, first in enumerate(months):
        following = months[number + 1] if number + 1 < len(months) else end
        upto = [entry for day, entry in ordered if day < following]
        total = balances(upto)
        rows.append((first, total.committed + total.spent, total.spent))
    return rows


def next_month(day: date) -> date:
    """The same day next month (financial years start on day 1 to 28, so it always exists)."""
    year, index = divmod(day.month, 12)
    return date(day.year + year, index + 1, min(day.day, 28))
