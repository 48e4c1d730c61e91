"""A database with the case's BPMN deployed (only the case's files, so other processes' handlers are not
needed) at a moment late enough for the demo's cases to reach back 200 days."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

import engine
from tests.conftest import PG_URL, ROOT, ManualClock
from workflows.bootstrap import bootstrap

CASE_FILES = [ROOT / "bpmn" / "beneficiary_case.bpmn", ROOT / "bpmn" / "cash_method.dmn"]
DEMO_NOW = datetime(2024, 10, 1, 2, 0, tzinfo=UTC)  # 09:00 on a Tuesday in Vietnam


def case_context(database_url: str, now: datetime = DEMO_NOW):
    clock = ManualClock(now)
    ctx = bootstrap(database_url, clock=clock, upgrade=True)
    engine.deploy_paths(ctx, CASE_FILES)
    return ctx, clock


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """Like the ``database_url`` fixture, for fixtures that outlive one test (a module's demo)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'demo.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
