"""Alembic owns the schema: after ``upgrade`` (the engine's revisions and the domain's branch) the
database matches every model exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import workflows.accounts.models  # noqa: F401
import workflows.beneficiaries.models  # noqa: F401  (every model on Base.metadata)
import workflows.deadlines.models  # noqa: F401
import workflows.downloads  # noqa: F401
import workflows.org.models  # noqa: F401
import workflows.payouts.models  # noqa: F401
from engine.db import Base, make_engine
from engine.schema import upgrade
from workflows.bootstrap import MIGRATIONS


def test_migrations_build_exactly_the_models(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, [MIGRATIONS])
        upgrade(engine, [MIGRATIONS])  # a second run changes nothing and does not fail
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
