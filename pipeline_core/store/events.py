"""Change events: facts about committed changes, published to Redis after the commit.

A command builds its events while it works and hands them to `publish` (the cache kept current
and the event published, in one script) only once its transaction has committed, so a rolled-back
change is never announced. Each event goes to two places in
Redis, for the live push built on top of this module:

- pub/sub channel `pipeline:{workspace_id}:events` — instant delivery to whoever listens now;
- stream `pipeline:{workspace_id}:stream` (`XADD … MAXLEN ~ 10000`) — a short replayable history
  for a client that reconnects.

The payload is one JSON object: `type` (the activity-log action, e.g. "task.completed"),
`workspace_id`, `jamaah_id`, `task_id`, `actor`, `roles` (the task's role(s) and "manager": who
should refresh), `occurred_at`, `views`, the event's own fields, and `sequence` — a per-workspace
counter (`INCR pipeline:{workspace_id}:seq`) so a client can tell it missed something. Optional
fields travel only when known: `actor_id` (the acting user's id), `jamaah_name` and `task_title`
(for a toast such as "Rina menyelesaikan Pengajuan Visa — Ahmad Hidayat"), and `origin`.

`origin` is the browser tab a change was made from, so that tab alone skips its own event (it has
already redrawn from the action's answer) while the same user's other tabs update. An event takes
it when it is built, from the process's origin source (`set_origin_source`: the UI registers one
that names the tab whose script run is calling; anything else — the API, the command line, a
job — has none, and every tab updates). A source rather than a value each caller sets: a
Streamlit button's callback runs before the page script, so no page code could set it in time,
and no command has to pass it along.

The live push (api/live.py) pattern-subscribes once per process to `live_channel_pattern(db)` and
replays a reconnecting client's gap with `replay` (docs/live-updates.md).

Choices:
- INCR, PUBLISH and XADD run in one Lua script: the sequence order is the order on the channel
  and in the stream, even with several app processes publishing at once. The cache's
  after-commit step (`cache.after_commit_call`) runs in the same script, before them: one round trip
  to Redis after a commit, not two (issue 21).
- Redis is an accelerator, not the record: a publishing failure (Redis down or slow) never fails
  or undoes the committed change. It is logged as a warning at most once a minute, with a count
  of the failures not logged in between; the rest of that batch is skipped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar

import redis
from redis.connection import parse_url

from pipeline_core.domain import rules
from pipeline_core.domain.model import EventKind, JamaahStatus, KanbanColumn, Role, View, Workspace
from pipeline_core.store import cache, metrics
from pipeline_core.store.cache import DashboardChange, QueueMove
from pipeline_core.store.repository import SnapshotFacts, Task

__all__ = [
    "STREAM_MAXLEN",
    "DashboardChange",
    "Event",
    "JamaahEnrolled",
    "JamaahImported",
    "PipelineMigrated",
    "PipelinePublished",
    "TaskBlocked",
    "TaskCompleted",
    "TaskReassigned",
    "TaskUnblocked",
    "TaskUpdated",
    "access_channel",
    "affected_roles",
    "channel",
    "current_origin",
    "current_sequence",
    "dashboard_change",
    "live_channel_pattern",
    "publish",
    "replay",
    "sequence_key",
    "set_origin_source",
    "stream_key",
    "touched_views",
    "url_db",
]

log = logging.getLogger(__name__)

STREAM_MAXLEN = 10_000
FAILURE_LOG_INTERVAL = 60.0  # seconds between two warnings about a failing Redis


def channel(workspace_id: int, db: int = 0) -> str:
    """A workspace's channel. Redis numbers its databases but publishes across all of them, so the
    channel names the database: two deployments on one server (db 0 and db 1) never hear each
    other's events (a workspace id is only unique within one deployment)."""
    return f"pipeline:db{db}:{workspace_id}:events"


def live_channel_pattern(db: int = 0) -> str:
    """Every workspace's channel of database `db`: the one pattern a live-push process subscribes to."""
    return f"pipeline:db{db}:*:events"


