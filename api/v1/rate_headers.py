"""Where a caller stands against the rate limits, on every answer that counted against them
(successes, refusals, 429s alike), so a program can slow down before it is refused.

    RateLimit-Limit: 1200        requests allowed in the window (one minute)
    RateLimit-Remaining: 1187    left in this window (0 when refused)
    RateLimit-Reset: 42          seconds until the window starts again

These are the three separate fields of the IETF httpapi draft's early versions (as GitHub and
many APIs send them, without `X-`), not the draft's later combined `RateLimit`/`RateLimit-Policy`
pair: three plain integers are what most client libraries and curl users read. Two limits apply
(per client address, counted first, and per token or user): the fields describe the one with the
fewest requests left. The dependency that counts (`auth.caller`) notes the standing in the
request's state; `RateHeaders` writes it onto the answer as it leaves. Answers that are not
counted (the OpenAPI document, /api/docs) carry none.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RateHeaders", "Standing", "note_standing"]

_STATE = "rate_standing"


@dataclass(frozen=True, slots=True)
class Standing:
    limit: int  # allowed per window
    used: int  # counted in this window, this request included
    reset: int  # seconds to the window's end

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def note_standing(request: Request, standing: Standing) -> None:
    """Keep the tighter of what is already noted and `standing`."""
    kept: Standing | None = request.scope.setdefault("state", {}).get(_STATE)
    if kept is None or standing.remaining < kept.remaining:
        request.scope["state"][_STATE] = standing


class RateHeaders:
    """Adds the noted standing to the answer's headers (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                standing: Standing | None = state.get(_STATE)
                if standing is not None:
                    headers = MutableHeaders(scope=message)
                    headers["RateLimit-Limit"] = str(standing.limit)
                    headers["RateLimit-Remaining"] = str(standing.remaining)
                    headers["RateLimit-Reset"] = str(standing.reset)
            await send(message)

        await self.app(scope, receive, with_headers)
