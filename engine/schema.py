"""Bringing a database's schema up to date with Alembic (which owns the schema from the first table).

The engine's own revisions live in ``engine/migrations/versions``; the domain adds its own folder of
revisions (an Alembic branch that depends on the engine's), handed in by whoever wires the engine, so
the engine never imports the domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

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
