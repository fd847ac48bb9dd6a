"""The audit log: who did what and when, hash-chained, and tampering detected by tmo-audit."""

import sqlite3
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from tests.factories import AccountFactory
from tmo.models import get_engine, get_session_factory
from tmo.models.audit import AuditEntry
from tmo.permissions import Role
from tmo.scripts import audit as audit_script
from tmo.scripts.migrate import upgrade
from tmo.services import audit


def record_three(dbsession):
    actor = AccountFactory()
    for action in ("first.thing", "second.thing", "third.thing"):
        audit.record(dbsession, action, actor_id=actor.id, target=actor, note=action)
    dbsession.commit()
    return actor


def test_entries_record_who_did_what_to_which_record_and_when(dbsession):
    actor = record_three(dbsession)
    entries = list(dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["first.thing", "second.thing", "third.thing"]
    assert {(e.actor_id, e.target_type, e.target_id) for e in entries} == {
        (actor.id, "account", str(actor.id))
    }
    assert all(e.occurred_at.tzinfo is not None for e in entries)
    assert entries[1].previous_hash == entries[0].entry_hash
    assert entries[2].previous_hash == entries[1].entry_hash
    assert audit.verify_chain(dbsession).intact


def test_an_entry_made_through_the_app_is_dated_by_its_clock(testapp, dbsession, clock):
    moment = datetime(2031, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
    clock.set(moment)
    form = testapp.get("/register").forms["form"]
    form["display_name"], form["email"] = "Ruth Adeyemi", "ruth@example.org"
    form["password"] = "plum-tree-estate-41"
    form.submit("submit")
    entry = dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "account.registered"))
    assert entry.occurred_at == moment
    assert audit.verify_chain(dbsession).intact


def test_an_edited_entry_is_named(dbsession):
    record_three(dbsession)
    second = dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[1]
    dbsession.execute(update(AuditEntry).where(AuditEntry.id == second.id).values(actor_id=999))
    report = audit.verify_chain(dbsession)
    assert not report.intact
    assert report.problems == [f"entry {second.id}: its content was changed after it was written"]


def test_a_deleted_entry_is_detected(dbsession):
    record_three(dbsession)
    entries = dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    dbsession.execute(delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    report = audit.verify_chain(dbsession)
    assert report.problems == [
        f"entry {entries[2].id}: does not follow the entry before it "
        "(an entry was deleted, inserted or reordered)"
    ]


def test_state_changes_through_the_app_are_audited_with_their_actor(testapp, dbsession, logged_in):
    admin = logged_in(Role.ADMINISTRATOR)
    target = AccountFactory()
    form = testapp.get(f"/admin/accounts/{target.id}").forms["form"]
    form["checkbox"] = ["secretary", "member"]
    assert "Roles saved" in form.submit("submit").follow().text
    granted = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "role.granted").order_by(AuditEntry.id)
    ).all()
    assert sorted((e.actor_id, e.target_id, e.detail["role"]) for e in granted) == [
        (admin.id, str(target.id), "member"),
        (admin.id, str(target.id), "secretary"),
    ]

    page = testapp.get("/admin/audit", params={"action": "role."})
    assert page.text.count("role.granted") == 2
    assert admin.display_name in page.html.get_text()  # as read, not as escaped in HTML


def test_no_secret_reaches_the_audit_log(testapp, dbsession, mailer):
    form = testapp.get("/register").forms["form"]
    form["display_name"], form["email"] = "Ruth", "ruth@example.org"
    form["password"] = "mango kettle orbit lantern"
    form.submit("submit")
    logged = " ".join(f"{e.action} {e.detail}" for e in dbsession.scalars(select(AuditEntry)))
    assert "mango" not in logged
    token = mailer.outbox[0].body.split("/verify/")[1].split()[0]
    assert token not in logged


def test_the_audit_page_pages(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    actor = AccountFactory()
    for number in range(30):
        audit.record(dbsession, "bulk.entry", actor_id=actor.id, number=number)
    dbsession.commit()
    first = testapp.get("/admin/audit", params={"action": "bulk."})
    assert "Page 1 of 2 (30 in all)" in first.text
    second = first.click("Next page")
    assert "Page 2 of 2" in second.text
    assert second.text.count("bulk.entry") == 5


def test_the_audit_search_takes_a_wildcard_as_typed(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    audit.record(dbsession, "bulk.entry", actor_id=None)
    dbsession.commit()
    assert "bulk.entry" in testapp.get("/admin/audit", params={"action": "bulk."})
    assert "No entries match." in testapp.get("/admin/audit", params={"action": "%"})
    assert "No entries match." in testapp.get("/admin/audit", params={"action": "bulk_"})


@pytest.fixture
def database_file(tmp_path):
    path = tmp_path / "audit.sqlite"
    settings = {"sqlalchemy.url": f"sqlite:///{path}", "tmo.secret": "test"}
    upgrade(settings)
    ini = tmp_path / "audit.ini"
    ini.write_text(
        "[app:main]\nuse = egg:tmo\n"
        f"sqlalchemy.url = sqlite:///{path}\n"
        "tmo.secret = test\ntmo.mail_mode = memory\n"
    )
    return path, ini, settings


def test_tmo_audit_verify_reports_tampering(database_file, capsys):
    path, ini, settings = database_file
    engine = get_engine(settings)
    session = get_session_factory(engine)()
    for action in ("a.one", "a.two", "a.three"):
        audit.record(session, action, actor_id=None, detail_value=action)
    session.commit()
    session.close()
    engine.dispose()

    assert audit_script.main(["verify", str(ini)]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out

    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE audit_entry SET action = 'a.harmless' WHERE action = 'a.two'")
    assert audit_script.main(["verify", str(ini)]) == 1
    output = capsys.readouterr().out
    assert "entry 2: its content was changed" in output
    assert "BROKEN" in output


def test_concurrent_appends_never_fork_the_chain(engine):
    """Appends from many transactions at once (SQLite: IMMEDIATE; PostgreSQL: advisory lock)."""
    factory = get_session_factory(engine)
    errors = []

    def append(worker):
        session = factory()
        try:
            for number in range(5):
                audit.record(session, "concurrent.append", actor_id=None, worker=worker, n=number)
                session.commit()
        except Exception as error:
            errors.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        session = factory()
        report = audit.verify_chain(session)
        session.close()
        assert errors == []
        assert report.entries == 30
        assert report.intact, report.problems
    finally:
        with engine.begin() as connection:
            connection.execute(delete(AuditEntry))