def access_channel(db: int = 0) -> str:
    """Who lost access or changed rights: open live streams of these users check their session."""
    return f"pipeline:db{db}:access"


def url_db(url: str) -> int:
    """The database number of a Redis URL (`redis://…/7`, `unix://…?db=0`; none: 0)."""
    return int(parse_url(url).get("db") or 0)


def _db_of(client: Any) -> int:
    pool = getattr(client, "connection_pool", None)
    return int(pool.connection_kwargs.get("db") or 0) if pool is not None else 0


def stream_key(workspace_id: int) -> str:
    return f"pipeline:{workspace_id}:stream"


def sequence_key(workspace_id: int) -> str:
    return f"pipeline:{workspace_id}:seq"


def affected_roles(*roles: Role | str | None) -> tuple[str, ...]:
    """The given roles (deduplicated, in order) and the manager, who sees every role."""
    named = [str(role) for role in (*roles, Role.MANAGER) if role is not None]
    return tuple(dict.fromkeys(named))


def _no_origin() -> str | None:
    return None


_origin_source: Callable[[], str | None] = _no_origin


def set_origin_source(source: Callable[[], str | None] | None) -> None:
    """Name where this process's changes come from: `source()` is asked when an event is built and
    answers the id of the browser tab whose action is running, or None (None here: no source)."""
    global _origin_source
    _origin_source = source if source is not None else _no_origin


def current_origin() -> str | None:
    """The tab the change being made now comes from; None when the source cannot tell (never
    raises: a change is never refused for want of an origin)."""
    try:
        return _origin_source()
    except Exception:
        log.exception("the live origin source failed; the event goes out without one")
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    type: ClassVar[EventKind]

    workspace_id: int
    jamaah_id: int | None  # None: a change of the pipeline itself, not of one jamaah
    task_id: int | None
    actor: str
    roles: tuple[str, ...]
    occurred_at: datetime
    views: tuple[View, ...] = ()  # which dashboard views the change touched (see touched_views)
    # What the change means for the cached dashboards, when one jamaah changed (dashboard_change):
    # the cache moves counts by one instead of recomputing. Not part of the payload.
    change: DashboardChange | None = None
    # Known to some commands only; left out of the payload when None.
    actor_id: int | None = None
    jamaah_name: str | None = None
    task_title: str | None = None
    origin: str | None = field(default_factory=current_origin)  # the tab it was made from

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type}
        for each in fields(self):
            if each.name == "change":
                continue
            value = getattr(self, each.name)
            if value is None and each.name in _OPTIONAL:
                continue
            body[each.name] = value.isoformat() if isinstance(value, datetime) else value
        return body


_OPTIONAL = frozenset({"actor_id", "jamaah_name", "task_title", "origin"})


_DEPARTURE_WINDOW = timedelta(days=30)


def touched_views(
    *,
    before: SnapshotFacts | None,
    after: SnapshotFacts,
    now: datetime,
    workspace: Workspace,
    stage_completed: bool = False,
    notes_changed: bool = False,
) -> tuple[View, ...]:
    """What a change of one jamaah's current stage means for the dashboards.

    The queue always changes. Stage cards change when the current stage, its status or due time
    moved, or a stage was completed (its completion count). Health changes only when the jamaah's
    status changed; bottlenecks only when a stuck (overdue) jamaah is involved; the departures
    list only when the jamaah leaves within 30 days and its stage or readiness moved.
    """
    views = [View.QUEUE]
    moved = before is None or _position(before) != _position(after)
    if moved or stage_completed:
        views.append(View.STAGES)
    if _status(before, now, workspace) is not _status(after, now, workspace):
        views.append(View.HEALTH)
    involved = _stuck(before, now) or _stuck(after, now)
    reason_moved = before is not None and before.block_reason != after.block_reason
    if involved and (moved or reason_moved or notes_changed):
        views.append(View.BOTTLENECKS)
    if moved and after.departure_date <= rules.agency_today(now, workspace.timezone) + _DEPARTURE_WINDOW:
        views.append(View.DEPARTURES)
    return tuple(views)


