"""substring search on beneficiaries' folded names: FTS5 trigram on SQLite, pg_trgm on PostgreSQL

Revision ID: w0007
Revises: w0002
"""

from __future__ import annotations

from alembic import op

revision = "w0007"
down_revision = "w0002"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE beneficiary_names USING fts5(name_folded, tokenize = 'trigram')",
    "INSERT INTO beneficiary_names (rowid, name_folded) SELECT rowid, name_folded FROM beneficiaries",
    """CREATE TRIGGER beneficiary_names_insert AFTER INSERT ON beneficiaries BEGIN
         INSERT INTO beneficiary_names (rowid, name_folded) VALUES (new.rowid, new.name_folded); END""",
    """CREATE TRIGGER beneficiary_names_update AFTER UPDATE OF name_folded ON beneficiaries BEGIN
         DELETE FROM beneficiary_names WHERE rowid = old.rowid;
         INSERT INTO beneficiary_names (rowid, name_folded) VALUES (new.rowid, new.name_folded); END""",
    """CREATE TRIGGER beneficiary_names_delete AFTER DELETE ON beneficiaries BEGIN
         DELETE FROM beneficiary_names WHERE rowid = old.rowid; END""",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_beneficiaries_name_trigram ON beneficiaries USING gin (name_folded gin_trgm_ops)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS beneficiary_names_{trigger}")
        op.execute("DROP TABLE IF EXISTS beneficiary_names")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_beneficiaries_name_trigram")
