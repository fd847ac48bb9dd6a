"""``tmo-backup`` and ``tmo-restore`` on the run's kind of database (a SQLite file, or PostgreSQL
when ``TMO_TEST_DATABASE_URL`` names it), each test on databases of its own: a backup taken
while voters cast ballots restores into a database that ``tmo-election verify`` and ``tmo-audit
verify`` pass; a database holding data is replaced only with --force; a missing database, or a
file that is no backup, fails saying so."""

import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from tests import factories
from tests.elections_setup import now, poll_open, web_request
from tmo.models import get_engine, get_session_factory
from tmo.models.audit import AuditEntry
from tmo.scripts import audit as audit_script
from tmo.scripts import backup as backup_script
from tmo.scripts import election as election_script
from tmo.scripts import restore as restore_script
from tmo.scripts.migrate import upgrade
from tmo.services import audit, backups, elections

ROOT = Path(__file__).resolve().parents[2]
VOTERS = 30


class Databases:
    """New, empty databases of the run's kind, each with the ini naming it; dropped after."""

    def __init__(self, database_url: str, folder: Path):
        self.server = make_url(database_url)
        self.folder = folder
        self.made: list[str] = []

    @property
    def postgresql(self) -> bool:
        return self.server.get_backend_name() == "postgresql"

    def url(self, name: str) -> str:
        if self.postgresql:
            return self.server.set(database=name).render_as_string(hide_password=False)
        return f"sqlite:///{self.folder / name}.sqlite"

    def new(self, purpose: str, *, migrated: bool = True) -> tuple[str, str]:
        name = f"tmo_backup_{purpose}_{uuid.uuid4().hex[:8]}"
        if self.postgresql:
            self._admin(f'CREATE DATABASE "{name}"')
            self.made.append(name)
        url = self.url(name)
        if migrated:
            upgrade({"sqlalchemy.url": url, "tmo.secret": "test"})
        return url, self.ini(name, url)

    def ini(self, name: str, url: str) -> str:
        ini = self.folder / f"{name}.ini"
        ini.write_text(
            "[app:main]\nuse = egg:tmo\n"
            f"sqlalchemy.url = {url}\ntmo.secret = test\ntmo.mail_mode = memory\n"
        )
        return str(ini)

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        for name in self.made:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(database_url, tmp_path):
    made = Databases(database_url, tmp_path)
    yield made
    made.drop_all()


def session_on(url: str):
    engine = get_engine({"sqlalchemy.url": url, "tmo.secret": "test"})
    return engine, get_session_factory(engine)


def audited(url: str, *actions: str) -> list[str]:
    """Record ``actions`` in the audit log at ``url``; returns every action it then holds."""
    engine, factory = session_on(url)
    try:
        with factory() as session:
            for action in actions:
                audit.record(session, action, actor_id=None, now=now())
            session.commit()
            return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def test_a_backup_taken_while_ballots_are_cast_restores_and_verifies(
    databases, app, tmp_path, monkeypatch, capsys
):
    source_url, source_ini = databases.new("source")
    engine, factory = session_on(source_url)
    session = factory()
    factories.bind(session)
    try:
        election, people = poll_open(session, web_request(app, session), voters=VOTERS)
        election_id = election.id
        voters = [person.id for person in people]
        candidates = [candidate.id for candidate in elections.accepted(election)]
        session.commit()
    finally:
        factories.bind(None)
        session.close()
    # Small steps with a breath between them: the SQLite copy lasts while the casts go on.
    monkeypatch.setattr(backups, "PAGES_PER_STEP", 2)
    monkeypatch.setattr(backups, "STEP_PAUSE", 0.003)
    backed_up = threading.Event()
    cast_at: list[float] = []
    failed: list[Exception] = []

    def cast_for(batch: list[int]) -> None:
        for number, voter in enumerate(batch):
            if number >= len(batch) - 2:
                backed_up.wait(60)  # the last few are cast after the backup, never in it
            try:
                with factory() as caster:
                    choice = (candidates[voter % len(candidates)],)
                    key = elections.chain_key("test")
                    elections.cast(caster, election_id, voter, choice, key=key, now=now())
                    caster.commit()
                cast_at.append(time.monotonic())
            except Exception as error:  # the assertion below shows it
                failed.append(error)

    casters = [threading.Thread(target=cast_for, args=(voters[n::2],)) for n in range(2)]
    file = tmp_path / "during-the-poll.backup"
    try:
        for caster in casters:
            caster.start()
        deadline = time.monotonic() + 60
        while len(cast_at) < 4 and not failed and time.monotonic() < deadline:
            time.sleep(0.005)
        started = time.monotonic()
        assert backup_script.main([source_ini, str(file)]) == 0
        finished = time.monotonic()
    finally:
        backed_up.set()
        for caster in casters:
            caster.join()
        engine.dispose()
    assert failed == []
    assert len(cast_at) == len(voters)
    assert any(started < moment < finished for moment in cast_at), "no ballot cast meanwhile"
    assert "written to" in capsys.readouterr().out

    _, target_ini = databases.new("restored", migrated=False)
    assert restore_script.main([target_ini, str(file)]) == 0
    assert "restored into" in capsys.readouterr().out

    assert election_script.main(["verify", str(election_id), target_ini]) == 0
    output = capsys.readouterr().out
    assert "The election verifies" in output
    in_backup = int(re.search(r"Ballots in the log: (\d+)", output).group(1))
    assert 4 <= in_backup < len(voters)
    assert audit_script.main(["verify", target_ini]) == 0
    assert "The audit log is intact" in capsys.readouterr().out
    # The source, with every ballot, verifies too: the backup disturbed nothing.
    assert election_script.main(["verify", str(election_id), source_ini]) == 0
    assert f"Ballots in the log: {len(voters)}" in capsys.readouterr().out


