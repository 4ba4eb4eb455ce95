"""The last hour of the whole system, for the System page and the alerts: per-minute figures that
every process adds up in memory and flushes to Redis every few seconds, so the page reads the sum
of all processes (Prometheus' counters, store/metrics.py, stay per process).

Per minute `m` (epoch minutes), in Redis for two hours:
- `pl:ops:{m}` hash: `req`, `err` (5xx), `api`, `api:<bound>` (API answers by latency bucket),
  `hit`, `miss` (cache reads), `disc` (live streams the browser dropped);
- `pl:ops:q:{m}` sorted set: each query name scored by its slowest time that minute (> 0.1 s only).

Recording costs a lock and a dict increment; the flush is one pipeline per few seconds. If Redis is
down the figures of those seconds are dropped (logged), never a request slowed. The Redis client is
handed in (`cache.get_redis`): the cache records its reads here, so this module cannot import it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import redis

from pipeline_core.domain.alerts import HourFigures

__all__ = [
    "LATENCY_BOUNDS",
    "SlowQuery",
    "flush",
    "hour_figures",
    "record_cache",
    "record_disconnect",
    "record_http",
    "record_query",
    "slowest_queries",
    "start",
    "stop",
]

log = logging.getLogger(__name__)

LATENCY_BOUNDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))
_KEEP_S = 2 * 3600
_FLUSH_S = 5.0
_QUERY_FLOOR_S = 0.1  # faster statements are not worth a slot in the slowest list

_lock = threading.Lock()
_counts: dict[int, Counter[str]] = {}
_queries: dict[int, dict[str, float]] = {}
_stop = threading.Event()


def _minute(at: float | None) -> int:
    return int((time.time() if at is None else at) // 60)


def _add(field: str, at: float | None, amount: int = 1) -> None:
    minute = _minute(at)
    with _lock:
        _counts.setdefault(minute, Counter())[field] += amount


def _bound(seconds: float) -> str:
    return next(f"{b:g}" for b in LATENCY_BOUNDS if seconds <= b)


def record_http(route: str, status: int, seconds: float, *, at: float | None = None) -> None:
    minute = _minute(at)
    with _lock:
        counts = _counts.setdefault(minute, Counter())
        counts["req"] += 1
        if status >= 500:
            counts["err"] += 1
        if route.startswith("/api/"):
            counts["api"] += 1
            counts[f"api:{_bound(seconds)}"] += 1


def record_query(name: str, seconds: float, *, at: float | None = None) -> None:
    if seconds < _QUERY_FLOOR_S:
        return
    minute = _minute(at)
    with _lock:
        slowest = _queries.setdefault(minute, {})
        slowest[name] = max(seconds, slowest.get(name, 0.0))


def record_cache(outcome: str, *, at: float | None = None) -> None:
    if outcome in ("hit", "miss"):
        _add(outcome, at)


def record_disconnect(*, at: float | None = None) -> None:
    _add("disc", at)


def flush(client: redis.Redis) -> None:
    """Add what this process counted since the last flush to Redis (all processes' sums)."""
    with _lock:
        counts, queries = dict(_counts), dict(_queries)
        _counts.clear()
        _queries.clear()
    if not counts and not queries:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for minute, fields in counts.items():
            for field, amount in fields.items():
                pipe.hincrby(f"pl:ops:{minute}", field, amount)
            pipe.expire(f"pl:ops:{minute}", _KEEP_S)
        for minute, slowest in queries.items():
            pipe.zadd(f"pl:ops:q:{minute}", slowest, gt=True)
            pipe.expire(f"pl:ops:q:{minute}", _KEEP_S)
        pipe.execute()
    except redis.RedisError as error:
        log.warning("last seconds' operations figures dropped: Redis unavailable (%s)", type(error).__name__)


@dataclass(frozen=True, slots=True)
class SlowQuery:
    name: str
    seconds: float


def _hour(now: float | None) -> list[int]:
    last = _minute(now)
    return list(range(last - 59, last + 1))


def hour_figures(client: redis.Redis, *, now: float | None = None) -> HourFigures:
    """The last 60 minutes (the current one included), every process's flushed figures summed."""
    minutes = _hour(now)
    pipe = client.pipeline(transaction=False)
    for minute in minutes:
        pipe.hgetall(f"pl:ops:{minute}")
    rows = pipe.execute()
    total: Counter[str] = Counter()
    recent: Counter[str] = Counter()
    for minute, row in zip(minutes, rows, strict=True):
        values = Counter({field: int(amount) for field, amount in row.items()})
        total.update(values)
        if minute > minutes[-1] - 5:
            recent.update(values)
    slowest = slowest_queries(client, now=now, limit=1)
    return HourFigures(
        requests=total["req"],
        server_errors=total["err"],
        api_requests=total["api"],
        api_p95_s=_p95(total),
        slowest_query_s=slowest[0].seconds if slowest else None,
        slowest_query=slowest[0].name if slowest else None,
        cache_hits=total["hit"],
        cache_misses=total["miss"],
        disconnects_last_5min=recent["disc"],
        disconnects_hour=total["disc"],
    )


def _p95(total: Counter[str]) -> float | None:
    """The upper bound of the latency bucket holding the 95th percentile of the API answers."""
    if not total["api"]:
        return None
    needed, seen = 0.95 * total["api"], 0
    for bound in LATENCY_BOUNDS:
        seen += total[f"api:{bound:g}"]
        if seen >= needed:
            return bound
    return LATENCY_BOUNDS[-1]


def slowest_queries(client: redis.Redis, *, now: float | None = None, limit: int = 10) -> list[SlowQuery]:
    """The slowest statements of the last hour (over 0.1 s), by name, slowest first."""
    worst: dict[str, float] = {}
    pipe = client.pipeline(transaction=False)
    for minute in _hour(now):
        pipe.zrange(f"pl:ops:q:{minute}", 0, -1, withscores=True)
    for entries in pipe.execute():
        for name, seconds in entries:
            worst[str(name)] = max(float(seconds), worst.get(str(name), 0.0))
    ranked = sorted(worst.items(), key=lambda item: -item[1])[:limit]
    return [SlowQuery(name, seconds) for name, seconds in ranked]


def _loop(client: Callable[[], redis.Redis]) -> None:
    while not _stop.wait(_FLUSH_S):
        _flush_quietly(client)
    _flush_quietly(client)


def _flush_quietly(client: Callable[[], redis.Redis]) -> None:
    try:
        flush(client())
    except Exception:  # the flusher outlives any outage
        log.warning("operations figures not flushed", exc_info=True)


def start(client: Callable[[], redis.Redis]) -> None:
    """The flusher thread of this process (the app's start-up)."""
    _stop.clear()
    threading.Thread(target=_loop, args=(client,), name="ops-window", daemon=True).start()


def stop() -> None:
    _stop.set()
