"""monthly payout: cycles, rates, lines, result imports and the payout_failed outbox

Revision ID: w0005
Revises: w0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0005"
down_revision = "w0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Money = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, engine.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "payout_cycles",
        sa.Column("id", BigId, nullable=False),
        sa.Column("business_key", sa.String(length=60), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("instance_id", BigId, nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_amount", Money, nullable=False),
        sa.Column("generation", sa.JSON(), nullable=True),
        sa.Column("list_hash", sa.String(length=64), nullable=True),
        _at("frozen_at"),
        sa.Column("transfer_reference", sa.String(length=60), nullable=True),
        sa.Column("transfer_date", sa.Date(), nullable=True),
        sa.Column("transfer_amount", Money, nullable=True),
        _at("funds_received_at"),
        sa.Column("paid_amount", Money, nullable=True),
        sa.Column("returned_amount", Money, nullable=True),
        sa.Column("return_reference", sa.String(length=60), nullable=True),
        sa.Column("return_date", sa.Date(), nullable=True),
        _at("reconciled_at"),
        _at("provider_reported_at"),
        _at("district_reported_at"),
        _at("closed_at"),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name=op.f("fk_payout_cycles_area_code_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_cycles")),
        sa.UniqueConstraint("area_code", "month", name=op.f("uq_payout_cycles_area_code_month")),
        sa.UniqueConstraint("business_key", name=op.f("uq_payout_cycles_business_key")),
    )
    op.create_table(
        "payout_rates",
        sa.Column("cycle_id", BigId, nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("base_level", Money, nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["payout_cycles.id"],
            name=op.f("fk_payout_rates_cycle_id_payout_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", "category_code", "month", name=op.f("pk_payout_rates")),
    )
    op.create_table(
        "payout_lines",
        sa.Column("id", BigId, nullable=False),
        sa.Column("cycle_id", BigId, nullable=False),
        sa.Column("beneficiary_code", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("entitlement", sa.String(length=20), nullable=False),
        sa.Column("commune_code", sa.String(length=20), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("beneficiary_cccd", sa.String(length=12), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("recipient_kind", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.String(length=100), nullable=False),
        sa.Column("recipient_cccd", sa.String(length=12), nullable=True),
        sa.Column("bank_code", sa.String(length=20), nullable=True),
        sa.Column("account_number", sa.String(length=19), nullable=True),
        sa.Column("amount", Money, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fallback_method", sa.String(length=20), nullable=True),
        sa.Column("transaction_ref", sa.String(length=60), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("return_reason", sa.String(length=20), nullable=True),
        sa.Column("import_id", BigId, nullable=True),
        _at("result_at"),
        sa.ForeignKeyConstraint(
            ["beneficiary_code"],
            ["beneficiaries.code"],
            name=op.f("fk_payout_lines_beneficiary_code_beneficiaries"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["payout_cycles.id"], name=op.f("fk_payout_lines_cycle_id_payout_cycles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_lines")),
        sa.UniqueConstraint(
            "beneficiary_code",
            "month",
            "entitlement",
            name=op.f("uq_payout_lines_beneficiary_code_month_entitlement"),
        ),
        sa.CheckConstraint(
            "status <> 'paid' OR (method = 'account' AND fallback_method IS NULL)",
            name=op.f("ck_payout_lines_paid_by_account"),
        ),
        sa.CheckConstraint(
            "status <> 'cash_paid' OR method <> 'account' OR fallback_method IS NOT NULL",
            name=op.f("ck_payout_lines_paid_in_cash"),
        ),
    )
    with op.batch_alter_table("payout_lines") as batch:
        batch.create_index("ix_payout_lines_cycle_status", ["cycle_id", "status"])
        batch.create_index("ix_payout_lines_cycle_cccd", ["cycle_id", "beneficiary_cccd"])
    op.create_table(
        "payout_imports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("cycle_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        _at("started_at", nullable=False),
        _at("finished_at"),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["payout_cycles.id"], name=op.f("fk_payout_imports_cycle_id_payout_cycles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_imports")),
        sa.UniqueConstraint(
            "cycle_id", "kind", "content_hash", name=op.f("uq_payout_imports_cycle_id_kind_content_hash")
        ),
    )
    with op.batch_alter_table("payout_imports") as batch:
        batch.create_index("ix_payout_imports_cycle_id", ["cycle_id"])
    op.create_table(
        "payout_import_rows",
        sa.Column("id", BigId, nullable=False),
        sa.Column("import_id", BigId, nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("line_ids", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["payout_imports.id"],
            name=op.f("fk_payout_import_rows_import_id_payout_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_import_rows")),
        sa.UniqueConstraint("import_id", "row_no", name=op.f("uq_payout_import_rows_import_id_row_no")),
    )
    op.create_table(
        "payout_notices",
        sa.Column("id", BigId, nullable=False),
        sa.Column("cycle_id", BigId, nullable=False),
        sa.Column("beneficiary_code", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=120), nullable=False),
        _at("created_at", nullable=False),
        _at("delivered_at"),
        sa.Column("delivered_to", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["payout_cycles.id"], name=op.f("fk_payout_notices_cycle_id_payout_cycles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_notices")),
        sa.UniqueConstraint(
            "cycle_id", "beneficiary_code", name=op.f("uq_payout_notices_cycle_id_beneficiary_code")
        ),
        sa.UniqueConstraint("message_id", name=op.f("uq_payout_notices_message_id")),
    )
    with op.batch_alter_table("payout_notices") as batch:
        batch.create_index("ix_payout_notices_delivered_at", ["delivered_at"])


def downgrade() -> None:
    op.drop_table("payout_notices")
    op.drop_table("payout_import_rows")
    op.drop_table("payout_imports")
    op.drop_table("payout_lines")
    op.drop_table("payout_rates")
    op.drop_table("payout_cycles")
