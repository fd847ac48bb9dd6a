"""What makes an election trustworthy, tested against the real database: one member one vote
when casts race each other, no per-candidate figure anywhere before the poll closes whoever
asks, and a ballot log whose tampering ``tmo-election verify`` reports."""

import re
import sqlite3
import threading
from datetime import date

import pytest
import webtest
from bs4 import BeautifulSoup
from sqlalchemy import delete, select, text

from tests import factories
from tests.conftest import log_in
from tests.elections_setup import (
    KEY,
    TEST_SECRET,
    count,
    fresh,
    now,
    poll_open,
    shift,
    web_request,
)
from tests.factories import AccountFactory
from tests.functional.test_odd_input import PLACEHOLDER
from tmo.models import get_engine, get_session_factory
from tmo.models.accounts import Account, RoleGrant
from tmo.models.audit import AuditEntry
from tmo.models.elections import (
    BallotTracker,
    Candidate,
    CountedBallot,
    Election,
    RollEntry,
    SealedBallot,
    Supporter,
)
from tmo.models.membership import Estate, Home, Member, Tenancy
from tmo.models.notices import Delivery, Notice
from tmo.permissions import Role
from tmo.scripts import election as election_script
from tmo.scripts.migrate import upgrade
from tmo.services import elections
from tmo.views import ROUTES

CASTERS = 20
# The transaction that wrote each row (PostgreSQL's system column, which no model maps).
WRITERS = {
    "counted_ballot": text("SELECT xmin::text FROM counted_ballot WHERE election_id = :e"),
    "roll_entry": text("SELECT xmin::text FROM roll_entry WHERE election_id = :e"),
    "ballot_tracker": text("SELECT xmin::text FROM ballot_tracker WHERE election_id = :e"),
}


def remove_everything(engine) -> None:
    """Committed rows, in the order their foreign keys allow."""
    with engine.begin() as connection:
        for model in (
            Delivery,
            Notice,
            SealedBallot,
            CountedBallot,
            BallotTracker,
            RollEntry,
            Supporter,
            Candidate,
            Election,
            AuditEntry,
            Member,
            Tenancy,
            Home,
            Estate,
            RoleGrant,
            Account,
        ):
            connection.execute(delete(model))


@pytest.fixture
def committed_poll(app, engine):
    """An election with its poll open, committed for real so that other connections see it."""
    session = get_session_factory(engine)()
    factories.bind(session)
    try:
        election, people = poll_open(session, web_request(app, session), voters=12)
        made = election.id, [p.id for p in people], [c.id for c in elections.accepted(election)]
        session.commit()
        # Closed now: on SQLite an open session would hold the write lock the casts need.
        session.close()
        yield made
    finally:
        factories.bind(None)
        session.close()
        remove_everything(engine)


