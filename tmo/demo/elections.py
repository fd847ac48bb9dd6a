"""The demo's board election: its poll closed at the start of the demo's day, ready for the
scrutineer to open the ballot box and count and for the returning officer to declare. Five
candidates stood for the resident seats that retire by rotation at the next AGM (three), two of
the retiring directors among them; the roll
was frozen when the poll opened and 20 ballots were cast (never by a demo account). Declaring the
result ends the retiring directors' terms and seats the winners.

The demo's sealing key is made from a fixed, published phrase, ``DEMO_SEALING_PHRASE``: a demo
user logged in as the scrutineer (who holds it) types it to open the box at the count. A real
election's key is drawn at random and known only to its holder.
"""

import hashlib
import random
from datetime import date, timedelta

from nacl.public import PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.constitution import Constitution, SeatCategoryKey
from tmo.demo.clock import start_of
from tmo.models.accounts import Account
from tmo.models.board import Director
from tmo.models.elections import Candidate, Election, RollEntry, Supporter
from tmo.models.membership import Member
from tmo.rules.elections import CandidateStatus, Status, genesis
from tmo.rules.sealing import recovery_phrase
from tmo.services import board, elections

DEMO_STATEMENTS = (
    "I have lived on the estate for twenty years. I want the repairs service to answer within "
    "a week, and to tell us when it will come.",
    "Our young people need somewhere to go in the evenings. I will push for the community room "
    "to open every night of the week.",
    "I am a leaseholder and a nurse. I will make sure major works are planned with residents, "
    "not done to us, and that service charges are explained.",
    "Cleaner stairwells, working lifts and lights that stay on. I will report every month on "
    "what the board has done about them.",
    "I chair our tenants' association. I want every block to have a say, and board papers "
    "published in plain English.",
)
DEMO_BALLOTS = 20
# The demo's sealing key: a fixed key, so that anyone trying the demo can open its box.
DEMO_SEALING_KEY = PrivateKey(hashlib.sha256(b"tmo demo sealing key").digest())
DEMO_SEALING_PHRASE = recovery_phrase(DEMO_SEALING_KEY)


def load_demo_election(
    dbsession: Session, accounts_by_name: dict[str, Account], today: date, secret: str
) -> None:
    rng = random.Random(2027)  # noqa: S311 (invented demo data)
    officer = accounts_by_name["Rita Mensah"]
    rules = Constitution()
    seats = len(retiring_resident_seats(dbsession, today))
    # Notice given so that the poll closed at the start of the demo's day.
    notice_on = today - timedelta(days=days_from_notice_to_close(rules))
    election = elections.create(
        dbsession,
        rules,
        title=f"Board election {today.year}",
        method="stv",
        seats=seats,
        seat_category=SeatCategoryKey.RESIDENT,
        seats_description=f"The {seats} resident seats retiring by rotation at the AGM",
        returning_officer_id=officer.id,
        scrutineer_id=accounts_by_name["Simon Price"].id,
        notice_on=notice_on,
        actor_id=officer.id,
        now=start_of(notice_on),
    )
    members = dbsession.scalars(
        select(Member)
        .where(Member.ceased_on.is_(None), Member.account_id.is_(None))
        .order_by(Member.member_number)
    ).all()
    # Two of the retiring directors stand again, with three members who are not directors.
    retiring = [term.director.member for term in retiring_resident_seats(dbsession, today)]
    sitting = set(dbsession.scalars(select(Director.member_id)))
    standing = retiring[:2] + [m for m in members if m.id not in sitting][:3]
    supporters = [m for m in members if m not in standing][:10]
    nominate_demo_candidates(dbsession, election, standing=standing, supporters=supporters)
    scrutineer = accounts_by_name["Simon Price"]
    elections.make_key(
        dbsession,
        election,
        "the demo's passphrase",
        scrutineer.id,
        start_of(notice_on),
        private_key=DEMO_SEALING_KEY,
    )
    elections.confirm_key(dbsession, election, DEMO_SEALING_KEY, scrutineer.id)
    open_demo_poll(dbsession, election, rng, today, elections.chain_key(secret))


def days_from_notice_to_close(rules: Constitution) -> int:
    steps = rules.elections
    return steps.notice_days + steps.nomination_days + steps.statements_days + steps.poll_days


def retiring_resident_seats(dbsession: Session, today: date) -> list:
    """The resident directors' terms that retire by rotation at the next AGM."""
    agm = board.next_elected_end(dbsession, today)
    return [
        term
        for term in board.retiring(dbsession, agm, today)
        if term.seat_category == SeatCategoryKey.RESIDENT
    ]


def nominate_demo_candidates(
    dbsession: Session, election: Election, standing: list[Member], supporters: list[Member]
) -> None:
    """Each candidate accepted, with a proposer and a seconder, days after nominations opened."""
    for number, (person, statement) in enumerate(zip(standing, DEMO_STATEMENTS, strict=True)):
        person.date_of_birth = date(1965 + number * 5, 3, 12)
        moment = election.nominations_open_at + timedelta(days=number + 1)
        candidate = Candidate(
            election=election,
            member=person,
            name=person.name,
            nominated_by=person,
            consented_at=moment,
            statement=statement,
            status=CandidateStatus.ACCEPTED,
            decided_at=moment + timedelta(days=1),
        )
        candidate.supporters = [
            Supporter(member=supporters[2 * number], role="proposer", confirmed_at=moment),
            Supporter(member=supporters[2 * number + 1], role="seconder", confirmed_at=moment),
        ]
        dbsession.add(candidate)


def open_demo_poll(
    dbsession: Session, election: Election, rng: random.Random, today: date, key: bytes
) -> None:
    """The poll opened, the roll frozen on the day it opened, and DEMO_BALLOTS cast on its last
    day (the day before ``today``, when it had closed)."""
    election.status = Status.POLL_OPEN
    election.roll_frozen_on = london_day(election.poll_opens_at)
    election.paper_key = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    dbsession.flush()
    election.chain_head = genesis(election.id)
    voters = elections.entitled_members(dbsession, election.roll_frozen_on)
    dbsession.add_all(RollEntry(election_id=election.id, member_id=m.id) for m in voters)
    dbsession.flush()
    candidate_ids = [c.id for c in election.candidates]
    for voter in [m for m in voters if m.account_id is None][:DEMO_BALLOTS]:
        ranked = rng.sample(candidate_ids, rng.randint(1, len(candidate_ids)))
        elections.cast(
            dbsession,
            election.id,
            voter.id,
            ranked,
            key=key,
            now=start_of(today - timedelta(days=1)),
        )
