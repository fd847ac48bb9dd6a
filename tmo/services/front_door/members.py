"""The front door's lines for residents, applicants and members: joining, voting, nominations,
general meetings and their membership."""

from sqlalchemy import bindparam, select

from tmo.models.elections import Election, RollEntry
from tmo.models.meetings import Body, Meeting
from tmo.models.membership import Member, MembershipApplication
from tmo.presenters import day
from tmo.rules import meetings as meeting_rules
from tmo.rules.elections import Status
from tmo.rules.membership import ApplicationStatus
from tmo.services.elections.lifecycle import status_of
from tmo.services.front_door.lines import AHEAD, JOINING_ROLES, MOST, Group, Line

# Built once, as the navigation's count asks them on every page a member reads; the elections,
# roll marks and meetings as the plain values the lines show (loading each as an object cost
# more than its query).
APPLICATION_WAITING = (
    select(MembershipApplication)
    .where(
        MembershipApplication.account_id == bindparam("account_id"),
        MembershipApplication.status == ApplicationStatus.SUBMITTED,
    )
    .order_by(MembershipApplication.submitted_at.desc())
    .limit(1)
)
ELECTIONS_OPEN = (
    select(
        Election.id,
        Election.title,
        Election.status,
        Election.nominations_close_at,
        Election.poll_opens_at,
        Election.poll_closes_at,
        Election.roll_frozen_on,
    )
    .where(Election.status.in_((Status.NOMINATIONS_OPEN, Status.POLL_OPEN)))
    .order_by(Election.poll_closes_at)
    .limit(MOST)
)
ROLL_ENTRIES = select(RollEntry.election_id, RollEntry.voted).where(
    RollEntry.member_id == bindparam("member_id"),
    RollEntry.election_id.in_(bindparam("polls", expanding=True)),
)
GENERAL_MEETINGS_AHEAD = (
    select(Meeting.id, Meeting.title, Meeting.starts_at)
    .join(Body, Meeting.body_id == Body.id)
    .where(
        Body.kind == meeting_rules.GENERAL_MEETING,
        Meeting.cancelled_at.is_(None),
        Meeting.starts_at >= bindparam("now"),
        Meeting.starts_at <= bindparam("until"),
    )
    .order_by(Meeting.starts_at)
    .limit(MOST)
)


def membership(request, identity) -> Group:
    member = identity.member
    route = request.route_url
    if member is None:
        group = Group("Joining the TMO")
        application = request.dbsession.scalar(
            APPLICATION_WAITING, {"account_id": identity.account_id}
        )
        if application is None and identity.roles <= JOINING_ROLES:
            group.lines.append(
                Line(
                    "Apply to join",
                    route("membership_apply"),
                    count=1,
                    note="Members elect the board, vote at general meetings and can stand.",
                )
            )
        elif application is not None:
            group.lines.append(
                Line(
                    "Your application to join is waiting for the secretary's decision",
                    route("membership"),
                    due=application.submitted_at,
                    when="Sent",
                )
            )
        return group
    group = Group("As a member")
    group.lines.extend(_elections_for(request, member))
    group.lines.extend(_general_meetings(request))
    group.lines.append(
        Line(
            f"Your membership: number {member.member_number}",
            route("membership"),
            due=member.admitted_on,
            when="Member since",
        )
    )
    return group


def _elections_for(request, member: Member) -> list[Line]:
    """The elections a member can nominate or vote in now, or why they cannot vote."""
    now, route = request.now, request.route_url
    found = request.dbsession.execute(ELECTIONS_OPEN).all()
    polls = [e.id for e in found if status_of(e, now) is Status.POLL_OPEN]
    entries = (
        {
            entry.election_id: entry
            for entry in request.dbsession.execute(
                ROLL_ENTRIES, {"member_id": member.id, "polls": polls}
            )
        }
        if polls
        else {}
    )
    lines = []
    for election in found:
        link = route("election", election_id=election.id)
        if status_of(election, now) is Status.NOMINATIONS_OPEN:
            if now < election.nominations_close_at:
                lines.append(
                    Line(
                        f"Nominations are open: {election.title}",
                        link,
                        due=election.nominations_close_at,
                        when="Nominations close",
                    )
                )
            continue
        if election.id not in polls:
            continue
        if now < election.poll_opens_at:
            lines.append(
                Line(
                    f"A poll is coming: {election.title}",
                    link,
                    due=election.poll_opens_at,
                    when="The poll opens",
                )
            )
            continue
        entry = entries.get(election.id)
        if entry is None:
            lines.append(
                Line(
                    f"You cannot vote in {election.title}",
                    link,
                    note=_why_not_on_roll(member, election),
                )
            )
        elif entry.voted:
            lines.append(Line(f"You have voted in {election.title}", link))
        else:
            lines.append(
                Line(
                    f"Vote in {election.title}",
                    route("election_ballot", election_id=election.id),
                    count=1,
                    due=election.poll_closes_at,
                    when="The poll closes",
                )
            )
    return lines


def _why_not_on_roll(member: Member, election: Election) -> str:
    frozen = election.roll_frozen_on
    if frozen is not None and member.admitted_on > frozen:
        return (
            f"You joined on {day(member.admitted_on)}, after the roll of voters was frozen on "
            f"{day(frozen)}: you can vote in the next election."
        )
    if member.associate:
        return "Associate members do not vote in elections."
    return "You are not on the roll of voters for this election: ask the returning officer."


def _general_meetings(request) -> list[Line]:
    meetings = request.dbsession.execute(
        GENERAL_MEETINGS_AHEAD, {"now": request.now, "until": request.now + AHEAD * 3}
    )
    return [
        Line(
            meeting.title,
            request.route_url("meetings_meeting", meeting_id=meeting.id),
            due=meeting.starts_at,
            when="Meets",
        )
        for meeting in meetings
    ]
