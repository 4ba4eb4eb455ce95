"""A tiny app for the live listener in a real browser: the sign-in and live routes of the product
around one probe page (tests/ui/live_probe_page.py). Run by tests/ui/test_live_component.py as
`streamlit run tests/ui/live_probe_app.py` with PYTHONPATH at the repository root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import streamlit as st
from starlette.routing import Route

from api import live
from api.auth import routes as auth_routes
from api.health import healthz
from pipeline_core.seed import bootstrap


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await anyio.to_thread.run_sync(bootstrap.prepare)
    await live.start()
    yield
    await live.stop()
    await anyio.to_thread.run_sync(bootstrap.shutdown)


app = st.App(
    str(Path(__file__).with_name("live_probe_page.py")),
    routes=[Route("/healthz", healthz), *auth_routes, *live.routes],
    lifespan=lifespan,
)
