"""The Youth Forum's chair: who chairs on a day, the forum electing its chair (one vote each; a
tie is no result), and the chair taking the board's ex officio seat, which ends when they stop
chairing or age out of the forum."""

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tmo.constitution import Constitution, SeatCategoryKey
from tmo.models.board import Director
from tmo.models.youth import (
    YouthChairCandidate,
    YouthChairElection,
    YouthChairTerm,
    YouthChairVote,
    YouthMember,
)
from tmo.rules import youth as rules
from tmo.rules.board import EX_OFFICIO, Seat
from tmo.rules.youth import ChairElectionStatus, YouthError
from tmo.services import audit, board
from tmo.services.youth.forum import forum_members, full_name, in_forum, member_ends

YOUTH_CHAIR_SEAT = Seat(SeatCategoryKey.YOUTH_CHAIR, 1)


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


def chair_history(dbsession: Session, limit: int = 10) -> list[YouthChairTerm]:
    """The latest chairs' terms, most recent first."""
    return list(
        dbsession.scalars(
            select(YouthChairTerm).order_by(YouthChairTerm.started_on.desc()).limit(limit)
        )
    )


def last_counted_chair_election(dbsession: Session) -> YouthChairElection | None:
    return dbsession.scalar(
        select(YouthChairElection)
        .where(YouthChairElection.status == ChairElectionStatus.COUNTED)
        .order_by(YouthChairElection.id.desc())
        .limit(1)
    )


def open_chair_election_now(dbsession: Session) -> YouthChairElection | None:
    return dbsession.scalar(
        select(YouthChairElection).where(YouthChairElection.status == ChairElectionStatus.OPEN)
    )


def open_chair_election(
    dbsession: Session,
    constitution: Constitution,
    *,
    candidates: list[YouthMember],
    actor_id: int | None,
    today: date,
) -> YouthChairElection:
    if open_chair_election_now(dbsession) is not None:
        raise YouthError("The forum is already electing its chair.")
    if not candidates:
        raise YouthError("Choose at least one forum member standing for chair.")
    if any(not in_forum(c, constitution, today) for c in candidates):
        raise YouthError("Every candidate must be a member of the forum.")
    election = YouthChairElection(
        opened_on=today,
        closes_on=today + timedelta(days=constitution.youth.voting_days),
        status=ChairElectionStatus.OPEN,
    )
    election.candidates = [YouthChairCandidate(member=c) for c in candidates]
    try:
        # Written now, in a savepoint: of several opened at once, the database keeps one.
        with dbsession.begin_nested():
            dbsession.add(election)
    except IntegrityError:
        raise YouthError("The forum is already electing its chair.") from None
    audit.record(
        dbsession,
        "youth.chair_election_opened",
        actor_id=actor_id,
        target=election,
        candidates=[c.id for c in candidates],
    )
    return election


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
    if election.status != ChairElectionStatus.OPEN or today >= election.closes_on:
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
    rules.check_chair_election_transition(election.status, ChairElectionStatus.COUNTED)
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
    election.status = ChairElectionStatus.COUNTED
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
