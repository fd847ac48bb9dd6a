"""The sealed ballot box, tested as an insider would attack it: with the whole database and the
mail that was sent. The key is made and kept by its holder through the real pages; the poll
waits for it; every ballot is sealed before it is written; the box is opened at the count with
the key file and passphrase or the recovery phrase, and a wrong key changes nothing; after the
opening no row links a voter, a tracker or the order of casting to a ballot's choices; and an
edited ciphertext or a chain recomputed without the server's key is found by verify."""

import base64
import hashlib
import itertools
import re

import pytest
from nacl.public import PrivateKey
from sqlalchemy import func, select, text, update
from webtest import Upload

from tests import factories
from tests.conftest import log_in
from tests.elections_setup import (
    KEY,
    RULES,
    SEALING_KEY,
    count,
    fresh,
    member,
    new_election,
    now,
    poll_open,
    shift,
    stand,
    web_request,
)
from tests.factories import AccountFactory
from tests.functional.test_election_integrity import remove_everything
from tmo.models import get_session_factory
from tmo.models.audit import AuditEntry
from tmo.models.data_version import TOKEN
from tmo.models.elections import BallotTracker, CountedBallot, Election, RollEntry, SealedBallot
from tmo.permissions import Role
from tmo.rules import sealing
from tmo.rules.elections import Status, genesis
from tmo.services import elections

PASSPHRASE = "correct horse battery staple"


def nominations_closed(dbsession, *, scrutineer=None, officer=None):
    """An election with three candidates and nominations closed: ready for its key and poll."""
    officer = officer or AccountFactory(roles=[Role.RETURNING_OFFICER])
    election = new_election(dbsession, returning_officer=officer, scrutineer=scrutineer)
    people = [member(name) for name in ("Ada Brown", "Ben Carter", "Cy Dunn")]
    for index, person in enumerate(people):
        stand(dbsession, election, person, people[index - 2], people[index - 1])
    shift(election, RULES.elections.nomination_days)
    elections.close_nominations(dbsession, election, officer.id, now())
    dbsession.flush()
    return election, officer


def make_key_on_the_page(testapp, election) -> tuple[bytes, str]:
    """The holder, logged in, makes the key: (the key file's bytes, the recovery phrase)."""
    manage = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "A lost key means the election cannot be counted." in manage.text
    form = manage.click("Make the sealing key").forms["form"]
    form["passphrase"] = PASSPHRASE
    form["again"] = PASSPHRASE + "!"
    page = form.submit("submit")
    assert "The two passphrases are not the same." in page.text
    assert PASSPHRASE not in page.text  # a passphrase is never shown back
    form = page.forms["form"]
    form["passphrase"] = form["again"] = PASSPHRASE
    page = form.submit("submit")
    assert "cannot be counted" in page.text
    phrase = page.html.select_one("#recovery-phrase").get_text().strip()
    link = page.html.select_one("#key-file")
    assert link["download"] == f"election-{election.id}-sealing-key.tmokey"
    key_file = base64.b64decode(link["href"].split(",", 1)[1])
    return key_file, phrase


def key_form(page, *, key_file=None, passphrase="", phrase=""):
    form = page.forms["form"]
    if key_file is not None:
        form["upload"] = Upload("sealing.tmokey", key_file)
    form["passphrase"] = passphrase
    form["phrase"] = phrase
    return form.submit("submit")