def test_twenty_casts_for_one_member_at_once_store_one_ballot(engine, committed_poll):
    election_id, people, candidates = committed_poll
    voter = people[-1]
    factory = get_session_factory(engine)
    start = threading.Barrier(CASTERS)
    stored, refused, failed = [], [], []

    def cast():
        session = factory()
        try:
            start.wait()
            receipt = elections.cast(
                session, election_id, voter, (candidates[0],), key=KEY, now=now()
            )
            session.commit()
            stored.append(receipt)
        except elections.AlreadyVoted:
            session.rollback()
            refused.append(True)
        except Exception as error:  # anything else fails the test below
            session.rollback()
            failed.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=cast) for _ in range(CASTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert (len(stored), len(refused)) == (1, CASTERS - 1)
    session = factory()
    try:
        ballots = session.scalars(
            select(SealedBallot).where(SealedBallot.election_id == election_id)
        ).all()
        assert [ballot.tracker for ballot in ballots] == stored
        election = session.get(Election, election_id)
        assert election.ballots_cast == 1
        assert elections.verify(session, election, key=KEY) == []
    finally:
        session.close()


def test_voters_casting_at_once_over_the_web_all_go_into_one_chain(app, engine, committed_poll):
    """Real requests, each in its own transaction: every ballot is stored and the chain holds."""
    election_id, people, candidates = committed_poll
    session = get_session_factory(engine)()
    emails = [session.get(Member, person).account.email for person in people[:8]]
    session.close()
    browsers = []
    for email in emails:
        browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        log_in(browser, email)
        form = browser.get(f"/elections/{election_id}/ballot").forms["ballot"]
        form[f"rank-{candidates[1]}"] = "1"
        browsers.append(form.submit().forms["cast"])
    start = threading.Barrier(len(browsers))
    statuses = []

    def cast(form):
        start.wait()
        statuses.append(form.submit(expect_errors=True).status_int)

    threads = [threading.Thread(target=cast, args=(form,)) for form in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(browsers)
    session = factory = get_session_factory(engine)()
    try:
        election = factory.get(Election, election_id)
        assert election.ballots_cast == len(browsers)
        assert elections.verify(session, election, key=KEY) == []
    finally:
        session.close()


def test_opening_the_box_writes_the_ballots_and_the_roll_in_one_transaction(engine, committed_poll):
    """The box is opened in one transaction: the counted ballots and the roll are written by
    it (on PostgreSQL, one ``xmin`` for all), no sealed ballot remains, and the log of what was
    counted still verifies. The order is tested in test_sealed_ballots."""
    election_id, people, candidates = committed_poll
    factory = get_session_factory(engine)
    for number, person in enumerate(people):
        session = factory()
        elections.cast(session, election_id, person, (candidates[number % 3],), key=KEY, now=now())
        session.commit()
        session.close()
    session = factory()
    try:
        election = session.get(Election, election_id)
        shift(election, 30)
        count(session, election)
        session.commit()
        connection = session.connection()
        if engine.dialect.name == "postgresql":
            writers = {
                table: set(connection.execute(query, {"e": election_id}).scalars())
                for table, query in WRITERS.items()
            }
            assert len(writers["counted_ballot"]) == 1
            assert writers["counted_ballot"] == writers["roll_entry"] == writers["ballot_tracker"]
        left = session.scalars(
            select(SealedBallot).where(SealedBallot.election_id == election_id)
        ).all()
        assert left == []
        counted = elections.counted_preferences(session, election)
        assert sorted(counted) == sorted((candidates[n % 3],) for n in range(len(people)))
        election = session.get(Election, election_id)
        assert elections.verify(session, election, key=KEY) == []
    finally:
        session.close()


def test_the_second_of_two_casts_over_the_web_is_told_it_has_already_voted(testapp, dbsession, app):
    election, people = poll_open(dbsession, web_request(app, dbsession))
    dbsession.commit()
    log_in(testapp, people[-1].account.email)
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    candidate = elections.accepted(fresh(dbsession, election))[0]
    form[f"rank-{candidate.id}"] = "1"
    review = form.submit()
    first = review.forms["cast"].submit()
    second = review.forms["cast"].submit(status=409)
    assert "Your vote is cast" in first.text
    assert "You have already voted" in second.text


# No early results ---------------------------------------------------------------------------------

GET_ROUTES = [(name, pattern) for name, pattern in ROUTES if name != "logout"]
MONTHS = "|".join(date(2000, month, 1).strftime("%B") for month in range(1, 13))


def fill(pattern: str, election, candidate) -> list[str]:
    if "{format" in pattern:
        return [
            re.sub(r"\{election_id:[^}]*\}+", str(election.id), pattern).replace(
                "{format:(blt|csv)}", extension
            )
            for extension in ("blt", "csv")
        ]
    path = re.sub(r"\{election_id:\\d\{1,9\}\}", str(election.id), pattern)
    path = re.sub(r"\{candidate_id:\\d\{1,9\}\}", str(candidate.id), path)
    return [PLACEHOLDER.sub("1", path)]


@pytest.mark.parametrize("role", [None, *Role])
def test_no_per_candidate_figure_is_shown_to_anyone_before_the_poll_closes(
    testapp, dbsession, app, role
):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    scrutineer = AccountFactory(roles=[Role.SCRUTINEER])
    election, people = poll_open(
        dbsession,
        web_request(app, dbsession),
        voters=9,
        returning_officer=officer,
        scrutineer=scrutineer,
    )
    accepted = elections.accepted(election)
    # 7 first preferences for one candidate, 3 and 2 for the others: figures no page shows.
    plan = [(accepted[0].id,)] * 7 + [(accepted[1].id, accepted[0].id)] * 3
    plan += [(accepted[2].id,)] * 2
    for person, preferences in zip(people, plan, strict=True):
        elections.cast(dbsession, election.id, person.id, preferences, key=KEY, now=now())
    if role is Role.RETURNING_OFFICER:
        viewer = officer
    elif role is Role.SCRUTINEER:
        viewer = scrutineer
    elif role is Role.MEMBER:
        viewer = people[0].account  # a candidate who has voted
    elif role is not None:
        viewer = AccountFactory(roles=[role])
    dbsession.commit()
    if role is not None:
        log_in(testapp, viewer.email)

    for name, pattern in GET_ROUTES:
        for path in fill(pattern, election, accepted[0]):
            response = testapp.get(path, expect_errors=True)
            assert response.status_int < 500, (name, response.status)
            text = response.text if response.content_type.startswith("text") else ""
            if name in ("election_result", "election_result_pdf", "election_ballots") or (
                name == "election_export"
            ):
                assert response.status_int == 404, (role, name, response.status)
            for marker in ("Stage 1", "Quota", "Elected:", "7.00000", "first preference"):
                assert marker not in text, (role, name, marker)
            # No figure printed just after a candidate's name (their statements hold no digits;
            # member numbers are not figures).
            words = BeautifulSoup(text, "html.parser").get_text(" ") if text else ""
            words = re.sub(r"\bM\d{6}\b", "", " ".join(words.split()))
            words = re.sub(rf"\d{{1,2}} ({MONTHS}) \d{{4}}(,? \d\d?:\d\d)?", "", words)
            for candidate in accepted if name.startswith("election") else ():
                assert not re.search(re.escape(candidate.name) + r"[^\d]{0,25}\d", words), (
                    role,
                    name,
                    candidate.name,
                )
            if response.content_type == "application/pdf" and name.startswith("election"):
                pytest.fail(f"{name} served a PDF before the close")
    # Turnout alone may be shown.
    page = testapp.get(f"/elections/{election.id}")
    assert "Turnout so far: 12 of 12" in page.text


def test_after_the_close_and_the_count_the_figures_appear(testapp, dbsession, app):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(
        dbsession, web_request(app, dbsession), voters=2, returning_officer=officer
    )
    accepted = elections.accepted(election)
    for person in people:
        elections.cast(dbsession, election.id, person.id, (accepted[0].id,), key=KEY, now=now())
    shift(election, 30)
    count(dbsession, election, officer.id)
    dbsession.commit()
    log_in(testapp, officer.email)
    assert "5.00000" in testapp.get(f"/elections/{election.id}/result").text


# Verification -------------------------------------------------------------------------------------


@pytest.fixture
def election_database(tmp_path, app):
    path = tmp_path / "election.sqlite"
    settings = {"sqlalchemy.url": f"sqlite:///{path}", "tmo.secret": "test"}
    upgrade(settings)
    ini = tmp_path / "election.ini"
    ini.write_text(
        "[app:main]\nuse = egg:tmo\n"
        f"sqlalchemy.url = sqlite:///{path}\n"
        f"tmo.secret = {TEST_SECRET}\ntmo.mail_mode = memory\n"
    )
    engine = get_engine(settings)
    session = get_session_factory(engine)()
    factories.bind(session)
    try:
        election, people = poll_open(session, web_request(app, session), voters=4)
        accepted = elections.accepted(election)
        for number, person in enumerate(people):
            preferences = (accepted[number % 3].id, accepted[(number + 1) % 3].id)
            elections.cast(session, election.id, person.id, preferences, key=KEY, now=now())
        shift(election, 30)
        count(session, election, election.returning_officer_id)
        session.commit()
        election_id = election.id
    finally:
        factories.bind(None)
        session.close()
        engine.dispose()
    return path, ini, election_id


def test_tmo_election_verify_recounts_the_opened_box(election_database, capsys):
    path, ini, election_id = election_database
    assert election_script.main(["verify", str(election_id), str(ini)]) == 0
    output = capsys.readouterr().out
    assert "Ballots in the log: 7" in output
    assert "Box: opened at the count" in output
    assert "The election verifies" in output

    with sqlite3.connect(path) as raw:
        ballot_id, preferences = raw.execute(
            "SELECT id, preferences FROM counted_ballot ORDER BY id LIMIT 1"
        ).fetchone()
        changed = " ".join(reversed(preferences.split()))
        raw.execute("UPDATE counted_ballot SET preferences = ? WHERE id = ?", (changed, ballot_id))
    assert election_script.main(["verify", str(election_id), str(ini)]) == 1
    output = capsys.readouterr().out
    assert "DIFFERENCE: recounting the ballots gives a different result sheet" in output
    assert "does NOT verify" in output


def test_tmo_election_verify_notices_a_counted_ballot_or_tracker_removed(election_database, capsys):
    path, ini, election_id = election_database
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM counted_ballot WHERE id = (SELECT id FROM counted_ballot LIMIT 1)")
        raw.execute(
            "DELETE FROM ballot_tracker WHERE tracker = (SELECT tracker FROM ballot_tracker "
            "LIMIT 1)"
        )
    assert election_script.main(["verify", str(election_id), str(ini)]) == 1
    output = capsys.readouterr().out
    assert "6 ballots counted, but 7 recorded as cast" in output
    assert "6 trackers published, but 7 ballots recorded as cast" in output
    assert election_script.main(["verify", "999", str(ini)]) == 2
