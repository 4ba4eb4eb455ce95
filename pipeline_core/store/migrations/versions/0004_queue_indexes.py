"""The task queue reads pages and counts from its indexes alone: the role index carries status and
priority, and a new all-roles index in queue order replaces the plain open-tasks-by-due index
(the manager's queue sorted 75,000 rows per page at 100,000 jamaah).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status <> 'completed'")


def upgrade() -> None:
    op.drop_index("ix_tasks_queue", table_name="pipeline_tasks", postgresql_where=OPEN)
    op.create_index(
        "ix_tasks_queue",
        "pipeline_tasks",
        ["workspace_id", "assigned_role", "priority_rank", "due_at", "id"],
        postgresql_where=OPEN,
        postgresql_include=["status", "priority"],
    )
    op.create_index(
        "ix_tasks_queue_all",
        "pipeline_tasks",
        ["workspace_id", "priority_rank", "due_at", "id"],
        postgresql_where=OPEN,
        postgresql_include=["status", "priority"],
    )
    op.drop_index("ix_tasks_open_due", table_name="pipeline_tasks", postgresql_where=OPEN)


def downgrade() -> None:
    op.create_index("ix_tasks_open_due", "pipeline_tasks", ["workspace_id", "due_at"], postgresql_where=OPEN)
    op.drop_index("ix_tasks_queue_all", table_name="pipeline_tasks", postgresql_where=OPEN)
    op.drop_index("ix_tasks_queue", table_name="pipeline_tasks", postgresql_where=OPEN)
    op.create_index(
        "ix_tasks_queue",
        "pipeline_tasks",
        ["workspace_id", "assigned_role", "priority_rank", "due_at", "id"],
        postgresql_where=OPEN,
    )
