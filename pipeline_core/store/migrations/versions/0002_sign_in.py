"""Sign-in: password hash, failed attempts, lock and last sign-in on users; server-side sessions.

A user without `password_hash` cannot sign in (dataset staff, imported people). Sign-in names are
unique across workspaces, case-insensitively, among users who can sign in
(`uq_users_sign_in_name`); users who cannot sign in keep the per-workspace uniqueness of 0001.
`user_sessions` stores only the SHA-256 of each session token.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("password_hash", sa.Text(), nullable=True))
    op.add_column(
        "users", sa.Column("failed_attempts", sa.SmallInteger(), server_default="0", nullable=False)
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(op.f("ck_users_failed_attempts"), "users", "failed_attempts >= 0")
    op.create_index(
        "uq_users_sign_in_name",
        "users",
        [sa.text("lower(username)")],
        unique=True,
        postgresql_where=sa.text("password_hash IS NOT NULL"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name=op.f("ck_user_sessions_token_hash")),
        sa.ForeignKeyConstraint(
            ["workspace_id", "user_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_user_sessions_workspace_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index("ix_user_sessions_user", "user_sessions", ["workspace_id", "user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_user_sessions_user", table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_index(
        "uq_users_sign_in_name", table_name="users", postgresql_where=sa.text("password_hash IS NOT NULL")
    )
    op.drop_constraint(op.f("ck_users_failed_attempts"), "users", type_="check")
    op.drop_column("users", "last_sign_in_at")
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_attempts")
    op.drop_column("users", "password_hash")
