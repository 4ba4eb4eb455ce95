"""Streamlit's own static files (`/static/…`, the page, the manifest) and ours (`/assets/…`),
answered compressed.

Why: Streamlit 1.67 serves `/static/…` and the page uncompressed on purpose (its
`SelectiveGZipMiddleware` bypasses them: gzipping on every request costs CPU, and it expects a
proxy or CDN to compress). Our embedded default has none, and a first visit of the overview then
downloads 3.0 MB of Streamlit's JavaScript (`protobuf.*.js` alone 861 KB, 100 KB gzipped): 20 s
until the KPIs show on Chrome's Fast 3G profile (docs/benchmarks.md, "First visit on a phone's
connection"). Here each file is compressed **once per process**, on its first request, and served
from memory after that:

- gzip level 9 and brotli quality 5 together, off the event loop (the 861 KB bundle: ~35 ms), so
  the first browser to ask already gets a compressed answer;
- then brotli quality 11 in one background thread (that bundle: ~2.2 s of one core, 71 KB against
  gzip's 100 KB), which replaces the quality-5 copy when it is done. One thread, so a deploy's first
  visits never take more than one core for this; the brotli and zlib bindings release the GIL.

How, as a plain ASGI middleware in front of Streamlit's static handler: a GET or HEAD of a file we
know (a URL path is only ever looked up in the table built at start-up from Streamlit's folder, so
no path from a request reaches the file system), whose type compresses and that is at least
`MINIMUM_SIZE`, from a browser that accepts `br` or `gzip` and sends no `Range`, is first put to
Streamlit's handler as a HEAD. Its status and headers stand — Cache-Control (a year, immutable, for
the hashed bundles; `no-cache` for the page), Content-Type, Last-Modified, the 304 of a conditional
request — and the compressed body goes out with `Content-Encoding`, `Vary: Accept-Encoding`, its
own `Content-Length` and the ETag with the coding appended (`"…-br"`: a representation of its own,
so a cache never mixes them; a conditional request with that tag gets Streamlit's 304). A `Range`
request, a browser accepting neither coding, a file too small or already compressed (png, woff2)
gets Streamlit's own answer, with `Vary: Accept-Encoding` on those that compress.

Page paths other than `/` (`/task_queue`, …) are answered with index.html by Streamlit's fallback
and stay uncompressed (7.9 KB).
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import brotli
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import config, file_util

__all__ = ["COMPRESSIBLE", "MINIMUM_SIZE", "PrecompressedStatic", "choose_coding", "static_files"]

log = logging.getLogger(__name__)

#: File types worth compressing (text). Images and fonts in Streamlit's folder (png, gif, woff2)
#: are compressed already.
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".svg", ".json", ".html", ".txt", ".map"})
#: Smaller files gain less than the headers cost (Streamlit's own gzip threshold).
MINIMUM_SIZE = 500
FIRST_BROTLI_QUALITY = 5
BEST_BROTLI_QUALITY = 11


def static_files(folder: Path, prefix: str = "") -> dict[str, Path]:
    """URL path → file, for each file of `folder` (served under `prefix`) worth compressing."""
    found = {
        f"{prefix}/{path.relative_to(folder).as_posix()}": path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in COMPRESSIBLE and path.stat().st_size >= MINIMUM_SIZE
    }
    if not prefix and "/index.html" in found:
        found["/"] = found["/index.html"]  # the page, at the root (the overview's own address)
    return found


def choose_coding(accept_encoding: str) -> str | None:
    """`br` if the browser accepts it, else `gzip`, else None (identity). `q=0` refuses."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(quality) > 0:
                accepted.add(coding.strip())
        except ValueError:
            continue
    return next((coding for coding in ("br", "gzip") if coding in accepted), None)


@dataclass(frozen=True)
class _Packed:
    gzip: bytes
    br: bytes


def _pack(path: Path) -> _Packed:
    plain = path.read_bytes()
    return _Packed(
        gzip=gzip.compress(plain, compresslevel=9, mtime=0),
        br=brotli.compress(plain, quality=FIRST_BROTLI_QUALITY),
    )


def _etag_of(etag: str, coding: str) -> str:
    return etag[:-1] + f'-{coding}"' if etag.endswith('"') else etag


