"""a commune's names in one index range: an inbox search in a few areas reads their names index-only

Revision ID: w1521
Revises: w0007
"""

from __future__ import annotations

from alembic import op

revision = "w1521"
down_revision = "w0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = ["area_code", "name_folded"]
    op.create_index("ix_beneficiaries_area_name", "beneficiaries", columns, postgresql_include=["code"])


def downgrade() -> None:
    op.drop_index("ix_beneficiaries_area_name", table_name="beneficiaries")
