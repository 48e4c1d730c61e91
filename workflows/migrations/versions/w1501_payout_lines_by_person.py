"""payout lines by person: what a person's earlier lines carry, read per person when a list is drawn

Revision ID: w1501
Revises: w1001
"""

from __future__ import annotations

from alembic import op

revision = "w1501"
down_revision = "w1001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payout_lines_person", "payout_lines", ["beneficiary_code", "programme", "month"])


def downgrade() -> None:
    op.drop_index("ix_payout_lines_person", table_name="payout_lines")
