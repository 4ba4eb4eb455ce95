"""The manager's activity log filters by person and by action: an index for each, in time order,
so a rare name's page and count read only that name's entries, and the filter lists are a skip
scan (one probe per distinct value) rather than a pass over the whole log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_activity_actor", "activity_log", ["workspace_id", "actor", "occurred_at"])
    op.create_index("ix_activity_action", "activity_log", ["workspace_id", "action", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_activity_action", table_name="activity_log")
    op.drop_index("ix_activity_actor", table_name="activity_log")
