"""Personal API tokens: a program acting as one user, through `Authorization: Bearer <token>`.

Choices (docs/decisions.md, "HTTP API", says them to integrators):
- A token is `upt_` + 32 random bytes (URL-safe base64). It is shown once, at creation; only its
  SHA-256 is stored, as for sessions. Its first 12 characters (`prefix`) name it in lists and in
  the activity log; they are not enough to use it.
- It acts with its user's role and workspace, read live at every request: a role change applies at
  once, a deactivated user's tokens are refused (and start working again if the account is
  reactivated before they expire), a deleted user's tokens go with the row.
- It expires: 90 days by default, at most 366. A token never expires silently into a longer life.
- Anyone creates and revokes their own tokens; a super-admin (`manage_users`) also those of anyone
  in their workspace. Someone else's token is `NotFound` to everyone else, so ids cannot be probed.
- `last_used_at` is written at most once a minute (as sessions' `last_seen_at`), not per request.
- Creating and revoking go to the activity log (`api_token.created`, `api_token.revoked`, about the
  token's user) in the transaction of the change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from pipeline_core.commands.auth import CurrentUser, audit, hash_token
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import InvalidInput, NotFound
from pipeline_core.domain.model import Actor, Role
from pipeline_core.domain.permissions import Action, allowed, require
from pipeline_core.domain.validation import text_field
from pipeline_core.store import db, events
from pipeline_core.store import schema as t

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "TOKEN_PREFIX",
    "ApiTokenInfo",
    "IssuedToken",
    "TokenHolder",
    "create_token",
    "looks_like_token",
    "resolve_token",
    "revoke_token",
    "token_info",
]

TOKEN_PREFIX = "upt_"
DEFAULT_DAYS, MAX_DAYS = 90, 366
NAME_MAX = 100
TOUCH_INTERVAL = timedelta(minutes=1)
CREATED, REVOKED = "api_token.created", "api_token.revoked"


@dataclass(frozen=True, slots=True)
class ApiTokenInfo:
    """A token as lists show it: never the token itself."""

    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def active_at(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once; never stored, never logged
    info: ApiTokenInfo


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a valid token acts for, and which token it is (for the activity log)."""

    user: CurrentUser
    token_id: int
    prefix: str
    expires_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        """The user, named with the token in the activity log: "Rina Wulandari (API upt_x1Y2…)"."""
        return Actor(
            user_id=self.user.user_id, name=f"{self.user.full_name} (API {self.prefix})", role=self.user.role
        )


