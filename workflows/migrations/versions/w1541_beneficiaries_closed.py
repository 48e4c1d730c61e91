"""beneficiaries who exited, by code: each payout step holds their unpaid lines, and looked each line's
person up in the table (a read per line of the cycle) to find the few who exited

Revision ID: w1541
Revises: w0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w1541"
down_revision = "w0002"
branch_labels = None
depends_on = None

CLOSED = "status IN ('rejected', 'deceased', 'duplicate', 'exited')"


def upgrade() -> None:
    op.create_index(
        "ix_beneficiaries_closed",
        "beneficiaries",
        ["code"],
        postgresql_where=sa.text(CLOSED),
        sqlite_where=sa.text(CLOSED),
    )


def downgrade() -> None:
    op.drop_index("ix_beneficiaries_closed", table_name="beneficiaries")
