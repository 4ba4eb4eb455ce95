"""Who is calling: a personal API token (`Authorization: Bearer upt_…`) or the browser's session
cookie (`umrah_session`), resolved into the same `Viewer` a page gets; and the rate limits.

- A token is checked on every request (unknown, expired, revoked, user deactivated: `401`); it acts
  with its user's role and workspace, read live.
- The cookie is the pages' session. A write (POST, PATCH, PUT, DELETE) with it must come from this
  site (`Origin`/`Referer`, as /auth/login checks): another site cannot make a signed-in browser
  complete a task. Tokens are not sent by browsers on their own, so they need no such check.
- With both, the token wins: a program's identity is explicit.
- Rate limits (fixed one-minute windows in Redis): per client address, counted before anything
  else (so guessing tokens is throttled too), and per token (or signed-in user). Over the limit:
  `429` with `Retry-After` (seconds to the next window). The client address is the connection's;
  behind a proxy, run uvicorn with `--forwarded-allow-ips` so it is the real client's.
  Every counted answer, success or not, says where the caller stands (`RateLimit-Limit`,
  `RateLimit-Remaining`, `RateLimit-Reset`, see `rate_headers.py`): the tighter of the two limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import same_origin
from api.v1.problems import ProblemError
from api.v1.rate_headers import Standing, note_standing
from pipeline_core.app import api_access, logs, sessions
from pipeline_core.app.api_access import RateCount
from pipeline_core.app.viewer import Viewer

__all__ = ["Caller", "CallerDep", "Limits", "NowDep", "caller", "clock", "limits"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Limits:
    """Per minute; `create_api` reads them from Settings (PIPELINE_API_*_PER_MINUTE)."""

    per_caller: int = 1200
    per_address: int = 2400
    max_body_bytes: int = 16 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024 + 64 * 1024  # an import's file (10 MB) + multipart
    max_scan_bytes: int = 5 * 1024 * 1024 + 64 * 1024  # a document scan (PIPELINE_SCAN_MAX_MB) + multipart


async def limits(request: Request) -> Limits:
    """The limits `create_api` was given, else the configured ones (read at the first request).
    From the app's state, not `dependency_overrides`: FastAPI analyses an overridden dependency's
    signature again on every request (~10 `inspect.signature` calls). `async`, like `clock`: a
    plain function dependency runs in a worker thread, a hop (and a wait for the GIL under load)
    that a function doing no I/O does not need."""
    found: Limits = request.app.state.limits_of()
    return found


async def clock() -> datetime | None:
    """The instant requests are answered at: None = the real clock (`domain.clock.instant`).
    Tests replace this dependency with a fixed instant (docs/decisions.md, "Time in tests")."""
    return None


NowDep = Annotated[datetime | None, Depends(clock)]


@dataclass(frozen=True, slots=True)
class Caller:
    viewer: Viewer
    user_id: int
    token_id: int | None  # None: the browser's session cookie

    @property
    def key(self) -> str:
        """Names the caller in Redis keys (rate limits, idempotency keys): one per user."""
        return f"u{self.user_id}"


def _unauthorized(detail: str, error: str | None = None) -> ProblemError:
    challenge = 'Bearer realm="api"' + (f', error="{error}"' if error else "")
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


def _count(request: Request, counters: list[tuple[str, int]], stamp_of: int | None) -> list[RateCount]:
    """Count the request against each (who, allowed) in one round trip, noting the tightest
    standing for the answer's headers; also reads the access stamp of the user `stamp_of`.
    Nothing (let through) when Redis is unreachable."""
    counted = api_access.count_requests([who for who, _ in counters], WINDOW_SECONDS, stamp_of=stamp_of)
    for (_, allowed), count in zip(counters, counted or [], strict=False):
        note_standing(request, Standing(limit=allowed, used=count.count, reset=count.retry_after))
    return counted or []


def _within(counted: RateCount, allowed: int) -> None:
    if counted.count > allowed:
        raise ProblemError(
            429,
            "rate-limited",
            f"More than {allowed} requests a minute; wait {counted.retry_after} s.",
            headers={"Retry-After": str(counted.retry_after)},
        )


def _bearer_token(header: str | None) -> str | None:
    """The credentials of `Authorization: Bearer …`; None when absent or another scheme."""
    scheme, _, credentials = (header or "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def _from_token(token: str | None, now: datetime | None, stamp: int | None) -> Caller:
    if token is None:
        raise _unauthorized(
            "Send `Authorization: Bearer <token>` with a personal API token.", "invalid_request"
        )
    holder = api_access.token_holder(token, now, stamp=stamp)
    if holder is None:
        raise _unauthorized(
            "The token is unknown, expired or revoked, or its user is deactivated.", "invalid_token"
        )
    viewer = api_access.viewer_of(holder.user, holder.actor)
    return Caller(viewer=viewer, user_id=holder.user.user_id, token_id=holder.token_id)


def _from_cookie(request: Request, cookie: str, now: datetime | None) -> Caller:
    user = sessions.resolve_session(cookie, now)
    if user is None:
        raise _unauthorized("The session has ended: sign in again, or use an API token.")
    if request.method not in SAFE_METHODS and not same_origin(request):
        raise ProblemError(
            403, "cross-site", "A write with the session cookie must come from this site's pages."
        )
    return Caller(viewer=api_access.viewer_of(user), user_id=user.user_id, token_id=None)


# Declared for OpenAPI (the "Authorize" button of /api/docs); the checks are ours, below.
_bearer = HTTPBearer(auto_error=False, bearerFormat="upt_…", description="a personal API token")
_cookie = APIKeyCookie(name=sessions.SESSION_COOKIE, auto_error=False, description="the pages' session")


def caller(
    request: Request,
    now: NowDep,
    limit: Annotated[Limits, Depends(limits)],
    _token: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _session: Annotated[str | None, Depends(_cookie)],
) -> Caller:
    """The authenticated caller, within its rate limits (else 401 / 403 / 429 problems)."""
    address = request.client.host if request.client else "unknown"
    header = request.headers.get("authorization")
    token = _bearer_token(header)
    # One round trip counts the address (before anything else: guessing tokens is throttled) and,
    # when this process remembers the token, its counter and its user's access stamp
    # (api_access.token_holder trusts the remembered token only under that same stamp).
    hint = api_access.remembered(token)
    counters = [(f"ip:{address}", limit.per_address)]
    if hint is not None:
        counters.append((f"token:{hint.token_id}", limit.per_caller))
    counted = _count(request, counters, hint.user.user_id if hint else None)
    if counted:
        _within(counted[0], limit.per_address)
    cookie = request.cookies.get(sessions.SESSION_COOKIE)
    if header:
        found = _from_token(token, now, counted[0].stamp if counted else None)
    elif cookie:
        found = _from_cookie(request, cookie, now)
    else:
        raise _unauthorized("Sign in, or send `Authorization: Bearer <token>` with a personal API token.")
    if hint is not None and found.token_id == hint.token_id:
        mine = counted[1:]  # counted above already
    else:
        who = f"token:{found.token_id}" if found.token_id else f"user:{found.user_id}"
        mine = _count(request, [(who, limit.per_caller)], None)
    if mine:
        _within(mine[0], limit.per_caller)
    logs.note(user_id=found.user_id, workspace=found.viewer.workspace.slug)  # the access line's who
    return found


CallerDep = Annotated[Caller, Depends(caller)]
