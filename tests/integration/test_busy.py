"""A writer that cannot get SQLite's write lock in time (another holds it) gets a clean Busy: one line on
the command line, never a driver traceback, and nothing half-written. (PostgreSQL has no database-wide
write lock: writers there wait only for the rows they touch.)"""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy.engine import make_url

from engine import bootstrap, deploy_paths, list_processes
from engine.errors import Busy
from engine.services import ServiceRegistry
from tests.integration.test_cli import FIXTURE_PATHS, START, cli, error_line  # noqa: F401  (cli: a fixture)


@pytest.fixture
def database_url(tmp_path):
    """SQLite only, here: the database-wide write lock is SQLite's (this replaces the suite's fixture, which
    runs on PostgreSQL too)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def held_lock(database_url):
    """Another connection holding the write lock (``BEGIN IMMEDIATE``) until the test ends."""
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)

    def hold() -> None:
        holder.execute("BEGIN IMMEDIATE")

    yield hold
    holder.rollback()
    holder.close()


def test_the_engine_answers_busy_when_the_lock_stays_taken(database_url, held_lock):
    registry = ServiceRegistry()
    registry.handler("echo")(lambda call: {})
    ctx = bootstrap(f"{database_url}?timeout=0.3", registry, upgrade=True)
    held_lock()
    began = time.perf_counter()
    with pytest.raises(Busy, match="busy with another change"):
        deploy_paths(ctx, FIXTURE_PATHS)
    assert 0.25 < time.perf_counter() - began < 5
    assert list_processes(ctx) == []  # nothing half-written
    ctx.db.dispose()


def test_the_command_line_says_busy_in_one_line(cli, database_url, held_lock, monkeypatch):  # noqa: F811
    assert cli("deploy", *FIXTURE_PATHS)[0] == 0
    monkeypatch.setenv("DATABASE_URL", f"{database_url}?timeout=0.3")
    held_lock()
    code, _out, err = cli(*START)
    assert code != 0
    assert "busy" in error_line(err)
