"""The front door's lines for returning officers and scrutineers: each election's next step
and its date."""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tmo.models.elections import Election
from tmo.rules.elections import Status
from tmo.services.elections.lifecycle import MOVE_LABELS, moves, status_of
from tmo.services.front_door.lines import MOST, Group, Line

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


def officiating(request, identity) -> Group:
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
