"""What needs a person now: the lines of their front door, gathered for the roles they hold.

Each part asks the database a fixed number of aggregate questions, whatever the number of
elections, meetings, applications or proposals: the page costs the same with ten rows as with ten
thousand. A line is a plain value (what, where to act, how many, by when); ``waiting`` counts what
asks the person to act, and the navigation shows the sum.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from tmo.clock import london_day
from tmo.models.board import Director, Directorship, InterestDeclaration
from tmo.models.elections import Election, RollEntry
from tmo.models.meetings import AgendaItem, AgendaPaper, Attendance, Body, Meeting, Requisition
from tmo.models.membership import Member, MembershipApplication
from tmo.models.youth import YouthInterest, YouthMember, YouthProposal, YouthVote
from tmo.permissions import Role
from tmo.presenters import day
from tmo.rules import board as board_rules
from tmo.rules import meetings as meeting_rules
from tmo.rules.elections import Status
from tmo.rules.membership import ApplicationStatus
from tmo.rules.youth import MemberStatus, ProposalStatus
from tmo.services import board as board_service
from tmo.services.elections.lifecycle import MOVE_LABELS, moves, status_of
from tmo.services.notices.printing import letters_waiting
from tmo.services.properties.importing import plural


@dataclass(frozen=True)
class Line:
    """One thing for the person: ``text`` links to ``link``; ``count`` things wait on them
    (0 for a line that only tells them where something is); ``due`` is when, said as ``when``."""

    text: str
    link: str
    count: int = 0
    due: date | datetime | None = None
    when: str = ""
    note: str = ""


@dataclass
class Group:
    heading: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class FrontDoor:
    groups: list[Group]

    @property
    def waiting(self) -> int:
        return sum(line.count for group in self.groups for line in group.lines)


# Whom "Apply to join" is put first for: a resident, or a former member; those who hold an office
# (a returning officer, a youth worker) are not asked to join on every page.
JOINING_ROLES = frozenset({Role.RESIDENT, Role.MEMBER})
# How far ahead meetings are shown.
AHEAD = timedelta(days=60)
# The most lines of one kind a front door lists (the rest are behind the line's own page).
MOST = 10


def front_door(request) -> FrontDoor:
    """The front door of the person logged in to ``request`` (none for someone who is not)."""
    identity = request.identity
    if not identity:
        return FrontDoor([])
    roles = identity.roles
    parts = [_membership(request, identity)]
    if Role.DIRECTOR in roles or Role.CHAIR in roles:
        parts.append(_board(request, identity))
    if Role.SECRETARY in roles:
        parts.append(_secretary(request))
    if Role.RETURNING_OFFICER in roles or Role.SCRUTINEER in roles:
        parts.append(_officiating(request, identity))
    if Role.YOUTH_MEMBER in roles or identity.youth_member is not None:
        parts.append(_youth_member(request, identity))
    if Role.YOUTH_WORKER in roles:
        parts.append(_youth_worker(request))
    return FrontDoor([group for group in parts if group.lines])


# -- Residents and members ------------------------------------------------------------------------


def _membership(request, identity) -> Group:
    member = identity.member
    route = request.route_url
    if member is None:
        group = Group("Joining the TMO")
        application = request.dbsession.scalar(
            select(MembershipApplication)
            .where(
                MembershipApplication.account_id == identity.account_id,
                MembershipApplication.status == ApplicationStatus.SUBMITTED,
            )
            .order_by(MembershipApplication.submitted_at.desc())
            .limit(1)
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
    found = list(
        request.dbsession.scalars(
            select(Election)
            .where(Election.status.in_((Status.NOMINATIONS_OPEN, Status.POLL_OPEN)))
            .order_by(Election.poll_closes_at)
            .limit(MOST)
        )
    )
    polls = [e.id for e in found if status_of(e, now) is Status.POLL_OPEN]
    entries = (
        {
            entry.election_id: entry
            for entry in request.dbsession.scalars(
                select(RollEntry).where(
                    RollEntry.member_id == member.id, RollEntry.election_id.in_(polls)
                )
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
    meetings = request.dbsession.scalars(
        select(Meeting)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            Body.kind == meeting_rules.GENERAL_MEETING,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= request.now,
            Meeting.starts_at <= request.now + AHEAD * 3,
        )
        .order_by(Meeting.starts_at)
        .limit(MOST)
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


# -- Directors and the chair ----------------------------------------------------------------------


def _board(request, identity) -> Group:
    dbsession, route, now = request.dbsession, request.route_url, request.now
    group = Group("On the board")
    papers = (
        select(func.count(AgendaPaper.id))
        .join(AgendaItem, AgendaPaper.item_id == AgendaItem.id)
        .where(AgendaItem.meeting_id == Meeting.id)
        .scalar_subquery()
    )
    director = dbsession.scalar(
        select(Director).where(Director.account_id == identity.account_id).limit(1)
    )
    coming = dbsession.execute(
        select(Meeting, papers)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            Body.kind == meeting_rules.BOARD,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= now,
            Meeting.starts_at <= now + AHEAD,
        )
        .order_by(Meeting.starts_at)
        .limit(MOST)
    ).all()
    # The meetings a director has sent apologies for (online, from the meeting's page).
    sent = set()
    if director is not None and coming:
        sent = set(
            dbsession.scalars(
                select(Attendance.meeting_id).where(
                    Attendance.meeting_id.in_([meeting.id for meeting, _ in coming]),
                    Attendance.person_key == f"director:{director.id}",
                    Attendance.apologies_sent_at.is_not(None),
                )
            )
        )
    for meeting, count in coming:
        if director is None:
            apologies = ""
        elif meeting.id in sent:
            apologies = "You have sent your apologies."
        else:
            apologies = "If you cannot come, send your apologies from its page."
        group.lines.append(
            Line(
                f"{meeting.title}: the agenda and "
                + (plural(count, "paper") if count else "no papers yet"),
                route("meetings_meeting", meeting_id=meeting.id),
                due=meeting.starts_at,
                when="Meets",
                note=apologies,
            )
        )
    if director is not None and Role.DIRECTOR in identity.roles:
        latest = dbsession.scalar(
            select(func.max(InterestDeclaration.declared_on)).where(
                InterestDeclaration.director_id == director.id
            )
        )
        if latest is None or board_rules.declaration_due(
            latest, request.constitution.board, request.today
        ):
            group.lines.append(
                Line(
                    "Declare your interests",
                    route("board_my_interests"),
                    count=1,
                    note=(
                        "You have not declared your interests yet."
                        if latest is None
                        else f"Your last declaration, on {day(latest)}, is due for renewal."
                    ),
                )
            )
    if Role.CHAIR in identity.roles:
        for meeting in dbsession.scalars(
            select(Meeting)
            .where(Meeting.minutes_state == meeting_rules.APPROVED, Meeting.cancelled_at.is_(None))
            .order_by(Meeting.starts_at)
            .limit(MOST)
        ):
            group.lines.append(
                Line(
                    f"Sign the minutes of {meeting.title}",
                    route("meetings_record", meeting_id=meeting.id),
                    count=1,
                    due=meeting.starts_at,
                    when="Met",
                )
            )
        group.lines.extend(_absences(request))
        waiting = dbsession.scalar(
            select(func.count(YouthProposal.id)).where(
                YouthProposal.status == ProposalStatus.AWAITING_RATIFICATION
            )
        )
        if waiting:
            group.lines.append(
                Line(
                    f"{plural(waiting, 'Youth Forum spend')} awaiting the board's ratification",
                    route("youth_proposals", _query={"status": "awaiting_ratification"}),
                    count=waiting,
                )
            )
    return group


def _absences(request) -> list[Line]:
    """Directors who missed the constitution's number of board meetings in a row without
    accepted apologies, named (the secretary's board page shows each seat's record)."""
    marks: dict[int, list[str]] = {}
    for key, status, accepted in request.dbsession.execute(
        select(Attendance.person_key, Attendance.status, Attendance.apologies_accepted)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            Body.kind == meeting_rules.BOARD,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at <= request.now,
            Attendance.person_key.startswith("director:"),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ):
        mark = meeting_rules.absence_mark(status, accepted)
        if mark is not None:
            marks.setdefault(int(key.partition(":")[2]), []).append(mark)
    board = request.constitution.board
    flagged = [who for who, seen in marks.items() if board_rules.flagged_for_absence(seen, board)]
    if not flagged:
        return []
    names = request.dbsession.scalars(
        select(Director.name).where(Director.id.in_(flagged)).order_by(Director.name)
    )
    return [
        Line(
            f"{plural(len(flagged), 'director')} flagged for missing board meetings",
            request.route_url("board"),
            count=len(flagged),
            note=f"{', '.join(names)}: missed meetings in a row without accepted apologies; "
            "the board may consider vacating the seat.",
        )
    ]


# -- The secretary --------------------------------------------------------------------------------


def _secretary(request) -> Group:
    dbsession, route, now = request.dbsession, request.route_url, request.now
    group = Group("As secretary")
    waiting, unmatched, oldest = dbsession.execute(
        select(
            func.count(MembershipApplication.id),
            func.count(MembershipApplication.id).filter(
                MembershipApplication.matched_tenancy_id.is_(None)
            ),
            func.min(MembershipApplication.submitted_at),
        ).where(MembershipApplication.status == ApplicationStatus.SUBMITTED)
    ).one()
    if waiting:
        group.lines.append(
            Line(
                f"{plural(waiting, 'application')} to join waiting",
                route("applications"),
                count=waiting,
                due=oldest,
                when="The oldest was sent",
                note=(
                    f"{plural(unmatched, 'application')} not matched to the property register: "
                    "check them against it."
                    if unmatched
                    else ""
                ),
            )
        )
    letters = letters_waiting(dbsession)
    if letters:
        group.lines.append(
            Line(f"{plural(letters, 'letter')} to print and post", route("notices"), count=letters)
        )
    for meeting in dbsession.scalars(
        select(Meeting)
        .where(
            Meeting.minutes_state == meeting_rules.DRAFT,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at < now,
        )
        .order_by(Meeting.starts_at)
        .limit(MOST)
    ):
        group.lines.append(
            Line(
                f"Circulate the minutes of {meeting.title}",
                route("meetings_run", meeting_id=meeting.id),
                count=1,
                due=meeting.starts_at,
                when="Met",
            )
        )
    called = select(Meeting.id).where(Meeting.requisition_id == Requisition.id)
    requisitions = list(
        dbsession.scalars(
            select(Requisition)
            .where(Requisition.threshold_reached_on.is_not(None), ~exists(called))
            .order_by(Requisition.call_by)
            .limit(MOST)
        )
    )
    if requisitions:
        general = dbsession.scalar(
            select(Body.id).where(Body.kind == meeting_rules.GENERAL_MEETING).limit(1)
        )
    for requisition in requisitions:
        group.lines.append(
            Line(
                "Call the general meeting members requisitioned",
                route("meetings_schedule", body_id=general, _query={"requisition": requisition.id})
                if general
                else route("meetings_manage"),
                count=1,
                due=requisition.call_by,
                when="Call it by",
                note=requisition.purpose[:200],
            )
        )
    group.lines.extend(_terms_ending(request))
    return group


def _terms_ending(request) -> list[Line]:
    """The directors' terms ending by the next AGM (scheduled, or else the next elected term's
    end, as the elections count seats falling due)."""
    dbsession, today = request.dbsession, request.today
    agm_meeting = dbsession.scalar(
        select(Meeting)
        .where(
            Meeting.kind == meeting_rules.AGM,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= request.now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    directorships = list(
        dbsession.scalars(
            select(Directorship)
            .options(selectinload(Directorship.director))
            .where(
                Directorship.how.in_((board_rules.ELECTED, board_rules.CO_OPTED)),
                Directorship.ended_on.is_(None),
                Directorship.end_date > today,
            )
        )
    )
    if agm_meeting is not None:
        agm = london_day(agm_meeting.starts_at)
    else:
        agm = min((d.end_date for d in directorships), default=None)
    if agm is None:
        return []
    due = set(
        board_rules.retiring_at([board_service.as_term(d) for d in directorships], agm, today)
    )
    ending = [d for d in directorships if board_service.as_term(d) in due]
    if not ending:
        return []
    return [
        Line(
            f"{plural(len(ending), 'term')} of directors due for election at the next AGM",
            request.route_url("board_manage"),
            count=len(ending),
            due=agm,
            when="The AGM",
            note="Their terms end by or near it: "
            + ", ".join(sorted(d.director.name for d in ending)),
        )
    ]


# -- Returning officers and scrutineers -----------------------------------------------------------

NEXT_STEPS = {
    Status.DRAFT: ("Open nominations", "nominations_open_at", "Nominations open"),
    Status.NOMINATIONS_OPEN: ("Close nominations", "nominations_close_at", "Nominations close"),
    Status.NOMINATIONS_CLOSED: (
        "Decide the nominations, then freeze the roll and open the poll",
        "poll_opens_at",
        "The poll opens",
    ),
    Status.POLL_OPEN: ("The poll is open", "poll_closes_at", "The poll closes"),
    Status.POLL_CLOSED: (MOVE_LABELS["open_box"], "poll_closes_at", "The poll closed"),
    Status.COUNTED: (MOVE_LABELS["declare"], "counted_at", "Counted"),
}


def _officiating(request, identity) -> Group:
    now = request.now
    group = Group("Running elections")
    elections = request.dbsession.scalars(
        select(Election)
        .options(selectinload(Election.candidates))
        .where(
            or_(
                Election.returning_officer_id == identity.account_id,
                Election.scrutineer_id == identity.account_id,
            ),
            Election.status.not_in((Status.DECLARED, Status.CANCELLED)),
        )
        .order_by(Election.poll_closes_at)
        .limit(MOST)
    )
    for election in elections:
        status = status_of(election, now)
        step, moment, when = NEXT_STEPS[status]
        runs = election.returning_officer_id == identity.account_id
        possible = [label for _, label in moves(election, now)] if runs else []
        if status is Status.NOMINATIONS_CLOSED and possible:
            step = possible[-1]
        if status is Status.POLL_CLOSED and not runs:
            step = "Bring the sealing key to open the ballot box"
        due = getattr(election, moment)
        acts = bool(possible) or (
            status is Status.POLL_CLOSED and identity.account_id == _key_holder(election)
        )
        group.lines.append(
            Line(
                f"{election.title}: {step}",
                request.route_url("election_manage", election_id=election.id),
                count=1 if acts else 0,
                due=due,
                when=when,
                note=f"Now: {status.label}.",
            )
        )
    return group


def _key_holder(election: Election) -> int:
    return election.scrutineer_id or election.returning_officer_id


# -- The Youth Forum ------------------------------------------------------------------------------


def _youth_member(request, identity) -> Group:
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


def _youth_worker(request) -> Group:
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
