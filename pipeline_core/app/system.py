"""The System page's figures (super-admins) and the alert notifier.

`system_status` reads the last hour of the whole system (store/ops_window.py: every process's
figures summed in Redis), evaluates the plan's five alerts (domain/alerts.py), and adds this
process's readiness, uptime and open live streams.

`start_alert_notifier` runs in each app process: once a minute one of them (a Redis lock) evaluates
the alerts and, when one changes between ok and firing, POSTs it as JSON to
PIPELINE_ALERT_WEBHOOK_URL — in its own thread, with retries (1 s, 2 s, 4 s), never in a request.
The body: `{"alert", "status": "firing"|"resolved", "value", "threshold", "detail", "at"}`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from prometheus_client import REGISTRY

from pipeline_core.app.viewer import Viewer
from pipeline_core.domain.alerts import Alert, HourFigures, evaluate
from pipeline_core.domain.permissions import Action
from pipeline_core.seed.bootstrap import Readiness, readiness
from pipeline_core.store import cache, ops_window
from pipeline_core.store.config import get_settings
from pipeline_core.store.ops_window import SlowQuery

__all__ = [
    "Alert",
    "HourFigures",
    "SlowQuery",
    "SystemStatus",
    "notify_changes",
    "start_alert_notifier",
    "stop_alert_notifier",
    "system_status",
]

log = logging.getLogger(__name__)

_STARTED = time.monotonic()
_STATE_KEY, _LOCK_KEY = "pl:ops:alerts", "pl:ops:alerts:lock"
_EVERY_S = 60.0
_RETRIES = (1.0, 2.0, 4.0)
_stop = threading.Event()


@dataclass(frozen=True, slots=True)
class SystemStatus:
    readiness: Readiness
    uptime_s: float  # of this process
    live_streams: int  # open in this process
    figures: HourFigures | None  # None: Redis unreachable, nothing to read
    alerts: list[Alert]
    slowest: list[SlowQuery]


def system_status(viewer: Viewer, *, now: float | None = None) -> SystemStatus:
    """What the System page shows (super-admins)."""
    viewer.scope(Action.VIEW_SYSTEM)
    ready = readiness()
    figures, slowest = None, []
    try:
        client = cache.get_redis()
        ops_window.flush(client)  # this process's last seconds too
        figures = ops_window.hour_figures(client, now=now)
        slowest = ops_window.slowest_queries(client, now=now)
    except redis.RedisError:
        log.warning("system page: Redis unreachable, no figures of the last hour")
    streams = REGISTRY.get_sample_value("umrah_live_streams_open") or 0.0
    return SystemStatus(
        readiness=ready,
        uptime_s=time.monotonic() - _STARTED,
        live_streams=int(streams),
        figures=figures,
        alerts=evaluate(figures) if figures is not None else [],
        slowest=slowest,
    )


def notify_changes(client: redis.Redis, url: str, *, now: float | None = None) -> list[tuple[str, str]]:
    """Evaluate the alerts; POST each change (ok → firing: "firing", firing → ok: "resolved") to
    `url`; remember the new states. Returns the changes sent."""
    ops_window.flush(client)
    alerts = evaluate(ops_window.hour_figures(client, now=now))
    before = client.hgetall(_STATE_KEY)
    changes = []
    for alert in alerts:
        state = "firing" if alert.firing else "ok"
        if before.get(alert.name, "ok") != state:
            changes.append((alert.name, "firing" if alert.firing else "resolved"))
            _post(url, alert, now)
        client.hset(_STATE_KEY, alert.name, state)
    return changes


def _post(url: str, alert: Alert, now: float | None) -> None:
    at = datetime.fromtimestamp(time.time() if now is None else now, tz=UTC).isoformat()
    body = {
        "alert": alert.name,
        "status": "firing" if alert.firing else "resolved",
        "value": alert.value,
        "threshold": alert.threshold,
        "detail": alert.detail,
        "at": at,
    }
    data = json.dumps(body).encode()
    for attempt, pause in enumerate((0.0, *_RETRIES)):
        time.sleep(pause)
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if 200 <= answer.status < 300:
                    return
        except OSError as error:
            log.warning("alert webhook attempt %d failed (%s)", attempt + 1, type(error).__name__)
    log.error("alert %s not delivered to the webhook after %d attempts", alert.name, len(_RETRIES) + 1)


def _loop(url: str) -> None:
    while not _stop.wait(_EVERY_S):
        try:
            client = cache.get_redis()
            if client.set(_LOCK_KEY, "1", nx=True, ex=int(_EVERY_S) - 5):  # one process a minute
                notify_changes(client, url)
        except Exception:  # the notifier outlives any outage
            log.warning("alert evaluation failed", exc_info=True)


def start_alert_notifier() -> bool:
    """Start the notifier thread when PIPELINE_ALERT_WEBHOOK_URL is set."""
    url = get_settings().pipeline_alert_webhook_url
    if not url:
        return False
    _stop.clear()
    threading.Thread(target=_loop, args=(url,), name="alert-notifier", daemon=True).start()
    return True


def stop_alert_notifier() -> None:
    _stop.set()
