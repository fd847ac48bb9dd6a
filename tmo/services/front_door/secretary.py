"""The front door's lines for the secretary: applications, letters to print, minutes to
circulate, requisitions and terms ending before the next AGM."""

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from tmo.clock import london_day
from tmo.models.board import Directorship
from tmo.models.meetings import Body, Meeting, Requisition
from tmo.models.membership import MembershipApplication
from tmo.rules import board as board_rules
from tmo.rules import meetings as meeting_rules
from tmo.rules.membership import ApplicationStatus
from tmo.services import board as board_service
from tmo.services.front_door.lines import MOST, Group, Line
from tmo.services.notices.printing import letters_waiting
from tmo.services.properties.importing import plural


def secretary(request) -> Group:
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
