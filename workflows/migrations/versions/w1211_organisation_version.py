"""organisation_version: one row bumped by every change to the areas, agencies or role assignments

Routing caches who plays which role where, in each process; a process reads this version beside the
case's programme and drops its cache when the version moved, so a change made by any process (the admin
pages, the CLI, a reorganisation, a restore, raw SQL) is seen by the next step everywhere. Triggers bump
it: statement-level on PostgreSQL, row-level on SQLite (which has no other kind).

A later SQLite ``batch_alter_table`` on one of these tables recreates it without its triggers: re-create
them there (``tests/workflows/test_routing_cache.py`` fails if one is missing).

Revision ID: w1211
Revises: w1002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w1211"
down_revision = "w1002"
branch_labels = None
depends_on = None

TABLES = ("areas", "agencies", "role_assignments")
BUMP = "UPDATE organisation_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "organisation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_version")),
    )
    op.execute("INSERT INTO organisation_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_organisation_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_organisation_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_organisation_version()"
            )
        return
    for table in TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_organisation_version_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_organisation_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_organisation_version()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_organisation_version_{event}")
    op.drop_table("organisation_version")
