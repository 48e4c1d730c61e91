"""payouts per programme: a cycle per area, month and programme; lines carry their programme and basis

Revision ID: w1001
Revises: w0008, w0005 (it alters the payout tables: a merge point of the two branches)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w1001"
down_revision = ("w0008", "w0005")
branch_labels = None
depends_on = None

SOCIAL = sa.text("'social_assistance'")


def upgrade() -> None:
    with op.batch_alter_table("payout_cycles") as batch:
        batch.add_column(sa.Column("programme", sa.String(length=20), server_default=SOCIAL, nullable=False))
        batch.drop_constraint("uq_payout_cycles_area_code_month", type_="unique")
        batch.create_unique_constraint(
            "uq_payout_cycles_area_code_month_programme", ["area_code", "month", "programme"]
        )
    with op.batch_alter_table("payout_lines") as batch:
        batch.add_column(sa.Column("programme", sa.String(length=20), server_default=SOCIAL, nullable=False))
        batch.add_column(sa.Column("basis", sa.String(length=200), nullable=True))
        batch.drop_constraint("uq_payout_lines_beneficiary_code_month_entitlement", type_="unique")
        batch.create_unique_constraint(
            "uq_payout_lines_cycle_key",
            ["cycle_id", "beneficiary_code", "programme", "month", "entitlement"],
        )
    op.create_index(
        "ux_payout_lines_monthly",
        "payout_lines",
        ["beneficiary_code", "programme", "month"],
        unique=True,
        sqlite_where=sa.text("entitlement = 'monthly'"),
        postgresql_where=sa.text("entitlement = 'monthly'"),
    )


def downgrade() -> None:
    op.drop_index("ux_payout_lines_monthly", table_name="payout_lines")
    with op.batch_alter_table("payout_lines") as batch:
        batch.drop_constraint("uq_payout_lines_cycle_key", type_="unique")
        batch.create_unique_constraint(
            "uq_payout_lines_beneficiary_code_month_entitlement", ["beneficiary_code", "month", "entitlement"]
        )
        batch.drop_column("basis")
        batch.drop_column("programme")
    with op.batch_alter_table("payout_cycles") as batch:
        batch.drop_constraint("uq_payout_cycles_area_code_month_programme", type_="unique")
        batch.create_unique_constraint("uq_payout_cycles_area_code_month", ["area_code", "month"])
        batch.drop_column("programme")
