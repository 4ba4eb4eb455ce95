"""Doors Streamlit leaves open that this app closes (issue 15, item 9), as one plain ASGI middleware.

- `GET /_stcore/metrics` — Streamlit's internal cache statistics, served to anyone: answered
  `404` here. Operators get metrics from the operations work (`/metrics`, off unless enabled).
- The websocket `/_stcore/stream` — Streamlit accepts any `localhost` / `127.0.0.1` origin on any
  port and, with CORS on, the machine's own addresses: a page on another local port could drive a
  signed-in person's session. Here a browser's websocket must come from this very origin (`Origin`
  equal to the request's `Host`); a client that sends no `Origin` (not a browser) is let through,
  as Streamlit does. Behind a reverse proxy, the proxy must pass the public `Host` on
  (docs/deploy.md, docs/operations.md "Security").

The `Server: uvicorn` banner is added by uvicorn below the ASGI app, where no middleware reaches:
the reverse proxy replaces it (docs/operations.md).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

CLOSED_PATHS = frozenset({"/_stcore/metrics"})
STREAM_PATH = "/_stcore/stream"
_NOT_FOUND = json.dumps(
    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "There is nothing here."}
).encode()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def same_origin(scope: Scope) -> bool:
    """No `Origin` (not a browser), or an `Origin` whose host and port are the request's `Host`."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    host = _header(scope, b"host")
    return host is not None and urlsplit(origin).netloc.lower() == host.lower()


class ClosedDoors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") in CLOSED_PATHS:
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"application/problem+json")],
                }
            )
            await send({"type": "http.response.body", "body": _NOT_FOUND})
            return
        if scope["type"] == "websocket" and scope.get("path") == STREAM_PATH and not same_origin(scope):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        await self.app(scope, receive, send)
