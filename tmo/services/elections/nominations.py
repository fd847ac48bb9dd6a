"""Nominations: a member nominates, the proposers and seconders confirm, the candidate consents
and writes a statement, and the returning officer accepts or rejects each nomination.
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.elections import Candidate, Election, Supporter
from tmo.models.membership import Member
from tmo.rules import board as board_rules
from tmo.rules import elections as rules
from tmo.rules.elections import CandidateStatus, Status
from tmo.rules.membership import may_vote
from tmo.services import audit
from tmo.services.elections.refusals import ElectionError
from tmo.services.register_search import member_number


def accepted(election: Election) -> list[Candidate]:
    return [
        candidate
        for candidate in election.candidates
        if candidate.status == CandidateStatus.ACCEPTED
    ]


def surname_order(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.name.split()[-1].casefold(), c.name.casefold()))


def move_candidate(candidate: Candidate, target: CandidateStatus) -> None:
    """Move a nomination on, refused from a state its lifecycle does not allow."""
    try:
        rules.check_candidate_transition(candidate.status, target)
    except rules.TransitionRefused as refused:
        raise ElectionError(str(refused)) from None
    candidate.status = target


def nominations_open(election: Election, now: datetime) -> bool:
    return (
        election.status is Status.NOMINATIONS_OPEN
        and election.nominations_open_at <= now < election.nominations_close_at
    )


def nominate(
    dbsession: Session,
    constitution: Constitution,
    election: Election,
    *,
    nominator: Member,
    candidate: Member,
    proposers: Sequence[Member],
    seconders: Sequence[Member],
    now: datetime,
) -> Candidate:
    if not nominations_open(election, now):
        raise ElectionError("Nominations are not open for this election.")
    officials = {election.returning_officer_id, election.scrutineer_id} - {None}
    if candidate.account_id is not None and candidate.account_id in officials:
        raise ElectionError(
            "The returning officer and the scrutineer cannot stand in this election.", "candidate"
        )
    if any(person.account_id in officials for person in (*proposers, *seconders)):
        raise ElectionError(
            "The returning officer and the scrutineer cannot propose or second a candidate.",
            "proposer",
        )
    existing = dbsession.scalar(
        select(Candidate).where(
            Candidate.election_id == election.id,
            Candidate.member_id == candidate.id,
        )
    )
    if existing is not None and existing.status != CandidateStatus.WITHDRAWN:
        raise ElectionError(f"{candidate.name} has already been nominated.", "candidate")
    if not may_vote(candidate.ceased_on, candidate.associate, london_day(now)):
        raise ElectionError(
            f"{candidate.name} is not a voting member, so cannot stand.", "candidate"
        )
    rules_ = constitution.elections
    for role, people, needed in (
        ("proposer", proposers, rules_.proposers_required),
        ("seconder", seconders, rules_.seconders_required),
    ):
        if len(people) != needed:
            raise ElectionError(f"A nomination needs {needed} {role}(s).", role)
    everyone = [*proposers, *seconders]
    if len({m.id for m in everyone}) != len(everyone):
        raise ElectionError("The proposer and seconder must be different people.", "seconder")
    for person in everyone:
        if person.id == candidate.id:
            raise ElectionError("Candidates cannot propose or second themselves.", "proposer")
        if not may_vote(person.ceased_on, person.associate, london_day(now)):
            raise ElectionError(
                f"{person.name} is not a voting member, so cannot support a nomination.",
                "proposer",
            )
    if existing is not None:
        dbsession.delete(existing)
        dbsession.flush()
    nomination = Candidate(
        election_id=election.id,
        member_id=candidate.id,
        name=candidate.name,
        nominated_by_id=nominator.id,
    )
    nomination.supporters = [
        Supporter(
            member_id=person.id,
            role=role,
            # Nominating someone is proposing them: the nominator need not confirm twice.
            confirmed_at=now if person.id == nominator.id else None,
        )
        for role, people in (("proposer", proposers), ("seconder", seconders))
        for person in people
    ]
    if nominator.id == candidate.id:
        nomination.consented_at = now
    dbsession.add(nomination)
    dbsession.flush()
    audit.record(
        dbsession,
        "election.nominated",
        actor_id=nominator.account_id,
        target=nomination,
        election=election.id,
        candidate=candidate.id,
        proposers=[m.id for m in proposers],
        seconders=[m.id for m in seconders],
    )
    return nomination


def confirm_support(dbsession, supporter: Supporter, now: datetime) -> None:
    if not nominations_open(supporter.candidate.election, now):
        raise ElectionError("Nominations are closed.")
    if supporter.confirmed_at is None:
        supporter.confirmed_at = now
        audit.record(
            dbsession,
            "election.support_confirmed",
            actor_id=supporter.member.account_id,
            target=supporter.candidate,
            role=supporter.role,
        )


def consent(
    dbsession,
    constitution: Constitution,
    candidate: Candidate,
    *,
    statement: str,
    photo_id: int | None,
    now: datetime,
    date_of_birth: date | None = None,
) -> None:
    """The candidate consents and writes their statement; where the register has no date of
    birth they give it, since a director must be old enough."""
    if not nominations_open(candidate.election, now):
        raise ElectionError("Nominations are closed: the statement can no longer change.")
    if date_of_birth is not None and candidate.member.date_of_birth is None:
        candidate.member.date_of_birth = date_of_birth
    limit = constitution.elections.statement_word_limit
    words = rules.word_count(statement)
    if words > limit:
        raise ElectionError(
            f"Your statement has {words} words: the limit is {limit}. Shorten it by "
            f"{words - limit}.",
            "statement",
        )
    candidate.statement = statement
    if photo_id is not None:
        candidate.photo_id = photo_id
    first = candidate.consented_at is None
    candidate.consented_at = candidate.consented_at or now
    audit.record(
        dbsession,
        "election.consented" if first else "election.statement_changed",
        actor_id=candidate.member.account_id,
        target=candidate,
        words=words,
        photo=candidate.photo_id is not None,
        date_of_birth_recorded=date_of_birth is not None,
    )


def withdraw(dbsession, candidate: Candidate, actor_id: int | None, now: datetime) -> None:
    if not nominations_open(candidate.election, now):
        raise ElectionError("Nominations are closed: a candidate can no longer withdraw.")
    move_candidate(candidate, CandidateStatus.WITHDRAWN)
    audit.record(dbsession, "election.withdrawn", actor_id=actor_id, target=candidate)


def complete(candidate: Candidate) -> list[str]:
    """What a nomination still lacks before the returning officer can accept it."""
    missing = []
    if candidate.consented_at is None:
        missing.append(f"{candidate.name} has not yet consented")
    for supporter in candidate.supporters:
        if supporter.confirmed_at is None:
            missing.append(f"{supporter.member.name} has not confirmed as {supporter.role}")
    return missing


def eligibility(constitution: Constitution, candidate: Candidate, day: date) -> list[str]:
    member = candidate.member
    person = board_rules.Person(
        born=member.date_of_birth,
        is_member=may_vote(member.ceased_on, member.associate, day),
    )
    category = constitution.seat_category(candidate.election.seat_category)
    problems = board_rules.eligibility_problems(person, category, constitution.board, day)
    return [
        p.replace("Record the director's date of birth", "The register has no date of birth")
        for p in problems
    ]


def decide(
    dbsession,
    constitution: Constitution,
    candidate: Candidate,
    *,
    accept: bool,
    reason: str,
    actor_id: int,
    now: datetime,
) -> None:
    election = candidate.election
    if election.status not in (Status.NOMINATIONS_OPEN, Status.NOMINATIONS_CLOSED):
        raise ElectionError("Nominations can be decided only before the poll opens.")
    if candidate.status == CandidateStatus.WITHDRAWN:
        raise ElectionError("The candidate has withdrawn.")
    if accept:
        problems = complete(candidate) + eligibility(constitution, candidate, london_day(now))
        if problems:
            raise ElectionError("This nomination cannot be accepted: " + "; ".join(problems) + ".")
    elif not reason.strip():
        raise ElectionError("Give the reason for rejecting the nomination.", "reason")
    target = CandidateStatus.ACCEPTED if accept else CandidateStatus.REJECTED
    if candidate.status is not target:
        move_candidate(candidate, target)
    candidate.decision_reason = reason
    candidate.decided_at = now
    audit.record(
        dbsession,
        "election.nomination_accepted" if accept else "election.nomination_rejected",
        actor_id=actor_id,
        target=candidate,
        reason=reason,
    )


def supporting(dbsession: Session, election: Election, member: Member | None) -> list[Supporter]:
    """The nominations in ``election`` that ``member`` proposes or seconds."""
    if member is None:
        return []
    return list(
        dbsession.scalars(
            select(Supporter)
            .join(Candidate)
            .where(Candidate.election_id == election.id, Supporter.member_id == member.id)
        )
    )


def current_member_numbered(dbsession: Session, number: str, field: str) -> Member:
    """The current member with the member number typed as ``number`` (M000123 or 123); a
    refusal against ``field`` if there is none."""
    member = dbsession.scalar(
        select(Member).where(
            Member.member_number == member_number(number), Member.ceased_on.is_(None)
        )
    )
    if member is None:
        raise ElectionError(f"There is no current member numbered {number}.", field)
    return member
