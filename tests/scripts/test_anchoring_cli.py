"""``tmo-audit verify --checkpoint`` and ``tmo-election verify --checkpoint``, as the returning
officer runs them with the checkpoint the server emailed: what the database alone hides is found;
a forged checkpoint is refused; the mail worker sends the checkpoints due."""

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.elections_setup import now, poll_open, shift, web_request
from tmo.models import get_engine, get_session_factory
from tmo.models.checkpoints import Checkpoint
from tmo.models.notices import Delivery, Notice
from tmo.rules import checkpoints as rules
from tmo.rules.notices import DeliveryStatus
from tmo.scripts import audit as audit_script
from tmo.scripts import election as election_script
from tmo.scripts import mail_worker
from tmo.scripts.migrate import upgrade
from tmo.services import audit, checkpoints, elections

# The ballot chain's key under the secret the ini below gives.
KEY = elections.chain_key("test")


@pytest.fixture
def database(tmp_path):
    """A migrated SQLite file, the ini naming it, and a session factory on it."""
    path = tmp_path / "anchored.sqlite"
    settings = {"sqlalchemy.url": f"sqlite:///{path}", "tmo.secret": "test"}
    upgrade(settings)
    ini = tmp_path / "anchored.ini"
    ini.write_text(
        "[app:main]\nuse = egg:tmo\n"
        f"sqlalchemy.url = sqlite:///{path}\n"
        "tmo.secret = test\ntmo.mail_mode = memory\n"
    )
    engine = get_engine(settings)
    yield path, str(ini), get_session_factory(engine)
    engine.dispose()


def test_tmo_audit_verify_finds_the_newest_entries_deleted_with_the_checkpoint(
    database, tmp_path, capsys
):
    path, ini, factory = database
    with factory() as session:
        for action in ("a.one", "a.two", "a.three"):
            audit.record(session, action, actor_id=None)
        text = checkpoints.of_audit_log(session, None, "daily", now()).text
        head = audit.head(session)[0]
        session.commit()
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(f"Subject: Daily checkpoint\n\nKeep this email.\n\n{text}")

    assert audit_script.main(["verify", ini, "--checkpoint", str(saved)]) == 0
    assert "it holds the head of the checkpoint of" in capsys.readouterr().out

    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM audit_entry WHERE action IN ('a.two', 'a.three')")
    assert audit_script.main(["verify", ini]) == 0
    capsys.readouterr()
    assert audit_script.main(["verify", ini, "--checkpoint", str(saved)]) == 1
    output = capsys.readouterr().out
    assert "the log has 1 entries, but the checkpoint of" in output
    assert "counted 3: entries were removed from its end" in output
    assert audit_script.main(["verify", ini, "--head", head, "--count", "3"]) == 1
    assert "the head given counted 3" in capsys.readouterr().out


def test_a_forged_checkpoint_is_refused(database, tmp_path, capsys):
    _, ini, factory = database
    with factory() as session:
        audit.record(session, "a.one", actor_id=None)
        text = checkpoints.of_audit_log(session, None, "daily", now()).text
        session.commit()
    altered = tmp_path / "altered.txt"
    altered.write_text(text.replace("Count: 1", "Count: 0"))
    assert audit_script.main(["verify", ini, "--checkpoint", str(altered)]) == 2
    assert "REFUSED: the checkpoint's signature is not the server's" in capsys.readouterr().err

    forged = tmp_path / "forged.txt"
    forged.write_text(
        rules.make(
            rules.signing_key("not the secret"),
            kind="audit",
            subject="audit log",
            head="0" * 64,
            count=0,
            moment=now(),
        )
    )
    assert audit_script.main(["verify", ini, "--checkpoint", str(forged)]) == 2
    assert "signed by another key" in capsys.readouterr().err


def test_tmo_audit_public_key_prints_the_key_checkpoints_name(database, capsys):
    _, ini, factory = database
    assert audit_script.main(["public-key", ini]) == 0
    fingerprint, _ = capsys.readouterr().out.splitlines()
    with factory() as session:
        assert fingerprint == rules.fingerprint(checkpoints.verify_key(session))


