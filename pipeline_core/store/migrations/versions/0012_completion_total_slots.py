"""Stage completion totals in slots: concurrent completions of one stage no longer queue (issue 21).

Every completion adds itself to its stage's row of `stage_completion_totals`, and that row stays
locked until the transaction commits: with ten writers, completions of the same stage waited on
each other (`Lock:transactionid` in `pg_stat_activity`). Each stage now has up to 16 rows, one per
`slot`; a completion adds to the slot of its database connection (`pg_backend_pid() % 16`), so two
transactions running at once rarely touch the same row. Readers sum the slots (they already
summed per stage code). The dataset loader writes slot 0.

Downgrade: the slots of each stage are summed into slot 0, the others deleted, and the column
dropped.

Revision ID: 0012_completion_total_slots
Revises: 0011_document_scans
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_completion_total_slots"
down_revision: str | None = "0011_document_scans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "stage_completion_totals"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("slot", sa.SmallInteger(), server_default="0", nullable=False))
    op.drop_constraint("pk_stage_completion_totals", TABLE, type_="primary")
    op.create_primary_key("pk_stage_completion_totals", TABLE, ["stage_id", "slot"])
    op.create_check_constraint(op.f("ck_stage_completion_totals_slot_range"), TABLE, "slot >= 0 AND slot < 16")


def downgrade() -> None:
    op.execute(
        f"""
        INSERT INTO {TABLE} (stage_id, slot, workspace_id, completed_count, total_seconds)
        SELECT stage_id, 0, min(workspace_id), sum(completed_count), sum(total_seconds)
        FROM {TABLE} GROUP BY stage_id
        ON CONFLICT (stage_id, slot) DO UPDATE SET
            completed_count = EXCLUDED.completed_count, total_seconds = EXCLUDED.total_seconds
        """
    )
    op.execute(f"DELETE FROM {TABLE} WHERE slot <> 0")
    op.drop_constraint(op.f("ck_stage_completion_totals_slot_range"), TABLE, type_="check")
    op.drop_constraint("pk_stage_completion_totals", TABLE, type_="primary")
    op.create_primary_key("pk_stage_completion_totals", TABLE, ["stage_id"])
    op.drop_column(TABLE, "slot")
