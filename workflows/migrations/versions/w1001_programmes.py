"""payouts per programme: a cycle per area, month and programme; lines carry their programme and basis

Revision ID: w1001
Revises: w0008, w0005 (it alters the payout tables: a merge point of the two branches)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w1001"
down_revision = ("w0008", "w0005")
branch_labels = None
depends_on = None

SOCIAL = sa.text("'social_assistance'")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_cycles_on_sqlite()
    else:
        with op.batch_alter_table("payout_cycles") as batch:
            batch.add_column(
                sa.Column("programme", sa.String(length=20), server_default=SOCIAL, nullable=False)
            )
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


def _rebuild_cycles_on_sqlite() -> None:
    """SQLite changes a unique key by rebuilding the table. Dropping payout_cycles deletes its rows
    first, which cascades to the rates and leaves the lines, imports and notices pointing nowhere; with
    foreign keys checked at commit, the rows are put back into the new table before it commits (each
    insert of a parent row settles its children) and the rates are restored from a copy."""
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("CREATE TEMPORARY TABLE w1001_rates AS SELECT * FROM payout_rates")
    op.execute("CREATE TEMPORARY TABLE w1001_cycles AS SELECT * FROM payout_cycles")
    op.drop_table("payout_cycles")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    at = engine.db.UTCDateTime(timezone=True)
    columns = [
        ("id", big_id, False), ("business_key", sa.String(60), False), ("area_code", sa.String(20), False),
        ("month", sa.Date(), False), ("status", sa.String(20), False), ("instance_id", big_id, True),
        ("line_count", sa.Integer(), False), ("total_amount", big_id, False),
        ("generation", sa.JSON(), True), ("list_hash", sa.String(64), True), ("frozen_at", at, True),
        ("transfer_reference", sa.String(60), True), ("transfer_date", sa.Date(), True),
        ("transfer_amount", big_id, True), ("funds_received_at", at, True), ("paid_amount", big_id, True),
        ("returned_amount", big_id, True), ("return_reference", sa.String(60), True),
        ("return_date", sa.Date(), True), ("reconciled_at", at, True), ("provider_reported_at", at, True),
        ("district_reported_at", at, True), ("closed_at", at, True), ("created_at", at, False),
        ("updated_at", at, False),
    ]  # fmt: skip
    op.create_table(
        "payout_cycles",
        *[sa.Column(name, kind, nullable=nullable) for name, kind, nullable in columns],
        sa.Column("programme", sa.String(length=20), server_default=SOCIAL, nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name="fk_payout_cycles_area_code_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_payout_cycles"),
        sa.UniqueConstraint(
            "area_code", "month", "programme", name="uq_payout_cycles_area_code_month_programme"
        ),
        sa.UniqueConstraint("business_key", name="uq_payout_cycles_business_key"),
    )
    names = ", ".join(name for name, _, _ in columns)
    op.execute(f"INSERT INTO payout_cycles ({names}) SELECT {names} FROM w1001_cycles")
    op.execute("DELETE FROM payout_rates")
    op.execute("INSERT INTO payout_rates SELECT * FROM w1001_rates")
    op.execute("DROP TABLE w1001_rates")
    op.execute("DROP TABLE w1001_cycles")


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
