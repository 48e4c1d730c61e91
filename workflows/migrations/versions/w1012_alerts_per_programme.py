"""deadline alerts per programme's chain: a person in both programmes escalates along both

Revision ID: w1012
Revises: w0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w1012"
down_revision = "w0004"
branch_labels = None
depends_on = ("w1001",)  # payout_cycles and enrolments: the merit alerts are found through them

_OPEN = sa.text("closed_at IS NULL")
# Alerts raised before this revision climbed the routing programme's chain: merit for a merit cycle or
# a person enrolled in merit only, social assistance otherwise (workflows.programme_work.programmes_of).
_MERIT_ALERTS = """
UPDATE deadline_alerts SET programme = 'merit'
WHERE instance_id IN (SELECT instance_id FROM payout_cycles WHERE programme = 'merit')
   OR instance_id IN (
       SELECT id FROM instances
       WHERE business_key IN (SELECT beneficiary_code FROM enrolments WHERE programme = 'merit')
         AND business_key NOT IN (
             SELECT beneficiary_code FROM enrolments WHERE programme = 'social_assistance'
         )
         AND id NOT IN (SELECT instance_id FROM payout_cycles WHERE instance_id IS NOT NULL)
   )
"""


def _agency_index(create: bool) -> None:
    if create:
        op.create_index(
            "ix_deadline_alerts_agency_open", "deadline_alerts", ["agency_code", "kind", "raised_at"],
            unique=False, sqlite_where=_OPEN, postgresql_where=_OPEN,
        )  # fmt: skip
    else:
        op.drop_index("ix_deadline_alerts_agency_open", table_name="deadline_alerts")


def upgrade() -> None:
    _agency_index(False)  # a partial index: dropped and made again around SQLite's table rebuild
    with op.batch_alter_table("deadline_alerts") as batch:
        batch.add_column(
            sa.Column("programme", sa.String(length=20), server_default="social_assistance", nullable=False)
        )
        batch.drop_constraint("uq_deadline_alerts_task_id_due_at_kind_step", type_="unique")
        batch.create_unique_constraint(
            "uq_deadline_alerts_key", ["task_id", "due_at", "kind", "step", "programme"]
        )
    _agency_index(True)
    op.execute(_MERIT_ALERTS)


def downgrade() -> None:
    op.execute(  # the second chain's escalations, which the old key cannot hold
        "DELETE FROM deadline_alerts WHERE id IN (SELECT a.id FROM deadline_alerts a JOIN deadline_alerts b"
        " ON a.task_id = b.task_id AND a.due_at = b.due_at AND a.kind = b.kind AND a.step = b.step"
        " AND b.id < a.id)"
    )
    _agency_index(False)
    with op.batch_alter_table("deadline_alerts") as batch:
        batch.drop_constraint("uq_deadline_alerts_key", type_="unique")
        batch.create_unique_constraint(
            "uq_deadline_alerts_task_id_due_at_kind_step", ["task_id", "due_at", "kind", "step"]
        )
        batch.drop_column("programme")
    _agency_index(True)
