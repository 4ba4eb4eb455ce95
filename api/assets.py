"""`GET /assets/<file>`: the browser files we ship ourselves, today plotly.js's *basic* bundle.

Why: `st.plotly_chart` loads Streamlit's Plotly chunk, the full plotly.js (4.7 MB, every trace type
incl. maps and WebGL); evaluating it costs ~1.4-1.9 s of main-thread time on a first visit on this
machine. Our charts are bars and lines, so `ui_kit/plotly_figure.py` draws the same Plotly
figures with `plotly-basic` (bar, scatter, pie; 1.2 MB, 0.2-0.7 s: docs/benchmarks.md). The file
is the unmodified `plotly.js-basic-dist-min` from npm, the same plotly.js version the `plotly`
Python package bundles (its MIT licence beside it; docs/decisions.md says how to update it).

File names carry the version, so responses are cached for a year (`immutable`). Each file is read
once, on its first request, and served from memory after that; its gzip and brotli copies are made
once too, by `api/precompressed.py` in front of this route (gzipping the 1.2 MB bundle on every
request took ~100 ms of the server's CPU and of the first visit's download: docs/benchmarks.md).
Not at import: the pages import this module for `url()` only, and a process (or a test run) that
never serves the file should not pay for reading it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

FOLDER = Path(__file__).with_name("assets")
PLOTLY_BASIC = "plotly-basic-4.1.1.min.js"
PREFIX = "/assets"
CACHE = "public, max-age=31536000, immutable"


class _Asset:
    """One file as is (its compressed copies: api/precompressed.py; files change with a release)."""

    def __init__(self, path: Path) -> None:
        self.plain = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.media_type = "text/javascript" if path.suffix == ".js" else kind


#: The files that may be served (a name from the URL is only ever looked up here).
_NAMES = frozenset(path.name for path in FOLDER.iterdir() if path.is_file())


_LOADED: dict[str, _Asset] = {}


async def serve(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in _NAMES:
        return PlainTextResponse("Not Found", status_code=404)
    asset = _LOADED.get(name)
    if asset is None:  # the first request: read off the event loop, keep it
        asset = _LOADED[name] = await run_in_threadpool(_Asset, FOLDER / name)
    return Response(asset.plain, media_type=asset.media_type, headers={"Cache-Control": CACHE})


routes = [Route(PREFIX + "/{name}", serve, methods=["GET", "HEAD"])]


def url(name: str) -> str:
    """The path the browser loads `name` from, under the app's base URL path (if any)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{PREFIX}/{name}" if base else f"{PREFIX}/{name}"
