"""Elections: setting one up, nominations, the roll, casting ballots in secret, paper batches,
counting, verifying the ballot log, exporting the ballots and declaring the result.

Casting is the one path that must be fast and exact. It locks the election's row (PostgreSQL:
``SELECT ... FOR UPDATE``; SQLite: the write transaction already began IMMEDIATE), checks the
clock, marks the voter on the roll with a conditional UPDATE that only an unmarked entry
matches, and appends the ballot to the hash chain, all in one transaction. A second cast by the
same member, even at the same instant, finds the mark and is refused. Casting writes nothing to
the audit log: an entry naming the voter, with its time, next to a ballot log in time order would
undo the secret ballot. The roll mark (the day only) is the record that a member voted.
"""

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.models.board import Director
from tmo.models.elections import Ballot, Candidate, Election, RollEntry, Supporter
from tmo.models.membership import Member
from tmo.rules import board as board_rules
from tmo.rules import counting
from tmo.rules import elections as rules
from tmo.rules.elections import Status, london_day
from tmo.rules.membership import may_vote
from tmo.services import audit
from tmo.services import board as board_service
from tmo.services.mail import send_mail

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ElectionError(Exception):
    """A change refused; the message says why, in words the person can act on."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AlreadyVoted(ElectionError):
    pass


class NotOnRoll(ElectionError):
    pass


def now_utc() -> datetime:
    return datetime.now(UTC)


def status_of(election: Election, now: datetime) -> Status:
    return rules.effective_status(election.status, election.poll_closes_at, now)


def closed(election: Election, now: datetime) -> bool:
    """Past the close of the poll: the only time any per-candidate figure may be seen."""
    return status_of(election, now) not in rules.BEFORE_CLOSE and election.status not in (
        Status.CANCELLED,
    )


def email_of(member: Member) -> str:
    return member.contact_email or (member.account.email if member.account else "")


def accepting(election: Election) -> bool:
    """Whether a ballot cast now would be taken (the cast itself checks again, under lock)."""
    return rules.accepting_ballots(
        election.status, election.poll_opens_at, election.poll_closes_at, now_utc()
    )


MOVE_LABELS = {
    "open_nominations": "Open nominations",
    "close_nominations": "Close nominations",
    "reopen_nominations": "Reopen nominations",
    "open_poll": "Freeze the roll and open the poll",
    "count": "Count the votes",
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
        found.append("count")
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


def open_polls(dbsession: Session) -> list[Election]:
    """The elections taking ballots now, for the home page."""
    now = now_utc()
    return list(
        dbsession.scalars(
            select(Election).where(
                Election.status == Status.POLL_OPEN,
                Election.poll_opens_at <= now,
                Election.poll_closes_at > now,
            )
        )
    )


def member_for_account(dbsession: Session, account_id: int | None) -> Member | None:
    if account_id is None:
        return None
    return dbsession.scalar(
        select(Member).where(Member.account_id == account_id, Member.ceased_on.is_(None))
    )


# Setting up ---------------------------------------------------------------------------------------


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
    now: datetime | None = None,
) -> Election:
    """Set up an election in draft, its dates from the constitution's timeline; ``now`` (the
    clock's if not given) is the moment its poll must not already have closed by."""
    times = rules.timeline(notice_on, constitution.elections)
    problems = rules.timeline_problems(times)
    if problems:
        field, message = problems[0]
        raise ElectionError(message, field)
    if times.poll_closes <= (now or now_utc()):
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


def _move(dbsession, election: Election, target: Status, actor_id: int | None, **detail) -> None:
    # Under the election's lock: two returning officer's clicks at once make one move.
    _lock(dbsession, election.id)
    current = status_of(election, now_utc())
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


def open_nominations(dbsession, election: Election, actor_id: int) -> None:
    _move(dbsession, election, Status.NOMINATIONS_OPEN, actor_id)


def close_nominations(dbsession, election: Election, actor_id: int) -> None:
    if now_utc() < election.nominations_close_at:
        raise ElectionError("Nominations stay open until their closing time.")
    undecided = [c.name for c in election.candidates if c.status == "nominated"]
    if undecided:
        raise ElectionError(
            "Accept or reject every nomination first: " + ", ".join(undecided) + "."
        )
    _move(dbsession, election, Status.NOMINATIONS_CLOSED, actor_id)


