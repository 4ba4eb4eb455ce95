"""Fewer indexes on the tables every task completion writes (issue 21, "faster writes").

A completion updates a `pipeline_tasks` and a `stage_instances` row (neither update is HOT: their
status is in an index), inserts the next task and instance and updates the jamaah's
`jamaah_pipeline_status` row: each index of those tables is one more entry written per row.
`benchmarks/index_usage.py` called every read of the pages and the API and one round of the writes
at scale-100k; these seven indexes were never scanned, and none is the one a query needs
(docs/benchmarks.md, "Fewer indexes on the tables a completion writes"):

- `ix_tasks_priority_status`, `ix_status_stage_status`: the counts they were made for read the
  queue indexes (status and priority included) and one pass over the snapshot.
- `uq_pipeline_tasks_workspace_id_id`: no foreign key points at it (unlike the other tables'
  `(workspace_id, id)`); a task by id is found by the primary key.
- `ix_tasks_stage`, `ix_stage_instances_stage`, `ix_tasks_assignee`, `ix_stage_instances_assigned`:
  behind the foreign keys to `pipeline_stages` and `users` (revision 0003). Stages and users are
  deleted only with their workspace, after its tasks and instances: the cascades then find no row
  either way. Measured, a non-superuser reset of scale-100k: deleting its 10 stages 1.7 s with the
  indexes, 1.0 s without; its 62 users 2.9 s → 7.2 s (a superuser's reset skips these triggers).

Downgrade: the seven are created again as they were.

Revision ID: 0014_fewer_queue_indexes
Revises: 0013_autovacuum_queue_tables
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_fewer_queue_indexes"
down_revision: str | None = "0013_autovacuum_queue_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: name -> (table, columns, partial-index predicate)
INDEXES: dict[str, tuple[str, list[str], str | None]] = {
    "ix_tasks_priority_status": ("pipeline_tasks", ["workspace_id", "priority", "status"], None),
    "ix_tasks_stage": ("pipeline_tasks", ["workspace_id", "stage_id"], None),
    "ix_tasks_assignee": ("pipeline_tasks", ["workspace_id", "assignee_id"], "assignee_id IS NOT NULL"),
    "ix_stage_instances_stage": ("stage_instances", ["workspace_id", "stage_id", "completed_at"], None),
    "ix_stage_instances_assigned": (
        "stage_instances",
        ["workspace_id", "assigned_to"],
        "assigned_to IS NOT NULL",
    ),
    "ix_status_stage_status": ("jamaah_pipeline_status", ["workspace_id", "current_stage_status"], None),
}
TASK_KEY = "uq_pipeline_tasks_workspace_id_id"


def upgrade() -> None:
    for name, (table, _columns, _where) in INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_constraint(TASK_KEY, "pipeline_tasks", type_="unique")


def downgrade() -> None:
    op.create_unique_constraint(TASK_KEY, "pipeline_tasks", ["workspace_id", "id"])
    for name, (table, columns, where) in reversed(INDEXES.items()):
        op.create_index(name, table, columns, postgresql_where=sa.text(where) if where else None)
