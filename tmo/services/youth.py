"""The Youth Forum: joining (and being turned away kindly), approval by a youth worker, the
budget year and its ledger, each step of a proposal's lifecycle, reports back with consented
photos, and the forum's election of its chair, who holds the board's ex officio seat.

Every change is audited. Money is committed with the year's budget row locked (SELECT ... FOR
UPDATE on PostgreSQL; on SQLite every write transaction begins IMMEDIATE) and the remaining money
checked in the same transaction, so the budget is never over-committed however many approvals
race.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.board import Director
from tmo.models.meetings import AgendaItem, Body, Decision, Meeting
from tmo.models.meta import utcnow
from tmo.models.youth import (
    YouthBudgetYear,
    YouthChairCandidate,
    YouthChairElection,
    YouthChairTerm,
    YouthChairVote,
    YouthInterest,
    YouthLedgerEntry,
    YouthMember,
    YouthProposal,
    YouthReportPhoto,
    YouthVote,
)
from tmo.permissions import Role
from tmo.refusal import Refusal
from tmo.rules import meetings as meeting_rules
from tmo.rules import youth as rules
from tmo.rules.board import EX_OFFICIO, Seat
from tmo.services import audit, board, files
from tmo.services.meetings import london_day

CATEGORIES = (
    ("sport", "Sport and games"),
    ("arts", "Arts, music and culture"),
    ("environment", "Green spaces and the environment"),
    ("events", "Events and trips"),
    ("equipment", "Equipment and spaces"),
    ("learning", "Learning and skills"),
    ("other", "Something else"),
)
CATEGORY_NAMES = dict(CATEGORIES)
# Upload limits: the size of a phone photo or a scanned quote, not a rule a TMO sets.
EVIDENCE_MAX_BYTES = 10 * files.MEGABYTE
PHOTO_MAX_BYTES = 10 * files.MEGABYTE
YOUTH_CHAIR_SEAT = Seat("youth_chair", 1)
APPLIED, APPROVED, REJECTED = "applied", "approved", "rejected"


class YouthError(Refusal):
    """A step refused; the message says why in words the person can act on, and ``field`` names
    the form field it is about (none: the whole form)."""


# Membership --------------------------------------------------------------------------------


def live_membership(dbsession: Session, account_id: int) -> YouthMember | None:
    """The account's application or membership (not a rejected one)."""
    return dbsession.scalar(
        select(YouthMember).where(
            YouthMember.account_id == account_id, YouthMember.status != REJECTED
        )
    )


def in_forum(member: YouthMember | None, constitution: Constitution, day: date) -> bool:
    return (
        member is not None
        and member.status == APPROVED
        and rules.in_forum_on(
            member.approved_on, member.date_of_birth, member.left_on, constitution.youth, day
        )
    )


def member_ends(member: YouthMember, constitution: Constitution) -> date:
    return rules.membership_ends(member.date_of_birth, member.left_on, constitution.youth)


def shown_name(member: YouthMember, day: date) -> str:
    return rules.shown_name(member.first_name, member.surname, member.date_of_birth, day)


def full_name(member: YouthMember) -> str:
    return f"{member.first_name} {member.surname}"


def forum_members(dbsession: Session, constitution: Constitution, day: date) -> list[YouthMember]:
    approved = dbsession.scalars(
        select(YouthMember)
        .where(YouthMember.status == APPROVED)
        .order_by(YouthMember.first_name, YouthMember.id)
    )
    return [member for member in approved if in_forum(member, constitution, day)]


def apply_to_join(
    dbsession: Session,
    constitution: Constitution,
    *,
    account: Account,
    first_name: str,
    surname: str,
    born: date,
    postcode: str,
    today: date,
) -> YouthMember:
    """An application waiting for a youth worker. The caller must have turned away anyone too
    young (``rules.too_young``) before calling: nothing of theirs is kept."""
    problems = rules.joining_problems(born, constitution.youth, today)
    if problems:
        raise YouthError(" ".join(problems))
    if live_membership(dbsession, account.id) is not None:
        raise YouthError("You have already applied to join the Youth Forum.")
    member = YouthMember(
        account_id=account.id,
        first_name=first_name,
        surname=surname,
        date_of_birth=born,
        postcode=postcode.upper(),
    )
    dbsession.add(member)
    audit.record(dbsession, "youth.applied", actor_id=account.id, target=member)
    return member


def decide_application(
    dbsession: Session,
    constitution: Constitution,
    member: YouthMember,
    *,
    approve: bool,
    note: str,
    actor_id: int | None,
    today: date,
) -> None:
    if member.status != APPLIED:
        raise YouthError("This application has already been decided.")
    if approve:
        problems = rules.joining_problems(member.date_of_birth, constitution.youth, today)
        if problems:
            raise YouthError(" ".join(problems))
        member.status = APPROVED
        member.approved_on = today
        account = member.account
        if Role.YOUTH_MEMBER not in account.roles:
            account.role_grants.append(RoleGrant(role=Role.YOUTH_MEMBER, granted_by_id=actor_id))
    else:
        member.status = REJECTED
    member.decided_by_id = actor_id
    member.decision_note = note
    audit.record(
        dbsession,
        "youth.approved" if approve else "youth.rejected",
        actor_id=actor_id,
        target=member,
    )