def reopen_nominations(
    dbsession, constitution: Constitution, election: Election, actor_id: int
) -> None:
    """Nominations open again for the constitution's nomination period from today, and the
    poll's dates move on with them."""
    _move(dbsession, election, Status.NOMINATIONS_OPEN, actor_id)
    times = rules.timeline(
        london_day(now_utc()) - timedelta(days=constitution.elections.notice_days),
        constitution.elections,
    )
    election.nominations_open_at = now_utc()
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


def accepted(election: Election) -> list[Candidate]:
    return [candidate for candidate in election.candidates if candidate.status == "accepted"]


def entitled_members(dbsession: Session, day: date) -> list[Member]:
    """Members entitled to vote on ``day``: admitted by then, not ceased, not associates."""
    members = dbsession.scalars(
        select(Member)
        .where(Member.admitted_on <= day)
        .where((Member.ceased_on.is_(None)) | (Member.ceased_on > day))
        .order_by(Member.member_number)
    ).all()
    return [m for m in members if may_vote(m.ceased_on, m.associate, day)]


def open_poll(request, election: Election, actor_id: int) -> int:
    """Freeze the roll, fix the seed, start the ballot log and send every voter the notice.
    Returns the number of voters on the roll."""
    dbsession = request.dbsession
    if rules.uncontested(len(accepted(election)), election.seats):
        raise ElectionError(
            "The candidates do not exceed the seats: declare them elected without a poll "
            "(count the election)."
        )
    if not accepted(election):
        raise ElectionError("There are no accepted candidates.")
    if now_utc() >= election.poll_closes_at:
        raise ElectionError(
            "The poll's closing time has passed: cancel this election and set up a new one."
        )
    _move(dbsession, election, Status.POLL_OPEN, actor_id)
    day = london_day(max(now_utc(), election.poll_opens_at))
    voters = entitled_members(dbsession, day)
    dbsession.add_all(RollEntry(election_id=election.id, member_id=m.id) for m in voters)
    election.roll_frozen_on = day
    election.paper_key = secrets.token_hex(32)
    election.chain_head = rules.genesis(election.id)
    audit.record(
        dbsession, "election.roll_frozen", actor_id=actor_id, target=election, voters=len(voters)
    )
    for member in voters:
        email = email_of(member)
        if email:
            send_mail(
                request,
                email,
                "election_notice",
                election=election,
                name=member.name,
                link=request.route_url("election", election_id=election.id),
            )
    return len(voters)


def cancel(dbsession, election: Election, reason: str, actor_id: int) -> None:
    if not reason.strip():
        raise ElectionError("Give the reason for cancelling.", "reason")
    _move(dbsession, election, Status.CANCELLED, actor_id, reason=reason)
    election.cancelled_reason = reason


# Nominations -------------------------------------------------------------------------------------


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
    if existing is not None and existing.status != "withdrawn":
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
    candidate.status = "withdrawn"
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
    if candidate.status == "withdrawn":
        raise ElectionError("The candidate has withdrawn.")
    if accept:
        problems = complete(candidate) + eligibility(constitution, candidate, london_day(now))
        if problems:
            raise ElectionError("This nomination cannot be accepted: " + "; ".join(problems) + ".")
    elif not reason.strip():
        raise ElectionError("Give the reason for rejecting the nomination.", "reason")
    candidate.status = "accepted" if accept else "rejected"
    candidate.decision_reason = reason
    candidate.decided_at = now
    audit.record(
        dbsession,
        "election.nomination_accepted" if accept else "election.nomination_rejected",
        actor_id=actor_id,
        target=candidate,
        reason=reason,
    )


# Casting ----------------------------------------------------------------------------------------


def receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _lock(dbsession: Session, election_id: int) -> Election:
    # populate_existing: an election read earlier in the request must not keep a stale head.
    return dbsession.scalars(
        select(Election)
        .where(Election.id == election_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _append(
    dbsession: Session,
    election: Election,
    preferences: Sequence[int],
    day: date,
    receipt: str | None = None,
) -> str:
    ballot_id = secrets.token_hex(16)
    receipt = receipt or receipt_code()
    previous = election.chain_head
    head = rules.ballot_hash(previous, ballot_id, receipt, day, preferences)
    dbsession.add(
        Ballot(
            id=ballot_id,
            election_id=election.id,
            receipt=receipt,
            cast_on=day,
            preferences=rules.encode_preferences(preferences),
            previous_hash=previous,
            hash=head,
        )
    )
    election.chain_head = head
    election.ballots_cast += 1
    return receipt


def validate_ballot(election: Election, *, marked=(), numbers=None) -> tuple[int, ...]:
    candidate_ids = [candidate.id for candidate in accepted(election)]
    try:
        if election.method == "block":
            return rules.block_ballot(list(marked), candidate_ids, election.seats)
        return rules.stv_ballot(dict(numbers or {}), candidate_ids)
    except rules.BallotRefused as refused:
        raise ElectionError(str(refused)) from None


def cast(
    dbsession: Session,
    election_id: int,
    member_id: int,
    preferences: Sequence[int],
    receipt: str | None = None,
    now: datetime | None = None,
) -> str:
    """Store one ballot and mark the voter; returns the receipt code (``receipt`` if given, one
    drawn in advance). ``now``, the moment of casting, is the clock's if not given. Raises
    AlreadyVoted, or NotOnRoll."""
    election = _lock(dbsession, election_id)
    now = now or now_utc()
    if not rules.accepting_ballots(
        election.status, election.poll_opens_at, election.poll_closes_at, now
    ):
        raise ElectionError("The poll is not open.")
    marked = dbsession.execute(
        update(RollEntry)
        .where(
            RollEntry.election_id == election_id,
            RollEntry.member_id == member_id,
            RollEntry.voted.is_(False),
        )
        .values(voted=True, channel="online")
        .execution_options(synchronize_session=False)
    ).rowcount
    if marked != 1:
        on_roll = dbsession.scalar(
            select(RollEntry.id).where(
                RollEntry.election_id == election_id, RollEntry.member_id == member_id
            )
        )
        if on_roll is None:
            raise NotOnRoll("You are not on the roll of voters for this election.")
        raise AlreadyVoted("You have already voted in this election.")
    return _append(dbsession, election, preferences, london_day(now), receipt)


def enter_paper_batch(
    dbsession: Session,
    election: Election,
    member_numbers: Sequence[int],
    papers: Sequence[Sequence[int]],
    actor_id: int,
) -> int:
    """Mark each voter who returned a paper on the roll and add the papers to the log, in an
    order that says nothing of who returned which. Returns the number of papers entered."""
    election = _lock(dbsession, election.id)
    # Papers are entered while the poll is open, so the chain head published at the close is final.
    if not rules.accepting_ballots(
        election.status, election.poll_opens_at, election.poll_closes_at, now_utc()
    ):
        raise ElectionError("Paper ballots are entered while the poll is open.")
    if len(member_numbers) != len(papers):
        raise ElectionError(
            f"The batch names {len(member_numbers)} voters but holds {len(papers)} papers: "
            "each paper needs its voter marked on the roll.",
            "voters",
        )
    if len(set(member_numbers)) != len(member_numbers):
        raise ElectionError("A member number appears twice in the batch.", "voters")
    entries = dbsession.execute(
        select(RollEntry, Member)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.election_id == election.id, Member.member_number.in_(member_numbers))
    ).all()
    found = {member.member_number: entry for entry, member in entries}
    missing = [str(n) for n in member_numbers if n not in found]
    if missing:
        raise ElectionError("Not on the roll: member numbers " + ", ".join(missing) + ".", "voters")
    voted = [str(n) for n in member_numbers if found[n].voted]
    if voted:
        raise ElectionError(
            "Already voted (online or on paper): member numbers " + ", ".join(voted) + ".",
            "voters",
        )
    day = london_day(now_utc())
    for entry in found.values():
        entry.voted = True
        entry.channel = "paper"
    shuffled = list(papers)
    secrets.SystemRandom().shuffle(shuffled)
    for preferences in shuffled:
        _append(dbsession, election, preferences, day)
    audit.record(
        dbsession, "election.paper_batch", actor_id=actor_id, target=election, papers=len(papers)
    )
    return len(papers)


def turnout(dbsession: Session, election: Election) -> tuple[int, int]:
    """(voted, on the roll): the one figure that may be shown while the poll is open."""
    on_roll, voted = dbsession.execute(
        select(func.count(), func.count().filter(RollEntry.voted)).where(
            RollEntry.election_id == election.id
        )
    ).one()
    return voted, on_roll


def roll_entry(dbsession: Session, election: Election, member: Member | None) -> RollEntry | None:
    """The member's line on the election's roll, if they have one."""
    if member is None:
        return None
    return dbsession.scalar(
        select(RollEntry).where(
            RollEntry.election_id == election.id, RollEntry.member_id == member.id
        )
    )


# The ballot log, the count, verification and export --------------------------------------------


def published_head(dbsession: Session, election: Election) -> str | None:
    """The chain head written into the hash-chained audit log when the poll closed."""
    entry = dbsession.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == "election.poll_closed",
            AuditEntry.target_type == "election",
            AuditEntry.target_id == str(election.id),
        )
        .order_by(AuditEntry.id)
    ).first()
    return entry.detail.get("chain_head") if entry else None


