"""The HTTP API, version 1: `create_api()` builds the FastAPI app that app.py mounts at `/api`.

    /api/v1/pipeline/…      health, stages, bottlenecks, departures  (pipeline.py)
    /api/v1/pipeline/tasks  the queue, one task, complete/block/unblock/edit  (tasks.py)
    /api/v1/pipeline/versions|drafts|migrations  the pipeline editor  (pipeline_editor.py)
    /api/v1/jamaah/{id}     one jamaah, masked  (jamaah.py)
    /api/v1/activity        the activity log  (activity.py)
    /api/v1/tokens          personal API tokens  (tokens.py)
    /api/v1/departure-groups/{id}/imports, …/exports/{file}  files in and out  (intake_files.py)
    /api/v1/jamaah/{id}/documents/{kind}/scan  a document's scan: upload, open (logged), remove
                            (document_scans.py)
    /api/v1/openapi.json    OpenAPI 3.1;  /api/docs  Swagger UI, served locally  (docs.py)

Every route validates, calls `pipeline_core.app` (the pages' interface: same permissions, cache
and live events) and serialises; who is calling is `auth.py`, errors are `problems.py`.
docs/http-api.md is the integrator's guide.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.v1 import activity, docs, intake, intake_files, jamaah, pipeline, problems, tasks, tokens
from api.v1.auth import Limits
from api.v1.body_limit import BodyLimit
from api.v1.problems import Problem
from api.v1.rate_headers import RateHeaders
from pipeline_core.app import runtime

__all__ = ["create_api"]

DESCRIPTION = """The Umrah pipeline's data and actions, for programs: the same reads and actions as the
pages, with the same permissions. Authenticate with a personal API token
(`Authorization: Bearer upt_…`) made on the *Token API* page or with
`python -m pipeline_core api-token create`. Errors are `application/problem+json` (RFC 9457).
Writes to a task need `If-Match` with its ETag; POSTs accept `Idempotency-Key`.
Guide with curl examples: docs/http-api.md."""


def configured_limits() -> Limits:
    settings = runtime.get_settings()
    return Limits(
        per_caller=settings.pipeline_api_rate_per_minute,
        per_address=settings.pipeline_api_ip_rate_per_minute,
        max_scan_bytes=settings.scan_max_bytes + 64 * 1024,  # the scan and its multipart envelope
    )


def create_api(limit: Limits | None = None) -> FastAPI:
    """The API app; `limit` replaces the configured rate and body limits (tests). The configured
    ones are read at the first request, so importing app.py never reads the environment."""
    api = FastAPI(
        title="Umrah pipeline API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses={
            401: {"model": Problem, "description": "no valid token or session"},
            403: {"model": Problem, "description": "the role may not do this"},
            404: {"model": Problem, "description": "no such record in your workspace"},
            422: {"model": Problem, "description": "a value is not valid; `errors` names each field"},
            429: {"model": Problem, "description": "rate limit: see Retry-After"},
        },
    )
    api.state.limits_of = (lambda: limit) if limit is not None else configured_limits  # auth.limits
    for module in (pipeline, tasks, jamaah, activity, tokens, intake_files):
        api.include_router(module.router, prefix="/v1")
    for router in (intake.groups_router, intake.jamaah_router, intake_files.template_router):  # issue 19
        api.include_router(router, prefix="/v1")
    problems.install(api)
    from api.v1 import pipeline_editor  # issue 17 (imported here: merges apart from other routers' lines)

    api.include_router(pipeline_editor.router, prefix="/v1")
    from api.v1 import documents as document_routes  # issue 19's checklist (apart, like the above)

    api.include_router(document_routes.router, prefix="/v1")
    from api.v1 import document_scans  # issue 19's scans (apart, like the above)

    api.include_router(document_scans.router, prefix="/v1")
    docs.install(api)
    bounds = limit or Limits()
    api.add_middleware(
        BodyLimit,
        max_bytes=bounds.max_body_bytes,
        upload_bytes=bounds.max_upload_bytes,
        scan_bytes=lambda: api.state.limits_of().max_scan_bytes,  # configured: read at first use
    )
    api.add_middleware(RateHeaders)  # RateLimit-* on every counted answer (rate_headers.py)
    return api
