"""Sign-in throttling: growing delays per account and address, per address, and per account.

Nobody can lock anyone out, and one address cannot spray every account (docs/operations.md,
"Security"). Three counters, each a delay that grows with the failures and lifts by itself — never
a lock that a right password cannot pass after waiting:

- **Account from one address** (what a person who forgot their password meets): after
  `max_failed_attempts` consecutive failures of one account from one address, that address waits
  `first_delay` before it may try that account again, doubling with each further failure up to
  `lockout`. Another address is not held back by it: an attacker's guesses do not lock the owner
  out of their own sign-in.
- **Address** (one address guessing across many accounts): after `address_free_failures` failures
  within `address_window` from one address, whatever the names (unknown ones included), every
  attempt from it waits one second, doubling up to `lockout`.
- **Account from anywhere** (guesses spread over many addresses): after `account_free_failures`
  consecutive failures of an account, every attempt on it waits one second, doubling up to
  `account_max_delay` (a minute): slow enough to make guessing hopeless against the password
  policy, short enough that the owner gets in after a minute's wait. Kept in PostgreSQL
  (`users.failed_attempts`, `users.locked_until`) in the attempt's transaction.

An attempt during a wait is refused without checking the password and does not count. The first
two counters live in Redis (keys `pl:signin:…`, expiring by themselves). If Redis is unreachable
they are skipped with a warning and the account counter still holds.

Addresses are the client address the server sees: `X-Forwarded-For` counts only when it comes from
an address in PIPELINE_TRUSTED_PROXIES (app.py hands that list to uvicorn), so a client cannot
invent a fresh address for each guess.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis

from pipeline_core.store import cache

__all__ = ["Throttle", "address_wait", "forget_account", "forget_pair", "pair_wait", "record_failure"]

log = logging.getLogger(__name__)

_PREFIX = "pl:signin:"
_KEEP_S = 24 * 3600  # a counter untouched for a day is forgotten


@dataclass(frozen=True, slots=True)
class Throttle:
    """The figures of the three delays (AuthPolicy carries one; settings set the first two)."""

    max_failed_attempts: int = 5
    first_delay: timedelta = timedelta(seconds=30)
    lockout: timedelta = timedelta(minutes=15)
    address_free_failures: int = 10
    address_window: timedelta = timedelta(minutes=15)
    account_free_failures: int = 20
    account_max_delay: timedelta = timedelta(minutes=1)

    def pair_delay(self, failures: int) -> timedelta | None:
        """The wait after `failures` consecutive failures of one account from one address."""
        over = failures - self.max_failed_attempts
        return None if over < 0 else min(self.first_delay * 2 ** min(over, 30), self.lockout)

    def address_delay(self, failures: int) -> timedelta | None:
        over = failures - self.address_free_failures
        return None if over < 0 else min(timedelta(seconds=1) * 2 ** min(over, 30), self.lockout)

    def account_delay(self, failures: int) -> timedelta | None:
        over = failures - self.account_free_failures
        return None if over < 0 else min(timedelta(seconds=1) * 2 ** min(over, 30), self.account_max_delay)


def _fingerprint(address: str) -> str:
    return hashlib.sha256(address.encode("utf-8")).hexdigest()[:16]


def _address_key(address: str) -> str:
    return f"{_PREFIX}addr:{_fingerprint(address)}"


def _pair_key(user_id: int, address: str) -> str:
    return f"{_PREFIX}pair:{user_id}:{_fingerprint(address)}"


def _unavailable(error: redis.RedisError) -> None:
    log.warning("sign-in throttle unavailable (%s): the account counter still applies", type(error).__name__)


def _wait_until(key: str) -> float | None:
    try:
        value = cache.get_redis().hget(key, "wait_until")
    except redis.RedisError as error:
        _unavailable(error)
        return None
    return float(value) if value else None


def _remaining(key: str, now: datetime) -> timedelta | None:
    until = _wait_until(key)
    if until is None or until <= now.timestamp():
        return None
    return timedelta(seconds=until - now.timestamp())


def address_wait(address: str | None, now: datetime) -> timedelta | None:
    """How long `address` must still wait before any sign-in attempt, or None."""
    return _remaining(_address_key(address), now) if address else None


def pair_wait(user_id: int, address: str | None, now: datetime) -> timedelta | None:
    """How long `address` must still wait before trying this account again, or None."""
    return _remaining(_pair_key(user_id, address), now) if address else None


def _count(key: str, now: datetime, window: timedelta | None) -> int:
    """One more failure on `key` (a window restarts the count after a quiet spell); the new count."""
    client = cache.get_redis()
    last = client.hget(key, "last")
    if window is not None and last is not None and now.timestamp() - float(last) > window.total_seconds():
        client.delete(key)
    failures = int(client.hincrby(key, "failures", 1))
    client.hset(key, "last", now.timestamp())
    client.expire(key, _KEEP_S)
    return failures


def _hold(key: str, now: datetime, delay: timedelta | None) -> None:
    if delay is not None:
        cache.get_redis().hset(key, "wait_until", (now + delay).timestamp())


def record_failure(
    throttle: Throttle, address: str | None, user_id: int | None, now: datetime
) -> tuple[int, timedelta | None]:
    """Count a failed attempt from `address` (on `user_id` when the name is an account's).

    Returns the address's failures in its window and the wait the account-and-address pair now has
    (None while under the limit)."""
    if not address:
        return 0, None
    try:
        failures = _count(_address_key(address), now, throttle.address_window)
        _hold(_address_key(address), now, throttle.address_delay(failures))
        if user_id is None:
            return failures, None
        pair = _pair_key(user_id, address)
        delay = throttle.pair_delay(_count(pair, now, None))
        _hold(pair, now, delay)
        return failures, delay
    except redis.RedisError as error:
        _unavailable(error)
        return 0, None


def forget_account(user_id: int) -> None:
    """A password reset lifts every address's delay on the account."""
    try:
        client = cache.get_redis()
        for key in client.scan_iter(f"{_PREFIX}pair:{user_id}:*", count=500):
            client.delete(key)
    except redis.RedisError as error:
        _unavailable(error)


def forget_pair(user_id: int, address: str | None) -> None:
    """A success from this address clears its account counter (not the address's own count)."""
    if not address:
        return
    try:
        cache.get_redis().delete(_pair_key(user_id, address))
    except redis.RedisError as error:
        _unavailable(error)
