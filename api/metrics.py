"""`GET /metrics` (Prometheus text format) and the middleware that counts every HTTP answer.

- Served only when METRICS_ENABLED=true; otherwise 404 (problem+json), never the sign-in page.
  Optionally `METRICS_TOKEN` (then `Authorization: Bearer <token>` is required: 401 without it) and
  `METRICS_ALLOW` (addresses/networks; another client gets 404). docs/operations.md has the scrape
  configuration for several replicas.
- The route label is a template, never a raw path: numbers become `{id}`, Streamlit's files are
  `/static`, our own assets `/assets`, every page URL `/page`; so the label set stays small and no
  path carries a name or a search.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import time
import uuid

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline_core.app import logs, metrics
from pipeline_core.app.runtime import get_settings

__all__ = ["HttpMetrics", "route_label", "routes"]

_NUMBER = re.compile(r"/\d+(?=/|$)")
_FIXED = {"/healthz", "/readyz", "/metrics", "/live/events", "/_stcore/stream", "/_stcore/health"}
_PREFIXES = (("/static/", "/static"), ("/assets/", "/assets"), ("/_stcore/", "/_stcore/other"))


def route_label(path: str) -> str:
    """The template of `path` for a label (bounded set; no names, ids or searches)."""
    if path in _FIXED:
        return path
    for prefix, label in _PREFIXES:
        if path.startswith(prefix):
            return label
    if path.startswith(("/api/", "/auth/")):
        return _NUMBER.sub("/{id}", path)[:80]
    return "/page"


class HttpMetrics:
    """Pure ASGI: counts each HTTP answer by route, method and status, times it, gives it a request
    id (`X-Request-ID`: the caller's when it is a plain token, else a new one) and writes its access
    line (files under /static and /assets excepted: a page load fetches dozens)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        route = route_label(scope.get("path", ""))
        method = scope.get("method", "GET") if scope.get("method") in _METHODS else "OTHER"
        request_id = _request_id(scope)

        async def counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        with logs.request_scope(request_id=request_id, route=route, method=method) as noted:
            try:
                await self.app(scope, receive, counting)
            finally:
                seconds = time.perf_counter() - started
                metrics.observe_http(route, method, status, seconds)
                if route not in _QUIET:
                    noted.update(status=status, duration_ms=round(seconds * 1000, 1))
                    logs.access(noted, "request")


_QUIET = {"/static", "/assets"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _REQUEST_ID.match(given):
                return given
    return uuid.uuid4().hex


_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"}


def _not_found() -> JSONResponse:
    body = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "There is nothing here."}
    return JSONResponse(body, status_code=404, media_type="application/problem+json")


def _allowed(request: Request, allow: str) -> bool:
    if not allow:
        return True
    address = request.client.host if request.client else ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in allow.split(","))


async def metrics_endpoint(request: Request) -> Response:
    settings = get_settings()
    if not settings.metrics_enabled or not _allowed(request, settings.metrics_allow):
        return _not_found()
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode()):
            body = {
                "type": "about:blank",
                "title": "Unauthorized",
                "status": 401,
                "detail": "A token is required.",
            }
            return JSONResponse(
                body,
                status_code=401,
                media_type="application/problem+json",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    text = await anyio.to_thread.run_sync(metrics.exposition)  # the business figures read the database
    return Response(text, media_type=metrics.CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics_endpoint, methods=["GET"])]
