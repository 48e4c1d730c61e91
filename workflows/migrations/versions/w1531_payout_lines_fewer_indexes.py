"""payout lines keep the indexes a query uses: every line written pays for each one

The (cycle, status) and (cycle, CCCD) indexes go: a cycle's lines are found by the cycle's own key
(``uq_payout_lines_cycle_key``, cycle first) or the dashboard's index, and no query looks a CCCD up
alone (a results file's CCCDs are matched against the beneficiary's or the recipient's, within the
cycle). A national month writes a million lines; two fewer indexes is two million fewer index entries
written, and a line's status change (every line, every month) no longer rewrites them either.

Revision ID: w1531
Revises: w0005
"""

from __future__ import annotations

from alembic import op

revision = "w1531"
down_revision = "w0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_payout_lines_cycle_status", table_name="payout_lines")
    op.drop_index("ix_payout_lines_cycle_cccd", table_name="payout_lines")


def downgrade() -> None:
    op.create_index("ix_payout_lines_cycle_status", "payout_lines", ["cycle_id", "status"])
    op.create_index("ix_payout_lines_cycle_cccd", "payout_lines", ["cycle_id", "beneficiary_cccd"])