def looks_like_token(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= 200


def _info_query() -> Any:
    k, u = t.ApiToken, t.User
    return select(
        k.id,
        k.user_id,
        u.username,
        k.name,
        k.prefix,
        k.created_by,
        k.created_at,
        k.expires_at,
        k.last_used_at,
        k.revoked_at,
    ).join(u, (u.id == k.user_id) & (u.workspace_id == k.workspace_id))


def token_info(session: Session, workspace_id: int, user_id: int | None = None) -> list[ApiTokenInfo]:
    """The workspace's tokens (one user's when `user_id` is given), newest first."""
    query = _info_query().where(t.ApiToken.workspace_id == workspace_id)
    if user_id is not None:
        query = query.where(t.ApiToken.user_id == user_id)
    rows = session.execute(query.order_by(t.ApiToken.created_at.desc(), t.ApiToken.id.desc())).all()
    return [ApiTokenInfo(*row) for row in rows]


def _may_act_for(actor: Actor, owner_id: int) -> None:
    """One's own tokens, or anyone's with `manage_users` (a super-admin)."""
    if actor.user_id != owner_id:
        require(actor.role, Action.MANAGE_USERS)


def _days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput("days", f"A token lives 1 to {MAX_DAYS} days (got {days!r}).")
    return days


def create_token(
    *,
    actor: Actor,
    workspace_id: int,
    user_id: int,
    name: str,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
    session: Session | None = None,
) -> IssuedToken:
    """A new token for `user_id` (an active member of the workspace), valid `days` days."""
    now = instant(now)
    cleaned = text_field("name", name, NAME_MAX)
    if cleaned is None:
        raise InvalidInput("name", "Name the token after the program that uses it, e.g. 'booking site'.")
    lifetime = _days(days)
    _may_act_for(actor, user_id)
    with db.action(session) as s:
        owner = s.execute(
            select(t.User).where(t.User.workspace_id == workspace_id, t.User.id == user_id, t.User.is_active)
        ).scalar_one_or_none()
        if owner is None:
            raise NotFound("User", user_id)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = s.execute(
            insert(t.ApiToken)
            .values(
                workspace_id=workspace_id,
                user_id=user_id,
                name=cleaned,
                prefix=token[:12],
                token_hash=hash_token(token),
                created_by=actor.name,
                created_at=now,
                expires_at=now + timedelta(days=lifetime),
            )
            .returning(t.ApiToken.id)
        ).scalar_one()
        label = f"{token[:12]}… ({cleaned})"
        changes = {
            "token": {"old": None, "new": label},
            "expires_at": {"old": None, "new": (now + timedelta(days=lifetime)).isoformat()},
        }
        audit(
            s,
            workspace_id=workspace_id,
            actor=actor.name,
            action=CREATED,
            user_id=user_id,
            changes=changes,
            now=now,
        )
        info = ApiTokenInfo(*s.execute(_info_query().where(t.ApiToken.id == token_id)).one())
    return IssuedToken(token=token, info=info)


def revoke_token(
    *,
    actor: Actor,
    workspace_id: int,
    token_id: int,
    now: datetime | None = None,
    session: Session | None = None,
) -> ApiTokenInfo:
    """Revoke a token (its owner's or, for a super-admin, anyone's in the workspace). Revoking a
    revoked token changes nothing and answers it as it is."""
    now = instant(now)
    with db.action(session) as s:
        row = s.execute(
            select(t.ApiToken)
            .where(t.ApiToken.workspace_id == workspace_id, t.ApiToken.id == token_id)
            .with_for_update()
        ).scalar_one_or_none()
        visible = row is not None and (
            row.user_id == actor.user_id or allowed(actor.role, Action.MANAGE_USERS)
        )
        if row is None or not visible:
            raise NotFound("API token", token_id)
        _may_act_for(actor, row.user_id)
        if row.revoked_at is None:
            row.revoked_at = now
            changes = {"token": {"old": f"{row.prefix}… ({row.name})", "new": "revoked"}}
            audit(
                s,
                workspace_id=workspace_id,
                actor=actor.name,
                action=REVOKED,
                user_id=row.user_id,
                changes=changes,
                now=now,
            )
        s.flush()
        revoked = ApiTokenInfo(*s.execute(_info_query().where(t.ApiToken.id == token_id)).one())
        owner = row.user_id
    events.announce_access_change([owner])  # processes that remember the token look it up again
    return revoked


def resolve_token(
    token: str | None, now: datetime | None = None, *, session: Session | None = None
) -> TokenHolder | None:
    """Who a bearer token acts for, or None (unknown, revoked, expired, user deactivated)."""
    if not looks_like_token(token):
        return None
    assert token is not None
    now, digest = instant(now), hash_token(token)
    k, u = t.ApiToken, t.User
    with db.action(session) as s:
        found = s.execute(
            select(
                k.id,
                k.prefix,
                k.last_used_at,
                u.id,
                u.username,
                u.full_name,
                u.role,
                u.workspace_id,
                t.Workspace.slug,
                k.expires_at,
            )
            .join(u, (u.id == k.user_id) & (u.workspace_id == k.workspace_id))
            .join(t.Workspace, t.Workspace.id == k.workspace_id)
            .where(k.token_hash == digest, k.revoked_at.is_(None), k.expires_at > now, u.is_active)
        ).one_or_none()
        if found is None:
            return None
        token_id, prefix, last_used, user_id, username, full_name, role, workspace_id, slug, expires = found
        if last_used is None or now - last_used >= TOUCH_INTERVAL:
            s.execute(update(k).where(k.id == token_id).values(last_used_at=now))
    user = CurrentUser(user_id, username, full_name, Role(role), workspace_id, slug)
    return TokenHolder(user, token_id, prefix, expires)
