"""the 2025 reorganisation as data: role assignments per programme, successions of areas

Revision ID: w1002
Revises: w1001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w1002"
down_revision = "w1001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_assignments") as batch:
        batch.add_column(sa.Column("programme", sa.String(length=20), nullable=True))
        batch.drop_constraint("uq_role_assignments_role_area_code_effective_from", type_="unique")
        batch.create_unique_constraint(
            "uq_role_assignments_key", ["role", "area_code", "programme", "effective_from"]
        )
    op.create_table(
        "area_successions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("old_code", sa.String(length=20), nullable=False),
        sa.Column("new_code", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("applied_at", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["old_code"], ["areas.code"], name="fk_area_successions_old_code_areas"),
        sa.ForeignKeyConstraint(["new_code"], ["areas.code"], name="fk_area_successions_new_code_areas"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_successions")),
        sa.UniqueConstraint(
            "old_code", "effective_from", name=op.f("uq_area_successions_old_code_effective_from")
        ),
    )
    op.create_index(op.f("ix_area_successions_new_code"), "area_successions", ["new_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_area_successions_new_code"), table_name="area_successions")
    op.drop_table("area_successions")
    with op.batch_alter_table("role_assignments") as batch:
        batch.drop_constraint("uq_role_assignments_key", type_="unique")
        batch.create_unique_constraint(
            "uq_role_assignments_role_area_code_effective_from", ["role", "area_code", "effective_from"]
        )
        batch.drop_column("programme")
