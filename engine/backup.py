"""Backups of the embedded SQLite database through SQLite's online backup API: a consistent copy taken
while the app keeps serving (the copy reads one snapshot; writers go on in the WAL). PostgreSQL is
backed up with its own tools (``pg_dump``; the README's Operations section has the recipe).

A copy is written beside its destination and renamed into place only once it is whole and passes
``PRAGMA quick_check``, so a half-written file never looks like a backup.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import EngineError

PG_RECIPE = (
    "PostgreSQL is backed up with pg_dump: `pg_dump --format=custom --file=PATH DBNAME` "
    "(restore: `pg_restore --clean --if-exists --dbname=DBNAME PATH`); see the README, Operations"
)


@dataclass(frozen=True)
class Copied:
    path: str
    bytes: int
    seconds: float


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise EngineError(PG_RECIPE)
    if not url.database or url.database == ":memory:":
        raise EngineError("an in-memory database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, destination: Path) -> Copied:
    """Copy the live database to ``destination`` (which must not exist yet)."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise EngineError(f"there is no database at {source}")
    if destination.exists():
        raise EngineError(f"{destination} already exists: choose a new file for each backup")
    return _copy(source, destination, check_schema=False)


def restore(database_url: str, backup_file: Path) -> Copied:
    """Put a backup back in place of the live database (stop the app and the scheduler first). The
    backup must be an An Sinh database; an older one is then brought up by ``ansinh db upgrade``."""
    target = sqlite_path(database_url)
    if not backup_file.exists():
        raise EngineError(f"there is no backup at {backup_file}")
    _check(backup_file, need_schema=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with closing(_open(backup_file)) as source, closing(_open(target)) as live:
        source.backup(live)  # page by page into the live file, under its own locks and WAL
    return Copied(str(target), target.stat().st_size, time.perf_counter() - started)


def _copy(source: Path, destination: Path, check_schema: bool) -> Copied:
    started = time.perf_counter()
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(_open(source)) as live, closing(_open(partial)) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _check(partial, need_schema=check_schema)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(str(destination), destination.stat().st_size, time.perf_counter() - started)


def _open(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _check(path: Path, need_schema: bool) -> None:
    try:
        with closing(_open(path)) as connection:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        raise EngineError(f"{path} is not a readable SQLite database: {exc}") from exc
    if verdict != "ok":
        raise EngineError(f"{path} fails SQLite's check: {verdict}")
    if need_schema and "alembic_version" not in tables:
        raise EngineError(f"{path} is not an An Sinh database (no schema version in it)")
