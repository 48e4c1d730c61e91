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
import workflows.roster.models  # noqa: F401
from engine.db import Base, make_engine
from engine.schema import upgrade
from workflows.bootstrap import MIGRATIONS


def _not_a_search_index(object_, name, type_, reflected, compare_to) -> bool:
    """The name search index (w0007) is dialect-specific DDL, not a model: an FTS5 virtual table (and
    its shadow tables) on SQLite, a pg_trgm GIN index on PostgreSQL."""
    if type_ == "table":
        return not name.startswith("beneficiary_names")
    return not (type_ == "index" and name == "ix_beneficiaries_name_trigram")


def test_migrations_build_exactly_the_models(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, [MIGRATIONS])
        upgrade(engine, [MIGRATIONS])  # a second run changes nothing and does not fail
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": _not_a_search_index})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
