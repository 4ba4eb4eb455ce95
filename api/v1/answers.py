"""Successful answers: JSON with the caching headers the API promises.

Reads answer `Cache-Control: private, no-cache` (only the caller's own browser may keep a copy, and
must ask again before using it: statuses move with the clock and with every change) plus an
`ETag`; a request with a matching `If-None-Match` gets `304` and no body. The ETag of a task is
its version (`"v7"`): the same value `If-Match` takes for an edit. Other reads hash their body
(a weak ETag), which is computed from the Redis-cached value, so a 304 saves the transfer, not the
read. `Vary: Authorization, Cookie`: two callers never share an answer.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

__all__ = ["READ_HEADERS", "etag_matches", "send", "task_etag"]

READ_HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}


def task_etag(version: int) -> str:
    return f'"v{version}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """`If-None-Match` (weak comparison): any listed tag, or `*`."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or wanted in tags


def send(
    request: Request,
    body: BaseModel,
    *,
    etag: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """`body` as JSON, with an ETag (the given one, else a hash of the body) and 304 when it matches."""
    raw = body.model_dump_json(by_alias=True).encode("utf-8")
    tag = etag or 'W/"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    extra: dict[str, Any] = {**READ_HEADERS, "ETag": tag, **(headers or {})}
    if request.method in ("GET", "HEAD") and etag_matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=extra)
    return Response(raw, status_code=status, media_type="application/json", headers=extra)
