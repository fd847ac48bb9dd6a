"""An election's life: setting it up, the returning officer's moves (each one audited, under the
election's lock), the roll frozen when the poll opens, and what the clock makes of its status.
"""

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, selectinload

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.elections import Election, RollEntry
from tmo.models.membership import Member
from tmo.rules import elections as rules
from tmo.rules.elections import CandidateStatus, Status
from tmo.rules.membership import may_vote
from tmo.services import audit, notices
from tmo.services import board as board_service
from tmo.services.elections import codes
from tmo.services.elections.nominations import accepted
from tmo.services.elections.refusals import ElectionError


def status_of(election: Election, now: datetime) -> Status:
    return rules.effective_status(election.status, election.poll_closes_at, now)


def closed(election: Election, now: datetime) -> bool:
    """Past the close of the poll: the only time any per-candidate figure may be seen."""
    return status_of(election, now) not in rules.BEFORE_CLOSE and election.status not in (
        Status.CANCELLED,
    )


def accepting(election: Election, now: datetime) -> bool:
    """Whether a ballot cast at ``now`` would be taken (the cast itself checks again, under
    lock)."""
    return rules.accepting_ballots(
        election.status, election.poll_opens_at, election.poll_closes_at, now
    )


MOVE_LABELS = {
    "open_nominations": "Open nominations",
    "close_nominations": "Close nominations",
    "reopen_nominations": "Reopen nominations",
    "open_poll": "Freeze the roll and open the poll",
    "count": "Count the votes",
    "open_box": "Open the ballot box and count the votes",
    "declare": "Declare the result",
}


def moves(election: Election, now: datetime) -> list[tuple[str, str]]:
    """The steps the returning officer can take now, as (action, label)."""
    status = status_of(election, now)
    found = []
    if status is Status.DRAFT:
        found.append("open_nominations")
    elif status is Status.NOMINATIONS_OPEN and now >= election.nominations_close_at:
        found.append("close_nominations")
    elif status is Status.NOMINATIONS_CLOSED:
        found.append("reopen_nominations")
        valid = len(accepted(election))
        if rules.uncontested(valid, election.seats):
            found.append("count")
        elif valid:
            found.append("open_poll")
    elif status is Status.POLL_CLOSED:
        # Counted by opening the box, with the sealing key its holder brings.
        found.append("open_box")
    elif status is Status.COUNTED:
        found.append("declare")
    return [(action, MOVE_LABELS[action]) for action in found]


def seats_falling_due(dbsession: Session, constitution: Constitution, category: str, day: date):
    """(seats, description) for an election to ``category``'s seats: the terms retiring by
    rotation at the next AGM and the seats vacant now (co-opted seats are among the retiring)."""
    vacant = [
        row
        for row in board_service.roster(dbsession, constitution, day)
        if row.vacant and row.seat.category == category
    ]
    agm = board_service.next_elected_end(dbsession, day)
    due = [
        d
        for d in (board_service.retiring(dbsession, agm, day) if agm else [])
        if d.seat_category == category
    ]
    parts = []
    if due:
        names = ", ".join(d.director.name for d in due)
        parts.append(f"{len(due)} retiring by rotation on {agm:%-d %B %Y} ({names})")
    if vacant:
        parts.append(f"{len(vacant)} vacant now")
    return len(due) + len(vacant), "; ".join(parts)


# Built once: the home page's query costs a third more when its select is built each time.
OPEN_POLLS = select(Election).where(
    Election.status == Status.POLL_OPEN,
    Election.poll_opens_at <= bindparam("now"),
    Election.poll_closes_at > bindparam("now"),
)


def open_polls(dbsession: Session, now: datetime) -> list[Election]:
    """The elections taking ballots at ``now``, for the home page."""
    return list(dbsession.scalars(OPEN_POLLS, {"now": now}))


def create(
    dbsession: Session,
    constitution: Constitution,
    *,
    title: str,
    method: str,
    seats: int,
    seat_category: str,
    seats_description: str,
    returning_officer_id: int,
    scrutineer_id: int | None,
    notice_on: date,
    actor_id: int,
    now: datetime,
) -> Election:
    times = rules.timeline(notice_on, constitution.elections)
    problems = rules.timeline_problems(times)
    if problems:
        field, message = problems[0]
        raise ElectionError(message, field)
    if times.poll_closes <= now:
        raise ElectionError(
            "With that notice date the poll would already have closed: give a later date.",
            "notice_on",
        )
    if scrutineer_id is not None and scrutineer_id == returning_officer_id:
        raise ElectionError(
            "The scrutineer must be independent of the returning officer.", "scrutineer"
        )
    category = constitution.seat_category(seat_category)
    if seats > category.seats:
        raise ElectionError(
            f"The constitution has {category.seats} {category.name.lower()} seats.", "seats"
        )
    election = Election(
        title=title,
        method=method,
        ballot_order=constitution.elections.ballot_order,
        seats=seats,
        seat_category=seat_category,
        seats_description=seats_description,
        returning_officer_id=returning_officer_id,
        scrutineer_id=scrutineer_id,
        nominations_open_at=times.nominations_open,
        nominations_close_at=times.nominations_close,
        poll_opens_at=times.poll_opens,
        poll_closes_at=times.poll_closes,
        notice_on=notice_on,
        created_by_id=actor_id,
    )
    dbsession.add(election)
    dbsession.flush()
    audit.record(
        dbsession,
        "election.created",
        actor_id=actor_id,
        target=election,
        title=title,
        method=method,
        seats=seats,
        returning_officer=returning_officer_id,
        scrutineer=scrutineer_id,
    )
    return election


