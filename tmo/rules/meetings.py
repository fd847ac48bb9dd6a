"""Meetings rules: notice periods, quorum (leaving out members with a declared interest), votes and
the chair's casting vote, the minutes' lifecycle and how long they are kept, attendance marks and
statistics, actions carried forward, and requisitions. Plain values in, plain values out: no
database, no web.
"""

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tmo.constitution import MeetingRules
from tmo.refusal import Refusal
from tmo.rules import voting
from tmo.rules.membership import add_years
from tmo.rules.notices import clear_days
from tmo.rules.voting import ABSTAIN, AGAINST, FOR

# Kinds of body, in the order a secretary thinks of them.
BOARD = "board"
COMMITTEE = "committee"
SUB_COMMITTEE = "sub_committee"
WORKING_GROUP = "working_group"
PANEL = "panel"
YOUTH_FORUM = "youth_forum"
GENERAL_MEETING = "general_meeting"
BODY_KINDS = {
    BOARD: "The board",
    COMMITTEE: "Committee",
    SUB_COMMITTEE: "Sub-committee",
    WORKING_GROUP: "Working group",
    PANEL: "Panel",
    YOUTH_FORUM: "Youth Forum",
    GENERAL_MEETING: "General meeting of members",
}

MEMBER_ROLES = {
    "chair": "Chair",
    "vice_chair": "Vice-chair",
    "secretary": "Secretary",
    "member": "Member",
}

# Kinds of meeting of a general-meeting body; other bodies hold ordinary meetings.
ORDINARY = "ordinary"
AGM = "agm"
EGM = "egm"
MEETING_KINDS = {ORDINARY: "Meeting", AGM: "Annual general meeting", EGM: "General meeting"}

# Attendance.
PRESENT = "present"
APOLOGIES = "apologies"
ABSENT = "absent"
IN_ATTENDANCE = "in_attendance"
ATTENDANCE = {
    PRESENT: "Present",
    APOLOGIES: "Apologies",
    ABSENT: "Absent",
    IN_ATTENDANCE: "In attendance (not a member)",
}

# Standing items every meeting's agenda begins with, and the AGM's own business after them.
APOLOGIES_ITEM = "apologies"
DECLARATIONS_ITEM = "declarations"
LAST_MINUTES_ITEM = "last_minutes"
MATTERS_ARISING_ITEM = "matters_arising"
STANDING_ITEMS = (
    (APOLOGIES_ITEM, "Apologies for absence"),
    (DECLARATIONS_ITEM, "Declarations of interest"),
    (LAST_MINUTES_ITEM, "Minutes of the last meeting"),
    (MATTERS_ARISING_ITEM, "Matters arising and actions"),
)
AGM_ITEMS = (
    ("accounts", "The annual accounts and the directors' report"),
    ("election_results", "Results of the board election"),
    ("appointments", "Appointment of the auditors and other appointments"),
)
GENERAL_ITEM = "item"


class MeetingError(Refusal):
    """A change to a body, a meeting or its record refused; the message says why in words the
    secretary can act on."""


# Votes.
VOTES = {FOR: "For", AGAINST: "Against", ABSTAIN: "Abstained"}
CARRIED = "carried"
LOST = "lost"


# -- Notice --------------------------------------------------------------------------------------


def notice_problem(
    kind: str,
    notice_on: date,
    meeting_on: date,
    rules: MeetingRules,
    given_as: str = "notice given today",
) -> str | None:
    """Why notice given on ``notice_on`` is too short for a meeting of a ``kind`` body on
    ``meeting_on``; None when it is long enough. ``given_as`` says how the notice is given on
    that day (letters posted today are given the day they are deemed delivered)."""
    if meeting_on < notice_on:
        return "The meeting cannot be before the notice of it."
    if kind == GENERAL_MEETING:
        needed = rules.general_meeting_notice_clear_days
        given = clear_days(notice_on, meeting_on)
        if given < needed:
            earliest = notice_on + timedelta(days=needed + 1)
            return (
                f"Too short notice: a general meeting needs at least {needed} clear days' notice "
                f"(Companies Act 2006 s307); {given_as} allows {given}. "
                f"The earliest date is {earliest:%-d %B %Y}."
            )
        return None
    needed = rules.board_notice_days if kind == BOARD else rules.committee_notice_days
    given = (meeting_on - notice_on).days
    if given < needed:
        earliest = notice_on + timedelta(days=needed)
        what = "the board" if kind == BOARD else "this body"
        return (
            f"Too short notice: a meeting of {what} needs {needed} days' notice under the "
            f"constitution; {given_as} allows {given}. "
            f"The earliest date is {earliest:%-d %B %Y}."
        )
    return None


# -- Quorum --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumRule:
    """A number of members present, or (with ``of``) a fraction ``number``/``of`` of the body."""

    number: int
    of: int | None = None

    def __str__(self) -> str:
        if self.of:
            return f"{self.number}/{self.of} of the members"
        return f"{self.number} present"


