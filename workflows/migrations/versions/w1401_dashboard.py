"""dashboard: coverage targets (append-only), closed cycles' totals, the yearly review's documents

Revision ID: w1401
Revises: w0008, w0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w1401"
down_revision = ("w0008", "w0005")  # also a merge of the payout branch: its tables are referenced
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "coverage_targets",
        sa.Column("id", BigId, nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("share_pct", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", engine.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("share_pct >= 0 AND share_pct <= 100", name=op.f("ck_coverage_targets_share_pct")),
        sa.ForeignKeyConstraint(
            ["area_code"], ["areas.code"], name=op.f("fk_coverage_targets_area_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_targets")),
    )
    op.create_index("ix_coverage_targets_area_due", "coverage_targets", ["area_code", "due_on", "id"])
    op.create_table(
        "dashboard_payout_totals",
        sa.Column("cycle_id", BigId, nullable=False),
        sa.Column("commune_code", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.String(length=20), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("amount", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["payout_cycles.id"], name=op.f("fk_dashboard_payout_totals_cycle_id_payout_cycles")
        ),
        sa.PrimaryKeyConstraint(
            "cycle_id",
            "commune_code",
            "method",
            "status",
            "fallback",
            "return_reason",
            name=op.f("pk_dashboard_payout_totals"),
        ),  # fmt: skip
    )
    op.create_index("ix_dashboard_payout_totals_month", "dashboard_payout_totals", ["month", "commune_code"])
    op.create_table(
        "review_documents",
        sa.Column("id", BigId, nullable=False),
        sa.Column("business_key", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_documents")),
    )
    op.create_index(op.f("ix_review_documents_business_key"), "review_documents", ["business_key"])
    op.create_index(
        "ix_payout_lines_dashboard", "payout_lines",
        ["cycle_id", "commune_code", "method", "status", "fallback_method", "return_reason", "amount"],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_payout_lines_dashboard", table_name="payout_lines")
    op.drop_index(op.f("ix_review_documents_business_key"), table_name="review_documents")
    op.drop_table("review_documents")
    op.drop_index("ix_dashboard_payout_totals_month", table_name="dashboard_payout_totals")
    op.drop_table("dashboard_payout_totals")
    op.drop_index("ix_coverage_targets_area_due", table_name="coverage_targets")
    op.drop_table("coverage_targets")
