"""A bound on request bodies: more than `max_bytes` is `413` problem+json, before any route reads
it — by `Content-Length`, and by counting the bytes of a body sent without one (chunked).

File uploads (a path ending in `/imports`: a spreadsheet of jamaah) get `upload_bytes` instead,
the import's own file limit plus room for the multipart envelope; the import then refuses a file
over its limit with a sentence that says the limit. A document scan (a path ending in `/scan`) gets
`scan_bytes()` the same way (`PIPELINE_SCAN_MAX_MB` plus the envelope, read when first needed:
importing app.py never reads the environment)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.v1.problems import problem_response

__all__ = ["BodyLimit"]


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = 16 * 1024,
        upload_bytes: int = 16 * 1024,
        scan_bytes: Callable[[], int] = lambda: 16 * 1024,
    ) -> None:
        self.app, self.max_bytes, self.upload_bytes, self.scan_bytes = (
            app,
            max_bytes,
            upload_bytes,
            scan_bytes,
        )

    def _limit(self, scope: Scope) -> int:
        path = str(scope.get("path", ""))
        if path.endswith("/imports"):
            return self.upload_bytes
        return self.scan_bytes() if path.endswith("/scan") else self.max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self._limit(scope)} bytes."
        await problem_response(413, "too-large", detail, instance=scope.get("path"))(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            # An HTTPException: FastAPI passes it through its body parsing to the problem handler.
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"The request body is larger than {limit} bytes.")
            return message

        await self.app(scope, counted, send)
