"""enrolments: the programmes each person is paid by, with the months owed

Revision ID: w0008
Revises: w0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0008"
down_revision = "w0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("beneficiary_code", sa.String(length=40), nullable=False),
        sa.Column("programme", sa.String(length=20), nullable=False),
        sa.Column("category_code", sa.String(length=60), nullable=False),
        sa.Column("children_count", sa.Integer(), nullable=True),
        sa.Column("entitled_from", sa.Date(), nullable=False),
        sa.Column("paid_through", sa.Date(), nullable=True),
        sa.Column("ends_after", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_code"],
            ["beneficiaries.code"],
            name=op.f("fk_enrolments_beneficiary_code_beneficiaries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sa.UniqueConstraint(
            "beneficiary_code", "programme", name=op.f("uq_enrolments_beneficiary_code_programme")
        ),
    )
    op.create_index(op.f("ix_enrolments_beneficiary_code"), "enrolments", ["beneficiary_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_enrolments_beneficiary_code"), table_name="enrolments")
    op.drop_table("enrolments")