def test_the_scrutineer_makes_the_key_confirms_it_and_only_then_the_poll_opens(
    testapp, dbsession, app
):
    scrutineer = AccountFactory(roles=[Role.SCRUTINEER])
    election, officer = nominations_closed(dbsession, scrutineer=scrutineer)
    request = web_request(app, dbsession)
    with pytest.raises(elections.ElectionError, match="sealing key is made and confirmed"):
        elections.open_poll(request, election, officer.id)
    dbsession.commit()

    # The returning officer does not hold the key when there is a scrutineer.
    log_in(testapp, officer.email)
    testapp.get(f"/returning-officer/elections/{election.id}/key", status=403)
    testapp.reset()
    log_in(testapp, scrutineer.email)
    key_file, phrase = make_key_on_the_page(testapp, election)
    election = fresh(dbsession, election)
    assert election.pending_sealing_key and not election.sealing_key
    file_key = sealing.key_from_file(key_file, PASSPHRASE)
    assert sealing.key_from_phrase(phrase).encode() == file_key.encode()
    assert election.pending_sealing_key == sealing.public_key_text(file_key)

    confirm = testapp.get(f"/returning-officer/elections/{election.id}/key/confirm")
    page = key_form(confirm, key_file=key_file, passphrase="not the passphrase")
    assert "The passphrase does not unlock that key file." in page.text
    other = sealing.recovery_phrase(PrivateKey.generate())
    page = key_form(page, phrase=other)
    assert "That is not this election's sealing key." in page.text
    assert other not in page.text  # a phrase is never shown back
    page = key_form(page, phrase=phrase[:-1] + ("A" if phrase[-1] != "A" else "B"))
    assert "The recovery phrase has a mistake" in page.text
    assert not fresh(dbsession, election).sealing_key
    page = key_form(page, key_file=key_file, passphrase=PASSPHRASE).follow()
    assert "The sealing key is confirmed" in page.text
    election = fresh(dbsession, election)
    assert election.sealing_key == sealing.public_key_text(file_key)
    assert not election.pending_sealing_key
    # The audit log names the key's fingerprint, never the key, its phrase or its passphrase.
    details = " ".join(
        str(entry.detail)
        for entry in dbsession.scalars(
            select(AuditEntry).where(AuditEntry.action.like("election.key%"))
        )
    )
    assert sealing.fingerprint(election.sealing_key) in details
    private_hex = bytes(file_key).hex()
    for secret in (private_hex, phrase, phrase.replace(" ", ""), PASSPHRASE):
        assert secret not in details
    # The key is in no column of the database.
    for table in ("election", "audit_entry"):
        dump = " ".join(
            str(row)
            for row in dbsession.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
        )
        assert private_hex not in dump and phrase.replace(" ", "") not in dump

    elections.open_poll(web_request(app, dbsession), election, officer.id)
    assert election.status is Status.POLL_OPEN


def close_and_read(dbsession, election):
    election = fresh(dbsession, election)
    shift(election, RULES.elections.poll_days + RULES.elections.statements_days + 1)
    dbsession.commit()
    return election


@pytest.mark.parametrize("how", ["key file and passphrase", "recovery phrase"])
def test_the_box_is_opened_with_the_key_and_a_wrong_key_changes_nothing(
    testapp, dbsession, app, how
):
    election, officer = nominations_closed(dbsession)
    dbsession.commit()
    log_in(testapp, officer.email)
    key_file, phrase = make_key_on_the_page(testapp, election)
    confirm = testapp.get(f"/returning-officer/elections/{election.id}/key/confirm")
    key_form(confirm, phrase=phrase).follow()
    election = fresh(dbsession, election)
    elections.open_poll(web_request(app, dbsession), election, officer.id)
    shift(election, RULES.elections.statements_days)
    voters = elections.entitled_members(dbsession, election.roll_frozen_on)
    ada = next(c for c in elections.accepted(election) if c.name == "Ada Brown")
    for voter in voters:
        elections.cast(dbsession, election.id, voter.id, (ada.id,), key=KEY, now=now())
    election = close_and_read(dbsession, election)
    head, cast = election.chain_head, election.ballots_cast

    page = testapp.get(f"/returning-officer/elections/{election.id}")
    opening = page.click("Open the ballot box and count the votes")
    wrong = sealing.recovery_phrase(PrivateKey.generate())
    refused = key_form(opening, phrase=wrong)
    assert "That is not this election's sealing key." in refused.text
    refused = key_form(refused, key_file=b'{"kind": "something else"}', passphrase="x")
    assert "That file is not a tmo sealing key file." in refused.text
    # Nothing changed: the box is sealed, the election not counted, no seed drawn.
    election = fresh(dbsession, election)
    assert elections.status_of(election, now()) is Status.POLL_CLOSED
    assert (election.chain_head, election.ballots_cast, election.seed) == (head, cast, "")
    assert dbsession.scalar(select(func.count()).select_from(SealedBallot)) == cast
    assert dbsession.scalar(select(func.count()).select_from(CountedBallot)) == 0

    if how == "recovery phrase":
        page = key_form(refused, phrase=phrase.lower())
    else:
        page = key_form(refused, key_file=key_file, passphrase=PASSPHRASE)
    assert "The ballot box is opened and the votes are counted" in page.follow().text
    election = fresh(dbsession, election)
    assert election.status is Status.COUNTED
    assert "Elected: Ada Brown" in election.result_sheet
    assert dbsession.scalar(select(func.count()).select_from(SealedBallot)) == 0
    assert elections.counted_preferences(dbsession, election) == [(ada.id,)] * cast
    assert elections.verify(dbsession, election, key=KEY, head=head, count=cast) == []
    assert elections.verify(dbsession, election, key=KEY, count=cast + 1) != []


