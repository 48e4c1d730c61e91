"""beneficiary records

Revision ID: w0002
Revises: w0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0002"
down_revision = "w0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beneficiaries",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("name_folded", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=10), nullable=True),
        sa.Column("cccd", sa.String(length=12), nullable=True),
        sa.Column("phone", sa.String(length=10), nullable=True),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("village", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_reason", sa.String(length=40), nullable=True),
        sa.Column("payment_method", sa.String(length=20), nullable=True),
        sa.Column("bank_code", sa.String(length=20), nullable=True),
        sa.Column("account_number", sa.String(length=19), nullable=True),
        sa.Column("account_holder", sa.String(length=20), nullable=True),
        sa.Column("mobility", sa.String(length=20), nullable=True),
        sa.Column("representative_kind", sa.String(length=20), nullable=True),
        sa.Column("representative_name", sa.String(length=100), nullable=True),
        sa.Column("representative_cccd", sa.String(length=12), nullable=True),
        sa.Column("representative_phone", sa.String(length=10), nullable=True),
        sa.Column("representative_relationship", sa.String(length=50), nullable=True),
        sa.Column("authorisation_document", sa.String(length=100), nullable=True),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name=op.f("fk_beneficiaries_area_code_areas")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_beneficiaries")),
    )
    with op.batch_alter_table("beneficiaries") as batch:
        batch.create_index("ix_beneficiaries_cccd", ["cccd"])
        batch.create_index("ix_beneficiaries_area_status", ["area_code", "status"])
        batch.create_index("ix_beneficiaries_name_folded", ["name_folded"])


def downgrade() -> None:
    op.drop_table("beneficiaries")
