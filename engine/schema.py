"""Bringing a database's schema up to date with Alembic (which owns the schema from the first table).

The engine's own revisions live in ``engine/migrations/versions``; the domain adds its own folder of
revisions (an Alembic branch that depends on the engine's), handed in by whoever wires the engine, so
the engine never imports the domain.

Only ``ansinh db upgrade`` changes the schema (several workers starting together would race); everything
else ``check``s that every head is applied and refuses to start, naming the command, if not.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .errors import EngineError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, extra_versions: Sequence[Path] = ()) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    locations = [MIGRATIONS / "versions", *extra_versions]
    config.set_main_option("version_locations", " ".join(str(p) for p in locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


class SchemaNotCurrent(EngineError):
    """The database's schema is behind this release's revisions: ``ansinh db upgrade`` first."""


@lru_cache(maxsize=8)
def _heads(locations: tuple[str, ...]) -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def missing_revisions(engine: Engine, extra_versions: Sequence[Path] = ()) -> list[str]:
    """This release's head revisions the database has not applied (empty: the schema is current). A
    database a newer release upgraded passes, so an old app server keeps serving during a rollout."""
    heads = _heads(tuple(str(p) for p in [MIGRATIONS / "versions", *extra_versions]))
    with engine.connect() as connection:
        applied = set(MigrationContext.configure(connection).get_current_heads())
    return sorted(heads - applied)


def check(engine: Engine, extra_versions: Sequence[Path] = ()) -> None:
    """Refuse a database whose schema is not current, saying what to run."""
    missing = missing_revisions(engine, extra_versions)
    if missing:
        raise SchemaNotCurrent(
            f"the database schema is not current (revisions {', '.join(missing)} not applied): "
            "run `ansinh db upgrade` first"
        )


def upgrade(engine: Engine, extra_versions: Sequence[Path] = (), revision: str = "heads") -> None:
    config = alembic_config(engine, extra_versions)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if engine.dialect.name == "sqlite":
        # Fresh statistics let SQLite pick the right index (one commune's inbox vs. a province's);
        # sampled (analysis_limit), so it stays quick on a large database. PostgreSQL autovacuum does this.
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            connection.exec_driver_sql("ANALYZE")