def dashboard_change(
    *,
    before: SnapshotFacts | None,
    after: SnapshotFacts,
    now: datetime,
    workspace: Workspace,
    tasks: tuple[tuple[Task | None, Task | None], ...],
    stage_completed: bool = False,
    notes_changed: bool = False,
) -> DashboardChange:
    """`touched_views`, plus what the cache needs to keep its counts current instead of
    recomputing them: the jamaah's status before → after (the KPI counts) and, for each task the
    change touched (`tasks`: (as it was, as it is now), None for a task that did not exist yet),
    the kanban column it left and the one it entered, at `now`."""
    views = touched_views(
        before=before,
        after=after,
        now=now,
        workspace=workspace,
        stage_completed=stage_completed,
        notes_changed=notes_changed,
    )
    moves: list[QueueMove] = []
    for old, new in tasks:
        if old is not None and new is not None and old.assigned_role is new.assigned_role:
            left, entered = _column(old, now, workspace), _column(new, now, workspace)
            moves.append(QueueMove(str(old.assigned_role), left, entered))
            continue
        if old is not None:
            moves.append(QueueMove(str(old.assigned_role), _column(old, now, workspace), None))
        if new is not None:
            moves.append(QueueMove(str(new.assigned_role), None, _column(new, now, workspace)))
    return DashboardChange(
        views=views,
        status_before=_status(before, now, workspace),
        status_after=_status(after, now, workspace),
        queue=tuple(moves),
    )


def _column(task: Task, now: datetime, workspace: Workspace) -> KanbanColumn | None:
    return rules.kanban_column(
        status=task.status, priority=task.priority, due_at=task.due_at, now=now, tz=workspace.timezone
    )


def _position(facts: SnapshotFacts) -> tuple[object, ...]:
    return (facts.current_stage_id, facts.current_stage_status, facts.current_due_at, facts.is_completed)


def _stuck(facts: SnapshotFacts | None, now: datetime) -> bool:
    return facts is not None and facts.current_due_at is not None and facts.current_due_at < now


