"""The sign-in session table (migration 0002), declared on the same `Base` as pipeline_core.store.schema.

A row is one signed-in browser. Only the SHA-256 of the session token is stored: a copy of the
database (a backup, a replica) holds nothing that signs anyone in. A session dies three ways, all
server-side: revoked (`revoked_at`, by sign-out, deactivation or a password reset), idle
(`expires_at`, pushed forward while the user is active), or with its user (cascade).

The sign-in columns of `users` (password_hash, failed_attempts, locked_until, last_sign_in_at)
live on `tables.User` itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKeyConstraint, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pipeline_core.store.schema import Base


class UserSession(Base):
    __tablename__ = "user_sessions"
    __table_args__ = (
        CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash"),
        # scoped like every child table: the session's workspace is its user's workspace.
        ForeignKeyConstraint(
            ["workspace_id", "user_id"], ["users.workspace_id", "users.id"], ondelete="CASCADE"
        ),
        # revoke every session of a user (deactivation, password reset); the FK's cascade.
        Index("ix_user_sessions_user", "workspace_id", "user_id"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    workspace_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
