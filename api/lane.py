"""The HTTP API's own lane through the app: `/api/…` requests go straight to the API's mount.

`st.App` puts our routes behind Streamlit's own middleware: path security for its static files,
the session middleware of `st.login`, gzip at level 9, its exception middleware and router — ten
ASGI layers a request of the API went through and used none of (the API has its own error
answers, its own cookie and no files on disk). Each layer is a coroutine call on the way in and a
wrapped `send` on the way out; a py-spy profile (`--gil`, 10 clients) found 9 % of a cached
`GET /api/v1/pipeline/health`'s samples and 5 % of a completion's in those layers' own code
(docs/benchmarks.md, "The API's own lane and the C parsers").

This middleware sits inside ours (metrics, TCP_NODELAY, security headers, closed doors: every
answer still gets them) and hands a request the API's `Mount` matches to that mount, exactly as
the router below would; anything else goes on down. API answers are gzip-compressed here, at
level 5 and from 1 KB up; Streamlit's layer used level 9 from 500 bytes. A page of 100 tasks
(55 KB of JSON) comes out 7,008 bytes at level 5 in 0.73 ms, 6,537 bytes at 9 in 1.40 ms.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ApiLane"]

GZIP_MINIMUM_BYTES = 1024
GZIP_LEVEL = 5


class ApiLane:
    def __init__(self, app: ASGIApp, mount: Mount) -> None:
        self.app = app
        self.mount = mount
        self.compressed = GZipMiddleware(
            mount.handle, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match, child = self.mount.matches(scope)
            if match is Match.FULL:
                await self.compressed({**scope, **child}, receive, send)
                return
        await self.app(scope, receive, send)
