"""The constitution: every rule a TMO may set for itself, as one typed object.

Each of England's ~250 TMOs has its own constitution; the defaults here are the Kensington & Chelsea
TMO's. Each rule carries its title, hint and bounds (statutory floors included) so that the
administrator's form, its validation and the public page are all generated from this one place.
No such number appears anywhere else in tmo: code asks ``request.constitution``.
"""

import dataclasses
import enum
import typing
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any


def rule(default, title, hint="", *, minimum=None, maximum=None, choices=None, kind=None, law=""):
    """A configurable rule: its default and what the form needs to edit and check it."""
    metadata = {
        "title": title,
        "hint": hint,
        "minimum": minimum,
        "maximum": maximum,
        "choices": choices,
        "kind": kind,
        "law": law,
    }
    if isinstance(default, list | tuple) and not isinstance(default, str):
        return field(default_factory=lambda: tuple(default), metadata=metadata)
    return field(default=default, metadata=metadata)


TENURES = (
    ("secure_tenant", "Secure tenant"),
    ("joint_tenant", "Joint tenant"),
    ("leaseholder", "Resident leaseholder"),
    ("non_resident_leaseholder", "Non-resident leaseholder"),
)
HOUSEHOLD_RULES = (
    ("one_per_adult_tenant", "One membership for each adult tenant or leaseholder"),
    ("one_per_home", "One membership for each home"),
)
FILLED_BY = (
    ("election", "Elected by the members"),
    ("council_appointment", "Appointed by the council"),
    ("board_appointment", "Appointed by the board"),
    ("ex_officio", "Ex officio"),
)
ELECTION_METHODS = (
    ("stv", "Single transferable vote (Scottish STV rules)"),
    ("block", "Block vote (mark up to one candidate for each seat)"),
)
CODE_CHECKS = (
    ("postcode", "Their postcode"),
    ("date_of_birth", "Their date of birth"),
)
BALLOT_ORDERS = (
    ("random", "A fresh random order for each voter"),
    ("alphabetical", "Alphabetical by surname"),
)
YEAR_END = (
    ("lapse", "Unspent money lapses"),
    ("carry_over", "Unspent money carries over to next year"),
)
# The parts of the United Kingdom whose bank holidays differ (Wales keeps England's).
BANK_HOLIDAY_REGIONS = (
    ("england_and_wales", "England and Wales"),
    ("scotland", "Scotland"),
    ("northern_ireland", "Northern Ireland"),
)


class SeatCategoryKey(enum.StrEnum):
    """The board's seat categories, by the key the code knows each by: an election fills resident
    seats, the Youth Forum's chair holds the youth chair's seat ex officio. A constitution sets
    how many seats each has (none, if a TMO's board does not have it) and how they are filled."""

    RESIDENT = "resident"
    COUNCILLOR = "councillor"
    INDEPENDENT = "independent"
    YOUTH_CHAIR = "youth_chair"


@dataclass(frozen=True)
class SeatCategory:
    key: SeatCategoryKey
    name: str = rule("", "Name")
    seats: int = rule(0, "Number of seats", minimum=0, maximum=30)
    filled_by: str = rule("election", "How the seats are filled", choices=FILLED_BY)
    council_associated: bool = rule(
        False,
        "Holders count as council-associated",
        "Councillors and council officers count towards the 20% that makes a TMO "
        "council-influenced (Local Government and Housing Act 1989, s69).",
    )
    counts_as_resident: bool = rule(
        False,
        "Holders count towards the resident majority",
        "Tick for seats held by residents of the TMO's homes (elected residents, the Youth Forum "
        "chair).",
    )

    def __post_init__(self):
        # A stored constitution names its categories by their keys as plain strings.
        object.__setattr__(self, "key", SeatCategoryKey(self.key))


DEFAULT_SEAT_CATEGORIES = (
    SeatCategory(
        SeatCategoryKey.RESIDENT, "Resident (tenant and leaseholder)", 8, "election", False, True
    ),
    SeatCategory(SeatCategoryKey.COUNCILLOR, "Councillor", 4, "council_appointment", True, False),
    SeatCategory(SeatCategoryKey.INDEPENDENT, "Independent", 3, "board_appointment", False, False),
    SeatCategory(SeatCategoryKey.YOUTH_CHAIR, "Youth Forum chair", 1, "ex_officio", False, True),
)