def _status(facts: SnapshotFacts | None, now: datetime, workspace: Workspace) -> JamaahStatus | None:
    if facts is None:
        return None
    if facts.is_completed or facts.current_due_at is None or facts.projected_finish_at is None:
        return JamaahStatus.COMPLETED
    later = facts.projected_finish_at - facts.current_due_at
    return rules.classify_jamaah(
        now=now,
        departure_date=facts.departure_date,
        current=rules.CurrentStage(
            due_at=facts.current_due_at, blocked=facts.current_stage_status == "blocked"
        ),
        later_sla_hours=int(later.total_seconds() // 3600),
        buffer_days=workspace.at_risk_buffer_days,
        tz=workspace.timezone,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class JamaahEnrolled(Event):
    type: ClassVar[EventKind] = EventKind.JAMAAH_ENROLLED


@dataclass(frozen=True, slots=True, kw_only=True)
class JamaahImported(Event):
    """One committed import: `new` jamaah enrolled and `updated` changed, announced once."""

    type: ClassVar[EventKind] = EventKind.JAMAAH_IMPORTED
    new: int
    updated: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCompleted(Event):
    type: ClassVar[EventKind] = EventKind.TASK_COMPLETED
    next_task_id: int | None
    jamaah_completed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskBlocked(Event):
    type: ClassVar[EventKind] = EventKind.TASK_BLOCKED
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskUnblocked(Event):
    type: ClassVar[EventKind] = EventKind.TASK_UNBLOCKED


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskUpdated(Event):
    type: ClassVar[EventKind] = EventKind.TASK_UPDATED
    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskReassigned(Event):
    type: ClassVar[EventKind] = EventKind.TASK_REASSIGNED
    assignee_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelinePublished(Event):
    """A new pipeline version (a publish or a roll back): stage names, SLAs and roles may differ."""

    type: ClassVar[EventKind] = EventKind.PIPELINE_PUBLISHED
    version_no: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineMigrated(Event):
    """One committed batch of a migration: `moved` jamaah changed version (and stage, task, role)."""

    type: ClassVar[EventKind] = EventKind.PIPELINE_MIGRATED
    version_no: int
    moved: int


@dataclass(frozen=True, slots=True, kw_only=True)
class JamaahUpdated(Event):
    """A jamaah's data edited (the form, the API, an import row): no stage or task changed."""

    type: ClassVar[EventKind] = EventKind.JAMAAH_UPDATED


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupChanged(Event):
    """A departure group created or edited; a new departure date moved its jamaah's deadlines."""

    type: ClassVar[EventKind] = EventKind.GROUP_CHANGED
    package_id: int
    moved: int = 0  # jamaah whose deadlines were recomputed


#: Every dashboard view: a change to the pipeline itself may touch any of them.
ALL_VIEWS: tuple[View, ...] = tuple(View)


# publish(sequence counter key, stream key, payload without its sequence, channel, stream max
# length). The payload is a JSON object, so the sequence is appended before its closing brace.
_PUBLISH_LUA = """
local function publish(seq_key, stream_key, body, chan, maxlen)
  local seq = redis.call('INCR', seq_key)
  local payload = string.sub(body, 1, -2) .. ',"sequence":' .. tostring(seq) .. '}'
  redis.call('PUBLISH', chan, payload)
  redis.call('XADD', stream_key, 'MAXLEN', '~', maxlen, '*', 'event', payload)
  return seq
end
"""
# An event in one round trip: keep the dashboard cache current with its change
# (`cache.after_commit_call`, when ARGV[4] is not empty), then publish it. A failure of the cache's part
# (e.g. a cached value it cannot read) is returned, not raised: the event is still published.
# KEYS: sequence counter, stream, generations, patch sequences. ARGV: payload, channel, stream
# max length (as Lua's `publish`), then the cache's argument. Returns {sequence, the cache
# part's error or ''}.
_PUBLISH_SCRIPT = (
    cache.AFTER_COMMIT_LUA
    + _PUBLISH_LUA
    + """
local failure = ''
if ARGV[4] ~= '' then
  local ok, err = pcall(after_commit, KEYS[3], KEYS[4], ARGV[4])
  if not ok then failure = type(err) == 'table' and tostring(err.err) or tostring(err) end
end
return {publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]), failure}
"""
)


_publish_scripts: list[Any] = []


def _publish_script(client: redis.Redis) -> Any:
    """Registered once (EVALSHA: the text is not sent with every call); a server that does not
    know it yet (a new or restarted one) is sent it once by redis-py."""
    if not _publish_scripts:
        _publish_scripts.append(client.register_script(_PUBLISH_SCRIPT))
    return _publish_scripts[0]


_failures = threading.Lock()
_last_warning = float("-inf")
_unlogged = 0
_clock = time.monotonic  # replaced in tests


def publish(events: Iterable[Event], *, client: redis.Redis | None = None) -> list[int]:
    """After a command's commit, in order, one round trip per event: keep the dashboard cache
    current with its change (`cache.after_commit_call`), then publish it to its channel and stream. In
    that order, in one script: a page redrawn by the event never reads the cached figures of
    before. Returns the sequence numbers. Never raises: Redis only speeds reads up and pushes
    changes, the committed change stands."""
    sequences: list[int] = []
    for event in events:
        ws = event.workspace_id
        update = None
        try:
            body = json.dumps(event.payload(), ensure_ascii=False, separators=(",", ":"))
            update = cache.after_commit_call(ws, event.views, event.roles, event.change)
            keys, argument = [sequence_key(ws), stream_key(ws)], ""
            if update is not None:
                keys, argument = keys + update[0], update[1]
            redis_client = client if client is not None else cache.get_redis()
            args = [body, channel(ws, _db_of(redis_client)), STREAM_MAXLEN, argument]
            sequence, failure = _publish_script(redis_client)(keys=keys, args=args, client=redis_client)
        except Exception as error:  # Redis down, slow, or failing to start: never the caller's problem
            if update is not None:
                cache.breaker.failed(error)
            _warn(error)
            metrics.LIVE_PUBLISH_FAILED.inc()
            break
        if failure:  # the cache's part failed in Redis; the event is published
            text = failure.decode() if isinstance(failure, bytes) else str(failure)
            cache.breaker.failed(redis.ResponseError(text))
        sequences.append(int(sequence))
        metrics.LIVE_PUBLISHED.labels(str(event.type)).inc()
    return sequences


def current_sequence(workspace_id: int, *, client: redis.Redis | None = None) -> int | None:
    """The workspace's last published sequence (0 before the first event); None when Redis is down.

    A page reads it when it draws, so its live listener can ask for everything published since.
    """
    try:
        value = (client if client is not None else cache.get_redis()).get(sequence_key(workspace_id))
    except (redis.RedisError, OSError):
        return None  # the live listener then starts from its first live event
    return int(value) if value is not None else 0


#: A reconnecting client further behind than this gets `None` (resync) rather than a replay.
MAX_REPLAY = 500


def replay(
    client: redis.Redis, workspace_id: int, after: int, *, limit: int = MAX_REPLAY
) -> list[dict[str, Any]] | None:
    """The events of the workspace with a sequence above `after`, oldest first, from the stream.

    None when they cannot all be given: more than `limit` were missed, the capped stream no longer
    holds the oldest missed one, or the counter is behind `after` (Redis was emptied). The client
    then reloads its views instead (resync). Raises redis errors: the caller knows Redis is down.
    """
    current = client.get(sequence_key(workspace_id))
    current_seq = int(current) if current is not None else 0
    if current_seq < after:
        return None
    if current_seq == after:
        return []
    if current_seq - after > limit:
        return None
    # A little more than the gap: events published since the GET above come first (newest first).
    entries: list[tuple[Any, dict[Any, Any]]] = client.xrevrange(  # type: ignore[assignment]
        stream_key(workspace_id), "+", "-", count=current_seq - after + 64
    )
    decoded = (_decode(fields) for _, fields in reversed(entries))
    missed = [event for event in decoded if event is not None and int(event["sequence"]) > after]
    if not missed or int(missed[0]["sequence"]) != after + 1:
        return None
    return missed


def _decode(fields: dict[Any, Any]) -> dict[str, Any] | None:
    raw = fields.get("event", fields.get(b"event"))
    if raw is None:
        return None
    try:
        event = json.loads(raw)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "sequence" in event else None


#: A counter per user, moved by every access change: the API's token cache
#: (`app.api_access`) trusts a remembered token only while its user's stamp is unchanged.
ACCESS_STAMP_SECONDS = 86_400


def access_stamp_key(user_id: int) -> str:
    return f"pl:access:{user_id}"


def announce_access_change(user_ids: Iterable[int], *, client: redis.Redis | None = None) -> None:
    """A user's sessions or rights changed (signed out, deactivated, role changed, password reset,
    moved to another dataset, an API token revoked). Call it after the commit; each process's live
    hub then re-checks the sessions of that user's open streams and ends those no longer valid,
    within a moment instead of at the stream's 10-minute end, and the user's access stamp moves
    (remembered API tokens are looked up again). Never raises: the change itself is committed."""
    try:
        publisher = client or cache.get_redis()
        for user_id in sorted(set(user_ids)):
            stamp = publisher.pipeline(transaction=False)
            stamp.incr(access_stamp_key(user_id))
            stamp.expire(access_stamp_key(user_id), ACCESS_STAMP_SECONDS)
            stamp.execute()
            publisher.publish(access_channel(_db_of(publisher)), json.dumps({"user_id": user_id}))
    except (redis.RedisError, OSError) as error:
        _warn(error)


def _warn(error: Exception) -> None:
    global _last_warning, _unlogged
    with _failures:
        now = _clock()
        if now - _last_warning < FAILURE_LOG_INTERVAL:
            _unlogged += 1
            return
        _last_warning, unlogged, _unlogged = now, _unlogged, 0
    log.warning(
        "change events not published (%s: %s); the changes themselves are committed "
        "(%d earlier failures not logged)",
        type(error).__name__,
        error,
        unlogged,
    )
