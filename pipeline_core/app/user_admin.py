"""What the user-management page does: each action of a super-admin in one transaction of its own.

The rules live in `accounts` (who may manage users, the password policy, the last super-admin,
sessions that end). This module only binds them to the signed-in viewer: the actor is the viewer's
user and the workspace is the viewer's own, so no page parameter can reach another workspace's
staff. A refusal for lack of permission is recorded in the activity log (`permission.denied`),
like every other command's (`services.one_transaction`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import accounts
from pipeline_core.commands import tasks as services
from pipeline_core.commands.accounts import UserAccount
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import Role
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import activity_log
from pipeline_core.reads.activity_log import SignInAttempt
from pipeline_core.store import db

__all__ = [
    "SignInAttempt",
    "change_role",
    "create_user",
    "deactivate_user",
    "reset_password",
    "sign_in_attempts",
    "users",
]

#: How far back the Users page lists refused sign-ins.
ATTEMPTS_SHOWN = timedelta(days=7)


@contextmanager
def _action(viewer: Viewer, session: Session | None) -> Iterator[Session]:
    """One transaction (the caller's when given: tests), denials recorded."""
    workspace, actor = viewer.workspace, viewer.actor
    with db.transaction(session) as s, services.one_transaction(s, workspace=workspace, actor=actor):
        yield s


def users(viewer: Viewer, *, session: Session | None = None) -> list[UserAccount]:
    """The workspace's staff: active first, then by role and name."""
    with _action(viewer, session) as s:
        return accounts.list_users(s, actor=viewer.actor, workspace_id=viewer.workspace.id)


def create_user(
    viewer: Viewer,
    *,
    username: str,
    full_name: str,
    role: Role | str,
    password: str,
    email: str | None = None,
    session: Session | None = None,
    now: datetime | None = None,
) -> int:
    """A new member of staff who can sign in at once; returns the user id."""
    with _action(viewer, session) as s:
        return accounts.create_user(
            s,
            actor=viewer.actor,
            workspace_id=viewer.workspace.id,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            email=email,
            now=now,
        )


def change_role(
    viewer: Viewer,
    *,
    user_id: int,
    role: Role | str,
    session: Session | None = None,
    now: datetime | None = None,
) -> None:
    """Takes effect on the user's next page run."""
    with _action(viewer, session) as s:
        accounts.change_role(
            s, actor=viewer.actor, workspace_id=viewer.workspace.id, user_id=user_id, role=role, now=now
        )


def deactivate_user(
    viewer: Viewer, *, user_id: int, session: Session | None = None, now: datetime | None = None
) -> None:
    """The user can no longer sign in and their open sessions end now."""
    with _action(viewer, session) as s:
        accounts.deactivate_user(
            s, actor=viewer.actor, workspace_id=viewer.workspace.id, user_id=user_id, now=now
        )


def reset_password(
    viewer: Viewer,
    *,
    user_id: int,
    password: str,
    session: Session | None = None,
    now: datetime | None = None,
) -> None:
    """A new password chosen by the super-admin; unlocks the account and ends its sessions."""
    with _action(viewer, session) as s:
        accounts.reset_password(
            s,
            actor=viewer.actor,
            workspace_id=viewer.workspace.id,
            user_id=user_id,
            password=password,
            now=now,
        )


def sign_in_attempts(
    viewer: Viewer, *, now: datetime | None = None, session: Session | None = None
) -> list[SignInAttempt]:
    """The refused sign-ins on the workspace's accounts in the last 7 days (super-admins)."""
    since = instant(now) - ATTEMPTS_SHOWN
    return activity_log.sign_in_attempts(viewer.scope(Action.MANAGE_USERS), since=since, session=session)