@dataclass(frozen=True)
class MembershipRules:
    minimum_age: int = rule(18, "Minimum age to join", minimum=16, maximum=21, law="")
    eligible_tenures: tuple[str, ...] = rule(
        tuple(key for key, _ in TENURES), "Who may join", choices=TENURES, kind="set"
    )
    associate_members: bool = rule(
        True,
        "Allow associate members",
        "Associate members (a tenant's adult child living at home, say) may attend general "
        "meetings but cannot vote.",
    )
    household_rule: str = rule("one_per_adult_tenant", "Household rule", choices=HOUSEHOLD_RULES)
    register_retention_years: int = rule(
        10,
        "Years to keep a former member's register entry",
        minimum=10,
        maximum=50,
        law="Companies Act 2006 s121: at least 10 years after ceasing to be a member.",
    )
    import_confirm_percent: int = rule(
        5,
        "A property import must be confirmed by typing the number when it would cease more than "
        "this share of the members, or end more than this share of the current tenancies (%)",
        "0 means every import that ceases a membership or ends a tenancy must be confirmed.",
        minimum=0,
        maximum=100,
    )


@dataclass(frozen=True)
class BoardRules:
    seat_categories: tuple[SeatCategory, ...] = field(
        default=DEFAULT_SEAT_CATEGORIES,
        metadata={"title": "Seat categories", "hint": "", "kind": "seats"},
    )
    maximum_directors: int = rule(16, "Maximum number of directors", minimum=3, maximum=40)
    term_years: int = rule(3, "Term of office (years)", minimum=1, maximum=5)
    rotation_cohorts: int = rule(
        3,
        "Rotation: resident seats fall vacant in this many yearly groups",
        "3 means about a third of the resident seats are elected each year.",
        minimum=1,
        maximum=5,
    )
    maximum_consecutive_terms: int = rule(
        0, "Maximum consecutive terms", "0 means no limit.", minimum=0, maximum=10
    )
    resident_majority_required: bool = rule(
        True, "Residents must hold a majority of the filled seats"
    )
    council_influence_percent: int = rule(
        20,
        "Council-influence warning threshold (%)",
        minimum=1,
        maximum=100,
        law="Local Government and Housing Act 1989 s69: 20% council-associated directors.",
    )
    minimum_director_age: int = rule(
        18,
        "Minimum age to serve as a director",
        minimum=16,
        maximum=21,
        law="Companies Act 2006 s157: a director must be at least 16.",
    )
    co_option_allowed: bool = rule(
        True, "Casual vacancies may be filled by co-option until the next AGM"
    )
    absences_before_flag: int = rule(
        3,
        "Consecutive meetings missed without accepted apologies before a seat is flagged",
        minimum=1,
        maximum=12,
    )
    interests_renewal_months: int = rule(
        12, "Declarations of interest are renewed every (months)", minimum=1, maximum=36
    )
    serious_arrears_bar: bool = rule(True, "Serious rent arrears bar a person from the board")


@dataclass(frozen=True)
class ElectionRules:
    notice_days: int = rule(
        7, "Days from notice of election to nominations opening", minimum=0, maximum=90
    )
    nomination_days: int = rule(14, "Days nominations are open", minimum=7, maximum=60)
    statements_days: int = rule(
        7, "Days from nominations closing to the poll opening", minimum=0, maximum=60
    )
    poll_days: int = rule(14, "Days the poll is open", minimum=7, maximum=42)
    proposers_required: int = rule(1, "Proposers a nomination needs", minimum=0, maximum=10)
    seconders_required: int = rule(1, "Seconders a nomination needs", minimum=0, maximum=10)
    statement_word_limit: int = rule(
        250, "Word limit for a candidate's statement", minimum=50, maximum=2000
    )
    photo_maximum_mb: int = rule(
        2, "Largest candidate's photo that may be uploaded (MB)", minimum=1, maximum=10
    )
    method: str = rule("stv", "Voting method", choices=ELECTION_METHODS)
    ballot_order: str = rule("random", "Order of candidates on the ballot", choices=BALLOT_ORDERS)
    code_check: str = rule(
        "postcode",
        "What a member voting with the code on their poll card also gives",
        "Asked at /vote with the code, so that a poll card found by someone else is no use to "
        "them.",
        choices=CODE_CHECKS,
    )