def ballot_problem(election: Election, ballot: Ballot) -> str | None:
    """What makes a stored ballot one that could not have been cast, if anything."""
    try:
        preferences = rules.decode_preferences(ballot.preferences)
        if len(set(preferences)) != len(preferences):
            raise ValueError("a candidate chosen twice")
        if election.method == "block":
            validate_ballot(election, marked=preferences)
        else:
            validate_ballot(election, numbers={c: n for n, c in enumerate(preferences, 1)})
    except (ValueError, ElectionError):
        return f"ballot {ballot.receipt}: its choices are not a valid ballot for this election"
    return None


def chain(dbsession: Session, election: Election) -> tuple[list[Ballot], list[str]]:
    """The ballots in log order, followed from the genesis hash, and every break found."""
    ballots = dbsession.scalars(select(Ballot).where(Ballot.election_id == election.id)).all()
    by_previous = {ballot.previous_hash: ballot for ballot in ballots}
    ordered: list[Ballot] = []
    problems: list[str] = []
    head = rules.genesis(election.id)
    while head in by_previous:
        ballot = by_previous.pop(head)
        invalid = ballot_problem(election, ballot)
        if invalid:
            problems.append(invalid)
        elif ballot.hash != rules.ballot_hash(
            ballot.previous_hash,
            ballot.id,
            ballot.receipt,
            ballot.cast_on,
            rules.decode_preferences(ballot.preferences),
        ):
            problems.append(f"ballot {ballot.receipt}: its contents do not match its hash")
        # Follow the stored hash so that one altered ballot is reported once.
        ordered.append(ballot)
        head = ballot.hash
    for ballot in by_previous.values():
        problems.append(f"ballot {ballot.receipt}: not linked into the chain")
    if election.roll_frozen_on is not None and head != election.chain_head:
        problems.append("the chain does not end at the election's recorded head")
    recorded = published_head(dbsession, election)
    if recorded is not None and head != recorded:
        problems.append("the chain does not end at the head published when the poll closed")
    if len(ordered) != election.ballots_cast:
        problems.append(
            f"{len(ordered)} ballots in the chain, but {election.ballots_cast} recorded as cast"
        )
    marks = dbsession.scalar(
        select(func.count())
        .select_from(RollEntry)
        .where(RollEntry.election_id == election.id, RollEntry.voted)
    )
    if marks != len(ballots):
        problems.append(f"{len(ballots)} ballots stored, but {marks} voters marked on the roll")
    return ordered, problems


def ballot_names(candidates: Sequence[Candidate]) -> list[str]:
    """The names on the count and in the exported file: no quotes (BLT cannot hold them), and
    two candidates of the same name told apart by their member numbers."""
    names = [c.name.replace('"', "'") for c in candidates]
    return [
        f"{name} ({c.member.number_label})" if names.count(name) > 1 else name
        for name, c in zip(names, candidates, strict=True)
    ]


