"""substring search on beneficiaries' folded names: FTS5 trigram on SQLite, pg_trgm on PostgreSQL

Revision ID: w0007
Revises: w0002
"""

from __future__ import annotations

import sqlalchemy as sa
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
EXTENSION_SCHEMA = """SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                      WHERE e.extname = 'pg_trgm'"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        # The extension lives once per database, in public (not in whatever schema is first on the
        # search path), and its operator class is named with its schema so any search path finds it.
        schema = bind.execute(sa.text(EXTENSION_SCHEMA)).scalar()
        if schema is None:
            op.execute("CREATE EXTENSION pg_trgm WITH SCHEMA public")
            schema = "public"
        opclass = f'"{schema}".gin_trgm_ops'
        op.execute(
            f"CREATE INDEX ix_beneficiaries_name_trigram ON beneficiaries USING gin (name_folded {opclass})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS beneficiary_names_{trigger}")
        op.execute("DROP TABLE IF EXISTS beneficiary_names")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_beneficiaries_name_trigram")
