"""`GET /healthz` (the process is up) and `GET /readyz` (database, Redis and schema are usable).

Load balancers route by /readyz: 200 with each check when ready, 503 with the failing check
otherwise. Neither route touches the Streamlit runtime.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse

from pipeline_core.app import runtime


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state = await anyio.to_thread.run_sync(runtime.readiness)
    body = {
        "status": "ready" if state.ready else "not ready",
        "checks": {"database": state.database, "redis": state.redis, "schema_current": state.schema_current},
    }
    return JSONResponse(body, status_code=200 if state.ready else 503)