def lock_election(dbsession: Session, election_id: int) -> Election:
    """The election, read again under a row lock held to the commit."""
    # populate_existing: an election read earlier in the request must not keep a stale head.
    return dbsession.scalars(
        select(Election)
        .where(Election.id == election_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def move_to(
    dbsession, election: Election, target: Status, actor_id: int | None, now: datetime, **detail
) -> None:
    """Move the election on, audited; refused from a state the lifecycle does not allow."""
    # Under the election's lock: two returning officer's clicks at once make one move.
    lock_election(dbsession, election.id)
    current = status_of(election, now)
    try:
        rules.check_transition(current, target)
    except rules.TransitionRefused as refused:
        raise ElectionError(str(refused)) from None
    audit.record(
        dbsession,
        "election.status",
        actor_id=actor_id,
        target=election,
        **{"from": current.value, "to": target.value},
        **detail,
    )
    election.status = target


def open_nominations(dbsession, election: Election, actor_id: int, now: datetime) -> None:
    move_to(dbsession, election, Status.NOMINATIONS_OPEN, actor_id, now)


def close_nominations(dbsession, election: Election, actor_id: int, now: datetime) -> None:
    if now < election.nominations_close_at:
        raise ElectionError("Nominations stay open until their closing time.")
    undecided = [c.name for c in election.candidates if c.status == CandidateStatus.NOMINATED]
    if undecided:
        raise ElectionError(
            "Accept or reject every nomination first: " + ", ".join(undecided) + "."
        )
    move_to(dbsession, election, Status.NOMINATIONS_CLOSED, actor_id, now)


def reopen_nominations(
    dbsession, constitution: Constitution, election: Election, actor_id: int, now: datetime
) -> None:
    """Nominations open again for the constitution's nomination period from today, and the
    poll's dates move on with them."""
    move_to(dbsession, election, Status.NOMINATIONS_OPEN, actor_id, now)
    times = rules.timeline(
        london_day(now) - timedelta(days=constitution.elections.notice_days),
        constitution.elections,
    )
    election.nominations_open_at = now
    election.nominations_close_at = times.nominations_close
    election.poll_opens_at = times.poll_opens
    election.poll_closes_at = times.poll_closes
    audit.record(
        dbsession,
        "election.timeline_moved",
        actor_id=actor_id,
        target=election,
        nominations_close=times.nominations_close.isoformat(),
        poll_closes=times.poll_closes.isoformat(),
    )


def entitled_members(dbsession: Session, day: date) -> list[Member]:
    """Members entitled to vote on ``day``: admitted by then, not ceased, not associates."""
    members = dbsession.scalars(
        select(Member)
        # Their accounts in one more query: each poll card goes to an account's email.
        .options(selectinload(Member.account))
        .where(Member.admitted_on <= day)
        .where((Member.ceased_on.is_(None)) | (Member.ceased_on > day))
        .order_by(Member.member_number)
        # Their accounts' emails, for the poll's notice: in one query, not one each.
        .options(selectinload(Member.account))
    ).all()
    return [m for m in members if may_vote(m.ceased_on, m.associate, day)]


def open_poll(request, election: Election, actor_id: int) -> notices.Reach:
    """Freeze the roll, fix the seed, start the ballot log and send every voter their poll card
    with a voting code of their own, by email or by post as each has chosen. Returns how the
    cards went out."""
    dbsession = request.dbsession
    now = request.now
    if rules.uncontested(len(accepted(election)), election.seats):
        raise ElectionError(
            "The candidates do not exceed the seats: declare them elected without a poll "
            "(count the election)."
        )
    if not accepted(election):
        raise ElectionError("There are no accepted candidates.")
    if now >= election.poll_closes_at:
        raise ElectionError(
            "The poll's closing time has passed: cancel this election and set up a new one."
        )
    if not election.sealing_key:
        holder = (election.scrutineer or election.returning_officer).display_name
        raise ElectionError(
            f"The poll cannot open before the ballots' sealing key is made and confirmed: "
            f"{holder}, who holds it, does both on this election's page."
        )
    move_to(dbsession, election, Status.POLL_OPEN, actor_id, now)
    day = london_day(max(now, election.poll_opens_at))
    voters = entitled_members(dbsession, day)
    secret = request.registry.settings["tmo.secret"]
    drawn = {member.id: codes.draw(secret, election.id) for member in voters}
    # One statement for the whole roll: a poll for thousands of voters opens in a second or two.
    dbsession.execute(
        insert(RollEntry),
        [
            {"election_id": election.id, "member_id": m.id, "code_hash": drawn[m.id][1]}
            for m in voters
        ],
    )
    election.roll_frozen_on = day
    election.paper_key = secrets.token_hex(32)
    election.chain_head = rules.genesis(election.id)
    audit.record(
        dbsession, "election.roll_frozen", actor_id=actor_id, target=election, voters=len(voters)
    )
    # Each voter's poll card carries their code; only its hash is kept.
    return codes.send_poll_cards(
        request, election, voters, {m_id: code for m_id, (code, _) in drawn.items()}, actor_id
    )


def cancel(dbsession, election: Election, reason: str, actor_id: int, now: datetime) -> None:
    if not reason.strip():
        raise ElectionError("Give the reason for cancelling.", "reason")
    move_to(dbsession, election, Status.CANCELLED, actor_id, now, reason=reason)
    election.cancelled_reason = reason


def announced_query():
    """Every election but those being set up, the latest poll first."""
    return (
        select(Election)
        .where(Election.status != Status.DRAFT)
        .order_by(Election.poll_opens_at.desc(), Election.id.desc())
    )


def officiated_by_query(account_id: int):
    """The elections an account is the returning officer or the scrutineer of, newest first."""
    return (
        select(Election)
        .where(
            (Election.returning_officer_id == account_id) | (Election.scrutineer_id == account_id)
        )
        .order_by(Election.id.desc())
    )