def current_member(
    dbsession: Session, constitution: Constitution, account: Account, today: date
) -> YouthMember:
    """The account's forum membership if it is current today; YouthError says why not."""
    member = live_membership(dbsession, account.id)
    if member is None or member.status != APPROVED:
        raise YouthError("Only members of the Youth Forum can do this.")
    if not in_forum(member, constitution, today):
        raise YouthError(
            f"You left the Youth Forum on {member_ends(member, constitution):%-d %B %Y}."
        )
    return member


def leave_forum(dbsession: Session, member: YouthMember, *, on: date, actor_id: int | None) -> None:
    """A member leaves before ageing out; a chair who leaves stops chairing (and their board
    seat ends with it)."""
    if member.status != APPROVED or member.left_on is not None:
        raise YouthError("You are not a member of the forum.")
    member.left_on = on
    audit.record(dbsession, "youth.left", actor_id=actor_id, target=member, on=on.isoformat())
    chair = chair_on(dbsession, on)
    if chair is not None and chair.member_id == member.id:
        end_chair(dbsession, chair, on=on, actor_id=actor_id)


# The budget year and its ledger ------------------------------------------------------------


def year_for(dbsession: Session, constitution: Constitution, day: date) -> YouthBudgetYear | None:
    start = rules.year_start(day, constitution.youth)
    return dbsession.scalar(select(YouthBudgetYear).where(YouthBudgetYear.starts_on == start))


