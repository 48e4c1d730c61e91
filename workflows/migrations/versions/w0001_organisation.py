"""organisation: areas, agencies, role assignments

Revision ID: w0001
Revises:
Depends on: 0001 (the engine's tables)
Create Date: 2026-11-27 12:57:43.409487
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0001"
down_revision = None
branch_labels = ("workflows",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("structure", sa.String(length=10), nullable=False),
        sa.Column("official_code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["parent_code"], ["areas.code"], name=op.f("fk_areas_parent_code_areas")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_areas")),
        sa.UniqueConstraint("structure", "official_code", name=op.f("uq_areas_structure_official_code")),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("supervisor_code", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name=op.f("fk_agencies_area_code_areas")),
        sa.ForeignKeyConstraint(
            ["supervisor_code"], ["agencies.code"], name=op.f("fk_agencies_supervisor_code_agencies")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_agencies")),
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agencies_area_code"), ["area_code"], unique=False)

    op.create_table(
        "role_assignments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("agency_code", sa.String(length=60), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from",
            name=op.f("ck_role_assignments_effective_range"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_code"], ["agencies.code"], name=op.f("fk_role_assignments_agency_code_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["area_code"], ["areas.code"], name=op.f("fk_role_assignments_area_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignments")),
        sa.UniqueConstraint(
            "role",
            "area_code",
            "effective_from",
            name=op.f("uq_role_assignments_role_area_code_effective_from"),
        ),
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_assignments_agency_code"), ["agency_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignments_agency_code"))

    op.drop_table("role_assignments")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agencies_area_code"))

    op.drop_table("agencies")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_parent_code"))

    op.drop_table("areas")
