"""The ASGI entry: `streamlit run app.py` serves the UI (ui.py) plus our routes in one process.

Only wiring lives here: health routes, the HTTP API (api/v1, mounted at /api), security headers,
Streamlit's static files served compressed (api/precompressed.py),
and the lifespan that starts the servers (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL
are set), applies migrations or checks the schema, and loads the demo datasets before the first
request.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from api import assets, live, metrics, proxies
from api.auth import routes as auth_routes
from api.doors import ClosedDoors
from api.health import healthz, readyz
from api.lane import ApiLane
from api.metrics import HttpMetrics
from api.nodelay import NoDelay
from api.precompressed import PrecompressedStatic
from api.security import SecurityHeaders
from api.v1 import create_api
from pipeline_core.app import logs, runtime, system
from pipeline_core.app import metrics as core_metrics
from pipeline_core.domain import privacy
from pipeline_core.domain.errors import ConfigError


def _log_format() -> str:
    try:
        return runtime.get_settings().log_format
    except ConfigError:
        return "text"  # start-up (runtime.prepare) reports the setting


logs.configure(_log_format())  # LOG_FORMAT=json: one JSON object a line
privacy.install_redaction()  # no NIK or passport number in any log line


def _trusted_proxies() -> str:
    try:
        return runtime.get_settings().pipeline_trusted_proxies
    except ConfigError:
        return ""  # start-up (runtime.prepare) reports the setting


proxies.trust_only(_trusted_proxies())  # api/proxies.py: before uvicorn wraps this app
with contextlib.suppress(ConfigError):  # start-up (runtime.prepare) reports a bad setting
    runtime.init_error_tracking()  # Sentry when SENTRY_DSN is set, scrubbed


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await anyio.to_thread.run_sync(runtime.prepare)
    await anyio.to_thread.run_sync(runtime.warn_without_autovacuum)  # docs/operations.md, 0013
    runtime.start_daily_backups()  # embedded default: a backup a day, in the background
    core_metrics.install()  # the collectors /metrics reads, the last hour's figures (System page)
    system.start_alert_notifier()  # when PIPELINE_ALERT_WEBHOOK_URL is set
    await live.start()  # the one Redis subscription of this process (api/live.py)
    yield
    await live.stop()  # every SSE stream ends, then the subscription, before Redis stops
    system.stop_alert_notifier()
    core_metrics.uninstall()
    await anyio.to_thread.run_sync(runtime.shutdown)


api_mount = Mount("/api", app=create_api())  # the HTTP API: /api/v1/…, /api/docs (docs/http-api.md)

app = st.App(
    str(Path(__file__).with_name("ui.py")),
    routes=[
        *(Route("/healthz", healthz), Route("/readyz", readyz), *auth_routes, *live.routes, *assets.routes),
        *metrics.routes,  # GET /metrics when METRICS_ENABLED, else 404
        api_mount,  # HTTP goes through ApiLane below; kept here for url_path_for and any other scope
    ],
    middleware=[
        Middleware(HttpMetrics),
        Middleware(NoDelay),
        Middleware(SecurityHeaders),
        Middleware(ClosedDoors),
        Middleware(ApiLane, mount=api_mount),  # /api/… past Streamlit's own layers (api/lane.py)
        Middleware(PrecompressedStatic, extra={assets.PREFIX: assets.FOLDER}),  # gzip/brotli, made once
    ],
    lifespan=lifespan,
)
