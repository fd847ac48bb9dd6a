"""The forum's vote on a proposal: members declaring an interest (and so not voting), one vote
each within the window, the turnout, and the count, which commits a passed proposal's money at
once with the year's budget locked (or leaves it agreed but unfunded when too little is left)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.youth import YouthInterest, YouthMember, YouthProposal, YouthVote
from tmo.rules import youth as rules
from tmo.rules.youth import MemberStatus, ProposalStatus, Step, YouthError
from tmo.services import audit
from tmo.services.youth.budget import add_entry, open_year_for
from tmo.services.youth.chair import chair_on
from tmo.services.youth.forum import forum_members
from tmo.services.youth.proposals import lock_proposal


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
    if proposal.status not in rules.BEFORE_THE_COUNT:
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
    rules.check_transition(proposal.status, Step.VOTE)
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


def may_vote(
    dbsession: Session, constitution: Constitution, proposal: YouthProposal, today: date
) -> tuple[list[YouthMember], set[int]]:
    """Forum members who may vote on the proposal today (those without a declared interest),
    and the ids of every member who has voted."""
    interested = set(
        dbsession.scalars(
            select(YouthInterest.member_id).where(YouthInterest.proposal_id == proposal.id)
        )
    )
    voted = set(
        dbsession.scalars(select(YouthVote.member_id).where(YouthVote.proposal_id == proposal.id))
    )
    members = forum_members(dbsession, constitution, today)
    return [m for m in members if m.id not in interested], voted


# Built once: each approved member's dates, and whether they have voted on, or declared an
# interest in, the proposal; whether the dates put them in the forum today is the rules' to say.
MEMBERS_AND_VOTES = select(
    YouthMember.approved_on,
    YouthMember.date_of_birth,
    YouthMember.left_on,
    exists()
    .where(YouthVote.proposal_id == bindparam("proposal_id"), YouthVote.member_id == YouthMember.id)
    .correlate(YouthMember),
    exists()
    .where(
        YouthInterest.proposal_id == bindparam("proposal_id"),
        YouthInterest.member_id == YouthMember.id,
    )
    .correlate(YouthMember),
).where(YouthMember.status == MemberStatus.APPROVED)


def turnout(
    dbsession: Session, constitution: Constitution, proposal: YouthProposal, today: date
) -> Turnout:
    """Forum members who may vote (those without a declared interest) and how many have."""
    return _turnout_of(dbsession, constitution, proposal.id, today)


def _turnout_of(
    dbsession: Session, constitution: Constitution, proposal_id: int, today: date
) -> Turnout:
    eligible = voted = 0
    rows = dbsession.execute(MEMBERS_AND_VOTES, {"proposal_id": proposal_id})
    for approved_on, born, left_on, has_voted, interested in rows:
        if interested or not rules.in_forum_on(
            approved_on, born, left_on, constitution.youth, today
        ):
            continue
        eligible += 1
        voted += bool(has_voted)
    return Turnout(eligible, voted)


def not_yet_voted(
    dbsession: Session, constitution: Constitution, proposal: YouthProposal, today: date
) -> list[YouthMember]:
    """Those who may vote and have not: whom a reminder goes to."""
    eligible, voted = may_vote(dbsession, constitution, proposal, today)
    return [m for m in eligible if m.id not in voted]


def count_proposal_votes(
    dbsession: Session,
    constitution: Constitution,
    proposal_id: int,
    *,
    actor_id: int | None,
    today: date,
    by_itself: bool = False,
) -> YouthProposal:
    """Count the forum's vote. A passed proposal commits its cost at once, in this transaction,
    with the year's budget locked: if too little is left it is agreed but unfunded. Above the
    constitution's threshold the committed money waits for the board's ratification.
    ``by_itself``: the vote closed itself (no one counted it), which the audit log says."""
    year = open_year_for(dbsession, constitution, today)  # the lock: taken first, always
    proposal = lock_proposal(dbsession, proposal_id)
    rules.check_transition(proposal.status, Step.COUNT)
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
        proposal.status = ProposalStatus.LOST
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
            proposal.status = ProposalStatus.UNFUNDED
        else:
            proposal.year_id = year.id
            ratify = rules.needs_ratification(proposal.cost_pence, constitution.youth)
            proposal.status = (
                ProposalStatus.AWAITING_RATIFICATION if ratify else ProposalStatus.COMMITTED
            )
    audit.record(
        dbsession,
        f"youth.proposal.{Step.COUNT}",
        actor_id=actor_id,
        target=proposal,
        before=before,
        after=proposal.status,
        votes_for=result.votes_for,
        votes_against=result.votes_against,
        abstentions=result.abstentions,
        **({"closed": "by itself, the vote being over"} if by_itself else {}),
    )
    return proposal


# Built once: asked on every page of the forum and on the front door. Each open vote beside each
# approved member's dates, and whether the member has voted on it or declared an interest (a vote
# with no approved member still has its row, to close when its time ends).
VOTES_OPEN = (
    select(
        YouthProposal.id,
        YouthProposal.vote_closes_on,
        YouthMember.approved_on,
        YouthMember.date_of_birth,
        YouthMember.left_on,
        exists()
        .where(YouthVote.proposal_id == YouthProposal.id, YouthVote.member_id == YouthMember.id)
        .correlate(YouthProposal, YouthMember),
        exists()
        .where(
            YouthInterest.proposal_id == YouthProposal.id,
            YouthInterest.member_id == YouthMember.id,
        )
        .correlate(YouthProposal, YouthMember),
    )
    .outerjoin(YouthMember, YouthMember.status == MemberStatus.APPROVED)
    .where(YouthProposal.status == ProposalStatus.VOTING, YouthProposal.vote_closes_on.is_not(None))
    .order_by(YouthProposal.id)
)


def votes_over(dbsession: Session, constitution: Constitution, today: date) -> list[int]:
    """The proposals whose vote is over: its time has ended, or everyone who may vote has.
    One query, whatever the number of open votes."""
    tallies: dict[int, list] = {}  # proposal id -> [closes on, may vote, have voted]
    for (
        proposal_id,
        closes_on,
        approved_on,
        born,
        left_on,
        has_voted,
        interested,
    ) in dbsession.execute(VOTES_OPEN):
        tally = tallies.setdefault(proposal_id, [closes_on, 0, 0])
        if interested or not rules.in_forum_on(
            approved_on, born, left_on, constitution.youth, today
        ):
            continue
        tally[1] += 1
        tally[2] += bool(has_voted)
    return [
        proposal_id
        for proposal_id, (closes_on, eligible, voted) in tallies.items()
        if rules.may_count(closes_on, today, eligible, voted)
    ]


def close_votes_over(
    dbsession: Session, constitution: Constitution, today: date
) -> list[YouthProposal]:
    """Count every vote that is over, as tmo itself (no one in the audit log), so no vote waits
    for someone to remember it. One that cannot be counted yet (its year's budget not opened, or
    counted by another request a moment before) is left as it is."""
    closed = []
    for proposal_id in votes_over(dbsession, constitution, today):
        try:
            with dbsession.begin_nested():
                closed.append(
                    count_proposal_votes(
                        dbsession,
                        constitution,
                        proposal_id,
                        actor_id=None,
                        today=today,
                        by_itself=True,
                    )
                )
        except YouthError:
            continue
    return closed
