"""The process around the app: start-up (servers, schema, demo data), shutdown, readiness, settings.

`prepare` runs once per process (the ASGI lifespan, the CLI, the test fixtures); `readiness` is
what `/readyz` reports. The work is done in `pipeline_core.seed.bootstrap` and
`pipeline_core.store.config`; routes and pages reach it through here.
"""

from __future__ import annotations

from pipeline_core.seed.bootstrap import (
    Readiness,
    prepare,
    readiness,
    shutdown,
    start_daily_backups,
    warn_without_autovacuum,
)
from pipeline_core.store.config import Settings, get_settings

__all__ = [
    "Readiness",
    "Settings",
    "get_settings",
    "init_error_tracking",
    "prepare",
    "readiness",
    "shutdown",
    "start_daily_backups",
    "warn_without_autovacuum",
]


def init_error_tracking() -> bool:
    """Sentry when SENTRY_DSN is set (store/error_tracking.py); the release names the schema."""
    from pipeline_core.store import error_tracking, migrate

    return error_tracking.init_error_tracking(
        get_settings(), release=f"umrah-pipeline@{migrate.head_revision()}"
    )