def test_with_the_database_and_the_mail_no_ballot_leads_back_to_its_voter(
    testapp, dbsession, app, mailer
):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(
        dbsession, web_request(app, dbsession), voters=4, returning_officer=officer
    )
    candidates = elections.accepted(election)
    dbsession.commit()
    tracker_of = {}
    for number, person in enumerate(people):
        testapp.reset()
        log_in(testapp, person.account.email)
        form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
        form[f"rank-{candidates[number % 3].id}"] = "1"
        page = form.submit().forms["cast"].submit()
        tracker_of[person.account.email] = page.html.select_one("#receipt").get_text()
    # The insider's mail: each voter's tracker, beside their address.
    mailed = {
        message.recipients[0]: re.search(r"\b[0-9a-f]{4}(?:-[0-9a-f]{4}){3}\b", message.body)[0]
        for message in mailer.outbox
        if message.subject.startswith("Your vote in")
    }
    assert mailed == tracker_of

    # While the poll is open a tracker matches a ciphertext, and nothing readable.
    sealed = dbsession.scalars(
        select(SealedBallot).where(SealedBallot.election_id == election.id)
    ).all()
    assert sorted(b.tracker for b in sealed) == sorted(tracker_of.values())
    assert all(sealing.tracker(b.ciphertext) == b.tracker for b in sealed)
    assert dbsession.scalar(select(func.count()).select_from(CountedBallot)) == 0
    for ballot in sealed:
        raw = base64.b64decode(ballot.ciphertext)
        assert len(raw) == sealing.PADDED_TO + 48  # every ballot the same length
        assert not any(f" {c.id} ".encode() in b" " + raw + b" " for c in candidates)

    election = fresh(dbsession, election)
    shift(election, 30)
    count(dbsession, election, officer.id)
    dbsession.commit()
    # After the opening: no sealed ballot remains; the counted ballots carry only choices;
    # every mailed tracker is published, apart from them.
    assert dbsession.scalar(select(func.count()).select_from(SealedBallot)) == 0
    counted = dbsession.scalars(
        select(CountedBallot).where(CountedBallot.election_id == election.id)
    ).all()
    assert {column.key for column in CountedBallot.__table__.columns} == {
        "id",
        "election_id",
        "preferences",
    }
    assert len(counted) == len(people)
    assert {b.id for b in counted}.isdisjoint({b.id for b in sealed})
    published = dbsession.scalars(
        select(BallotTracker.tracker).where(BallotTracker.election_id == election.id)
    ).all()
    assert sorted(published) == sorted(mailed.values())
    # No row of any table holds a tracker beside a ballot's choices: a tracker appears only in
    # the published list and in the mail (the delivery's text), which holds no choice.
    if dbsession.bind.dialect.name == "sqlite":
        names = dbsession.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    else:
        names = dbsession.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        )
    names = list(names)
    holding = set()
    for table in names:
        if table.startswith("sqlite_") or table == "alembic_version":
            continue
        for row in dbsession.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            if any(tracker in str(row) for tracker in published):
                holding.add(table)
    assert holding <= {"ballot_tracker", "notice", "delivery"}, holding
    page = testapp.get(f"/elections/{election.id}/ballots")
    assert [li.get_text() for li in page.html.select("ul.receipts li")] == sorted(published)


