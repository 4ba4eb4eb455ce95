"""The metrics the pages and routes record, and what `GET /metrics` serves (store/metrics.py has
the families). The UI and the API reach them through here."""

from __future__ import annotations

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain.model import KanbanColumn, WorkspaceKind
from pipeline_core.store import cache, db, metrics, ops_window
from pipeline_core.store.metrics import (
    CONTENT_TYPE_LATEST,
    LIVE_CONNECTS,
    LIVE_DELIVERED,
    LIVE_LAG,
    LIVE_OPEN,
    exposition,
    live_disconnected,
    observe_http,
    script_run,
)

__all__ = [
    "CONTENT_TYPE_LATEST",
    "LIVE_CONNECTS",
    "LIVE_DELIVERED",
    "LIVE_LAG",
    "LIVE_OPEN",
    "business_figures",
    "exposition",
    "install",
    "live_disconnected",
    "observe_http",
    "script_run",
    "uninstall",
]


def business_figures() -> list[tuple[str, dict[str, int], dict[str, int]]]:
    """Per workspace: jamaah by status and open tasks by column, from the cached summaries the
    overview and the task queue already keep (a scrape costs Redis reads, rarely a recompute)."""
    kinds = tuple(kind.value for kind in WorkspaceKind)
    figures = []
    for choice in dashboard.workspace_choices(kinds):
        viewer = system_viewer(dashboard.workspace(choice.slug))
        health = dashboard.pipeline_health(viewer)
        counts = dashboard.task_queue_page(viewer, limit=1).counts
        statuses = {
            "on-track": health.on_track,
            "at-risk": health.at_risk,
            "overdue": health.overdue,
            "completed": health.completed,
        }
        columns = {column.value: counts.of(column) for column in KanbanColumn}
        figures.append((choice.slug, statuses, columns))
    return figures


def install() -> None:
    """Register the collectors read at scrape time and start the flusher of the last hour's
    figures (once per process, at start-up)."""
    metrics.register_business(business_figures)
    metrics.register_pool(lambda: db.get_engine().pool if db.engine_started() else None)
    ops_window.start(cache.get_redis)


def uninstall() -> None:
    ops_window.stop()
