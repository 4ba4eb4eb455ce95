"""Errors as `application/problem+json` (RFC 9457): every 4xx and 5xx of the API, never a trace.

Each answer has `type` (a URN naming the kind of problem, listed in docs/http-api.md), `title`,
`status`, `detail` and `instance` (the path asked for). Extensions:
- `errors`: for 422, one entry per bad field (`field`, `in`: body/query/path/header, `message`);
- `current`: for 412, the task as it is now (its `version` is what to send next time); for the
  pipeline editor, the draft or the head version (`pipeline_editor.py`).

The product's errors map onto statuses in one place (`for_error`): `NotFound` 404,
`PermissionDenied` 403, `InvalidInput` 422, `Conflict` 409 (412 when a stale If-Match caused it,
decided by the route), `ServerUnavailable` 503 with `Retry-After`; anything unexpected is a 500
whose body says only that, while the log keeps the trace.

401 vs 403 vs 404, so that nobody can probe another workspace: every id is looked up inside the
caller's own workspace, so a task or jamaah of another agency is `404` exactly like one that does
not exist; `403` is only for what the caller can see exists (their own workspace) but their role
may not do; `401` only says the credentials are missing or not valid.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from pipeline_core.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PipelineError,
    ServerUnavailable,
)

__all__ = ["PROBLEM", "FieldError", "Problem", "ProblemError", "for_error", "install", "problem_response"]

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
URN = "urn:umrah-pipeline:problem:"


class FieldError(BaseModel):
    field: str = Field(description="the parameter or body field, e.g. `limit` or `reason`")
    location: str = Field(alias="in", description="body, query, path or header")
    message: str

    model_config = ConfigDict(populate_by_name=True)


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(
        description="a URN naming the kind of problem, e.g. urn:umrah-pipeline:problem:not-found"
    )
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    current: dict[str, Any] | None = Field(
        default=None,
        description="412: the record as it is now (a task, a pipeline draft, or the pipeline's head)",
    )


class ProblemError(Exception):
    """Raised by a route to answer a problem; carries everything the answer needs."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    kind: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": URN + kind,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({key: value for key, value in extra.items() if value is not None})
    merged = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse(jsonable_encoder(body), status_code=status, media_type=PROBLEM, headers=merged)


def for_error(error: Exception, instance: str | None = None) -> JSONResponse:
    """The answer to any error a route lets through."""
    match error:
        case ProblemError():
            return problem_response(
                error.status,
                error.kind,
                error.detail,
                instance=instance,
                headers=error.headers,
                **error.extra,
            )
        case NotFound():
            return problem_response(404, "not-found", str(error), instance=instance)
        case PermissionDenied():
            return problem_response(403, "forbidden", str(error), instance=instance)
        case InvalidInput():
            bad = FieldError.model_validate({"field": error.field, "in": "body", "message": error.message})
            return problem_response(
                422, "validation", str(error), instance=instance, errors=[bad.model_dump(by_alias=True)]
            )
        case Conflict():
            return problem_response(409, "conflict", str(error), instance=instance)
        case ServerUnavailable():
            log.error("API request failed, a server is unavailable: %s", error)
            return problem_response(
                503,
                "unavailable",
                "The database or cache cannot be reached right now.",
                instance=instance,
                headers={"Retry-After": "5"},
            )
        case PipelineError():
            log.error("API request failed: %s", error)
            return problem_response(500, "internal", "The request could not be completed.", instance=instance)
        case _:
            log.error("API request failed unexpectedly", exc_info=error)
            return problem_response(
                500, "internal", "An unexpected error occurred; it has been logged.", instance=instance
            )


def _where(loc: tuple[Any, ...]) -> tuple[str, str]:
    """pydantic's location (`("query", "limit")`, `("body", "reason")`) as (field, in)."""
    parts = [str(part) for part in loc]
    place = parts[0] if parts and parts[0] in ("body", "query", "path", "header", "cookie") else "body"
    rest = parts[1:] if parts and parts[0] == place else parts
    return ".".join(rest) or place, place


def _validation(request: Request, error: RequestValidationError) -> Response:
    errors = []
    for item in error.errors():
        field, place = _where(tuple(item.get("loc", ())))
        errors.append({"field": field, "in": place, "message": str(item.get("msg", "invalid"))})
    names = ", ".join(sorted({e["field"] for e in errors}))
    return problem_response(
        422, "validation", f"Some values are not valid: {names}.", instance=request.url.path, errors=errors
    )


def _http(request: Request, error: StarletteHTTPException) -> Response:
    kinds = {401: "unauthorized", 404: "not-found", 405: "method-not-allowed", 413: "too-large"}
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = f"There is no {request.url.path} in this API: see /api/docs."
    return problem_response(
        error.status_code,
        kinds.get(error.status_code, "http"),
        detail,
        instance=request.url.path,
        headers=dict(error.headers or {}),
    )


def install(api: FastAPI) -> None:
    """Every error of `api` answers problem+json."""

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return _validation(request, error)

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        return _http(request, error)

    async def on_error(request: Request, error: Exception) -> Response:
        return for_error(error, request.url.path)

    api.add_exception_handler(RequestValidationError, on_validation)
    api.add_exception_handler(StarletteHTTPException, on_http)
    api.add_exception_handler(PipelineError, on_error)
    api.add_exception_handler(ProblemError, on_error)
    api.add_exception_handler(Exception, on_error)
