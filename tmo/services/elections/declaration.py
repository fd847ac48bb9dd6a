"""Declaring the result: the winners take their seats on the board and every member is told."""

from datetime import date

from sqlalchemy import select

from tmo.models.board import Director
from tmo.models.elections import Candidate, Election
from tmo.models.membership import Member
from tmo.rules.elections import Status
from tmo.services import board as board_service
from tmo.services import notices
from tmo.services.elections.counting import elected
from tmo.services.elections.lifecycle import move_to
from tmo.services.elections.refusals import ElectionError


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
    if len(vacant) < len(winners):
        raise ElectionError(
            f"Only {len(vacant)} {election.seat_category} seats are vacant today, for "
            f"{len(winners)} winners: end the retiring directors' terms on the board page first."
        )
    for seat, candidate in zip(vacant, winners, strict=False):
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
