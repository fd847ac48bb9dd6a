"""Elections made ready for a test: members with accounts, a returning officer, an election whose
dates are moved so that nominations or the poll are open now, and candidates taken through the
real nomination service."""

import hashlib
from datetime import UTC, date, datetime, timedelta

from nacl.public import PrivateKey
from pyramid.paster import get_appsettings
from pyramid.request import Request, apply_request_extensions

from tests.conftest import TESTING_INI
from tests.factories import AccountFactory, MemberFactory, TenancyFactory
from tmo.constitution import Constitution
from tmo.models.elections import Election
from tmo.permissions import Role
from tmo.services import elections

RULES = Constitution()
# The tests' sealing key (a real election's is drawn at random and never stored) and the key of
# the ballot chain under testing.ini's secret.
SEALING_KEY = PrivateKey(hashlib.sha256(b"tmo test sealing key").digest())
TEST_SECRET = get_appsettings(TESTING_INI, name="main")["tmo.secret"]
KEY = elections.chain_key(TEST_SECRET)


def now() -> datetime:
    """The moment a test acts at: these tests run on the computer's clock."""
    return datetime.now(UTC)


def member(name: str, **account):
    """A current member with an account that holds the member role."""
    holder = AccountFactory(roles=[Role.MEMBER], display_name=name, **account)
    return MemberFactory(
        account=holder,
        tenancy=TenancyFactory(holder_name=name),
        name=name,
        date_of_birth=date(1980, 1, 1),
    )


def shift(election: Election, days: float) -> None:
    """Move every date of the election ``days`` into the past (the clock moves on)."""
    delta = timedelta(days=days)
    for name in ("nominations_open_at", "nominations_close_at", "poll_opens_at", "poll_closes_at"):
        setattr(election, name, getattr(election, name) - delta)


def new_election(dbsession, *, method="stv", seats=2, returning_officer=None, scrutineer=None):
    """An election whose nominations are open now."""
    officer = returning_officer or AccountFactory(roles=[Role.RETURNING_OFFICER])
    election = elections.create(
        dbsession,
        RULES,
        title="Board election",
        method=method,
        seats=seats,
        seat_category="resident",
        seats_description="",
        returning_officer_id=officer.id,
        scrutineer_id=scrutineer.id if scrutineer else None,
        notice_on=date.today(),
        actor_id=officer.id,
        now=now(),
    )
    elections.open_nominations(dbsession, election, officer.id, now())
    shift(election, RULES.elections.notice_days + 1)
    dbsession.flush()
    return election


def stand(dbsession, election: Election, person, proposer, seconder, *, accept=True):
    """Nominate ``person`` with their supporters confirming, consent, and the decision."""
    moment = now()
    nomination = elections.nominate(
        dbsession,
        RULES,
        election,
        nominator=person,
        candidate=person,
        proposers=[proposer],
        seconders=[seconder],
        now=moment,
    )
    for supporter in nomination.supporters:
        elections.confirm_support(dbsession, supporter, moment)
    elections.consent(
        dbsession,
        RULES,
        nomination,
        statement=f"{person.name} for the board.",
        photo_id=None,
        now=moment,
    )
    if accept is not None:
        elections.decide(
            dbsession,
            RULES,
            nomination,
            accept=accept,
            reason="" if accept else "Not eligible",
            actor_id=election.returning_officer_id,
            now=moment,
        )
    return nomination


def web_request(app, dbsession):
    """A real request on the app, for services that send mail or make links."""
    request = Request.blank("/", environ={"HTTP_HOST": "localhost"})
    request.registry = app.registry
    apply_request_extensions(request)
    request.dbsession = dbsession
    return request


def seal_with_test_key(dbsession, election: Election) -> None:
    """The key made and confirmed by its holder, as the key pages do, with the tests' key."""
    holder = elections.key_holder(election)
    elections.make_key(
        dbsession, election, "a passphrase for tests", holder.id, now(), private_key=SEALING_KEY
    )
    elections.confirm_key(dbsession, election, SEALING_KEY, holder.id)


def count(dbsession, election: Election, actor_id=None, moment=None):
    """Open the box with the tests' key and count."""
    return elections.count(
        dbsession,
        election,
        election.returning_officer_id if actor_id is None else actor_id,
        moment or now(),
        key=KEY,
        private_key=SEALING_KEY,
    )


def poll_open(
    dbsession,
    request,
    *,
    names=("Ada Brown", "Ben Carter", "Cy Dunn"),
    voters=3,
    method="stv",
    seats=2,
    returning_officer=None,
    scrutineer=None,
):
    """An election with ``names`` standing and the poll open now; returns (election, voters)."""
    election = new_election(
        dbsession,
        method=method,
        seats=seats,
        returning_officer=returning_officer,
        scrutineer=scrutineer,
    )
    people = [member(name) for name in names]
    crowd = [member(f"Voter {n} Evans") for n in range(voters)]
    for index, person in enumerate(people):
        stand(dbsession, election, person, crowd[0] if index else people[1], people[index - 1])
    shift(election, RULES.elections.nomination_days)
    elections.close_nominations(dbsession, election, election.returning_officer_id, now())
    seal_with_test_key(dbsession, election)
    elections.open_poll(request, election, election.returning_officer_id)
    shift(election, RULES.elections.statements_days)
    dbsession.flush()
    return election, people + crowd


def fresh(dbsession, record):
    """``record`` read again: every request ends by closing the session the test shares."""
    return dbsession.get(type(record), record.id)
