"""durable background jobs

Revision ID: e1501
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "e1501"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    utc = engine.db.UTCDateTime(timezone=True)
    op.create_table(
        "jobs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", utc, nullable=True),
        sa.Column("available_at", utc, nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("started_at", utc, nullable=True),
        sa.Column("finished_at", utc, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_status_available_at", "jobs", ["status", "available_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status_available_at", table_name="jobs")
    op.drop_table("jobs")