@pytest.fixture
def thirty_voters(app, engine):
    """A poll with five candidates and 30 voters, committed so each cast is its own
    transaction."""
    session = get_session_factory(engine)()
    factories.bind(session)
    try:
        election, people = poll_open(
            session,
            web_request(app, session),
            names=("Ada Brown", "Ben Carter", "Cy Dunn", "Di Evans", "Ed Fox"),
            voters=25,
            seats=2,
        )
        made = election.id, [p.id for p in people], [c.id for c in elections.accepted(election)]
        session.commit()
        session.close()
        yield made
    finally:
        factories.bind(None)
        session.close()
        remove_everything(engine)


def test_after_the_count_the_stored_order_and_xmin_do_not_follow_the_casting(engine, thirty_voters):
    election_id, people, candidates = thirty_voters
    plan = list(itertools.permutations(candidates, 3))[: len(people)]
    assert len(plan) == len(people) == 30
    factory = get_session_factory(engine)
    for person, preferences in zip(people, plan, strict=True):
        session = factory()
        elections.cast(session, election_id, person, preferences, key=KEY, now=now())
        session.commit()
        session.close()
    session = factory()
    try:
        election = session.get(Election, election_id)
        shift(election, 30)
        count(session, election)
        session.commit()
        postgresql = engine.dialect.name == "postgresql"
        # The rows' physical order: PostgreSQL's ctid, SQLite's rowid.
        order = text(
            "SELECT preferences FROM counted_ballot WHERE election_id = :e ORDER BY ctid"
            if postgresql
            else "SELECT preferences FROM counted_ballot WHERE election_id = :e ORDER BY rowid"
        )
        stored = [
            tuple(int(n) for n in p.split())
            for p in session.execute(order, {"e": election_id}).scalars()
        ]
        assert sorted(stored) == sorted(plan)
        # 30 distinct ballots: the cast order again by chance is 1 in 30!.
        assert stored != plan
        assert stored != sorted(plan)
        if postgresql:
            writers = session.execute(
                text("SELECT DISTINCT xmin::text FROM counted_ballot WHERE election_id = :e"),
                {"e": election_id},
            ).scalars()
            assert len(list(writers)) == 1
        ids = session.scalars(
            select(CountedBallot.id).where(CountedBallot.election_id == election_id)
        ).all()
        assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    finally:
        session.close()


def test_an_edited_ciphertext_or_a_chain_rehashed_without_the_key_is_found(dbsession, app):
    election, people = poll_open(dbsession, web_request(app, dbsession), voters=3)
    candidates = elections.accepted(election)
    for person in people:
        elections.cast(dbsession, election.id, person.id, (candidates[0].id,), key=KEY, now=now())
    assert elections.verify(dbsession, election, key=KEY) == []
    ballots, _ = elections.chain(dbsession, election, KEY)

    # The public key is public: an insider can seal a ballot of their own and swap it in.
    forged = sealing.seal(election.sealing_key, (candidates[1].id,))
    victim = ballots[2]
    dbsession.execute(
        update(SealedBallot)
        .where(SealedBallot.id == victim.id)
        .values(ciphertext=forged, tracker=sealing.tracker(forged))
    )
    dbsession.expire_all()
    problems = elections.verify(dbsession, election, key=KEY)
    assert problems == [f"ballot {sealing.tracker(forged)}: its contents do not match its hash"]

    # ...and recompute the chain after it with plain SHA-256, moving the head: still found.
    previous = genesis(election.id)
    for ballot in ballots:
        ballot = dbsession.get(SealedBallot, ballot.id)
        ballot.previous_hash = previous
        body = "|".join([previous, ballot.id, ballot.ciphertext])
        ballot.hash = previous = hashlib.sha256(body.encode()).hexdigest()
    election = dbsession.get(Election, election.id)
    election.chain_head = previous
    dbsession.flush()
    problems = elections.verify(dbsession, election, key=KEY)
    assert len(problems) == len(ballots)
    assert all(p.endswith("its contents do not match its hash") for p in problems)
    shift(election, 30)
    with pytest.raises(elections.ElectionError, match="does not verify"):
        count(dbsession, election)
    assert election.status is Status.POLL_OPEN  # the clock's close; nothing was written


