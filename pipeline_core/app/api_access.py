"""What the HTTP API needs beyond the pages' reads and actions: who a request acts for (session
cookie or personal API token), the tokens themselves, and the Redis guards (rate limits,
idempotency keys).

A request becomes a `Viewer` exactly as a page run does (`viewer_of`): the user of the session or
token, in *their* workspace. A token's viewer carries the token's prefix in its name, so every
write made with a token says so in the activity log ("Rina Wulandari (API upt_x1Y2…)").

Tokens are remembered by each process for up to `_TOKEN_SECONDS` (looking one up in PostgreSQL
was ~1.5 ms of CPU and ~4 ms of waiting per request at load, the largest part of a cached read),
and only while the user's access stamp is unchanged: revoking a token, deactivating its user,
changing their role or password all move the stamp (`events.announce_access_change`), and every
request reads the stamp in the same Redis round trip as its rate-limit count, *before* the lookup
it may skip. So a revoked token is refused from the next request on, in every process. Without
Redis (no stamp) nothing is remembered. A remembered token is still refused once it expires.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import api_tokens as tokens
from pipeline_core.commands.api_tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    ApiTokenInfo,
    IssuedToken,
    TokenHolder,
    looks_like_token,
)
from pipeline_core.commands.auth import CurrentUser, hash_token
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.model import Actor, Workspace
from pipeline_core.domain.permissions import Action
from pipeline_core.store import db
from pipeline_core.store.http_guards import (
    Claim,
    RateCount,
    claim_idempotency_key,
    count_request,
    count_requests,
    forget_idempotency_key,
    store_idempotent_answer,
)
from pipeline_core.store.workspaces import get_workspace

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "ApiTokenInfo",
    "Claim",
    "IssuedToken",
    "RateCount",
    "TokenHolder",
    "claim_idempotency_key",
    "count_request",
    "count_requests",
    "create_token",
    "forget_idempotency_key",
    "looks_like_token",
    "remembered",
    "revoke_token",
    "store_idempotent_answer",
    "token_holder",
    "tokens_of",
    "viewer_of",
]

#: Workspaces change rarely (a settings edit): each process keeps one for this long.
_WORKSPACE_SECONDS = 30.0
_workspaces: dict[str, tuple[float, Workspace]] = {}
_lock = threading.Lock()


def _workspace(slug: str, workspace_id: int) -> Workspace:
    with _lock:
        kept = _workspaces.get(slug)
    if kept is not None and kept[0] > time.monotonic() and kept[1].id == workspace_id:
        return kept[1]
    with db.read_session() as session:
        workspace = get_workspace(session, slug)
    if workspace.id != workspace_id:  # renamed meanwhile: the session's own workspace is gone
        raise NotFound("Workspace", slug)
    with _lock:
        _workspaces[slug] = (time.monotonic() + _WORKSPACE_SECONDS, workspace)
    return workspace


def viewer_of(user: CurrentUser, actor: Actor | None = None) -> Viewer:
    """The user in their own workspace (the session or token decided both)."""
    return Viewer(workspace=_workspace(user.workspace_slug, user.workspace_id), actor=actor or user.actor)


#: How long a process trusts a token it looked up (with its user's access stamp unchanged).
_TOKEN_SECONDS = 30.0
_TOKENS_MAX = 10_000
_remembered: dict[str, tuple[float, TokenHolder, int]] = {}  # sha256 → (until, holder, stamp)


def remembered(token: str | None) -> TokenHolder | None:
    """Who a token was last found to act for in this process (no I/O; not proof of anything):
    whose access stamp the request should read, and which counter to count, before
    `token_holder`."""
    if not looks_like_token(token):
        return None
    assert token is not None
    with _lock:
        kept = _remembered.get(hash_token(token))
    return kept[1] if kept is not None else None


def token_holder(
    token: str | None, now: datetime | None = None, *, stamp: int | None = None
) -> TokenHolder | None:
    """Who a bearer token acts for, or None (unknown, expired, revoked, user deactivated).

    `stamp`: the access stamp of `remembered(token)`'s user, read before this call; a token
    remembered under the same stamp (and not yet expired) is answered without the database."""
    if not looks_like_token(token):
        return None
    assert token is not None
    digest = hash_token(token)
    with _lock:
        kept = _remembered.get(digest)
    if kept is not None and stamp is not None:
        until, holder, kept_stamp = kept
        expires = holder.expires_at
        if kept_stamp == stamp and until > time.monotonic() and (expires is None or instant(now) < expires):
            return holder
    found = tokens.resolve_token(token, now)
    with _lock:
        if found is None:
            _remembered.pop(digest, None)
        else:
            if len(_remembered) >= _TOKENS_MAX:
                _remembered.clear()
            # Without a stamp read before the lookup (the token's first use here, or Redis down),
            # remember it under one no stamp equals: the next request reads its user's stamp first.
            _remembered[digest] = (time.monotonic() + _TOKEN_SECONDS, found, -1 if stamp is None else stamp)
    return found


def tokens_of(viewer: Viewer, user_id: int | None = None) -> list[ApiTokenInfo]:
    """The viewer's own tokens; a super-admin may list anyone's (`user_id`) or all (`user_id=0`)."""
    own = viewer.actor.user_id
    if user_id is not None and user_id != own:
        viewer.scope(Action.MANAGE_USERS)
    with db.read_session() as session:
        return tokens.token_info(session, viewer.workspace.id, None if user_id == 0 else (user_id or own))


def create_token(
    viewer: Viewer,
    name: str,
    *,
    days: int = DEFAULT_DAYS,
    user_id: int | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new token for the viewer (or, for a super-admin, for `user_id`): shown once."""
    owner = viewer.actor.user_id if user_id is None else user_id
    if owner is None:
        raise NotFound("User", "without an account")
    return tokens.create_token(
        actor=viewer.actor, workspace_id=viewer.workspace.id, user_id=owner, name=name, days=days, now=now
    )


def revoke_token(viewer: Viewer, token_id: int, *, now: datetime | None = None) -> ApiTokenInfo:
    return tokens.revoke_token(
        actor=viewer.actor, workspace_id=viewer.workspace.id, token_id=token_id, now=now
    )
