"""Optional error tracking with Sentry (sentry-sdk), on when SENTRY_DSN is set.

What is sent: uncaught exceptions of the API and routes (its Starlette/FastAPI integrations),
every `log.exception`/`log.error` line (a page section's failure, a background thread's), with the
release (SENTRY_RELEASE, else `umrah-pipeline@<schema revision>`) and the environment
(SENTRY_ENVIRONMENT, default `production`). Performance tracing is off (`traces_sample_rate=0`)
unless SENTRY_TRACES_SAMPLE_RATE says otherwise. `send_default_pii` is off, and every event passes
`domain.privacy.scrub` before it leaves: NIK, passport and phone numbers masked, tokens and password
hashes removed, cookies and credentials dropped (tests/integration/test_error_tracking.py plants
them and reads what a local receiver got).
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline_core.domain.privacy import scrub
from pipeline_core.store.config import Settings

__all__ = ["before_send", "init_error_tracking"]

log = logging.getLogger(__name__)


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    scrubbed: dict[str, Any] = scrub(event)
    return scrubbed


def init_error_tracking(settings: Settings, *, release: str) -> bool:
    """Start the Sentry client when SENTRY_DSN is set; True when it did."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        release=settings.sentry_release or release,
        environment=settings.sentry_environment,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        send_default_pii=False,
        before_send=before_send,  # type: ignore[arg-type]
        before_send_transaction=before_send,  # type: ignore[arg-type]
    )
    log.info("error tracking: Sentry on (%s)", settings.sentry_environment)
    return True
