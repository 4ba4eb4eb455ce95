"""`GET /assets/<file>`: the browser files we ship ourselves, today plotly.js's *basic* bundle.

Why: `st.plotly_chart` loads Streamlit's Plotly chunk, the full plotly.js (4.7 MB, every trace type
incl. maps and WebGL); evaluating it costs ~1.4-1.9 s of main-thread time on a first visit on this
machine. Our charts are bars and lines, so `app_pages/plotly_figure.py` draws the same Plotly
figures with `plotly-basic` (bar, scatter, pie; 1.2 MB, 0.2-0.7 s: docs/benchmarks.md). The file
is the unmodified `plotly.js-basic-dist-min` from npm, the same plotly.js version the `plotly`
Python package bundles (its MIT licence beside it; docs/decisions.md says how to update it).

File names carry the version, so responses are cached for a year (`immutable`) and compressed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

FOLDER = Path(__file__).with_name("assets")
PLOTLY_BASIC = "plotly-basic-4.1.1.min.js"
PREFIX = "/assets"


class _Immutable(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


routes = [Mount(PREFIX, app=_Immutable(directory=FOLDER), middleware=[Middleware(GZipMiddleware)])]


def url(name: str) -> str:
    """The path the browser loads `name` from, under the app's base URL path (if any)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{PREFIX}/{name}" if base else f"{PREFIX}/{name}"