def counting_election(election: Election, ballots: Sequence[Ballot]) -> counting.Election:
    candidates = sorted(accepted(election), key=lambda c: c.id)
    index = {candidate.id: position for position, candidate in enumerate(candidates)}
    papers: dict[tuple[int, ...], int] = {}
    for ballot in ballots:
        ranked = tuple(index[c] for c in rules.decode_preferences(ballot.preferences))
        papers[ranked] = papers.get(ranked, 0) + 1
    return counting.Election(
        title=election.title.replace('"', "'"),
        candidates=ballot_names(candidates),
        seats=election.seats,
        ballots=[counting.Ballot(weight, prefs) for prefs, weight in sorted(papers.items())],
    )


@dataclass(frozen=True)
class Count:
    sheet: str
    result: counting.CountResult | None
    names: list[str]
    elected: list[Candidate]


def run_count(election: Election, ballots: Sequence[Ballot]) -> Count:
    candidates = sorted(accepted(election), key=lambda c: c.id)
    counted = counting_election(election, ballots)
    if not ballots and rules.uncontested(len(candidates), election.seats):
        sheet = (
            f"{election.title}\n\nUncontested: {len(candidates)} candidate(s) for "
            f"{election.seats} seat(s), declared elected without a poll.\n\n"
            + "".join(f"Elected: {name}\n" for name in counted.candidates)
        )
        return Count(sheet, None, counted.candidates, candidates)
    count = counting.count_block_vote if election.method == "block" else counting.count_scottish_stv
    result = count(counted, seed=election.seed)
    sheet = counting.render_text_sheet(result, counted)
    return Count(sheet, result, counted.candidates, [candidates[i] for i in result.elected])


def mix_ballot_box(dbsession: Session, election: Election) -> None:
    """Tip out the ballot box before the count: write the ballots again in a random order and
    the roll again in member order, in one transaction, so that neither the rows' order nor the
    transaction that wrote them says in what order ballots arrived and voters were marked. The
    chain keeps its own order through each ballot's previous hash."""
    ballots = [
        {column.key: getattr(ballot, column.key) for column in Ballot.__table__.columns}
        for ballot in dbsession.scalars(select(Ballot).where(Ballot.election_id == election.id))
    ]
    roll = [
        {
            "election_id": entry.election_id,
            "member_id": entry.member_id,
            "voted": entry.voted,
            "channel": entry.channel,
        }
        for entry in dbsession.scalars(
            select(RollEntry)
            .where(RollEntry.election_id == election.id)
            .order_by(RollEntry.member_id)
        )
    ]
    secrets.SystemRandom().shuffle(ballots)
    dbsession.execute(delete(Ballot).where(Ballot.election_id == election.id))
    dbsession.execute(delete(RollEntry).where(RollEntry.election_id == election.id))
    if ballots:
        dbsession.execute(insert(Ballot), ballots)
    if roll:
        dbsession.execute(insert(RollEntry), roll)
    dbsession.expire_all()


def count(dbsession: Session, election: Election, actor_id: int | None) -> Count:
    current = status_of(election, now_utc())
    contested = not rules.uncontested(len(accepted(election)), election.seats)
    if current is Status.NOMINATIONS_CLOSED and contested:
        raise ElectionError("The candidates exceed the seats: open the poll.")
    ballots, problems = chain(dbsession, election)
    if problems:
        raise ElectionError("The ballot log does not verify: " + "; ".join(problems) + ".")
    if contested and not ballots:
        raise ElectionError(
            "No ballots were cast, so there is nothing to count: cancel the election."
        )
    if current is Status.POLL_CLOSED and election.status is Status.POLL_OPEN:
        audit.record(
            dbsession,
            "election.poll_closed",
            actor_id=None,
            target=election,
            ballots=len(ballots),
            chain_head=election.chain_head,
        )
        election.status = Status.POLL_CLOSED
    # The lots' seed is drawn now, so nobody could know it while the poll was open.
    election.seed = secrets.token_hex(16)
    _move(dbsession, election, Status.COUNTED, actor_id, ballots=len(ballots), seed=election.seed)
    if ballots:
        mix_ballot_box(dbsession, election)
    result = run_count(election, ballots)
    election.result_sheet = result.sheet
    election.result_record = json.dumps(
        {
            "names": result.names,
            "result": counting.to_record(result.result) if result.result else None,
        }
    )
    election.elected_candidate_ids = " ".join(str(c.id) for c in result.elected)
    election.counted_at = now_utc()
    return result