@dataclass(frozen=True)
class MeetingRules:
    general_meeting_notice_clear_days: int = rule(
        14,
        "Notice of a general meeting (clear days)",
        minimum=14,
        maximum=60,
        law="Companies Act 2006 s307: at least 14 clear days.",
    )
    board_notice_days: int = rule(7, "Notice of a board meeting (days)", minimum=0, maximum=60)
    committee_notice_days: int = rule(
        7, "Notice of a committee meeting (days)", minimum=0, maximum=60
    )
    general_meeting_quorum: int = rule(
        2,
        "Quorum of a general meeting (members present)",
        minimum=2,
        maximum=1000,
        law="Companies Act 2006 s318: two qualifying persons unless the articles say otherwise.",
    )
    board_quorum: int = rule(5, "Quorum of the board (directors present)", minimum=2, maximum=40)
    committee_quorum: int = rule(
        3,
        "Quorum of a committee, panel or working group (members present)",
        "Used where a body's own terms of reference set no quorum.",
        minimum=1,
        maximum=40,
    )
    chair_casting_vote: bool = rule(True, "The chair has a casting vote on a tie")
    casting_vote_when_no_votes_cast: bool = rule(
        False,
        "When nobody votes for or against, the chair may still give a casting vote",
        "Leave it unticked and a motion nobody votes for or against falls. It applies wherever "
        "the chair has a casting vote, the Youth Forum's included.",
    )
    requisition_percent: int = rule(
        5,
        "Share of members who may requisition a general meeting (%)",
        minimum=1,
        maximum=10,
        law="Companies Act 2006 s303: members holding 5% of the voting rights.",
    )
    requisition_call_days: int = rule(
        21,
        "Days the board has to call a requisitioned meeting",
        minimum=1,
        maximum=21,
        law="Companies Act 2006 s304: within 21 days.",
    )
    paper_maximum_mb: int = rule(
        10, "Largest meeting paper that may be uploaded (MB)", minimum=1, maximum=50
    )
    minutes_retention_years: int = rule(
        10,
        "Years to keep minutes",
        minimum=10,
        maximum=100,
        law="Companies Act 2006 s248 and s355: at least 10 years.",
    )


@dataclass(frozen=True)
class NoticeRules:
    post_delivery_hours: int = rule(
        48,
        "A posted notice is deemed delivered after (hours)",
        "Only the hours of working days count: a letter posted on a Friday afternoon is deemed "
        "delivered on the Tuesday afternoon.",
        minimum=0,
        maximum=168,
        law="Companies Act 2006 s1147(2) and (5): 48 hours after posting, leaving out days that "
        "are not working days, unless the articles say otherwise (s1147(6)).",
    )
    email_delivery_hours: int = rule(
        48,
        "An emailed notice is deemed delivered after (hours)",
        "Only the hours of working days count, as for a letter.",
        minimum=0,
        maximum=168,
        law="Companies Act 2006 s1147(3) and (5): 48 hours after sending, leaving out days that "
        "are not working days, unless the articles say otherwise (s1147(6)).",
    )
    bank_holidays: str = rule(
        "england_and_wales",
        "Bank holidays of",
        "The part of the United Kingdom where the TMO is registered.",
        choices=BANK_HOLIDAY_REGIONS,
        law="Companies Act 2006 s1173: a working day is not a Saturday, Sunday, Christmas Day, "
        "Good Friday or a bank holiday in the part of the United Kingdom where the company is "
        "registered.",
    )
    closure_days: tuple[date, ...] = rule(
        (),
        "Other days that are not working days",
        "Days the TMO's own rules leave out as well, such as the days between Christmas and New "
        "Year: one a line, as YYYY-MM-DD. Leaving a day out only makes notice longer.",
        maximum=100,
        kind="dates",
    )


@dataclass(frozen=True)
class YouthRules:
    minimum_age: int = rule(
        13,
        "Youngest age to join the Youth Forum",
        minimum=13,
        maximum=18,
        law="UK GDPR art. 8 and the Data Protection Act 2018: 13 is the digital age of consent.",
    )
    maximum_age: int = rule(25, "Oldest age in the Youth Forum", minimum=16, maximum=30)
    annual_budget_pence: int = rule(
        1_500_000, "Devolved budget each year (£)", minimum=0, maximum=100_000_000, kind="money"
    )
    financial_year_start_month: int = rule(
        4, "Financial year starts in month (1-12)", minimum=1, maximum=12
    )
    financial_year_start_day: int = rule(1, "Financial year starts on day", minimum=1, maximum=28)
    unspent_at_year_end: str = rule("lapse", "At the end of the year", choices=YEAR_END)
    board_ratification_pence: int = rule(
        100_000,
        "Spends above this need board ratification (£)",
        minimum=0,
        maximum=100_000_000,
        kind="money",
    )
    chair_casting_vote: bool = rule(True, "The forum chair has a casting vote on a tie")
    voting_days: int = rule(
        7,
        "Days a forum vote on a proposal stays open",
        "The vote may be counted sooner once every forum member who may vote has voted.",
        minimum=1,
        maximum=60,
    )
    age_out_notice_days: int = rule(
        60,
        "Notice (days) a member is given before they age out of the forum",
        minimum=0,
        maximum=365,
    )


