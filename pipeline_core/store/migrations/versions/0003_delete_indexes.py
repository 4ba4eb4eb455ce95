"""Indexes behind foreign keys that deletes follow: resetting or deleting a workspace of 100,000
jamaah must not scan a table once per deleted row (companion_id, assignees, stage, package).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_jamaah_companion",
        "jamaah",
        ["workspace_id", "companion_id"],
        postgresql_where=sa.text("companion_id IS NOT NULL"),
    )
    op.create_index("ix_status_package", "jamaah_pipeline_status", ["workspace_id", "package_id"])
    op.create_index("ix_tasks_stage", "pipeline_tasks", ["workspace_id", "stage_id"])
    op.create_index(
        "ix_tasks_assignee",
        "pipeline_tasks",
        ["workspace_id", "assignee_id"],
        postgresql_where=sa.text("assignee_id IS NOT NULL"),
    )
    op.create_index(
        "ix_stage_instances_assigned",
        "stage_instances",
        ["workspace_id", "assigned_to"],
        postgresql_where=sa.text("assigned_to IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_stage_instances_assigned", table_name="stage_instances")
    op.drop_index("ix_tasks_assignee", table_name="pipeline_tasks")
    op.drop_index("ix_tasks_stage", table_name="pipeline_tasks")
    op.drop_index("ix_status_package", table_name="jamaah_pipeline_status")
    op.drop_index("ix_jamaah_companion", table_name="jamaah")
