"""Membership rules: an application's lifecycle, who may join, who may vote, member numbers, how
long a former member's register entry is kept, and what a choice of how to be contacted needs.
Pure functions over plain values and the constitution's rules."""

import enum
import re
from dataclasses import dataclass
from datetime import date

from tmo.constitution import TENURES, MembershipRules
from tmo.refusal import Refusal
from tmo.rules.notices import Channel

HOLDING_LABELS = dict(TENURES)


class MembershipError(Refusal):
    """A refusal the person can act on; the message is shown to them."""


class ApplicationStatus(enum.StrEnum):
    """An application to join: submitted, then admitted, rejected or withdrawn, once."""

    SUBMITTED = "submitted"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return APPLICATION_LABELS[self]


APPLICATION_LABELS = {
    ApplicationStatus.SUBMITTED: "Waiting for a decision",
    ApplicationStatus.ADMITTED: "Admitted",
    ApplicationStatus.REJECTED: "Rejected",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
}

# The secretary admits or rejects; the applicant may withdraw while they wait. A decision is
# final: applying again is a new application.
APPLICATION_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.ADMITTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.ADMITTED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


def check_application_transition(current: ApplicationStatus, target: ApplicationStatus) -> None:
    if target not in APPLICATION_TRANSITIONS[ApplicationStatus(current)]:
        raise MembershipError(f"This application has already been {current}.")


def natural_key(text: str) -> tuple:
    """The order people count in: "Flat 2" before "Flat 10", case set aside. Text and numbers
    alternate in the key (it starts with text, maybe empty), so two keys always compare."""
    parts = re.split(r"(\d+)", text.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day`` (a person born on 29 February turns a year older on 1 March
    in a common year, as English law counts it)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Applicant:
    born: date | None
    holding: str
    associate: bool
    has_active_membership: bool
    # Full (voting) members already admitted at the same home.
    full_members_at_home: int


def joining_problems(applicant: Applicant, rules: MembershipRules, on: date) -> list[str]:
    """Why ``applicant`` may not join on ``on`` (empty if they may), in words they can act on."""
    problems = []
    if applicant.born is None:
        problems.append("Enter your date of birth.")
    elif applicant.born > on:
        problems.append("Your date of birth must be in the past.")
    elif age_on(applicant.born, on) < rules.minimum_age:
        problems.append(f"You must be {rules.minimum_age} or older to join.")
    if applicant.associate:
        if not rules.associate_members:
            problems.append("This TMO does not have associate members.")
    elif applicant.holding not in rules.eligible_tenures:
        label = HOLDING_LABELS.get(applicant.holding, applicant.holding).lower()
        problems.append(
            f"The constitution does not let a {label} join as a full member."
            + (" You may apply as an associate member." if rules.associate_members else "")
        )
    if applicant.has_active_membership:
        problems.append("You are already a member.")
    if (
        not applicant.associate
        and rules.household_rule == "one_per_home"
        and applicant.full_members_at_home > 0
    ):
        problems.append(
            "Your home already has a member, and the constitution allows one member for each home."
        )
    return problems


def may_vote(ceased_on: date | None, associate: bool, on: date) -> bool:
    """A member votes while their membership lasts, unless they are an associate member."""
    return not associate and (ceased_on is None or ceased_on > on)


def purge_after(ceased_on: date, rules: MembershipRules) -> date:
    """The first day a former member's register entry may be purged."""
    return add_years(ceased_on, rules.register_retention_years)


def next_member_number(highest: int | None) -> int:
    """Member numbers run from 1 and are never reused, even after a purge."""
    return (highest or 0) + 1


# How a person told the TMO how they want to be contacted: online themselves, or to staff, who
# record it for them (and are named on the record as having done so).
ONLINE = "online"
TOLD_HOW = {
    "phoned": "by phone",
    "wrote": "by letter",
    "in_person": "in person",
    "emailed": "by email",
}


def contact_choice_problem(choice: Channel, email: str) -> str | None:
    """Why ``choice`` cannot be recorded with ``email`` on record (None if it can): notices go
    by email only to an address, and only with the person's agreement (Companies Act 2006 Sch 5
    para 6), which choosing email is; anyone else is sent them by post."""
    if choice is Channel.EMAIL and not email:
        return "Choosing email needs an email address: enter one, or choose post."
    return None