def test_restore_refuses_a_database_holding_data_unless_forced(databases, tmp_path, capsys):
    source_url, source_ini = databases.new("source")
    audited(source_url, "backup.kept")
    file = tmp_path / "kept.backup"
    assert backup_script.main([source_ini, str(file)]) == 0
    target_url, target_ini = databases.new("target")
    audited(target_url, "target.own")
    capsys.readouterr()

    assert restore_script.main([target_ini, str(file)]) == 1
    error = capsys.readouterr().err
    assert "Nothing was restored." in error
    assert "already holds data" in error and "audit_entry" in error and "--force" in error
    assert audited(target_url) == ["target.own"]

    assert restore_script.main([target_ini, str(file), "--force"]) == 0
    assert audited(target_url) == ["backup.kept"]
    assert audit_script.main(["verify", target_ini]) == 0


def test_a_freshly_migrated_database_takes_a_restore_without_force(databases, tmp_path):
    source_url, source_ini = databases.new("source")
    audited(source_url, "backup.kept")
    file = tmp_path / "kept.backup"
    assert backup_script.main([source_ini, str(file)]) == 0
    target_url, target_ini = databases.new("target")
    assert restore_script.main([target_ini, str(file)]) == 0
    assert audited(target_url) == ["backup.kept"]


def test_a_backup_of_a_missing_database_fails_clearly_and_writes_nothing(
    databases, tmp_path, capsys
):
    name = "tmo_backup_nowhere"
    url = databases.url(name)
    if databases.postgresql:
        # A password in the URL: it reaches pg_dump through its environment, never the screen.
        url = make_url(url).set(password="pw-not-shown").render_as_string(hide_password=False)
    ini = databases.ini(name, url)
    file = tmp_path / "nothing.backup"
    assert backup_script.main([ini, str(file)]) == 1
    error = capsys.readouterr().err
    assert "No backup was written." in error
    if databases.postgresql:
        assert f'database "{name}" does not exist' in error
        assert "pw-not-shown" not in error
    else:
        assert f"There is no database at {tmp_path / name}.sqlite" in error
        assert not (tmp_path / f"{name}.sqlite").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{name}.ini"]


def test_the_console_scripts_run_as_modules_without_the_secret(databases, tmp_path):
    url, ini = databases.new("target")
    without_secret = tmp_path / "backup-job.ini"
    without_secret.write_text(f"[app:main]\nuse = egg:tmo\nsqlalchemy.url = {url}\n")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("minutes of the AGM\n")

    def run(module: str, *arguments: str):
        return subprocess.run(
            [sys.executable, "-m", module, *arguments],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )

    taken = run("tmo.scripts.backup", str(without_secret), str(tmp_path / "nightly.backup"))
    assert taken.returncode == 0, taken.stderr
    assert "written to" in taken.stdout
    no_ini = run("tmo.scripts.backup", str(tmp_path / "gone.ini"), str(tmp_path / "x.backup"))
    assert no_ini.returncode == 1
    assert "There is no ini file" in no_ini.stderr
    refused = run("tmo.scripts.restore", ini, str(not_a_backup))
    assert refused.returncode == 1
    assert "is not a tmo backup" in refused.stderr
    missing = run("tmo.scripts.backup", ini, str(tmp_path / "no-such-folder" / "x.backup"))
    assert missing.returncode == 1
    assert "there is no folder" in missing.stderr


@pytest.mark.parametrize("module", ["tmo.scripts.backup", "tmo.scripts.restore"])
def test_the_scripts_help_prints_no_warning(module):
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "[INI] FILE" in done.stdout
    assert "warning" not in done.stderr.lower(), done.stderr


def test_a_backup_restores_into_a_database_of_its_own_kind_only(databases, tmp_path, capsys):
    _, ini = databases.new("target")
    other_kind = tmp_path / "other-kind.backup"
    if databases.postgresql:
        other_kind.write_bytes(backups.SQLITE_MAGIC + bytes(100))
        expected = "is a sqlite backup, but the configured database is postgresql"
    else:
        other_kind.write_bytes(backups.PG_DUMP_MAGIC + bytes(100))
        expected = "is a postgresql backup, but the configured database is sqlite"
    assert restore_script.main([ini, str(other_kind), "--force"]) == 1
    assert expected in capsys.readouterr().err
