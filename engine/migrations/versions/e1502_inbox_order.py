"""inbox order in the index: (role, [area,] due, created, id), so a page is read in order and stops at 26 rows

Revision ID: e1502
Revises: e1501
"""

from __future__ import annotations

from alembic import op

revision = "e1502"
down_revision = "e1501"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("open_tasks") as batch_op:
        batch_op.drop_index("ix_open_tasks_role_area")
        batch_op.drop_index("ix_open_tasks_role_due")
        order = ["due_at", "created_at", "id"]
        batch_op.create_index("ix_open_tasks_role_area_order", ["role", "area_code", *order])
        batch_op.create_index("ix_open_tasks_role_order", ["role", *order])


def downgrade() -> None:
    with op.batch_alter_table("open_tasks") as batch_op:
        batch_op.drop_index("ix_open_tasks_role_order")
        batch_op.drop_index("ix_open_tasks_role_area_order")
        batch_op.create_index("ix_open_tasks_role_due", ["role", "due_at"])
        batch_op.create_index("ix_open_tasks_role_area", ["role", "area_code", "due_at"])
