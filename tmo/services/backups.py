"""Backups and restores of the configured database while the app serves: SQLite through its
online backup API, page by page inside one read snapshot; PostgreSQL through ``pg_dump -Fc`` and
``pg_restore``. A backup holds the database only: the server's secret (``TMO_SECRET``), which keys
the audit chain and the voting codes, is kept apart from it. Each failure is a ``BackupFailed``
carrying the message the operator reads; no message ever carries the database's password."""

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, exists, inspect, select
from sqlalchemy import table as sql_table
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# 256 pages of 4 KiB a step: a writer waits at most one step's copy (WAL mode blocks none).
PAGES_PER_STEP = 256
STEP_PAUSE = 0.0
# Tables that a freshly migrated, unused database already has rows in (the data version's one
# row: tmo.models.data_version).
BOOKKEEPING_TABLES = {"alembic_version", "data_version"}


class BackupFailed(Exception):
    """Why a backup or a restore did not happen, as the operator should read it."""


def backup(url: str, file: str) -> str:
    """Write a consistent copy of the database at ``url`` to ``file`` (replaced only once the
    copy is whole); returns what was written, in a sentence."""
    database = make_url(url)
    target = Path(file)
    if not target.parent.is_dir():
        raise BackupFailed(f"Cannot write {file}: there is no folder {target.parent}.")
    if database.get_backend_name() == "sqlite":
        return _in_place(target, lambda part: _backup_sqlite(database, part))
    if database.get_backend_name() == "postgresql":
        return _in_place(target, lambda part: _backup_postgresql(database, part))
    raise BackupFailed(f"tmo cannot back up a {database.get_backend_name()} database.")


def restore(url: str, file: str, *, force: bool = False) -> str:
    """Bring the backup ``file`` into the database at ``url``, refusing one that holds data unless
    ``force``; returns what was done, in a sentence."""
    database = make_url(url)
    kind = backup_kind(file)
    backend = database.get_backend_name()
    if kind != backend:
        raise BackupFailed(
            f"{file} is a {kind} backup, but the configured database is {backend}: "
            "restore it into a database of its own kind."
        )
    if backend == "sqlite":
        return _restore_sqlite(database, Path(file), force)
    return _restore_postgresql(database, Path(file), force)


def backup_kind(file: str) -> str:
    """``sqlite`` or ``postgresql``, read from the file's first bytes."""
    try:
        with open(file, "rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupFailed(f"Cannot read the backup {file}: {error.strerror}.") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupFailed(f"{file} is not a tmo backup (neither a SQLite file nor a pg_dump archive).")


def _in_place(target: Path, write) -> str:
    """Run ``write(part)`` on a temporary file beside ``target``, then rename it into place: a
    backup cut short never stands where a good one stood."""
    handle, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        described = write(part)
        os.replace(part, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)
    return f"{described} written to {target} ({target.stat().st_size} bytes)."


# SQLite ------------------------------------------------------------------------------------------


def _sqlite_path(database: URL) -> Path:
    if database.database in (None, "", ":memory:"):
        raise BackupFailed("The configured SQLite database is in memory: there is no file.")
    return Path(database.database)


def _open_existing(path: Path, mode: str = "rw") -> sqlite3.Connection:
    """A connection to ``path`` that never creates it (sqlite3.connect would, empty)."""
    if not path.is_file():
        raise BackupFailed(f"There is no database at {path}.")
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)
    except sqlite3.Error as error:
        raise BackupFailed(f"Cannot open the database {path}: {error}.") from None


def _check_tmo_database(connection: sqlite3.Connection, path) -> None:
    try:
        tables = _sqlite_tables(connection)
    except sqlite3.DatabaseError as error:
        raise BackupFailed(f"{path} is not a usable SQLite database: {error}.") from None
    if "alembic_version" not in tables:
        raise BackupFailed(f"{path} holds no tmo database (it has no alembic_version table).")


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _backup_sqlite(database: URL, part: str) -> str:
    path = _sqlite_path(database)
    source = _open_existing(path)
    source.isolation_level = None
    copy = sqlite3.connect(part)
    try:
        _check_tmo_database(source, path)
        # One read transaction for the whole copy: in WAL mode (the app's) writers go on
        # committing, and every step copies the same snapshot. Without it SQLite restarts the
        # copy whenever another connection writes, which under steady voting is forever.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(copy, pages=PAGES_PER_STEP, progress=_pause)
        source.execute("COMMIT")
        # One self-contained file: the copy needs no -wal beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupFailed("The copy failed SQLite's integrity check; nothing was written.")
    except sqlite3.Error as error:
        raise BackupFailed(f"The backup of {path} failed: {error}.") from None
    finally:
        copy.close()
        source.close()
    return f"A copy of the SQLite database {path}"