@dataclass(frozen=True)
class ContactDetails:
    """How residents reach the TMO: shown on the contact page, the privacy notice and the
    accessibility statement. Each may be left empty; the pages say only what is set."""

    office_address: str = rule(
        "", "Office address", "Where residents can visit or write to.", kind="optional"
    )
    email: str = rule("", "Email address", kind="optional")
    phone: str = rule("", "Phone number", kind="optional")
    opening_hours: str = rule(
        "", "Opening hours", "For example: “Monday to Friday, 9am to 5pm”.", kind="optional"
    )
    data_protection_contact: str = rule(
        "",
        "Who answers questions about personal data",
        "A name or role, for example “The company secretary”. Left empty, the secretary.",
        kind="optional",
    )


@dataclass(frozen=True)
class Constitution:
    organisation_name: str = rule("Demo Tenant Management Organisation", "Name of the TMO")
    membership: MembershipRules = field(default_factory=MembershipRules)
    board: BoardRules = field(default_factory=BoardRules)
    elections: ElectionRules = field(default_factory=ElectionRules)
    meetings: MeetingRules = field(default_factory=MeetingRules)
    notices: NoticeRules = field(default_factory=NoticeRules)
    youth: YouthRules = field(default_factory=YouthRules)
    contact: ContactDetails = field(default_factory=ContactDetails)

    def seat_category(self, key: SeatCategoryKey | str) -> SeatCategory:
        for category in self.board.seat_categories:
            if category.key == key:
                return category
        raise KeyError(key)

    def problems(self) -> list[tuple[str, str]]:
        """Rules that contradict each other, as (field path, message) pairs: each names the
        rule and says what to do."""
        found = []
        board, meetings = self.board, self.meetings
        seats = sum(category.seats for category in board.seat_categories)
        if seats > board.maximum_directors:
            found.append(
                (
                    "board.maximum_directors",
                    f"The seat categories add up to {seats} seats, more than the maximum of "
                    f"{board.maximum_directors} directors: raise the maximum number of directors "
                    f"to {seats} or more, or give the seat categories fewer seats.",
                )
            )
        # A quorum the board can never reach would stop it deciding anything.
        board_size = min(board.maximum_directors, seats)
        if meetings.board_quorum > board_size:
            found.append(
                (
                    "meetings.board_quorum",
                    f"The quorum of the board ({meetings.board_quorum}) is more than the "
                    f"{board_size} directors the board can have: lower the quorum of the board "
                    f"to {board_size} or fewer.",
                )
            )
        if self.youth.minimum_age >= self.youth.maximum_age:
            found.append(
                (
                    "youth.maximum_age",
                    "The oldest age in the Youth Forum must be above the youngest age: raise "
                    "the oldest age or lower the youngest.",
                )
            )
        if not self.membership.eligible_tenures:
            found.append(("membership.eligible_tenures", "Choose at least one kind of tenure."))
        return found


SECTIONS = (
    ("membership", "Membership"),
    ("board", "The board"),
    ("elections", "Elections"),
    ("meetings", "Meetings"),
    ("notices", "Notices and how they are delivered"),
    ("youth", "Youth Forum"),
    ("contact", "Contacting the TMO"),
)


def to_dict(value) -> dict[str, Any]:
    """Plain JSON-ready data (tuples become lists)."""
    return _plain(dataclasses.asdict(value))


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@cache
def _type_hints(cls) -> dict:
    return typing.get_type_hints(cls)


def from_dict(cls, data: dict | None):
    """Build ``cls`` from stored data; a rule missing from an older version takes its default."""
    data = data or {}
    hints = _type_hints(cls)
    values = {}
    for item in dataclasses.fields(cls):
        if item.name not in data:
            continue
        raw = data[item.name]
        annotation = hints[item.name]
        if dataclasses.is_dataclass(annotation):
            values[item.name] = from_dict(annotation, raw)
        elif item.name == "seat_categories":
            values[item.name] = tuple(from_dict(SeatCategory, entry) for entry in raw)
        elif typing.get_origin(annotation) is tuple and typing.get_args(annotation)[0] is date:
            # Stored as YYYY-MM-DD; a form hands over the dates themselves.
            values[item.name] = tuple(
                day if isinstance(day, date) else date.fromisoformat(day) for day in raw
            )
        elif typing.get_origin(annotation) is tuple:
            values[item.name] = tuple(raw)
        else:
            values[item.name] = raw
    return cls(**values)
