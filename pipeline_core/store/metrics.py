"""The process's metrics (prometheus-client), exposed at `GET /metrics` when METRICS_ENABLED.

Every process counts its own work (several replicas: each is scraped, docs/operations.md);
nothing here is shared through Redis, so two processes never double-count. No label carries PII,
a user name or an id: routes are templates (`/api/v1/pipeline/tasks/{id}`), pages are registry
names, queries are the name of the function that ran them (`reads.queries.pipeline_health`),
workspaces are their slug.

The families are listed in docs/operations.md ("Metrics").
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from pipeline_core.store import logs, ops_window

__all__ = [
    "CONTENT_TYPE_LATEST",
    "SLOW_QUERY_S",
    "cache_outcome",
    "exposition",
    "live_disconnected",
    "observe_http",
    "observe_query",
    "query_name",
    "register_business",
    "script_run",
]

log = logging.getLogger(__name__)

SLOW_QUERY_S = 1.0
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter("umrah_http_requests", "HTTP answers", ["route", "method", "status"])
HTTP_LATENCY = Histogram("umrah_http_request_duration_seconds", "HTTP answer time", ["route"], buckets=_FAST)
SCRIPT_RUNS = Histogram(
    "umrah_script_run_duration_seconds", "Streamlit script run time", ["page"], buckets=_FAST
)
SCRIPT_ERRORS = Counter("umrah_script_errors", "Uncaught errors in script runs", ["page"])
DB_QUERY = Histogram("umrah_db_query_duration_seconds", "SQL statement time", ["query"], buckets=_FAST)
DB_SLOW = Counter("umrah_db_slow_queries", "SQL statements slower than 1 s", ["query"])
CACHE = Counter("umrah_cache_requests", "Read-through cache reads", ["view", "outcome"])
CACHE_ERRORS = Counter("umrah_cache_errors", "Redis errors seen by the cache")
CACHE_BREAKER = Gauge("umrah_cache_breaker_open", "1 while the cache reads PostgreSQL directly")
LIVE_OPEN = Gauge("umrah_live_streams_open", "Open live-update streams")
LIVE_CONNECTS = Counter("umrah_live_connects", "Live-update streams opened")
LIVE_DISCONNECTS = Counter("umrah_live_disconnects", "Live-update streams ended", ["reason"])
LIVE_DELIVERED = Counter("umrah_live_events_delivered", "Events written to open streams")
LIVE_LAG = Histogram(
    "umrah_live_delivery_lag_seconds",
    "From publish to delivery of an event",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)


def exposition() -> bytes:
    """The text format of every registered metric (this process's)."""
    return generate_latest(REGISTRY)


@contextmanager
def script_run(page: str, **who: Any) -> Iterator[None]:
    """Time one script run of `page`; an uncaught error is counted (and re-raised); one access
    line (`who`: user_id, workspace). Streamlit's own rerun/stop signals are BaseExceptions, not
    errors: they pass uncounted."""
    start = time.perf_counter()
    with logs.request_scope(page=page, **who) as scope:
        try:
            yield
        except Exception:
            SCRIPT_ERRORS.labels(page).inc()
            scope["status"] = "error"
            raise
        finally:
            seconds = time.perf_counter() - start
            SCRIPT_RUNS.labels(page).observe(seconds)
            scope["duration_ms"] = round(seconds * 1000, 1)
            logs.access(scope, "script run")


def cache_outcome(view: str, outcome: str) -> None:
    CACHE.labels(view, outcome).inc()
    ops_window.record_cache(outcome)


def observe_http(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route).observe(seconds)
    ops_window.record_http(route, status, seconds)


def live_disconnected(reason: str) -> None:
    LIVE_OPEN.dec()
    LIVE_DISCONNECTS.labels(reason).inc()
    if reason == "client":
        ops_window.record_disconnect()


_OURS = ("pipeline_core.reads.", "pipeline_core.commands.", "pipeline_core.store.", "pipeline_core.seed.")
_PLUMBING = ("pipeline_core.store.db", "pipeline_core.store.metrics")


def query_name() -> str:
    """The function of ours that ran the statement: `reads.queries.pipeline_health`, found by walking
    up the stack past SQLAlchemy (a few microseconds); `other` when none is ours."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(_OURS) and not module.startswith(_PLUMBING):
            return f"{module.removeprefix('pipeline_core.')}.{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return "other"


def observe_query(name: str, seconds: float) -> None:
    DB_QUERY.labels(name).observe(seconds)
    ops_window.record_query(name, seconds)
    if seconds > SLOW_QUERY_S:
        DB_SLOW.labels(name).inc()
        log.warning("slow query: %s took %.2f s", name, seconds)


class _Business(Collector):
    """Jamaah by status and open tasks by column, per workspace, read at scrape time."""

    def __init__(self, read: Callable[[], list[tuple[str, dict[str, int], dict[str, int]]]]) -> None:
        self._read = read

    def collect(self) -> Iterator[Any]:
        jamaah = GaugeMetricFamily("umrah_jamaah", "Jamaah by status", labels=["workspace", "status"])
        tasks = GaugeMetricFamily(
            "umrah_open_tasks", "Open tasks by queue column", labels=["workspace", "column"]
        )
        try:
            rows = self._read()
        except Exception:  # a scrape during an outage still answers the process metrics
            log.warning("business metrics unavailable", exc_info=True)
            rows = []
        for slug, statuses, columns in rows:
            for status, count in statuses.items():
                jamaah.add_metric([slug, status], count)
            for column, count in columns.items():
                tasks.add_metric([slug, column], count)
        yield jamaah
        yield tasks


class _Pool(Collector):
    def __init__(self, pool: Callable[[], Any]) -> None:
        self._pool = pool

    def collect(self) -> Iterator[Any]:
        pool = self._pool()
        out = GaugeMetricFamily("umrah_db_pool_checked_out", "Database connections in use")
        over = GaugeMetricFamily("umrah_db_pool_overflow", "Connections beyond the pool size")
        if pool is not None:
            out.add_metric([], pool.checkedout())
            over.add_metric([], max(pool.overflow(), 0))
        yield out
        yield over


_registered: dict[str, Collector] = {}


def register_business(read: Callable[[], list[tuple[str, dict[str, int], dict[str, int]]]]) -> None:
    """Install the business collector once per process (the app calls it at start-up)."""
    _register("business", _Business(read))


def register_pool(pool: Callable[[], Any]) -> None:
    _register("pool", _Pool(pool))


def _register(name: str, collector: Collector) -> None:
    old = _registered.pop(name, None)
    if old is not None:
        REGISTRY.unregister(old)
    REGISTRY.register(collector)
    _registered[name] = collector
