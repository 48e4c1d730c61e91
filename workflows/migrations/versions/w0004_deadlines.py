"""deadlines: calendar days, configuration revisions, deadline alerts

Revision ID: w0004
Revises: w0003
Depends on: 0002 (open_tasks.next_alert_at, scheduler leases)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0004"
down_revision = "w0003"
branch_labels = None
depends_on = "0002"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('day_off', 'working_day')", name=op.f("ck_calendar_days_kind")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    revisions = op.create_table(
        "config_revisions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("changed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_config_revisions")),
    )
    op.bulk_insert(revisions, [{"name": "calendar", "number": 0, "changed_at": None}])
    op.create_table(
        "deadline_alerts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", BigId, nullable=False),
        sa.Column("bpmn_id", sa.String(length=200), nullable=False),
        sa.Column("task_name", sa.String(length=500), nullable=True),
        sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=60), nullable=True),
        sa.Column("assigned_agency_code", sa.String(length=60), nullable=True),
        sa.Column("scheduled_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raised_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("closed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "kind IN ('reminder', 'overdue', 'escalation')", name=op.f("ck_deadline_alerts_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_alerts")),
        sa.UniqueConstraint(
            "task_id", "due_at", "kind", "step", name=op.f("uq_deadline_alerts_task_id_due_at_kind_step")
        ),
    )
    with op.batch_alter_table("deadline_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_alerts_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(
            "ix_deadline_alerts_agency_open",
            ["agency_code", "kind", "raised_at"],
            unique=False,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )


def downgrade() -> None:
    op.drop_table("deadline_alerts")
    op.drop_table("config_revisions")
    op.drop_table("calendar_days")
