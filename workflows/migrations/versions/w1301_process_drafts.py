"""process_drafts: an administrator's unsaved work on a process, kept until deployed

Revision ID: w1301
Revises: w0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w1301"
down_revision = "w0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_drafts",
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=100), nullable=True),
        sa.Column("saved_at", engine.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("process_key", name=op.f("pk_process_drafts")),
    )


def downgrade() -> None:
    op.drop_table("process_drafts")