def lock_year(dbsession: Session, year_id: int) -> YouthBudgetYear:
    """The year's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
    IMMEDIATE transaction already holds the database's write lock), and read afresh."""
    return dbsession.scalar(
        select(YouthBudgetYear)
        .where(YouthBudgetYear.id == year_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def as_entry(entry: YouthLedgerEntry) -> rules.Entry:
    return rules.Entry(entry.kind, entry.amount_pence, entry.proposal_id)


def year_entries(dbsession: Session, year: YouthBudgetYear) -> list[YouthLedgerEntry]:
    return list(
        dbsession.scalars(
            select(YouthLedgerEntry)
            .where(YouthLedgerEntry.year_id == year.id)
            .order_by(YouthLedgerEntry.id)
        )
    )


def year_balances(dbsession: Session, year: YouthBudgetYear) -> rules.Balances:
    return rules.balances(as_entry(e) for e in year_entries(dbsession, year))


def add_entry(
    dbsession: Session,
    year: YouthBudgetYear,
    kind: str,
    amount: int,
    *,
    on: date,
    actor_id: int | None,
    proposal: YouthProposal | None = None,
    reason: str = "",
    receipt=None,
) -> YouthLedgerEntry:
    """One ledger entry, checked against the year's balances as they stand. The caller holds
    the year's lock (``lock_year``)."""
    entries = [as_entry(e) for e in year_entries(dbsession, year)]
    new = rules.Entry(kind, amount, proposal.id if proposal else None)
    committed = rules.outstanding(entries, proposal.id) if proposal else 0
    problems = rules.entry_problems(rules.balances(entries), new, committed)
    if problems:
        raise YouthError(" ".join(problems))
    entry = YouthLedgerEntry(
        year_id=year.id,
        kind=kind,
        amount_pence=amount,
        proposal_id=proposal.id if proposal else None,
        entry_date=on,
        reason=reason,
        receipt_file_id=receipt.id if receipt else None,
        actor_id=actor_id,
    )
    dbsession.add(entry)
    year.revision += 1
    dbsession.flush()
    audit.record(
        dbsession,
        f"youth.ledger.{kind}",
        actor_id=actor_id,
        target=entry,
        year=rules.year_label(year.starts_on),
        amount_pence=amount,
        proposal=entry.proposal_id,
    )
    return entry


def open_year(
    dbsession: Session, constitution: Constitution, *, day: date, actor_id: int | None
) -> YouthBudgetYear:
    """The budget year ``day`` falls in, allocated the constitution's amount; the year before,
    if it has ended and is still open, is closed first (its money lapsing or carrying over)."""
    rules_ = constitution.youth
    start = rules.year_start(day, rules_)
    if year_for(dbsession, constitution, day) is not None:
        raise YouthError(f"The {rules.year_label(start)} budget is already open.")
    previous = dbsession.scalar(
        select(YouthBudgetYear)
        .where(YouthBudgetYear.starts_on < start, YouthBudgetYear.closed_on.is_(None))
        .order_by(YouthBudgetYear.starts_on.desc())
        .limit(1)
    )
    year = YouthBudgetYear(starts_on=start, ends_on=rules.year_end(start))
    dbsession.add(year)
    try:
        with dbsession.begin_nested():
            dbsession.flush()
    except IntegrityError:
        raise YouthError(f"The {rules.year_label(start)} budget is already open.") from None
    add_entry(
        dbsession,
        year,
        rules.ALLOCATION,
        rules_.annual_budget_pence,
        on=start,
        actor_id=actor_id,
        reason=f"Devolved budget for {rules.year_label(start)}",
    )
    if previous is not None and previous.ends_on <= day:
        close_year(dbsession, constitution, previous, into=year, actor_id=actor_id, today=day)
    return year


def close_year(
    dbsession: Session,
    constitution: Constitution,
    year: YouthBudgetYear,
    *,
    into: YouthBudgetYear | None,
    actor_id: int | None,
    today: date,
) -> int:
    """End an ended year: the money left neither committed nor spent lapses, or carries over
    into ``into`` as the constitution says. Returns the amount."""
    year = lock_year(dbsession, year.id)
    if year.closed_on is not None:
        raise YouthError("This budget year is already closed.")
    if today < year.ends_on:
        raise YouthError("A budget year can be closed only after it ends.")
    amount = rules.year_end_amount(year_balances(dbsession, year))
    carry = constitution.youth.unspent_at_year_end == "carry_over" and into is not None
    if amount:
        label = rules.year_label(year.starts_on)
        add_entry(
            dbsession,
            year,
            rules.LAPSE,
            amount,
            on=year.ends_on,
            actor_id=actor_id,
            reason=f"Carried over to {rules.year_label(into.starts_on)}" if carry else "Lapsed",
        )
        if carry:
            add_entry(
                dbsession,
                lock_year(dbsession, into.id),
                rules.ALLOCATION,
                amount,
                on=into.starts_on,
                actor_id=actor_id,
                reason=f"Carried over from {label}",
            )
    year.closed_on = today
    audit.record(dbsession, "youth.year_closed", actor_id=actor_id, target=year, amount=amount)
    return amount


def adjust_budget(
    dbsession: Session,
    constitution: Constitution,
    *,
    amount: int,
    reason: str,
    actor_id: int | None,
    today: date,
) -> YouthLedgerEntry:
    if not reason:
        raise YouthError("Give the reason for the adjustment.")
    year = open_year_for(dbsession, constitution, today)
    return add_entry(
        dbsession, year, rules.ADJUSTMENT, amount, on=today, actor_id=actor_id, reason=reason
    )


def open_year_for(dbsession: Session, constitution: Constitution, day: date) -> YouthBudgetYear:
    """Today's budget year, locked; YouthError when it has not been opened."""
    year = year_for(dbsession, constitution, day)
    if year is None:
        start = rules.year_start(day, constitution.youth)
        raise YouthError(
            f"The {rules.year_label(start)} budget has not been opened yet: a youth worker "
            "opens it."
        )
    return lock_year(dbsession, year.id)


# Proposals ---------------------------------------------------------------------------------


@dataclass
class ProposalFields:
    title: str
    what_and_why: str
    who_benefits: str
    category: str
    cost_pence: int
    cost_breakdown: str


def keep_upload(dbsession, upload, *, kinds, maximum_bytes, actor_id):
    """A (content, filename) pair kept as a checked StoredFile; None stays None."""
    if upload is None:
        return None
    content, filename = upload
    try:
        return files.store(
            dbsession,
            content,
            filename,
            kinds=kinds,
            maximum_bytes=maximum_bytes,
            actor_id=actor_id,
        )
    except files.FileRefused as refused:
        raise YouthError(str(refused)) from None


def draft_proposal(
    dbsession: Session,
    member: YouthMember,
    fields: ProposalFields,
    *,
    quote=None,
    actor_id: int | None,
) -> YouthProposal:
    proposal = YouthProposal(proposer_id=member.id, status=rules.DRAFT, **vars(fields))
    proposal.quote = keep_upload(
        dbsession, quote, kinds=files.EVIDENCE, maximum_bytes=EVIDENCE_MAX_BYTES, actor_id=actor_id
    )
    dbsession.add(proposal)
    audit.record(dbsession, "youth.proposal.drafted", actor_id=actor_id, target=proposal)
    return proposal


def require(proposal: YouthProposal, action: str) -> None:
    problem = rules.transition_problem(proposal.status, action)
    if problem:
        raise YouthError(problem)


def require_proposer(proposal: YouthProposal, member: YouthMember) -> None:
    if proposal.proposer_id != member.id:
        raise YouthError("Only the member who proposed this can do that.")


def edit_proposal(
    dbsession: Session,
    proposal: YouthProposal,
    member: YouthMember,
    fields: ProposalFields,
    *,
    quote=None,
    actor_id: int | None,
) -> None:
    require(proposal, "edit")
    require_proposer(proposal, member)
    for name, value in vars(fields).items():
        setattr(proposal, name, value)
    if quote is not None:
        proposal.quote = keep_upload(
            dbsession,
            quote,
            kinds=files.EVIDENCE,
            maximum_bytes=EVIDENCE_MAX_BYTES,
            actor_id=actor_id,
        )
    audit.record(dbsession, "youth.proposal.edited", actor_id=actor_id, target=proposal)


def move(dbsession, proposal: YouthProposal, action: str, actor_id: int | None, **detail):
    """Make the transition ``action`` (checked by ``require`` first) and audit it."""
    _, to = rules.TRANSITIONS[action]
    before = proposal.status
    if to is not None:
        proposal.status = to
    audit.record(
        dbsession,
        f"youth.proposal.{action}",
        actor_id=actor_id,
        target=proposal,
        before=before,
        after=proposal.status,
        **detail,
    )


def submit_proposal(
    dbsession: Session, proposal: YouthProposal, member: YouthMember, *, actor_id: int | None
) -> None:
    require(proposal, "submit")
    require_proposer(proposal, member)
    if proposal.quote_file_id is None:
        raise YouthError("Upload a quote (or a price from the supplier) before sending it.")
    proposal.submitted_at = utcnow()
    move(dbsession, proposal, "submit", actor_id)


def withdraw_proposal(
    dbsession: Session, proposal: YouthProposal, member: YouthMember, *, actor_id: int | None
) -> None:
    require(proposal, "withdraw")
    require_proposer(proposal, member)
    move(dbsession, proposal, "withdraw", actor_id)


def return_proposal(
    dbsession: Session, proposal: YouthProposal, *, comments: str, actor_id: int | None
) -> None:
    """The youth worker sends a proposal back to its proposer with comments."""
    require(proposal, "return")
    if not comments:
        raise YouthError("Say what needs to change, so the proposer can fix it.")
    proposal.worker_comments = comments
    move(dbsession, proposal, "return", actor_id)


def open_vote(
    dbsession: Session,
    constitution: Constitution,
    proposal: YouthProposal,
    *,
    comments: str,
    actor_id: int | None,
    today: date,
) -> None:
    """The youth worker has checked the proposal is feasible and allowed: the forum votes."""
    require(proposal, "open_vote")
    proposal.worker_comments = comments
    proposal.vote_opened_on = today
    proposal.vote_closes_on = today + timedelta(days=constitution.youth.voting_days)
    move(dbsession, proposal, "open_vote", actor_id, closes=proposal.vote_closes_on.isoformat())


def has_interest(dbsession: Session, proposal: YouthProposal, member: YouthMember) -> bool:
    return (
        dbsession.scalar(
            select(YouthInterest.id).where(
                YouthInterest.proposal_id == proposal.id, YouthInterest.member_id == member.id
            )
        )
        is not None
    )


def vote_of(dbsession: Session, proposal: YouthProposal, member: YouthMember) -> str | None:
    return dbsession.scalar(
        select(YouthVote.choice).where(
            YouthVote.proposal_id == proposal.id, YouthVote.member_id == member.id
        )
    )


def declare_interest(
    dbsession: Session,
    proposal: YouthProposal,
    member: YouthMember,
    *,
    note: str,
    actor_id: int | None,
) -> None:
    """A member with an interest says so; they then cannot vote on the proposal."""
    if proposal.status not in (rules.SUBMITTED, rules.VOTING):
        raise YouthError("Interests are declared before the forum's vote is counted.")
    if vote_of(dbsession, proposal, member) is not None:
        raise YouthError(
            "You have already voted on this proposal. Tell the youth worker about your interest."
        )
    if has_interest(dbsession, proposal, member):
        raise YouthError("You have already declared an interest in this proposal.")
    interest = YouthInterest(proposal_id=proposal.id, member_id=member.id, note=note)
    dbsession.add(interest)
    audit.record(dbsession, "youth.interest_declared", actor_id=actor_id, target=interest)


def cast_vote(
    dbsession: Session,
    proposal: YouthProposal,
    member: YouthMember,
    *,
    choice: str,
    actor_id: int | None,
    today: date,
) -> None:
    """One vote for each forum member, within the voting window; not on a proposal they have
    declared an interest in. (The choice is never written to the audit log.)"""
    require(proposal, "vote")
    if choice not in rules.CHOICES:
        raise YouthError("Choose for, against or abstain.")
    if proposal.vote_closes_on is not None and today >= proposal.vote_closes_on:
        raise YouthError("Voting on this proposal has closed.")
    if has_interest(dbsession, proposal, member):
        raise YouthError("You declared an interest in this proposal, so you do not vote on it.")
    if vote_of(dbsession, proposal, member) is not None:
        raise YouthError("You have already voted on this proposal.")
    vote = YouthVote(proposal_id=proposal.id, member_id=member.id, choice=choice)
    try:
        with dbsession.begin_nested():
            dbsession.add(vote)
            dbsession.flush()
    except IntegrityError:  # a second vote from another tab, arriving at the same moment
        raise YouthError("You have already voted on this proposal.") from None
    audit.record(dbsession, "youth.voted", actor_id=actor_id, target=proposal)


@dataclass(frozen=True)
class Turnout:
    eligible: int
    voted: int


def turnout(
    dbsession: Session, constitution: Constitution, proposal: YouthProposal, today: date
) -> Turnout:
    """Forum members who may vote (those without a declared interest) and how many have."""
    members = forum_members(dbsession, constitution, today)
    interested = set(
        dbsession.scalars(
            select(YouthInterest.member_id).where(YouthInterest.proposal_id == proposal.id)
        )
    )
    voted = set(
        dbsession.scalars(select(YouthVote.member_id).where(YouthVote.proposal_id == proposal.id))
    )
    eligible = {m.id for m in members} - interested
    return Turnout(len(eligible), len(voted & eligible))


def chair_on(dbsession: Session, day: date) -> YouthChairTerm | None:
    return dbsession.scalar(
        select(YouthChairTerm)
        .where(
            YouthChairTerm.started_on <= day,
            or_(YouthChairTerm.ended_on.is_(None), YouthChairTerm.ended_on > day),
        )
        .order_by(YouthChairTerm.started_on.desc())
        .limit(1)
    )


def count_proposal_votes(
    dbsession: Session,
    constitution: Constitution,
    proposal_id: int,
    *,
    actor_id: int | None,
    today: date,
) -> YouthProposal:
    """Count the forum's vote. A passed proposal commits its cost at once, in this transaction,
    with the year's budget locked: if too little is left it is agreed but unfunded. Above the
    constitution's threshold the committed money waits for the board's ratification."""
    year = open_year_for(dbsession, constitution, today)  # the lock: taken first, always
    proposal = dbsession.scalar(
        select(YouthProposal)
        .where(YouthProposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    require(proposal, "count")
    counted = turnout(dbsession, constitution, proposal, today)
    if not rules.may_count(proposal.vote_closes_on, today, counted.eligible, counted.voted):
        raise YouthError(
            f"The vote is open until {proposal.vote_closes_on:%-d %B %Y}, or until every forum "
            f"member who may vote has voted ({counted.voted} of {counted.eligible} so far)."
        )
    choices = list(
        dbsession.scalars(select(YouthVote.choice).where(YouthVote.proposal_id == proposal.id))
    )
    chair = chair_on(dbsession, today)
    chair_choice = vote_of(dbsession, proposal, chair.member) if chair else None
    result = rules.count_votes(
        choices,
        chair_choice,
        constitution.youth,
        when_no_votes_cast=constitution.meetings.casting_vote_when_no_votes_cast,
    )
    proposal.votes_for = result.votes_for
    proposal.votes_against = result.votes_against
    proposal.abstentions = result.abstentions
    proposal.by_casting_vote = result.by_casting_vote
    proposal.decided_on = today
    before = proposal.status
    if not result.passed:
        proposal.status = rules.LOST
    else:
        try:
            add_entry(
                dbsession,
                year,
                rules.COMMITMENT,
                proposal.cost_pence,
                on=today,
                actor_id=actor_id,
                proposal=proposal,
                reason=proposal.title,
            )
        except YouthError:
            proposal.status = rules.UNFUNDED
        else:
            proposal.year_id = year.id
            ratify = rules.needs_ratification(proposal.cost_pence, constitution.youth)
            proposal.status = rules.AWAITING_RATIFICATION if ratify else rules.COMMITTED
    audit.record(
        dbsession,
        "youth.proposal.count",
        actor_id=actor_id,
        target=proposal,
        before=before,
        after=proposal.status,
        votes_for=result.votes_for,
        votes_against=result.votes_against,
        abstentions=result.abstentions,
    )
    return proposal


# The board's ratification ------------------------------------------------------------------

# How much of a decision's text its label in the list shows.
LABEL_TEXT_CHARACTERS = 150


def board_decisions_query(now):
    """The board's recorded decisions a ratification may cite, most recent meeting first: from
    board meetings that have taken place (not cancelled), never under a confidential item (the
    forum reads its proposals' pages), and not the approval of earlier minutes."""
    return (
        select(Decision)
        .join(AgendaItem, Decision.item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            Body.kind == meeting_rules.BOARD,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at <= now,
            AgendaItem.confidential.is_(False),
            Decision.approves_meeting_id.is_(None),
        )
        .order_by(Meeting.starts_at.desc(), AgendaItem.position, Decision.id)
        .options(contains_eager(Decision.item).contains_eager(AgendaItem.meeting))
    )


def board_decisions(dbsession: Session) -> list[Decision]:
    return list(dbsession.scalars(board_decisions_query(utcnow())).unique())


def decision_day(decision: Decision) -> date:
    """The day of the meeting that made ``decision``, in London."""
    return london_day(decision.item.meeting.starts_at)


def decision_label(decision: Decision) -> str:
    """The meeting's date and the decision's text, shortened for a list."""
    text = " ".join(decision.text.split())
    if len(text) > LABEL_TEXT_CHARACTERS:
        text = text[: LABEL_TEXT_CHARACTERS - 1].rstrip() + "…"
    return f"{decision_day(decision):%-d %B %Y}: {text}"


def board_decision(dbsession: Session, decision_id: int) -> Decision:
    """The board's decision ``decision_id``, if a ratification may cite it; refused otherwise,
    saying why."""
    field = "board_decision"
    decision = dbsession.get(Decision, decision_id)
    if decision is None:
        raise YouthError("That decision is not in tmo: choose one from the list.", field)
    meeting = decision.item.meeting
    if meeting.body.kind != meeting_rules.BOARD:
        raise YouthError(
            f"That decision was made by {meeting.body.name}, not the board: only the board "
            "ratifies a Youth Forum spend.",
            field,
        )
    if meeting.cancelled_at is not None:
        raise YouthError("That board meeting was cancelled: choose a decision it made.", field)
    if meeting.starts_at > utcnow():
        raise YouthError("That board meeting has not taken place yet.", field)
    if decision.item.confidential:
        raise YouthError(
            "That decision is under a confidential item, which the forum may not read: type the "
            "minute in words instead.",
            field,
        )
    if decision.approves_meeting_id is not None:
        raise YouthError(
            "That decision approved the minutes of an earlier meeting: choose the board's "
            "decision on this spend.",
            field,
        )
    return decision


def record_ratification(
    dbsession: Session,
    proposal: YouthProposal,
    *,
    ratified: bool,
    decision_id: int | None = None,
    reference: str = "",
    decided_on: date | None = None,
    actor_id: int | None,
) -> None:
    """The board's minuted decision on a proposal above the threshold: one of the board's
    decisions recorded in tmo (``decision_id``, dated by its meeting) or, where the meeting is not
    in tmo yet, the minute in words (``reference``) and its date. Refused: the committed money is
    released back to the budget."""
    action = "ratify" if ratified else "refuse_ratification"
    require(proposal, action)
    decision = None
    if decision_id is not None:
        if reference:
            raise YouthError(
                "You chose the board's decision from the list: leave the minute in words empty.",
                "reference",
            )
        decision = board_decision(dbsession, decision_id)
        decided_on = decision_day(decision)
    else:
        if not reference:
            raise YouthError(
                "Choose the board's decision from the list, or type its minute, for example "
                "“Board 3 June, minute 6”.",
                "reference",
            )
        if decided_on is None:
            raise YouthError("Enter the date of the decision.", "decided_on")
    detail = {
        "reference": reference,
        "decision": decision.id if decision else None,
        "meeting": decision.item.meeting_id if decision else None,
    }
    if not ratified:
        year = lock_year(dbsession, proposal.year_id)
        proposal = lock_proposal(dbsession, proposal.id)
        require(proposal, action)
        committed = rules.outstanding(
            [as_entry(e) for e in year_entries(dbsession, year)], proposal.id
        )
        add_entry(
            dbsession,
            year,
            rules.RELEASE,
            committed,
            on=decided_on,
            actor_id=actor_id,
            proposal=proposal,
            reason="Not ratified by the board",
        )
    proposal.ratification_decision = decision
    proposal.ratification_reference = reference
    proposal.ratification_date = decided_on
    move(dbsession, proposal, action, actor_id, **detail)


def lock_proposal(dbsession: Session, proposal_id: int) -> YouthProposal:
    return dbsession.scalar(
        select(YouthProposal)
        .where(YouthProposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def record_spend(
    dbsession: Session,
    proposal: YouthProposal,
    *,
    amount: int,
    on: date,
    receipt,
    actor_id: int | None,
) -> str:
    """The actual spend, with its date and receipt. An underspend is released back to the
    budget; an overspend is committed first if the budget has it, refused otherwise. Returns
    what happened to the difference, in words."""
    year = lock_year(dbsession, proposal.year_id)
    proposal = lock_proposal(dbsession, proposal.id)
    require(proposal, "spend")
    if amount <= 0:
        raise YouthError("Enter the amount spent.")
    committed = rules.outstanding([as_entry(e) for e in year_entries(dbsession, year)], proposal.id)
    released, topped_up = rules.settle_spend(committed, amount)
    stored = keep_upload(
        dbsession,
        receipt,
        kinds=files.EVIDENCE,
        maximum_bytes=EVIDENCE_MAX_BYTES,
        actor_id=actor_id,
    )
    if stored is None:
        raise YouthError("Upload the receipt.")
    note = "Spent as committed."
    if topped_up:
        balance = year_balances(dbsession, year)
        if topped_up > balance.remaining:
            raise YouthError(
                f"The spend is {rules.format_pounds(topped_up)} more than was committed, and "
                f"only {rules.format_pounds(balance.remaining)} is left. Record an adjustment "
                "to the budget (with its reason) first."
            )
        add_entry(
            dbsession,
            year,
            rules.COMMITMENT,
            topped_up,
            on=on,
            actor_id=actor_id,
            proposal=proposal,
            reason="Top-up: the spend cost more than the quote",
        )
        note = f"Overspent by {rules.format_pounds(topped_up)}: topped up from the budget."
    add_entry(
        dbsession,
        year,
        rules.SPEND,
        amount,
        on=on,
        actor_id=actor_id,
        proposal=proposal,
        reason=proposal.title,
        receipt=stored,
    )
    if released:
        add_entry(
            dbsession,
            year,
            rules.RELEASE,
            released,
            on=on,
            actor_id=actor_id,
            proposal=proposal,
            reason="Unspent: returned to the budget",
        )
        note = f"Underspent by {rules.format_pounds(released)}: released back to the budget."
    proposal.actual_pence = amount
    proposal.spent_on = on
    proposal.receipt = stored
    proposal.spend_note = note
    move(dbsession, proposal, "spend", actor_id, amount_pence=amount)
    return note


def report_back(
    dbsession: Session,
    proposal: YouthProposal,
    *,
    report: str,
    photos: list,
    consent: bool,
    actor_id: int | None,
    today: date,
) -> None:
    """What the money did. Photos are kept only when consent is recorded for everyone in them
    (and a parent's or carer's for anyone under 18)."""
    require(proposal, "report")
    if not report:
        raise YouthError("Say what the money did.")
    if photos and not consent:
        raise YouthError(
            "Photos are kept only when everyone in them (and a parent or carer for anyone under "
            "18) has agreed. Tick the consent box, or leave the photos out."
        )
    for content, filename, caption in photos:
        stored = keep_upload(
            dbsession,
            (content, filename),
            kinds=files.IMAGES,
            maximum_bytes=PHOTO_MAX_BYTES,
            actor_id=actor_id,
        )
        dbsession.add(
            YouthReportPhoto(
                proposal=proposal,
                file_id=stored.id,
                caption=caption or proposal.title,
                consent_recorded_by_id=actor_id,
            )
        )
    proposal.report = report
    proposal.reported_on = today
    move(dbsession, proposal, "report", actor_id, photos=len(photos))


# Reading the budget ------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    year: YouthBudgetYear
    balances: rules.Balances
    by_category: list[tuple[str, int, int]]  # (category name, committed, spent)
    months: list[tuple[date, int, int]]  # (month, committed so far, spent so far)


def summary(dbsession: Session, year: YouthBudgetYear, today: date) -> Summary:
    entries = year_entries(dbsession, year)
    proposals = {
        p.id: p
        for p in dbsession.scalars(select(YouthProposal).where(YouthProposal.year_id == year.id))
    }
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


# The chair ---------------------------------------------------------------------------------


def open_chair_election(
    dbsession: Session,
    constitution: Constitution,
    *,
    candidates: list[YouthMember],
    actor_id: int | None,
    today: date,
) -> YouthChairElection:
    if dbsession.scalar(select(YouthChairElection.id).where(YouthChairElection.status == "open")):
        raise YouthError("The forum is already electing its chair.")
    if not candidates:
        raise YouthError("Choose at least one forum member standing for chair.")
    if any(not in_forum(c, constitution, today) for c in candidates):
        raise YouthError("Every candidate must be a member of the forum.")
    election = YouthChairElection(
        opened_on=today, closes_on=today + timedelta(days=constitution.youth.voting_days)
    )
    election.candidates = [YouthChairCandidate(member=c) for c in candidates]
    dbsession.add(election)
    audit.record(
        dbsession,
        "youth.chair_election_opened",
        actor_id=actor_id,
        target=election,
        candidates=[c.id for c in candidates],
    )
    return election


def open_chair_election_now(dbsession: Session) -> YouthChairElection | None:
    return dbsession.scalar(select(YouthChairElection).where(YouthChairElection.status == "open"))


def chair_vote_of(dbsession, election: YouthChairElection, member: YouthMember) -> int | None:
    return dbsession.scalar(
        select(YouthChairVote.candidate_id).where(
            YouthChairVote.election_id == election.id, YouthChairVote.voter_id == member.id
        )
    )


def cast_chair_vote(
    dbsession: Session,
    election: YouthChairElection,
    member: YouthMember,
    *,
    candidate_id: int,
    actor_id: int | None,
    today: date,
) -> None:
    if election.status != "open" or today >= election.closes_on:
        raise YouthError("Voting for the chair has closed.")
    if candidate_id not in {c.id for c in election.candidates}:
        raise YouthError("Choose one of the candidates.")
    if chair_vote_of(dbsession, election, member) is not None:
        raise YouthError("You have already voted for the chair.")
    try:
        with dbsession.begin_nested():
            dbsession.add(
                YouthChairVote(
                    election_id=election.id, voter_id=member.id, candidate_id=candidate_id
                )
            )
            dbsession.flush()
    except IntegrityError:
        raise YouthError("You have already voted for the chair.") from None
    audit.record(dbsession, "youth.chair_voted", actor_id=actor_id, target=election)


def count_chair_election(
    dbsession: Session,
    constitution: Constitution,
    election: YouthChairElection,
    *,
    actor_id: int | None,
    today: date,
) -> list[str]:
    """Count the chair's election; the winner becomes chair from today and takes the board's
    ex officio seat (the previous chair's term and seat end). Returns what the youth worker
    should know (the board seat refused, say). A tie is no result: the forum votes again."""
    if election.status != "open":
        raise YouthError("This election has already been counted.")
    voters = forum_members(dbsession, constitution, today)
    voted = dbsession.scalar(select(func.count()).where(YouthChairVote.election_id == election.id))
    if not rules.may_count(election.closes_on, today, len(voters), voted):
        raise YouthError(
            f"Voting is open until {election.closes_on:%-d %B %Y}, or until every forum member "
            f"has voted ({voted} of {len(voters)} so far)."
        )
    tallies = {c.id: 0 for c in election.candidates}
    for candidate_id in dbsession.scalars(
        select(YouthChairVote.candidate_id).where(YouthChairVote.election_id == election.id)
    ):
        tallies[candidate_id] += 1
    winner_id = rules.chair_winner(tallies)
    election.status = "counted"
    election.counted_on = today
    audit.record(
        dbsession,
        "youth.chair_election_counted",
        actor_id=actor_id,
        target=election,
        tallies={str(k): v for k, v in tallies.items()},
    )
    if winner_id is None:
        return ["No candidate won outright (a tie, or no votes): open a new vote."]
    winner = next(c.member for c in election.candidates if c.id == winner_id)
    election.winner = winner
    return become_chair(
        dbsession, constitution, winner, election=election, actor_id=actor_id, today=today
    )


def director_for(dbsession: Session, member: YouthMember) -> Director:
    director = dbsession.scalar(select(Director).where(Director.account_id == member.account_id))
    if director is None:
        director = Director(
            name=full_name(member), account_id=member.account_id, date_of_birth=member.date_of_birth
        )
        dbsession.add(director)
        dbsession.flush()
    return director


def end_chair(dbsession: Session, term: YouthChairTerm, *, on: date, actor_id: int | None) -> None:
    """The chair stops chairing on ``on``, and their board seat ends with it."""
    term.ended_on = on if term.ended_on is None else min(term.ended_on, on)
    held = term.directorship
    if held is not None and (held.ended_on is None or held.ended_on > on):
        if held.ended_on is None:
            board.end_term(
                dbsession,
                held,
                on=max(on, held.start_date),
                reason="ceased_office",
                note="No longer chairs the Youth Forum",
                actor_id=actor_id,
            )
        else:
            held.ended_on = max(on, held.start_date)
            audit.record(
                dbsession, "board.term_ended", actor_id=actor_id, target=held, on=on.isoformat()
            )
    audit.record(dbsession, "youth.chair_ended", actor_id=actor_id, target=term, on=on.isoformat())


def become_chair(
    dbsession: Session,
    constitution: Constitution,
    member: YouthMember,
    *,
    election: YouthChairElection | None,
    actor_id: int | None,
    today: date,
) -> list[str]:
    notes = []
    previous = chair_on(dbsession, today)
    if previous is not None:
        end_chair(dbsession, previous, on=today, actor_id=actor_id)
    ends = member_ends(member, constitution)
    term = YouthChairTerm(
        member=member,
        election_id=election.id if election else None,
        started_on=today,
        ended_on=ends,
    )
    dbsession.add(term)
    notes.append(f"{full_name(member)} chairs the Youth Forum from {today:%-d %B %Y}.")
    try:
        with dbsession.begin_nested():
            appointed = board.appoint(
                dbsession,
                constitution,
                director=director_for(dbsession, member),
                seat=YOUTH_CHAIR_SEAT,
                how=EX_OFFICIO,
                start=today,
                actor_id=actor_id,
            )
            # Chairing ends when they age out of the forum; the board seat ends with it.
            board.end_term(
                dbsession,
                appointed.directorship,
                on=ends,
                reason="ceased_office",
                note="Ages out of the Youth Forum",
                actor_id=actor_id,
            )
    except board.BoardError as refusal:
        term.board_note = " ".join(refusal.problems)[:500]
        notes.append(f"The board seat was not taken: {term.board_note}")
    else:
        term.directorship = appointed.directorship
        notes.append("They hold the Youth Forum chair's seat on the board while they chair.")
    audit.record(
        dbsession,
        "youth.chair_started",
        actor_id=actor_id,
        target=term,
        member=member.id,
        board_seat=term.directorship is not None,
    )
    return notes