@pytest.fixture
def closed_poll(database, app):
    """A poll closed by the clock, not yet counted, whose close checkpoint has been sent."""
    path, ini, factory = database
    session = factory()
    factories.bind(session)
    try:
        request = web_request(app, session)
        election, people = poll_open(session, request, voters=3)
        accepted = elections.accepted(election)
        for person in people[:5]:
            elections.cast(session, election.id, person.id, (accepted[0].id,), key=KEY, now=now())
        shift(election, 30)
        assert checkpoints.send_due(request, now()) == 1
        text = "\n\n".join(c.text for c in session.scalars(select(Checkpoint)))
        session.commit()
        election_id = election.id
    finally:
        factories.bind(None)
        session.close()
    return path, ini, election_id, text


def remove_the_last_ballot(path, election_id) -> None:
    """What an insider with the database does: the last ballot out, a voter's mark off, the
    election's head and count set back, so that the log alone checks out."""
    with sqlite3.connect(path) as raw:
        head, cast = raw.execute(
            "SELECT chain_head, ballots_cast FROM election WHERE id = ?", (election_id,)
        ).fetchone()
        previous = raw.execute(
            "SELECT previous_hash FROM sealed_ballot WHERE hash = ?", (head,)
        ).fetchone()
        raw.execute("DELETE FROM sealed_ballot WHERE hash = ?", (head,))
        raw.execute(
            "UPDATE roll_entry SET voted = 0, channel = '' WHERE id = "
            "(SELECT id FROM roll_entry WHERE election_id = ? AND voted LIMIT 1)",
            (election_id,),
        )
        raw.execute(
            "UPDATE election SET chain_head = ?, ballots_cast = ? WHERE id = ?",
            (previous[0], cast - 1, election_id),
        )


def test_tmo_election_verify_finds_the_last_ballot_removed_with_the_checkpoint(
    closed_poll, tmp_path, capsys
):
    path, ini, election_id, text = closed_poll
    saved = tmp_path / "close.txt"
    saved.write_text(text)
    command = ["verify", str(election_id), ini, "--checkpoint", str(saved)]
    assert election_script.main(command) == 0
    assert "Checked against the checkpoint of" in capsys.readouterr().out

    remove_the_last_ballot(path, election_id)
    assert election_script.main(["verify", str(election_id), ini]) == 0
    capsys.readouterr()
    assert election_script.main(command) == 1
    output = capsys.readouterr().out
    assert "DIFFERENCE: ballots: the log holds 4, but the checkpoint of" in output
    assert "counted 5 ending at" in output
    # The audit log's checkpoint, in the same email, still holds.
    assert audit_script.main(["verify", ini, "--checkpoint", str(saved)]) == 0


def test_tmo_election_verify_with_the_head_typed_in(closed_poll, capsys):
    path, ini, election_id, text = closed_poll
    found = rules.read_all(text, rules.signing_key("test").verify_key)
    close = rules.latest(found, "ballots", election_id)
    typed = ["verify", str(election_id), ini, "--head", close.head, "--count", str(close.count)]
    assert election_script.main(typed) == 0
    remove_the_last_ballot(path, election_id)
    capsys.readouterr()
    assert election_script.main(typed) == 1
    assert "the head given counted 5" in capsys.readouterr().out


def test_a_checkpoint_of_another_election_is_not_taken(closed_poll, tmp_path, capsys):
    _, ini, election_id, text = closed_poll
    saved = tmp_path / "close.txt"
    saved.write_text(text)
    other = ["verify", str(election_id + 1), ini, "--checkpoint", str(saved)]
    assert election_script.main(other) == 2


def test_the_mail_worker_sends_a_polls_checkpoints_when_due(database, app):
    _, ini, factory = database
    session = factory()
    factories.bind(session)
    try:
        poll_open(session, web_request(app, session), voters=1)
        session.commit()
    finally:
        factories.bind(None)
        session.close()
    assert mail_worker.main([ini, "--once"]) == 0
    with factory() as session:
        assert [c.kind for c in session.scalars(select(Checkpoint))] == ["ballots", "audit"]
        sent = session.execute(
            select(Delivery.email, Delivery.status).join(Notice).where(Notice.kind == "checkpoint")
        ).all()
        assert [status for _, status in sent] == [DeliveryStatus.SENT]
        made_at = session.scalar(select(Checkpoint.made_at))
    assert made_at > now() - timedelta(minutes=1)
