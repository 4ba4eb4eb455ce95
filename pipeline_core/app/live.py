"""Change events for the live push: where they are published and how a reconnecting tab catches up.

Commands publish each committed change to Redis (`pipeline_core.store.events`); the SSE route
(`api/live.py`) subscribes once per process to `live_channel_pattern(db)` and replays a tab's missed
events from the stream; a page asks for the sequence it was drawn at. This module is their door.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from pipeline_core.store import cache, events
from pipeline_core.store.events import MAX_REPLAY, access_channel, live_channel_pattern, url_db

__all__ = [
    "MAX_REPLAY",
    "access_channel",
    "current_sequence",
    "live_channel_pattern",
    "redis_client",
    "redis_url",
    "replay",
    "set_origin_source",
    "url_db",
]


def redis_url() -> str:
    """The Redis the events travel through (the embedded server's socket, or REDIS_URL)."""
    return cache.redis_url()


def redis_client() -> redis.Redis:
    """The process's one shared Redis client."""
    return cache.get_redis()


def current_sequence(workspace_id: int) -> int | None:
    """The sequence number of the workspace's newest event (None when Redis is unreachable)."""
    return events.current_sequence(workspace_id)


def replay(workspace_id: int, after: int) -> list[dict[str, Any]] | None:
    """The workspace's events after `after`, oldest first; None when the stream cannot fill the gap
    (the tab redraws instead). Raises redis errors: the caller knows Redis is down."""
    return events.replay(cache.get_redis(), workspace_id, after)


def set_origin_source(source: Callable[[], str | None] | None) -> None:
    """Where this process's changes come from: `source()` answers the id of the browser tab whose
    action is running (None outside one). Each event is stamped with it as `origin` when built, and
    that tab alone drops the event (docs/live-updates.md, "Own changes")."""
    events.set_origin_source(source)
