"""Alembic owns the schema: after ``upgrade`` (the engine's revisions and the domain's branch) the
database matches every model exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import workflows.accounts.models  # noqa: F401
import workflows.apiaccess.models  # noqa: F401
import workflows.beneficiaries.models  # noqa: F401  (every model on Base.metadata)
import workflows.dashboard.models  # noqa: F401
import workflows.deadlines.models  # noqa: F401
import workflows.downloads  # noqa: F401
import workflows.inbox_names  # noqa: F401
import workflows.org.models  # noqa: F401
import workflows.payouts.models  # noqa: F401
import workflows.processes.models  # noqa: F401
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


def test_a_database_behind_this_release_is_refused_until_ansinh_db_upgrade(database_url):
    import pytest

    from engine.schema import SchemaNotCurrent
    from web import create_app
    from workflows.bootstrap import bootstrap

    engine = make_engine(database_url)
    try:
        for head in ("w0004", "w0005", "w0006", "w0008"):  # v0.1's heads: the engine's newest is missing
            upgrade(engine, [MIGRATIONS], revision=head)
    finally:
        engine.dispose()
    stale = r"revisions .*e1502.* not applied\): run `ansinh db upgrade` first"
    with pytest.raises(SchemaNotCurrent, match=stale):
        bootstrap(database_url)
    with pytest.raises(SchemaNotCurrent):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    bootstrap(database_url, upgrade=True).db.dispose()
    bootstrap(database_url).db.dispose()  # current now