def _pause(status, remaining, total) -> None:
    if STEP_PAUSE:
        time.sleep(STEP_PAUSE)


def _sqlite_rows(connection: sqlite3.Connection) -> list[str]:
    """The tables of the database holding rows, apart from bookkeeping."""
    holding = []
    for table in _sqlite_tables(connection):
        query = f"SELECT EXISTS (SELECT 1 FROM {_quoted(table)})"  # noqa: S608 (a quoted name)
        if table not in BOOKKEEPING_TABLES and connection.execute(query).fetchone()[0]:
            holding.append(table)
    return holding


def _quoted(name: str) -> str:
    """A table's name, read from sqlite_master, as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _restore_sqlite(database: URL, file: Path, force: bool) -> str:
    path = _sqlite_path(database)
    backup_file = _open_existing(file, mode="ro")
    try:
        _check_tmo_database(backup_file, file)
        if backup_file.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupFailed(f"The backup {file} fails SQLite's integrity check.")
        if not path.parent.is_dir():
            raise BackupFailed(f"Cannot restore into {path}: there is no folder {path.parent}.")
        if path.exists():
            target = _open_existing(path)
            with contextlib.closing(target):
                _refuse_data(_sqlite_rows(target), path, force)
        # Through the backup API again, so an app still holding the file open sees the restored
        # pages (as another writer's commit) rather than a file swapped under its -wal.
        target = sqlite3.connect(path, timeout=30)
        try:
            backup_file.backup(target)
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupFailed(f"The restore into {path} failed: {error}.") from None
    finally:
        backup_file.close()
    return f"{file} restored into the SQLite database {path}."


def _refuse_data(tables: list[str], where, force: bool) -> None:
    if tables and not force:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        where = str(where)
        raise BackupFailed(
            f"{where[:1].upper()}{where[1:]} already holds data "
            f"({len(tables)} tables with rows: {shown}). "
            "Nothing was changed; give --force to replace it with the backup."
        )


# PostgreSQL --------------------------------------------------------------------------------------


def postgresql_program(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: on the PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda candidate: int(Path(candidate).parts[-3]),
    )
    if candidates:
        return candidates[-1]
    raise BackupFailed(
        f"{name} was not found: install PostgreSQL's client programs (postgresql-client), "
        "of the server's version or newer."
    )


def _libpq(database: URL) -> tuple[str, dict]:
    """The connection string for the PostgreSQL programs, without the password, and the
    environment carrying it (a command line is visible to every user of the machine)."""
    environment = dict(os.environ)
    if database.password:
        environment["PGPASSWORD"] = str(database.password)
    plain = database.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _described(database: URL) -> str:
    return f"the PostgreSQL database {database.database} on {database.host or 'localhost'}"


def _run(program: str, arguments: list[str], database: URL, doing: str) -> None:
    connection, environment = _libpq(database)
    command = [postgresql_program(program), *arguments, "--dbname", connection]
    # No shell: the program found above and arguments of our own, the URL as one of them.
    result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        if database.password:
            output = output.replace(str(database.password), "***")
        raise BackupFailed(f"{doing} {_described(database)} failed ({program}):\n{output}")


def _backup_postgresql(database: URL, part: str) -> str:
    # pg_dump reads one snapshot and takes only ACCESS SHARE locks: the app's writes go on.
    _run("pg_dump", ["--format=custom", "--file", part], database, "The backup of")
    return f"A pg_dump archive of {_described(database)}"


def _postgresql_rows(database: URL) -> list[str]:
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return [
                table
                for table in tables
                if table not in BOOKKEEPING_TABLES
                and connection.scalar(select(exists().select_from(sql_table(table))))
            ]
    except Exception as error:
        message = str(getattr(error, "orig", error)).strip().splitlines()[0]
        if database.password:
            message = message.replace(str(database.password), "***")
        raise BackupFailed(f"Cannot read {_described(database)}: {message}") from None
    finally:
        engine.dispose()


def _restore_postgresql(database: URL, file: Path, force: bool) -> str:
    _refuse_data(_postgresql_rows(database), _described(database), force)
    # One transaction: a restore that fails part way leaves the database as it was.
    arguments = ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(file)]
    _run("pg_restore", arguments, database, "The restore into")
    return f"{file} restored into {_described(database)}."