def _head_request(headers: list[tuple[bytes, bytes]], coding: str) -> list[tuple[bytes, bytes]]:
    """The request's headers for the HEAD put to Streamlit: `If-None-Match` with our tags of
    `coding` turned back into Streamlit's own, and no `Accept-Encoding` (Streamlit's gzip layer
    would otherwise compress a route's body that the HEAD never sends)."""
    suffix = f'-{coding}"'
    out = []
    for name, value in headers:
        if name.lower() == b"accept-encoding":
            continue
        if name.lower() == b"if-none-match":
            tags = [tag.strip() for tag in value.decode("latin-1").split(",")]
            tags = [tag[: -len(suffix)] + '"' if tag.endswith(suffix) else tag for tag in tags]
            value = ", ".join(tags).encode("latin-1")
        out.append((name, value))
    return out


def _add_vary(headers: MutableHeaders) -> None:
    vary = headers.get("vary")
    if vary is None:
        headers["vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        headers["vary"] = f"{vary}, Accept-Encoding"


class PrecompressedStatic:
    """Plain ASGI middleware (see the module): compressed copies of Streamlit's static files."""

    def __init__(self, app: ASGIApp, extra: Mapping[str, Path] | None = None) -> None:
        """`extra`: more folders, by the URL prefix their route serves them under (`/assets`)."""
        self.app = app
        self.files = static_files(Path(file_util.get_static_dir()))
        for prefix, folder in (extra or {}).items():
            self.files.update(static_files(folder, prefix))
        self.base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
        self._packed: dict[str, _Packed] = {}
        self._packing: dict[str, asyncio.Future[_Packed]] = {}
        self._best: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None

    def _route_path(self, scope: Scope) -> str:
        path: str = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        if self.base != "/" and (path == self.base or path.startswith(self.base + "/")):
            path = path[len(self.base) :] or "/"
        return path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = self._route_path(scope)
        if path not in self.files:
            await self.app(scope, receive, send)
            return
        asked = Headers(scope=scope)
        coding = None if "range" in asked else choose_coding(asked.get("accept-encoding", ""))
        if coding is None:
            await self.app(scope, receive, self._with_vary(send))
            return
        packed = await self._pack(path)
        await self._send_packed(scope, receive, send, coding, packed.br if coding == "br" else packed.gzip)

    async def _send_packed(
        self, scope: Scope, receive: Receive, send: Send, coding: str, body: bytes
    ) -> None:
        answered: list[Message] = []

        async def keep_start(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.append(message)

        head = {**scope, "method": "HEAD", "headers": _head_request(scope["headers"], coding)}
        await self.app(head, receive, keep_start)
        status = answered[0]["status"] if answered else 500
        if status not in (200, 304):  # not a plain file answer: Streamlit's own, untouched
            await self.app(scope, receive, self._with_vary(send))
            return
        headers = MutableHeaders(raw=list(answered[0].get("headers", [])))
        if "etag" in headers:
            headers["etag"] = _etag_of(headers["etag"], coding)
        _add_vary(headers)
        if status == 200:
            headers["content-encoding"] = coding
            headers["content-length"] = str(len(body))
            if "accept-ranges" in headers:
                del headers["accept-ranges"]  # ranges are served of the plain file only
        else:
            body = b""
        await send({"type": "http.response.start", "status": status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def _with_vary(self, send: Send) -> Send:
        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 206, 304):
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                _add_vary(headers)
                message = {**message, "headers": headers.raw}
            await send(message)

        return send_with_vary

    async def _pack(self, path: str) -> _Packed:
        """The file's compressed copies: made once (concurrent first requests wait for the same)."""
        packed = self._packed.get(path)
        if packed is not None:
            return packed
        packing = self._packing.get(path)
        if packing is None:
            packing = self._packing[path] = asyncio.ensure_future(run_in_threadpool(_pack, self.files[path]))
            packing.add_done_callback(lambda done: self._packed_once(path, done))
        return await asyncio.shield(packing)

    def _packed_once(self, path: str, done: asyncio.Future[_Packed]) -> None:
        del self._packing[path]
        if done.cancelled() or done.exception() is not None:
            return  # the next request tries again
        self._packed[path] = done.result()
        self._best.put(path)
        if self._worker is None:
            self._worker = threading.Thread(target=self._improve, name="static-brotli", daemon=True)
            self._worker.start()

    def _improve(self) -> None:
        """The background thread: brotli at its best quality, one file at a time."""
        while True:
            path = self._best.get()
            try:
                best = brotli.compress(self.files[path].read_bytes(), quality=BEST_BROTLI_QUALITY)
            except OSError:
                log.warning("could not compress a static file", exc_info=True)
                continue
            self._packed[path] = _Packed(gzip=self._packed[path].gzip, br=best)
