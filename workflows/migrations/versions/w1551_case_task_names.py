"""open case tasks beside their person's folded name, kept by triggers: a province-wide name search walks
a role's tasks in due order reading names from one index (workflows/inbox_names.py)

Revision ID: w1551
Revises: w1521
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db
from workflows.inbox_names import FILL, create_triggers, drop_triggers

revision = "w1551"
down_revision = "w1521"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_task_names",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name_folded", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_case_task_names")),
    )
    op.execute(FILL)
    order = ["role", "due_at", "created_at", "task_id", "area_code", "name_folded"]
    op.create_index("ix_case_task_names_order", "case_task_names", order)
    create_triggers(op.get_bind())


def downgrade() -> None:
    drop_triggers(op.get_bind())
    op.drop_table("case_task_names")
