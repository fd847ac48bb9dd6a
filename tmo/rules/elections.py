"""Elections as pure rules: the lifecycle, the timeline, nominations, what a ballot may say, and
the ballot log's hash chain. No database, no web.

The lifecycle is an explicit state machine. The returning officer moves an election on, but the
poll opens and closes by the clock alone: an election in the "poll open" state accepts ballots
only between its opening and closing times, and reads as "poll closed" from the closing moment,
whether or not anybody has visited it since. Nothing runs in the background.
"""

import enum
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tmo.constitution import ElectionRules
from tmo.refusal import Refusal
from tmo.rules.chains import keyed_hash


class Status(enum.StrEnum):
    DRAFT = "draft"
    NOMINATIONS_OPEN = "nominations_open"
    NOMINATIONS_CLOSED = "nominations_closed"
    POLL_OPEN = "poll_open"
    POLL_CLOSED = "poll_closed"
    COUNTED = "counted"
    DECLARED = "declared"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "Being set up",
    Status.NOMINATIONS_OPEN: "Nominations open",
    Status.NOMINATIONS_CLOSED: "Nominations closed",
    Status.POLL_OPEN: "Poll open",
    Status.POLL_CLOSED: "Poll closed",
    Status.COUNTED: "Counted",
    Status.DECLARED: "Result declared",
    Status.CANCELLED: "Cancelled",
}

# The moves the returning officer makes. POLL_OPEN -> POLL_CLOSED is the clock's, not a person's;
# NOMINATIONS_CLOSED -> COUNTED is an uncontested election (candidates do not exceed seats).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.NOMINATIONS_OPEN, Status.CANCELLED}),
    Status.NOMINATIONS_OPEN: frozenset({Status.NOMINATIONS_CLOSED, Status.CANCELLED}),
    Status.NOMINATIONS_CLOSED: frozenset(
        {Status.POLL_OPEN, Status.COUNTED, Status.NOMINATIONS_OPEN, Status.CANCELLED}
    ),
    Status.POLL_OPEN: frozenset({Status.CANCELLED}),
    Status.POLL_CLOSED: frozenset({Status.COUNTED, Status.CANCELLED}),
    Status.COUNTED: frozenset({Status.DECLARED, Status.CANCELLED}),
    Status.DECLARED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# States in which no per-candidate figure may be shown to anyone.
BEFORE_CLOSE = frozenset(
    {
        Status.DRAFT,
        Status.NOMINATIONS_OPEN,
        Status.NOMINATIONS_CLOSED,
        Status.POLL_OPEN,
    }
)


class TransitionRefused(Refusal, ValueError):
    """The election cannot move to that state now; the message says why."""


class CandidateStatus(enum.StrEnum):
    """A nomination's life: the returning officer accepts or rejects it (and may think again
    while nominations are open); the candidate may withdraw until nominations close."""

    NOMINATED = "nominated"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return CANDIDATE_LABELS[self]


CANDIDATE_LABELS = {
    CandidateStatus.NOMINATED: "Waiting for the returning officer",
    CandidateStatus.ACCEPTED: "Accepted: a candidate",
    CandidateStatus.REJECTED: "Rejected",
    CandidateStatus.WITHDRAWN: "Withdrawn",
}

CANDIDATE_TRANSITIONS: dict[CandidateStatus, frozenset[CandidateStatus]] = {
    CandidateStatus.NOMINATED: frozenset(
        {CandidateStatus.ACCEPTED, CandidateStatus.REJECTED, CandidateStatus.WITHDRAWN}
    ),
    CandidateStatus.ACCEPTED: frozenset({CandidateStatus.REJECTED, CandidateStatus.WITHDRAWN}),
    CandidateStatus.REJECTED: frozenset({CandidateStatus.ACCEPTED, CandidateStatus.WITHDRAWN}),
    CandidateStatus.WITHDRAWN: frozenset(),
}


def check_candidate_transition(current: CandidateStatus, target: CandidateStatus) -> None:
    if target not in CANDIDATE_TRANSITIONS[current]:
        raise TransitionRefused(
            f"A nomination that is “{current.label.lower()}” cannot become "
            f"“{target.label.lower()}”."
        )


def effective_status(stored: Status, closes_at: datetime | None, now: datetime) -> Status:
    """The status as the clock makes it: an open poll is closed from its closing moment."""
    if stored is Status.POLL_OPEN and closes_at is not None and now >= closes_at:
        return Status.POLL_CLOSED
    return stored


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        raise TransitionRefused(
            f"An election that is “{current.label.lower()}” cannot become “{target.label.lower()}”."
        )


