"""engine tables

Revision ID: 0001
Revises:
Create Date: 2026-11-27 12:37:39.342687
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _tables()
    _history_is_append_only()


def _tables() -> None:
    op.create_table(
        "delivered_messages",
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("message_name", sa.String(length=200), nullable=False),
        sa.Column("correlation_key", sa.String(length=200), nullable=False),
        sa.Column("instance_ids", sa.JSON(), nullable=False),
        sa.Column("delivered_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_delivered_messages")),
    )
    op.create_table(
        "deployments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("deployed_by", sa.String(length=100), nullable=True),
        sa.Column("deployed_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_deployments_content_hash")),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("bpmn_id", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_instance", ["instance_id", "id"], unique=False)
        batch_op.create_index(
            "ix_history_task_created",
            ["task_id"],
            unique=False,
            sqlite_where=sa.text("kind = 'task_created'"),
            postgresql_where=sa.text("kind = 'task_created'"),
        )

    op.create_table(
        "process_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("deployment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("deployed_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"], ["deployments.id"], name=op.f("fk_process_versions_deployment_id_deployments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_versions")),
        sa.UniqueConstraint(
            "process_key", "content_hash", name=op.f("uq_process_versions_process_key_content_hash")
        ),
        sa.UniqueConstraint("process_key", "version", name=op.f("uq_process_versions_process_key_version")),
    )
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_versions_process_key"), ["process_key"], unique=False)

    op.create_table(
        "instances",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("process_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("serializer_version", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("next_timer_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["process_version_id"],
            ["process_versions.id"],
            name=op.f("fk_instances_process_version_id_process_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instances")),
    )
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instances_area_code"), ["area_code"], unique=False)
        batch_op.create_index("ix_instances_business_key", ["process_key", "business_key"], unique=False)
        batch_op.create_index("ix_instances_next_timer_at", ["next_timer_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_instances_process_version_id"), ["process_version_id"], unique=False
        )

    op.create_table(
        "incidents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("bpmn_id", sa.String(length=200), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_incidents_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_instance_id"), ["instance_id"], unique=False)

    op.create_table(
        "message_subscriptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_name", sa.String(length=200), nullable=False),
        sa.Column("correlation_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_message_subscriptions_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_subscriptions")),
        sa.UniqueConstraint(
            "instance_id", "message_name", name=op.f("uq_message_subscriptions_instance_id_message_name")
        ),
    )
    with op.batch_alter_table("message_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_subscriptions_lookup", ["message_name", "correlation_key"], unique=False
        )

    op.create_table(
        "open_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bpmn_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_open_tasks_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_tasks")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("open_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_open_tasks_due_at", ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_open_tasks_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_open_tasks_role_area", ["role", "area_code", "due_at"], unique=False)
        batch_op.create_index("ix_open_tasks_role_due", ["role", "due_at"], unique=False)


def _history_is_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'history is append-only'; END $$;
            """
        )
        op.execute(
            "CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history "
            "FOR EACH ROW EXECUTE FUNCTION history_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER history_no_{action.lower()} BEFORE {action} ON history "
                "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS history_append_only ON history")
        op.execute("DROP FUNCTION IF EXISTS history_append_only()")
    with op.batch_alter_table("open_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_open_tasks_role_due")
        batch_op.drop_index("ix_open_tasks_role_area")
        batch_op.drop_index(batch_op.f("ix_open_tasks_instance_id"))
        batch_op.drop_index("ix_open_tasks_due_at")

    op.drop_table("open_tasks")
    with op.batch_alter_table("message_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_message_subscriptions_lookup")

    op.drop_table("message_subscriptions")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_instance_id"))

    op.drop_table("incidents")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instances_process_version_id"))
        batch_op.drop_index("ix_instances_next_timer_at")
        batch_op.drop_index("ix_instances_business_key")
        batch_op.drop_index(batch_op.f("ix_instances_area_code"))

    op.drop_table("instances")
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_versions_process_key"))

    op.drop_table("process_versions")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_task_created")
        batch_op.drop_index("ix_history_instance")

    op.drop_table("history")
    op.drop_table("deployments")
    op.drop_table("delivered_messages")
