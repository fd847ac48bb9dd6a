"""Declaring the result: the winners take their seats on the board and every member is told."""

from datetime import date

from sqlalchemy import select

from tmo.models.board import Director, Directorship
from tmo.models.elections import Candidate, Election
from tmo.models.membership import Member
from tmo.rules.board import Seat
from tmo.rules.elections import Status
from tmo.services import board as board_service
from tmo.services import notices
from tmo.services.elections.counting import elected
from tmo.services.elections.lifecycle import move_to
from tmo.services.elections.refusals import ElectionError


def retiring_at_declaration(dbsession, election: Election, today: date) -> list[Directorship]:
    """The terms in the election's seats that retire by rotation at this AGM (ending within six
    months of ``today``, after it): the declaration ends them as their seats are filled."""
    return [
        directorship
        for directorship in board_service.retiring(dbsession, today, today)
        if directorship.seat_category == election.seat_category
    ]


def seat_for(
    dbsession,
    election: Election,
    candidate: Candidate,
    vacant: list,
    retiring: list,
    today,
    actor_id,
) -> Seat:
    """The seat ``candidate`` takes: their own retiring seat if they are re-elected, else a
    vacant one, else a retiring director's, whose term ends today. One at a time, so that the
    board's composition holds after each (a resident majority, say)."""
    own = next((d for d in retiring if d.director.member_id == candidate.member_id), None)
    if own is None and vacant:
        return vacant.pop(0)
    directorship = own or retiring[0]
    retiring.remove(directorship)
    board_service.end_term(
        dbsession,
        directorship,
        on=today,
        reason="retired",
        note=f"Retired by rotation at the declaration of {election.title}",
        actor_id=actor_id,
    )
    return board_service.as_term(directorship).seat


def declare(
    request, election: Election, actor_id: int, today: date
) -> tuple[list[Candidate], notices.Reach]:
    """Declare the result onto the board and tell every member; the winners, and how the
    result went out."""
    dbsession = request.dbsession
    constitution = request.constitution
    winners = elected(election)
    move_to(
        dbsession,
        election,
        Status.DECLARED,
        actor_id,
        request.now,
        elected=[c.member_id for c in winners],
    )
    election.declared_on = today
    rows = board_service.roster(dbsession, constitution, today)
    vacant = [
        row.seat for row in rows if row.vacant and row.seat.category == election.seat_category
    ]
    retiring = retiring_at_declaration(dbsession, election, today)
    if len(vacant) + len(retiring) < len(winners):
        raise ElectionError(
            f"Only {len(vacant) + len(retiring)} {election.seat_category} seats are vacant "
            f"today or retire by rotation at this AGM, for {len(winners)} winners: end a "
            "director's term on the board page first (a resignation, say)."
        )
    for candidate in winners:
        seat = seat_for(dbsession, election, candidate, vacant, retiring, today, actor_id)
        member = candidate.member
        director = dbsession.scalar(select(Director).where(Director.member_id == member.id))
        if director is None:
            director = Director(
                name=member.name,
                member_id=member.id,
                member=member,
                account_id=member.account_id,
                date_of_birth=member.date_of_birth,
            )
            dbsession.add(director)
        try:
            board_service.appoint(
                dbsession,
                constitution,
                director=director,
                seat=seat,
                how="elected",
                start=today,
                actor_id=actor_id,
                decision_reference=f"Election {election.id}: {election.title}",
            )
        except board_service.BoardError as refused:
            raise ElectionError(" ".join(refused.problems)) from None
    members = dbsession.scalars(select(Member).where(Member.ceased_on.is_(None))).all()
    reach = notices.send(
        request,
        kind="election_result",
        template="election_result",
        recipients=[notices.member_recipient(member) for member in members],
        about=election,
        actor_id=actor_id,
        election=election,
        winners=winners,
        link=request.route_url("election_result", election_id=election.id),
    )
    return winners, reach
