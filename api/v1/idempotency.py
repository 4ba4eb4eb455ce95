"""`Idempotency-Key` on POST: a retried request answers what the first one did, and changes nothing
twice (the IETF httpapi draft "The Idempotency-Key HTTP Header Field").

- The key is the client's (1-255 visible ASCII characters, e.g. a UUID), per user: two users'
  keys never meet. It is kept 24 hours in Redis (`pipeline_core.store.http_guards`).
- The first request claims the key, runs, and stores its answer (status, body, ETag) unless the
  answer is a 5xx (then the key is released so a retry can run).
- A retry with the same key and the same request (method, path, If-Match, body) gets the stored
  answer with `Idempotent-Replayed: true`; while the first is still running, `409` with
  `Retry-After: 1`; the same key with a different request, `422`.
- Without the header a POST runs as usual: the version in If-Match already stops a double
  completion, the key makes the retry's *answer* the first one's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from fastapi import Request
from starlette.responses import Response

from api.v1.auth import Caller
from api.v1.problems import ProblemError, for_error
from pipeline_core.app import api_access
from pipeline_core.domain.errors import PipelineError

__all__ = ["KEY_TTL_SECONDS", "idempotent"]

KEY_TTL_SECONDS = 24 * 3600
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_KEPT_HEADERS = ("etag", "content-type", "location", "retry-after")


def _fingerprint(request: Request, body: str) -> str:
    parts = [
        request.method,
        request.url.path,
        request.headers.get("if-match", ""),
        body,
    ]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def _replay(answer: dict[str, object]) -> Response:
    headers = dict(answer.get("headers", {}))  # type: ignore[call-overload]
    headers["Idempotent-Replayed"] = "true"
    body = str(answer.get("body", "")).encode("utf-8")
    return Response(body, status_code=int(answer["status"]), headers=headers)  # type: ignore[call-overload]


def idempotent(
    request: Request, caller: Caller, key: str | None, body: str, run: Callable[[], Response]
) -> Response:
    """`run()` once per (user, key); its answer again for a retry."""
    if key is None:
        return run()
    if not _KEY.fullmatch(key):
        raise ProblemError(
            422,
            "validation",
            "Idempotency-Key: 1-255 visible ASCII characters, e.g. a UUID.",
            errors=[
                {"field": "Idempotency-Key", "in": "header", "message": "1-255 visible ASCII characters"}
            ],
        )
    fingerprint = _fingerprint(request, body)
    claim = api_access.claim_idempotency_key(caller.key, key, fingerprint, KEY_TTL_SECONDS)
    if not claim.new:
        if claim.fingerprint != fingerprint:
            raise ProblemError(
                422,
                "idempotency-key-reused",
                "This Idempotency-Key was used for a different request; use a new key.",
            )
        if claim.answer is None:
            raise ProblemError(
                409,
                "idempotency-key-in-use",
                "The first request with this key is still running.",
                headers={"Retry-After": "1"},
            )
        return _replay(claim.answer)
    try:
        response = run()
    except (PipelineError, ProblemError) as error:
        response = for_error(error, request.url.path)
    except BaseException:
        api_access.forget_idempotency_key(caller.key, key)
        raise
    if response.status_code >= 500:
        api_access.forget_idempotency_key(caller.key, key)
        return response
    headers = {name: value for name, value in response.headers.items() if name in _KEPT_HEADERS}
    answer = {
        "status": response.status_code,
        "headers": headers,
        "body": bytes(response.body).decode("utf-8"),
    }
    api_access.store_idempotent_answer(caller.key, key, fingerprint, answer, KEY_TTL_SECONDS)
    return response
