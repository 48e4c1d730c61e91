"""roll imports: progress of each existing roll brought in, and its rejected or differing rows

Revision ID: w0901
Revises: w0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0901"
down_revision = "w0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "roll_imports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("scope_agency", sa.String(length=60), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("differences", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("started_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", engine.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_imports")),
    )
    op.create_index(op.f("ix_roll_imports_content_hash"), "roll_imports", ["content_hash"])
    op.create_table(
        "roll_problems",
        sa.Column("id", BigId, nullable=False),
        sa.Column("import_id", BigId, nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("column", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("beneficiary_code", sa.String(length=40), nullable=True),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["roll_imports.id"],
            name=op.f("fk_roll_problems_import_id_roll_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_problems")),
    )
    op.create_index(op.f("ix_roll_problems_import_id"), "roll_problems", ["import_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_roll_problems_import_id"), table_name="roll_problems")
    op.drop_table("roll_problems")
    op.drop_index(op.f("ix_roll_imports_content_hash"), table_name="roll_imports")
    op.drop_table("roll_imports")
