"""children of a single parent by month: enrolment_children

Revision ID: w1011
Revises: w1002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w1011"
down_revision = "w1002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolment_children",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("children_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolments.id"], name=op.f("fk_enrolment_children_enrolment_id_enrolments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_children")),
        sa.UniqueConstraint(
            "enrolment_id", "effective_from", name=op.f("uq_enrolment_children_enrolment_id_effective_from")
        ),
    )
    with op.batch_alter_table("enrolment_children") as batch:
        batch.create_index(batch.f("ix_enrolment_children_enrolment_id"), ["enrolment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrolment_children") as batch:
        batch.drop_index(batch.f("ix_enrolment_children_enrolment_id"))
    op.drop_table("enrolment_children")