def casting_vote_allowed(kind: str, constitution) -> bool:
    """Whether the chair of a ``kind`` body has a casting vote: the Youth Forum's own rule, or
    the meetings rule for every other body."""
    if kind == YOUTH_FORUM:
        return constitution.youth.chair_casting_vote
    return constitution.meetings.chair_casting_vote


def quorum_rule_for(
    kind: str, number: int | None, of: int | None, rules: MeetingRules
) -> QuorumRule:
    """A body's own quorum, or the constitution's for its kind."""
    if number:
        return QuorumRule(number, of or None)
    if kind == BOARD:
        return QuorumRule(rules.board_quorum)
    if kind == GENERAL_MEETING:
        return QuorumRule(rules.general_meeting_quorum)
    return QuorumRule(rules.committee_quorum)


def quorum_needed(rule: QuorumRule, members: int) -> int:
    """How many members must count for a body of ``members``: never fewer than one."""
    if rule.of:
        return max(1, math.ceil(members * rule.number / rule.of))
    return max(1, rule.number)


@dataclass(frozen=True)
class Quorum:
    needed: int
    counted: int
    # Present members left out because they declared an interest in the item.
    left_out: int

    @property
    def quorate(self) -> bool:
        return self.counted >= self.needed

    def __str__(self) -> str:
        state = "Quorate" if self.quorate else "Not quorate"
        text = f"{state}: {self.counted} counted, {self.needed} needed"
        if self.left_out:
            text += f" ({self.left_out} left out for a declared interest)"
        return text


def quorum(present: Iterable, conflicted: Iterable, needed: int) -> Quorum:
    """The quorum for an item: the members present, less those with a declared interest in it."""
    here = set(present)
    counted = here - set(conflicted)
    return Quorum(needed=needed, counted=len(counted), left_out=len(here) - len(counted))


# -- Votes ---------------------------------------------------------------------------------------


def vote_problems(
    votes_for: int, against: int, abstain: int, eligible: int, casting: str | None
) -> list[str]:
    """What is wrong with a recorded vote among ``eligible`` voters (members present without an
    interest in the item)."""
    problems = []
    if min(votes_for, against, abstain) < 0:
        problems.append("A count of votes cannot be negative.")
    elif votes_for + against + abstain > eligible:
        problems.append(
            f"{votes_for + against + abstain} votes recorded, but only {eligible} members "
            "present may vote on this item (members with a declared interest may not)."
        )
    if casting and votes_for != against:
        problems.append("The chair's casting vote is used only on a tie.")
    return problems


def tally(named: dict) -> tuple[int, int, int]:
    """For, against and abstentions from a recorded vote (each member's vote by name)."""
    votes = list(named.values())
    return votes.count(FOR), votes.count(AGAINST), votes.count(ABSTAIN)


def vote_outcome(votes_for: int, against: int, casting: str | None, casting_allowed: bool) -> str:
    """Carried or lost, by ``tmo.rules.voting``: a majority of the votes cast; on a tie, the
    chair's casting vote where the chair may give one on this count (``casting_allowed``, from
    ``voting.casting_vote_allowed``), and otherwise the motion falls."""
    outcome = voting.decide(votes_for, against, casting, casting_allowed=casting_allowed)
    return CARRIED if outcome.carried else LOST


# -- The agenda ----------------------------------------------------------------------------------


def agenda_change_problem(published_on: date | None, started: bool) -> str | None:
    """Why an item of the agenda can no longer be changed, withdrawn or moved, or None: the
    agenda is fixed once published, and at the latest when the meeting begins."""
    if published_on is not None:
        return (
            f"The agenda was published on {published_on:%-d %B %Y}: its items can no longer be "
            "changed, moved or withdrawn. Raise a change at the meeting, under its item."
        )
    if started:
        return "The meeting has begun: its agenda can no longer be changed, moved or withdrawn."
    return None


# -- Minutes -------------------------------------------------------------------------------------


class MinutesState(enum.StrEnum):
    """The minutes' life: drafted from the record, circulated to the body's members, approved as
    a true record by a decision of the next meeting, signed by the chair. Each step moves one
    state on; none goes back (a later correction is a recorded amendment)."""

    DRAFT = "draft"
    CIRCULATED = "circulated"
    APPROVED = "approved"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return MINUTES_STATES[self]


# The states by their short names, as the rest of tmo writes them.
DRAFT, CIRCULATED, APPROVED, SIGNED = MinutesState

MINUTES_STATES = {
    DRAFT: "Draft",
    CIRCULATED: "Circulated to the members",
    APPROVED: "Approved as a true record",
    SIGNED: "Signed by the chair",
}


class MinutesStep(enum.StrEnum):
    """The steps a person takes with the minutes: the secretary circulates them, the next
    meeting approves them, the chair signs them."""

    CIRCULATE = "circulate"
    APPROVE = "approve"
    SIGN = "sign"

    @property
    def verb(self) -> str:
        return {"circulate": "circulated", "approve": "approved", "sign": "signed"}[self]


