"""files kept for download (import results)

Revision ID: w0006
Revises: w0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0006"
down_revision = "w0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "downloads",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_downloads")),
    )


def downgrade() -> None:
    op.drop_table("downloads")
