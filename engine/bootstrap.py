"""Wiring the engine: one function that the web app, the scheduler, the CLI and the tests all call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import clock as clocks
from .context import EngineContext
from .db import Database
from .schema import check as check_schema
from .schema import upgrade as upgrade_schema
from .serialization import WorkflowSerializer
from .services import ServiceRegistry
from .specs import SpecCache


def bootstrap(
    database_url: str,
    services: ServiceRegistry,
    clock: clocks.Clock = clocks.system_clock,
    due_policy=None,
    upgrade: bool = False,
    migrations: Sequence[Path] = (),
) -> EngineContext:
    """Build an EngineContext for ``database_url``. ``upgrade`` first brings the schema (the engine's
    revisions and those in ``migrations``) to head — for ``ansinh db upgrade`` and for whoever creates
    its own database (tests, benchmarks); otherwise a schema that is not current raises SchemaNotCurrent."""
    clocks.install()
    db = Database.from_url(database_url)
    if upgrade:
        upgrade_schema(db.engine, migrations)
    else:
        try:
            check_schema(db.engine, migrations)
        except Exception:
            db.dispose()
            raise
    serializer = WorkflowSerializer()
    return EngineContext(
        db=db,
        serializer=serializer,
        specs=SpecCache(serializer),
        services=services,
        clock=clock,
        due_policy=due_policy,
    )