def elected(election: Election) -> list[Candidate]:
    ids = [int(part) for part in election.elected_candidate_ids.split()]
    by_id = {candidate.id: candidate for candidate in election.candidates}
    return [by_id[i] for i in ids]


def recorded_count(election: Election) -> Count:
    """The count as it was made and recorded, never a fresh one: the result page shows this."""
    record = json.loads(election.result_record)
    result = counting.from_record(record["result"]) if record["result"] else None
    return Count(election.result_sheet, result, record["names"], elected(election))


def verify(dbsession: Session, election: Election) -> list[str]:
    """Recompute the chain and, once counted, the count; every difference found."""
    ballots, problems = chain(dbsession, election)
    if election.result_sheet and not problems:
        again = run_count(election, ballots)
        if again.sheet != election.result_sheet:
            problems.append("recounting the ballots gives a different result sheet")
        if [c.id for c in again.elected] != [c.id for c in elected(election)]:
            problems.append("recounting the ballots elects different candidates")
    return problems


def export(election: Election, ballots: Sequence[Ballot]) -> tuple[str, str]:
    """(file name, text): BLT for STV, CSV for block vote, the ballots in no telling order."""
    counted = counting_election(election, ballots)
    if election.method == "block":
        return f"election-{election.id}.csv", counting.write_block_csv(counted)
    return f"election-{election.id}.blt", counting.write_blt(counted)


# Declaration --------------------------------------------------------------------------------------


def declare(request, election: Election, actor_id: int, today: date) -> list[Candidate]:
    dbsession = request.dbsession
    constitution = request.constitution
    winners = elected(election)
    _move(dbsession, election, Status.DECLARED, actor_id, elected=[c.member_id for c in winners])
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
    link = request.route_url("election_result", election_id=election.id)
    for member in members:
        email = email_of(member)
        if email:
            send_mail(
                request,
                email,
                "election_result",
                election=election,
                winners=winners,
                name=member.name,
                link=link,
            )
    return winners


# The ballot paper -----------------------------------------------------------------------------


def surname_order(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.name.split()[-1].casefold(), c.name.casefold()))


def ballot_paper(election: Election, member: Member | None) -> list[Candidate]:
    """The candidates in the order this voter sees them: alphabetical by surname, or an order of
    their own that stays the same each time they look (drawn from the election's secret paper
    key, which is never published: a published order would let anyone pick out a voter's
    ballot numbered straight down their paper)."""
    candidates = accepted(election)
    if election.ballot_order == "alphabetical" or member is None:
        return surname_order(candidates)

    def shuffled(candidate: Candidate) -> str:
        key = f"{election.paper_key}:{member.id}:{candidate.id}"
        return hashlib.sha256(key.encode()).hexdigest()

    return sorted(candidates, key=shuffled)


def read_paper(election: Election, line: str) -> tuple[int, ...]:
    """One paper ballot as typed: the ballot numbers (1, 2, 3... in surname order) of the
    candidates, in preference order or as ticked."""
    paper = surname_order(accepted(election))
    numbers = [rules.whole_number(part) for part in line.replace(",", " ").split()]
    if any(number is None or not 1 <= number <= len(paper) for number in numbers):
        raise ElectionError(
            f"“{line}”: use the ballot numbers 1 to {len(paper)}, separated by spaces.", "papers"
        )
    if len(set(numbers)) != len(numbers):
        raise ElectionError(f"“{line}”: a candidate appears twice on this paper.", "papers")
    chosen = [paper[n - 1].id for n in numbers]
    if election.method == "block":
        return validate_ballot(election, marked=chosen)
    return validate_ballot(
        election, numbers={candidate: rank for rank, candidate in enumerate(chosen, 1)}
    )


def result_visible(election: Election, account_id: int | None) -> bool:
    """Anyone sees a declared result; the returning officer and the scrutineer see the count
    before it is declared. Nobody sees any per-candidate figure before the poll closes."""
    if election.status is Status.DECLARED:
        return True
    return (
        election.status is Status.COUNTED
        and account_id is not None
        and account_id in (election.returning_officer_id, election.scrutineer_id)
    )


def ballots_published(election: Election, now: datetime) -> bool:
    """After the close the anonymised ballots and their receipts are public."""
    return election.roll_frozen_on is not None and closed(election, now)
