"""A closed case remembers which case it duplicates

Revision ID: w1201
Revises: w0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w1201"
down_revision = "w0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("beneficiaries") as batch:
        batch.add_column(sa.Column("duplicate_of", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("beneficiaries") as batch:
        batch.drop_column("duplicate_of")
