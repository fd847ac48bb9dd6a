"""What the forum is told, through the one notices service: every member who may vote hears
when a vote opens, a proposer hears each time their idea moves on (checked, sent back, voted
on, ratified, spent), and the youth worker can remind those who have not yet voted. The youth
worker sees how many were reminded, never who has voted."""

from sqlalchemy import func, select

from tmo.models.notices import Notice
from tmo.models.youth import YouthProposal
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus, YouthError
from tmo.services import audit, notices
from tmo.services.youth.forum import forum_members
from tmo.services.youth.voting import not_yet_voted

REMINDER = "youth_vote_reminder"


def proposal_link(request, proposal: YouthProposal) -> str:
    return request.route_url("youth_proposal", proposal_id=proposal.id)


def tell_forum_vote_open(request, proposal: YouthProposal) -> notices.Reach:
    """Every forum member but the proposer (who hears that their idea has moved on): a vote is
    open, until when, and where to vote."""
    return notices.send(
        request,
        kind="youth_vote_open",
        template="youth_vote_open",
        recipients=[
            notices.youth_recipient(member)
            for member in forum_members(request.dbsession, request.constitution, request.today)
            if member.id != proposal.proposer_id
        ],
        about=proposal,
        actor_id=request.account.id,
        proposal=proposal,
        cost=rules.format_pounds(proposal.cost_pence),
        link=proposal_link(request, proposal),
    )


def tell_proposer(request, proposal: YouthProposal, before: ProposalStatus) -> None:
    """The proposer hears that their idea has moved on, unless they moved it themselves."""
    proposer = proposal.proposer
    asker = request.account.id if request.account else None
    if proposal.status == before or proposer.account_id == asker:
        return
    notices.send(
        request,
        kind="youth_idea_moved",
        template="youth_idea_moved",
        recipients=[notices.youth_recipient(proposer)],
        about=proposal,
        actor_id=asker,
        proposal=proposal,
        now_is=rules.STATUSES[proposal.status],
        returned=proposal.status == ProposalStatus.RETURNED,
        voting=proposal.status == ProposalStatus.VOTING,
        link=proposal_link(request, proposal),
    )


def reminders_sent(dbsession, proposal: YouthProposal) -> tuple[int, object]:
    """How many reminders have gone out for the proposal's vote, and when the last did."""
    return dbsession.execute(
        select(func.count(Notice.id), func.max(Notice.created_at)).where(
            Notice.kind == REMINDER,
            Notice.about_type == "youthproposal",
            Notice.about_id == str(proposal.id),
        )
    ).one()


def remind_voters(request, proposal: YouthProposal) -> notices.Reach:
    """Remind the members who may vote on the proposal and have not; audited with the count."""
    if proposal.status != ProposalStatus.VOTING:
        raise YouthError("Reminders go only while the forum's vote is open.")
    waiting = not_yet_voted(request.dbsession, request.constitution, proposal, request.today)
    reach = notices.send(
        request,
        kind=REMINDER,
        template=REMINDER,
        recipients=[notices.youth_recipient(member) for member in waiting],
        about=proposal,
        actor_id=request.account.id,
        proposal=proposal,
        link=proposal_link(request, proposal),
    )
    audit.record(
        request.dbsession,
        "youth.proposal.reminded",
        actor_id=request.account.id,
        target=proposal,
        reminded=reach.total,
    )
    return reach