def accepting_ballots(
    stored: Status, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> bool:
    return (
        stored is Status.POLL_OPEN
        and opens_at is not None
        and closes_at is not None
        and opens_at <= now < closes_at
    )


@dataclass(frozen=True)
class Timeline:
    nominations_open: datetime
    nominations_close: datetime
    poll_opens: datetime
    poll_closes: datetime


LONDON = ZoneInfo("Europe/London")


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def london_midnight(day: date) -> datetime:
    """The first moment of ``day`` in London, in UTC."""
    return datetime.combine(day, time(), tzinfo=LONDON).astimezone(UTC)


def timeline(notice_on: date, rules: ElectionRules) -> Timeline:
    """The constitution's timeline from the day notice is given: notice period, nominations,
    statements published, then the poll. Each step starts at midnight in London, counted in
    London's days, so a change of the clocks moves no date."""
    nominations_open = notice_on + timedelta(days=rules.notice_days)
    nominations_close = nominations_open + timedelta(days=rules.nomination_days)
    poll_opens = nominations_close + timedelta(days=rules.statements_days)
    poll_closes = poll_opens + timedelta(days=rules.poll_days)
    return Timeline(
        *(
            london_midnight(day)
            for day in (nominations_open, nominations_close, poll_opens, poll_closes)
        )
    )


def timeline_problems(times: Timeline) -> list[tuple[str, str]]:
    """(field, message) for every date out of order."""
    problems = []
    if times.nominations_close <= times.nominations_open:
        problems.append(("nominations_close", "Nominations must close after they open."))
    if times.poll_opens < times.nominations_close:
        problems.append(("poll_opens", "The poll cannot open before nominations close."))
    if times.poll_closes <= times.poll_opens:
        problems.append(("poll_closes", "The poll must close after it opens."))
    return problems


WORD = re.compile(r"\S+")
DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(text: str) -> int | None:
    """``text`` as a whole number if it is one written in plain digits (at most nine), else
    None: "¹" and a 5,000-digit number are not numbers a ballot holds."""
    text = text.strip()
    return int(text) if DIGITS.fullmatch(text) else None


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def uncontested(valid_candidates: int, seats: int) -> bool:
    """Where candidates do not exceed seats, they are declared elected without a poll."""
    return 0 < valid_candidates <= seats


class BallotRefused(Refusal, ValueError):
    """What is wrong with a ballot, in words the voter can act on."""


def block_ballot(marked: Sequence[int], candidates: Sequence[int], seats: int) -> tuple[int, ...]:
    """The candidates marked on a block-vote paper: at least one, at most ``seats``."""
    chosen = tuple(dict.fromkeys(marked))
    if any(candidate not in candidates for candidate in chosen):
        raise BallotRefused("Choose only candidates on this ballot.")
    if not chosen:
        raise BallotRefused("Tick at least one candidate.")
    if len(chosen) > seats:
        raise BallotRefused(
            f"You ticked {len(chosen)} candidates. You can vote for up to {seats}: untick "
            f"{len(chosen) - seats}."
        )
    return chosen


def stv_ballot(numbers: dict[int, int], candidates: Sequence[int]) -> tuple[int, ...]:
    """The candidates in preference order from the numbers written beside them: 1, 2, 3... with
    none repeated or skipped. Candidates left blank are simply not ranked."""
    if any(candidate not in candidates for candidate in numbers):
        raise BallotRefused("Number only candidates on this ballot.")
    if not numbers:
        raise BallotRefused("Write 1 beside the candidate you like best.")
    if any(number < 1 for number in numbers.values()):
        raise BallotRefused("Use the numbers 1, 2, 3 and so on.")
    ordered = sorted(numbers.items(), key=lambda item: item[1])
    used = [number for _, number in ordered]
    repeated = sorted({number for number in used if used.count(number) > 1})
    if repeated:
        raise BallotRefused(
            "Each number can be used once. You used "
            + ", ".join(str(number) for number in repeated)
            + " more than once."
        )
    if used != list(range(1, len(used) + 1)):
        missing = next(n for n in range(1, len(used) + 1) if n not in used)
        raise BallotRefused(
            f"Number your choices 1, 2, 3 without gaps: there is no {missing}."
            if missing > 1
            else "Write 1 beside the candidate you like best."
        )
    return tuple(candidate for candidate, _ in ordered)


# The ballot log. Each sealed ballot's hash is keyed (tmo.rules.chains) and covers the previous
# hash, the ballot's random id and its ciphertext, and nothing else: no day, no time, nothing
# that orders or links. Any ballot edited, removed, added or reordered changes every hash after
# it, and without the server's key nobody can make the hashes agree again.
GENESIS_PREFIX = "tmo-election"


def genesis(election_id: int) -> str:
    return hashlib.sha256(f"{GENESIS_PREFIX}:{election_id}".encode()).hexdigest()


def ballot_hash(key: bytes, previous: str, ballot_id: str, ciphertext: str) -> str:
    return keyed_hash(key, previous, ballot_id, ciphertext)


def encode_preferences(preferences: Sequence[int]) -> str:
    return " ".join(str(candidate) for candidate in preferences)


def decode_preferences(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split())
