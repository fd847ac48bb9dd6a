"""The front door's lines for directors and the chair: board meetings coming and apologies,
declarations due, minutes to sign, absences flagged and youth spends awaiting the board."""

from sqlalchemy import func, select

from tmo.models.board import Director, InterestDeclaration
from tmo.models.meetings import AgendaItem, AgendaPaper, Attendance, Body, Meeting
from tmo.models.youth import YouthProposal
from tmo.permissions import Role
from tmo.presenters import day
from tmo.rules import board as board_rules
from tmo.rules import meetings as meeting_rules
from tmo.rules.youth import ProposalStatus
from tmo.services.front_door.lines import AHEAD, MOST, Group, Line
from tmo.services.properties.importing import plural


def board(request, identity) -> Group:
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
