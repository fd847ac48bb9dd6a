"""The front door's lines for the Youth Forum: votes needed and ideas for its members; ideas to
check, votes to count and join requests for the youth worker."""

from sqlalchemy import and_, exists, func, or_, select

from tmo.models.youth import YouthInterest, YouthMember, YouthProposal, YouthVote
from tmo.rules.youth import MemberStatus, ProposalStatus
from tmo.services.front_door.lines import MOST, Group, Line
from tmo.services.properties.importing import plural


def youth_member(request, identity) -> Group:
    dbsession, route = request.dbsession, request.route_url
    group = Group("In the Youth Forum")
    young = identity.youth_member
    if young is None:
        return group
    if young.status == MemberStatus.APPLIED:
        group.lines.append(
            Line(
                "Your request to join the Youth Forum is waiting for a youth worker",
                route("youth_forum"),
                due=young.applied_at,
                when="Sent",
            )
        )
        return group
    if not identity.in_youth_forum:
        return group
    voted = select(YouthVote.id).where(
        YouthVote.proposal_id == YouthProposal.id, YouthVote.member_id == young.id
    )
    interested = select(YouthInterest.id).where(
        YouthInterest.proposal_id == YouthProposal.id, YouthInterest.member_id == young.id
    )
    for proposal in dbsession.scalars(
        select(YouthProposal)
        .where(
            YouthProposal.status == ProposalStatus.VOTING,
            or_(
                YouthProposal.vote_closes_on.is_(None),
                YouthProposal.vote_closes_on >= request.today,
            ),
            ~exists(voted),
            ~exists(interested),
        )
        .order_by(YouthProposal.vote_closes_on)
        .limit(MOST)
    ):
        group.lines.append(
            Line(
                f"Vote on {proposal.title}",
                route("youth_proposal", proposal_id=proposal.id),
                count=1,
                due=proposal.vote_closes_on,
                when="The vote closes",
            )
        )
    for proposal in dbsession.scalars(
        select(YouthProposal)
        .where(
            YouthProposal.proposer_id == young.id,
            YouthProposal.status.not_in((ProposalStatus.WITHDRAWN, ProposalStatus.REPORTED)),
        )
        .order_by(YouthProposal.created_at.desc())
        .limit(MOST)
    ):
        acts = proposal.status in (ProposalStatus.DRAFT, ProposalStatus.RETURNED)
        group.lines.append(
            Line(
                f"Your idea {proposal.title}",
                route("youth_proposal", proposal_id=proposal.id),
                count=1 if acts else 0,
                note=f"Where it is: {proposal.status.label}.",
            )
        )
    return group


def youth_worker(request) -> Group:
    dbsession, route, today = request.dbsession, request.route_url, request.today
    group = Group("As youth worker")
    for proposal in dbsession.scalars(
        select(YouthProposal)
        .where(
            or_(
                YouthProposal.status == ProposalStatus.SUBMITTED,
                and_(
                    YouthProposal.status == ProposalStatus.VOTING,
                    YouthProposal.vote_closes_on < today,
                ),
            )
        )
        .order_by(YouthProposal.submitted_at)
        .limit(MOST * 2)
    ):
        checking = proposal.status == ProposalStatus.SUBMITTED
        group.lines.append(
            Line(
                f"{'Check the idea' if checking else 'Count the vote on'} {proposal.title}",
                route("youth_proposal", proposal_id=proposal.id),
                count=1,
                due=proposal.submitted_at if checking else proposal.vote_closes_on,
                when="Sent" if checking else "The vote closed",
            )
        )
    requests = dbsession.scalar(
        select(func.count(YouthMember.id)).where(YouthMember.status == MemberStatus.APPLIED)
    )
    if requests:
        group.lines.append(
            Line(
                f"{plural(requests, 'request')} to join the Youth Forum",
                route("youth_members"),
                count=requests,
            )
        )
    return group
