"""Redis records that guard the HTTP API: rate-limit counters and idempotency keys.

- Rate limits are fixed windows: `INCR pl:rl:{who}` with the window's length as TTL, in one round
  trip (a small Lua script). The count and the seconds left in the window come back, so the
  route can answer `429` with `Retry-After`. Redis keeps the time (the key's TTL), not this process.
- Idempotency keys: the first request with a key claims it (`SET NX`, state `pending`), the answer
  is stored under the same key once the action is done (`done`, with the status, headers and body),
  for `ttl` seconds (24 h by default). A retry reads the stored answer; a concurrent retry finds
  `pending`. Keys are per user (`pl:idem:{user}:{sha256 of key}`): one user cannot read another's
  answers by guessing a key.
- Redis down: the counters let the request through (logged); an idempotency key cannot be kept, so
  the write is refused (`ServerUnavailable`) rather than risking doing it twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from pipeline_core.domain.errors import ServerUnavailable
from pipeline_core.store.cache import get_redis
from pipeline_core.store.events import access_stamp_key

__all__ = [
    "Claim",
    "RateCount",
    "claim_idempotency_key",
    "count_request",
    "count_requests",
    "forget_idempotency_key",
    "store_idempotent_answer",
]

log = logging.getLogger(__name__)


#: INCR each counter, starting its window's clock on its first request (Redis 6.2 has no
#: `EXPIRE … NX`); with one key more than ARGV[2] counters, also read that key: a user's access
#: stamp (`events.access_stamp_key`). One round trip for all of it.
_COUNT_SCRIPT = """
local counters = tonumber(ARGV[2])
local out = {}
for i = 1, counters do
  local count = redis.call('INCR', KEYS[i])
  local ttl = redis.call('TTL', KEYS[i])
  if ttl < 0 then
    redis.call('EXPIRE', KEYS[i], ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
if #KEYS > counters then
  out[#out + 1] = redis.call('GET', KEYS[counters + 1]) or '0'
end
return out
"""


@dataclass(frozen=True, slots=True)
class RateCount:
    count: int  # requests in the current window, this one included
    retry_after: int  # seconds until the window ends
    stamp: int | None = None  # the access stamp of `stamp_of`, when asked


def count_requests(
    whos: Sequence[str], window_seconds: int, *, stamp_of: int | None = None
) -> list[RateCount] | None:
    """Count one request against each of `whos` in the current window, and read the access stamp
    of the user `stamp_of` (carried by every count), in one round trip; None when Redis cannot be
    reached."""
    keys = [f"pl:rl:{who}" for who in whos] + ([access_stamp_key(stamp_of)] if stamp_of is not None else [])
    try:
        raw = get_redis().eval(_COUNT_SCRIPT, len(keys), *keys, window_seconds, len(whos))
    except redis.RedisError as error:
        log.warning("rate limit not counted (%s): request let through", error)
        return None
    stamp = int(raw[-1]) if stamp_of is not None else None
    return [RateCount(int(raw[2 * i]), max(1, int(raw[2 * i + 1])), stamp) for i in range(len(whos))]


def count_request(who: str, window_seconds: int, *, stamp_of: int | None = None) -> RateCount | None:
    """`count_requests` for one counter."""
    counted = count_requests([who], window_seconds, stamp_of=stamp_of)
    return counted[0] if counted else None


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a key: `new` (go ahead), else the stored state of the first request."""

    new: bool
    fingerprint: str | None = None
    answer: dict[str, Any] | None = None  # None while the first request is still running


def _key(user_key: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return f"pl:idem:{user_key}:{digest}"


def claim_idempotency_key(user_key: str, idempotency_key: str, fingerprint: str, ttl: int) -> Claim:
    """Claim the key for this request, or hand back what the first request with it left."""
    key = _key(user_key, idempotency_key)
    pending = json.dumps({"state": "pending", "fingerprint": fingerprint})
    try:
        client = get_redis()
        if client.set(key, pending, nx=True, ex=ttl):
            return Claim(new=True)
        stored = client.get(key)
    except redis.RedisError as error:
        raise ServerUnavailable(
            f"Idempotency keys cannot be kept right now ({error}); retry later."
        ) from error
    if stored is None:  # expired between the two calls: this request is the first again
        return claim_idempotency_key(user_key, idempotency_key, fingerprint, ttl)
    record = json.loads(stored)
    return Claim(new=False, fingerprint=record.get("fingerprint"), answer=record.get("answer"))


def store_idempotent_answer(
    user_key: str, idempotency_key: str, fingerprint: str, answer: dict[str, Any], ttl: int
) -> None:
    key = _key(user_key, idempotency_key)
    record = json.dumps({"state": "done", "fingerprint": fingerprint, "answer": answer})
    try:
        get_redis().set(key, record, ex=ttl)
    except redis.RedisError as error:  # the change is committed; a retry will find `pending`
        log.warning("idempotent answer not stored: %s", error)


def forget_idempotency_key(user_key: str, idempotency_key: str) -> None:
    """Release a claim whose request failed before changing anything (a 5xx): a retry may run."""
    try:
        get_redis().delete(_key(user_key, idempotency_key))
    except redis.RedisError as error:
        log.warning("idempotency key not released: %s", error)