# step -> (the state it is taken from, the state it leads to)
MINUTES_TRANSITIONS: dict[MinutesStep, tuple[MinutesState, MinutesState]] = {
    MinutesStep.CIRCULATE: (DRAFT, CIRCULATED),
    MinutesStep.APPROVE: (CIRCULATED, APPROVED),
    MinutesStep.SIGN: (APPROVED, SIGNED),
}


def minutes_transition_problem(state: str, transition: str) -> str | None:
    """Why the minutes in ``state`` cannot take the step ``transition``; None when they can."""
    source, _ = MINUTES_TRANSITIONS[transition]
    if state != source:
        return (
            f"The minutes cannot be {transition_verb(transition)}: they are "
            f"{MINUTES_STATES[state].lower()}, and only {MINUTES_STATES[source].lower()} minutes "
            "can be."
        )
    return None


def check_minutes_transition(state: str, transition: str) -> MinutesState:
    """The state the step ``transition`` leads to from ``state``, or a refusal saying why it
    cannot be taken."""
    problem = minutes_transition_problem(state, transition)
    if problem:
        raise MeetingError(problem)
    return MINUTES_TRANSITIONS[transition][1]


def transition_verb(transition: str) -> str:
    return MinutesStep(transition).verb


def record_editable(state: str) -> bool:
    """The meeting's record may change only while its minutes are a draft; after that, only by a
    recorded amendment."""
    return state == DRAFT


def amendable(state: str) -> bool:
    return state != DRAFT


def published(state: str) -> bool:
    return state == SIGNED


def minutes_kept_until(meeting_on: date, rules: MeetingRules) -> date:
    """The last day the minutes of a meeting held on ``meeting_on`` must be kept: the
    constitution's years after the meeting (the Companies Act's floor is 10)."""
    return add_years(meeting_on, rules.minutes_retention_years)


# -- Attendance ----------------------------------------------------------------------------------


def attendance_problem(
    name: str, status: str, apologies_accepted: bool, arrived: str, departed: str
) -> tuple[str, str] | None:
    """(the field, what is wrong) with one person's row of attendance, or None when it stands:
    apologies are accepted only from someone who sent them (and so was not there), times are
    given only for someone present, and they arrived before they left."""
    if apologies_accepted and status != APOLOGIES:
        return (
            "apologies_accepted",
            f"{name} is recorded as {ATTENDANCE[status].lower()}: apologies are accepted only "
            "from someone who sent them and was not there.",
        )
    if status != PRESENT and (arrived or departed):
        field = "arrived" if arrived else "departed"
        return field, f"{name} was not present: leave the times they arrived and left empty."
    if arrived and departed and minutes_of_day(arrived) >= minutes_of_day(departed):
        return (
            "departed",
            f"{name} cannot leave at {departed} having arrived at {arrived}: the time they left "
            "must be after the time they arrived.",
        )
    return None


def minutes_of_day(time: str) -> int:
    """Minutes since midnight of a time like "19:05"."""
    hours, _, minutes = time.partition(":")
    return int(hours) * 60 + int(minutes)


def attendance_problem_on(meeting_on: date, today: date) -> str | None:
    """Attendance is recorded from the meeting's own day, never before it."""
    if today < meeting_on:
        return (
            f"The meeting is on {meeting_on:%-d %B %Y}: its attendance can be recorded from "
            "that day."
        )
    return None


def absence_mark(status: str, apologies_accepted: bool) -> str | None:
    """The mark the board's absence rule reads: apologies not accepted count as an absence; a
    person in attendance (not a member) has none."""
    if status == PRESENT:
        return PRESENT
    if status == APOLOGIES:
        return APOLOGIES if apologies_accepted else ABSENT
    if status == ABSENT:
        return ABSENT
    return None


@dataclass(frozen=True)
class AttendanceStats:
    meetings: int
    present: int
    apologies: int
    absent: int

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.meetings) if self.meetings else 0


def attendance_stats(marks: Sequence[str]) -> AttendanceStats:
    return AttendanceStats(
        meetings=len(marks),
        present=marks.count(PRESENT),
        apologies=marks.count(APOLOGIES),
        absent=marks.count(ABSENT),
    )


# -- Actions -------------------------------------------------------------------------------------


def carried_forward(raised_on: date, done_on: date | None, meeting_on: date) -> bool:
    """An action raised at an earlier meeting comes to this one's matters arising until done."""
    return raised_on < meeting_on and (done_on is None or done_on >= meeting_on)


# -- Requisitions --------------------------------------------------------------------------------


def requisition_threshold(voting_members: int, rules: MeetingRules) -> int:
    """Signatures needed to requisition a general meeting: the constitution's share of the
    members entitled to vote, rounded up, and never fewer than one."""
    return max(1, math.ceil(voting_members * rules.requisition_percent / 100))


def requisition_deadline(reached_on: date, rules: MeetingRules) -> date:
    """The last day to call the requisitioned meeting."""
    return reached_on + timedelta(days=rules.requisition_call_days)