def test_before_the_box_is_opened_no_figure_exists_even_after_the_close(testapp, dbsession, app):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(
        dbsession, web_request(app, dbsession), voters=6, returning_officer=officer
    )
    ada = elections.accepted(election)[0]
    for person in people:
        elections.cast(dbsession, election.id, person.id, (ada.id,), key=KEY, now=now())
    shift(election, 30)
    dbsession.commit()
    log_in(testapp, officer.email)
    testapp.get(f"/elections/{election.id}/result", status=404)
    testapp.get(f"/elections/{election.id}/ballots.blt", status=404)
    ballots = testapp.get(f"/elections/{election.id}/ballots")
    assert len(ballots.html.select("ul.receipts li")) == len(people)
    assert "once the box is opened" in ballots.text
    manage = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "The ballot log verifies" in manage.text
    assert "Elected" not in manage.text and "9.00000" not in manage.text
    # The database holds nothing to count: every ballot is ciphertext no key here opens.
    with pytest.raises(ValueError, match="does not open"):
        sealed = dbsession.scalars(select(SealedBallot)).first()
        sealing.unseal(sealing.opener(PrivateKey.generate()), sealed.ciphertext)
    assert sealing.unseal(sealing.opener(SEALING_KEY), sealed.ciphertext) == (ada.id,)


def test_a_cast_writes_its_ballot_mark_head_and_data_token_together_or_nothing_at_all(
    app, dbsession
):
    """A cast writes four things (on PostgreSQL in one statement): the roll mark, the sealed
    ballot, the chain's head and count, and the data version's token. A cast refused (a second
    by the same voter, or one by a member not on the roll) writes none of them, even inside a
    transaction that is not rolled back."""
    election, people = poll_open(dbsession, web_request(app, dbsession))
    outsider = member("Olu Outside")  # a member since the roll was frozen: not on it
    dbsession.commit()
    voter = people[3]
    choice = (elections.accepted(election)[0].id,)

    def state():
        dbsession.expire_all()
        head, cast = dbsession.execute(
            select(Election.chain_head, Election.ballots_cast).where(Election.id == election.id)
        ).one()
        ballots = dbsession.scalar(
            select(func.count()).where(SealedBallot.election_id == election.id)
        )
        marks = dbsession.scalar(
            select(func.count()).where(RollEntry.election_id == election.id, RollEntry.voted)
        )
        return head, cast, ballots, marks, dbsession.scalar(TOKEN)

    genesis_head, _, _, _, token_before = state()
    tracker = elections.cast(dbsession, election.id, voter.id, choice, key=KEY, now=now())
    dbsession.commit()
    head, cast, ballots, marks, token = state()
    stored = dbsession.scalars(
        select(SealedBallot).where(SealedBallot.election_id == election.id)
    ).one()
    assert (stored.tracker, stored.previous_hash, stored.hash) == (tracker, genesis_head, head)
    assert (cast, ballots, marks) == (1, 1, 1)
    assert token != token_before
    assert (
        dbsession.scalar(
            select(RollEntry.channel).where(
                RollEntry.election_id == election.id, RollEntry.member_id == voter.id
            )
        )
        == "online"
    )

    after_one = state()
    with pytest.raises(elections.AlreadyVoted):
        elections.cast(dbsession, election.id, voter.id, choice, key=KEY, now=now())
    assert state() == after_one
    with pytest.raises(elections.NotOnRoll):
        elections.cast(dbsession, election.id, outsider.id, choice, key=KEY, now=now())
    assert state() == after_one
    dbsession.commit()
    assert state() == after_one
    assert elections.verify(dbsession, fresh(dbsession, election), key=KEY) == []
