"""The pipeline editor (issue 17): drafts, migrations of jamaah between versions, and where a
version came from.

- `pipeline_drafts`: an edit in progress (stage rows as JSON, author, the version it began from).
- `pipeline_migrations`: jamaah moved from one version to another, with the stage mapping and
  progress, so an interrupted migration can be retried.
- `pipeline_versions.source` / `based_on_no`: template, draft, rollback or import, and the head it
  was edited from. The existing rows came from templates: `source` is filled from `template_code`.
- `stage_instances.closed_by_migration_id`: an instance closed because its jamaah changed version
  (the history is kept: the instance is closed, never rewritten).

Revision ID: 0006_pipeline_editor
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_pipeline_editor"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ws_fk(table: str, columns: list[str], parent: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    name = "_".join([f"fk_{table}_workspace_id", *columns, parent])
    return sa.ForeignKeyConstraint(
        ["workspace_id", *columns], [f"{parent}.workspace_id", f"{parent}.id"], ondelete=ondelete, name=op.f(name)
    )


def upgrade() -> None:
    op.add_column("pipeline_versions", sa.Column("source", sa.Text(), nullable=True))
    op.add_column("pipeline_versions", sa.Column("based_on_no", sa.Integer(), nullable=True))
    op.execute("UPDATE pipeline_versions SET source = 'template:' || template_code")
    op.add_column("stage_instances", sa.Column("closed_by_migration_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "pipeline_drafts",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("base_version_no", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("stages", postgresql.JSONB(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("published_no", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_pipeline_drafts_revision")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], ondelete="CASCADE", name=op.f("fk_pipeline_drafts_workspace_id_workspaces")
        ),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_pipeline_drafts_workspace_id_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_drafts")),
    )
    op.create_index(
        "ix_pipeline_drafts_open",
        "pipeline_drafts",
        ["workspace_id", "updated_at"],
        postgresql_where=sa.text("published_no IS NULL"),
    )
    op.create_table(
        "pipeline_migrations",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("mapping", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("moved", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('running', 'completed')", name=op.f("ck_pipeline_migrations_status")),
        sa.CheckConstraint("moved >= 0", name=op.f("ck_pipeline_migrations_moved")),
        _ws_fk("pipeline_migrations", ["from_version_id"], "pipeline_versions"),
        _ws_fk("pipeline_migrations", ["to_version_id"], "pipeline_versions"),
        _ws_fk("pipeline_migrations", ["package_id"], "packages", ondelete="SET NULL (package_id)"),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_pipeline_migrations_workspace_id_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_migrations")),
    )
    op.create_index("ix_pipeline_migrations_started", "pipeline_migrations", ["workspace_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_pipeline_migrations_started", table_name="pipeline_migrations")
    op.drop_table("pipeline_migrations")
    op.drop_index("ix_pipeline_drafts_open", table_name="pipeline_drafts")
    op.drop_table("pipeline_drafts")
    op.drop_column("stage_instances", "closed_by_migration_id")
    op.drop_column("pipeline_versions", "based_on_no")
    op.drop_column("pipeline_versions", "source")
