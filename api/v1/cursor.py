"""Opaque cursors for keyset paging (`?cursor=`): the task queue and the activity log.

A page answers `next_cursor` when more items follow it; sending it back asks for the items after
the last one, in the same order, whatever was completed, added or removed before it meanwhile
(an OFFSET would skip or repeat one). Deep pages cost what they return (the read is a row
comparison on the list's own index), so a program can walk all 100,000 tasks.

The cursor is the last item's place (e.g. the task's priority rank, due time and id) as JSON in
base64url, then a checksum over that place *and the query it belongs to* (the workspace, the
list, its filters). A cursor that was cut, changed, or sent with other filters is `400`
(`invalid-cursor`), never a 500. The checksum is not a secret: a client that forges a place only
starts its walk there, inside its own workspace and role — the same rows it may read anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request

from api.v1.problems import ProblemError
from pipeline_core.app import ActivityKey, QueueKey

__all__ = [
    "CURSOR_400",
    "Cursor",
    "activity_key",
    "encode_activity",
    "encode_queue",
    "queue_key",
    "refuse_page_with_cursor",
]

MAX_CURSOR = 300
MAX_ID = 2**63 - 1
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR,
        description="`next_cursor` of the previous answer: the next page, by keyset (deep paging); "
        "send the same filters; not with `page`",
    ),
]
CURSOR_400: dict[int | str, dict[str, Any]] = {
    400: {"description": "`cursor` is not one this API gave for this query (`invalid-cursor`)"}
}
K = TypeVar("K")


def _check(place: str, query: str) -> str:
    digest = hashlib.sha256(f"{query}\n{place}".encode()).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _encode(values: list[Any], query: str) -> str:
    place = base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{place}.{_check(place, query)}"


def _invalid(detail: str) -> ProblemError:
    return ProblemError(
        400,
        "invalid-cursor",
        detail,
        errors=[{"field": "cursor", "in": "query", "message": detail}],
    )


def _decode(cursor: str, query: str, parse: Callable[[list[Any]], K]) -> K:
    place, _, check = cursor.partition(".")
    if not place or not hmac.compare_digest(check.encode(), _check(place, query).encode()):
        raise _invalid(
            "This cursor was changed, cut short, or belongs to other filters: send `next_cursor` "
            "exactly as the previous answer gave it, with the same filters, or start again without it."
        )
    try:
        values = json.loads(base64.urlsafe_b64decode(place + "=" * (-len(place) % 4)))
        if not isinstance(values, list):
            raise ValueError("not a list")
        return parse(values)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _invalid("This cursor cannot be read: start again without it.") from None


def _whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError("not a whole number in range")
    return value


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a time")
    found = datetime.fromisoformat(value)
    if found.tzinfo is None:
        raise ValueError("no time zone")
    return found


def _query(name: str, workspace_id: int, filters: dict[str, object]) -> str:
    """What a cursor belongs to: the list, the workspace and the filters in effect."""
    shown = "&".join(f"{key}={'' if value is None else value}" for key, value in sorted(filters.items()))
    return f"{name}|ws{workspace_id}|{shown}"


# --- the task queue: (priority rank, due, id) ---------------------------------------------------


def encode_queue(key: QueueKey, workspace_id: int, filters: dict[str, object]) -> str:
    query = _query("tasks", workspace_id, filters)
    return _encode([key.priority_rank, key.due_at.isoformat(), key.id], query)


def queue_key(cursor: str, workspace_id: int, filters: dict[str, object]) -> QueueKey:
    def parse(values: list[Any]) -> QueueKey:
        rank, due, task_id = values  # ValueError when not three
        return QueueKey(priority_rank=_whole(rank, 0, 3), due_at=_instant(due), id=_whole(task_id, 1, MAX_ID))

    return _decode(cursor, _query("tasks", workspace_id, filters), parse)


# --- the activity log: (occurred_at, id), newest first -----------------------------------------


def encode_activity(key: ActivityKey, workspace_id: int, filters: dict[str, object]) -> str:
    query = _query("activity", workspace_id, filters)
    return _encode([key.occurred_at.isoformat(), key.id], query)


def activity_key(cursor: str, workspace_id: int, filters: dict[str, object]) -> ActivityKey:
    def parse(values: list[Any]) -> ActivityKey:
        occurred, entry_id = values
        return ActivityKey(occurred_at=_instant(occurred), id=_whole(entry_id, 1, MAX_ID))

    return _decode(cursor, _query("activity", workspace_id, filters), parse)


def refuse_page_with_cursor(request: Request, cursor: str | None) -> None:
    """`page` and `cursor` name two different places: asking for both is a client's mistake."""
    if cursor is not None and "page" in request.query_params:
        raise ProblemError(
            400,
            "invalid-cursor",
            "Send either `page` or `cursor`, not both: `cursor` already says where the page starts.",
            errors=[{"field": "page", "in": "query", "message": "not with cursor"}],
        )
