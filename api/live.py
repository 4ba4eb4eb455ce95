"""`GET /live/events`: the signed-in user's change events, pushed to the browser as Server-Sent Events.

One `LiveHub` per process (started and stopped by the app's lifespan) holds the only Redis
subscription: a pattern subscription to every workspace's channel of its Redis database
(`live.live_channel_pattern(db)`).
Each message is parsed once and copied into the small queue of every open stream that may see it:

- authentication is the session cookie alone (`auth.resolve_session`); nothing in the URL names
  the user or the workspace. No cookie, or a revoked/expired session: 401 problem+json.
- a stream gets the events of its user's workspace only; an admin only those whose `roles` hold
  their role; a manager or super-admin all of their workspace.
- a queue holds at most `PIPELINE_LIVE_QUEUE_SIZE` events: a client that falls behind loses what
  it had not read and gets one `resync` instead (it reloads its views), so a slow tab never grows
  the server's memory.

The wire (docs/live-updates.md has the whole protocol):

    retry: 2000                               reconnect delay for the browser
    event: hello   data: {"boot", "status", "sequence"}   first, with `id:` when known
    id: 42  event: change  data: <the event's JSON payload, as published>
    event: status  data: {"status": "live" | "offline"}  Redis lost / back
    id: 57  event: resync  data: {"sequence": 57}        too much missed: reload your views
    : keepalive                               every PIPELINE_LIVE_HEARTBEAT_SECONDS

Resuming: `Last-Event-ID` (sent by the browser's EventSource on reconnect) or `?since=` (the
sequence the page was drawn at) makes the stream replay the missed events from the capped Redis
stream (`live.replay`) before the live ones; a gap it cannot fill becomes `resync`. When Redis
comes back after an outage every stream catches up the same way.

A stream ends by itself after `MAX_STREAM_AGE` (the browser reconnects at once, resumes by
sequence, and is authenticated again, so a signed-out session stops receiving), and at shutdown:
uvicorn waits for open responses before it runs the lifespan's shutdown, so the hub ends every
stream as soon as SIGTERM/SIGINT arrives (it chains the server's signal handlers).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import signal
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any

import anyio
import redis
import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from pipeline_core.app import live, metrics
from pipeline_core.app import sessions as auth
from pipeline_core.app.runtime import get_settings
from pipeline_core.app.sessions import SESSION_COOKIE, CurrentUser
from pipeline_core.domain.errors import PipelineError
from pipeline_core.domain.model import Role

__all__ = ["BOOT_ID", "Listener", "LiveHub", "current_hub", "live_events", "routes", "start", "stop"]

log = logging.getLogger(__name__)

#: This process: a browser that sees another one in `hello` knows the server restarted.
BOOT_ID = uuid.uuid4().hex[:12]
RETRY_MS = 2000
MAX_STREAM_AGE = 600.0  # seconds; then the browser reconnects (and is authenticated again)
SEES_WHOLE_WORKSPACE = frozenset({Role.MANAGER, Role.SUPER_ADMIN})
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}


class Signal(enum.Enum):
    """What a queue carries besides events."""

    OFFLINE = "offline"  # the hub lost Redis
    ONLINE = "online"  # the hub has Redis again: catch up by sequence
    RESYNC = "resync"  # the queue overflowed: what was in it is gone
    CLOSE = "close"  # the process is shutting down


@dataclass(frozen=True, slots=True)
class Delivery:
    sequence: int
    raw: str  # the payload exactly as published


class Listener:
    """One open stream: who it is for, and its bounded queue (touched only on the event loop)."""

    __slots__ = ("held", "queue", "rechecks", "role", "sees_all", "size", "token", "user_id", "workspace_id")

    def __init__(self, user: CurrentUser, size: int, token: str = "") -> None:
        self.token = token  # to check the session again when the user's access changes
        # While the session is checked again after an access change: how many checks are running,
        # and the events kept back meanwhile (handed over if the session still stands, else dropped).
        self.rechecks = 0
        self.held: list[Delivery] = []
        self.workspace_id = user.workspace_id
        self.user_id = user.user_id
        self.role = str(user.role)
        self.sees_all = user.role in SEES_WHOLE_WORKSPACE
        self.size = size
        self.queue: asyncio.Queue[Delivery | Signal] = asyncio.Queue()

    def may_see(self, event: dict[str, Any]) -> bool:
        return event.get("workspace_id") == self.workspace_id and (
            self.sees_all or self.role in (event.get("roles") or ())
        )

    def offer(self, item: Delivery | Signal) -> None:
        if isinstance(item, Delivery) and self.rechecks:
            self.held.append(item)  # an event published after the access change: not before the check
            return
        if isinstance(item, Delivery) and self.queue.qsize() >= self.size:
            while not self.queue.empty():  # a slow client: drop its backlog, tell it to reload
                self.queue.get_nowait()
            item = Signal.RESYNC
        self.queue.put_nowait(item)


class LiveHub:
    """The process's one Redis subscription, fanned out to the open streams."""

    def __init__(
        self,
        *,
        url: Callable[[], str] = live.redis_url,
        queue_size: int | None = None,
        heartbeat: float | None = None,
    ) -> None:
        settings = get_settings()
        self._url = url
        self.queue_size = queue_size or settings.pipeline_live_queue_size
        self.heartbeat = heartbeat or settings.pipeline_live_heartbeat_seconds
        self.online = False
        self.closing = False
        self._listeners: dict[int, set[Listener]] = {}
        self._rechecks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._previous_handlers: dict[int, Any] = {}

    # --- life ---------------------------------------------------------------------------------

    async def start(self, *, handle_signals: bool = False, wait: float = 5.0) -> None:
        """Subscribe (waiting up to `wait` s for Redis), then keep the subscription alive."""
        self._task = asyncio.create_task(self._run(), name="live-hub")
        if handle_signals:
            self._chain_signal_handlers()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), wait)

    async def stop(self) -> None:
        self.close_streams()
        self._restore_signal_handlers()
        task, self._task = self._task, None
        # redis-py may swallow a cancellation inside a read: cancel until the task has ended
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=0.5)

    def close_streams(self) -> None:
        """End every open stream (and refuse new ones): shutdown has begun."""
        self.closing = True
        for listener in self.listeners():
            listener.offer(Signal.CLOSE)

    def _chain_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)

            def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(self.close_streams)
                if callable(previous):
                    previous(signum, frame)
                elif previous == signal.SIG_DFL and signum == signal.SIGINT:
                    raise KeyboardInterrupt

            self._previous_handlers[sig] = previous
            signal.signal(sig, handler)

    def _restore_signal_handlers(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig, previous in self._previous_handlers.items():
                with contextlib.suppress(TypeError, ValueError):
                    signal.signal(sig, previous)
        self._previous_handlers.clear()

    # --- streams ------------------------------------------------------------------------------

    def attach(self, user: CurrentUser, token: str = "") -> Listener:
        listener = Listener(user, self.queue_size, token)
        self._listeners.setdefault(user.workspace_id, set()).add(listener)
        return listener

    def detach(self, listener: Listener) -> None:
        group = self._listeners.get(listener.workspace_id)
        if group is not None:
            group.discard(listener)
            if not group:
                del self._listeners[listener.workspace_id]

    def listeners(self) -> list[Listener]:
        return [listener for group in self._listeners.values() for listener in group]

    def deliver(self, raw: str) -> None:
        """One published payload to every listener that may see it."""
        try:
            event = json.loads(raw)
            group = self._listeners.get(event["workspace_id"], ())
            delivery = Delivery(int(event["sequence"]), raw)
        except (ValueError, KeyError, TypeError):
            log.warning("live: ignored a malformed event on the channel")
            return
        _observe_lag(event)
        for listener in list(group):
            if listener.may_see(event):
                listener.offer(delivery)

    def access_changed(self, raw: str) -> None:
        """A user was signed out, deactivated, given another role or a new password, or moved to
        another dataset: check the session of each of their open streams again, and end the streams
        whose session no longer stands as it was (the browser reconnects: a 401, or a stream for
        what the user may see now)."""
        try:
            user_id = int(json.loads(raw)["user_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("live: ignored a malformed access change")
            return
        theirs = [listener for listener in self.listeners() if listener.user_id == user_id]
        for listener in theirs:  # from now on their events wait for the check (same loop turn)
            listener.rechecks += 1
        if theirs:
            task = asyncio.get_running_loop().create_task(self._recheck(theirs))
            self._rechecks.add(task)
            task.add_done_callback(self._rechecks.discard)

    async def _recheck(self, listeners: list[Listener]) -> None:
        """Each listener's session again. Until its check ends, events for it are held back: the
        change is committed before it is announced, so an event published after it (a task of
        a jamaah the user no longer may see) never reaches a stream whose session fell with it."""
        for listener in listeners:
            try:
                user = await anyio.to_thread.run_sync(auth.resolve_session, listener.token)
            except PipelineError:
                user = None  # cannot confirm it: end the stream, the reconnect decides
            except Exception:
                log.exception("live: checking a session again failed; ending its stream")
                user = None
            except BaseException:  # cancelled: the hub is stopping and ends every stream
                listener.rechecks -= 1
                raise
            same = user is not None and (user.user_id, str(user.role), user.workspace_id) == (
                listener.user_id,
                listener.role,
                listener.workspace_id,
            )
            listener.rechecks -= 1
            if not same:
                # Ended: what was held never goes out. `rechecks` is left to the other checks
                # still running for it, each of which takes its own one off (never below zero).
                listener.held.clear()
                listener.offer(Signal.CLOSE)
            elif not listener.rechecks:
                held, listener.held = listener.held, []
                for delivery in held:
                    listener.offer(delivery)

    def _set_online(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        for listener in self.listeners():
            listener.offer(Signal.ONLINE if online else Signal.OFFLINE)

    # --- the subscription ---------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.2
        while not self.closing:
            client: aioredis.Redis | None = None
            pubsub: Any = None
            try:
                url = self._url()
                client = aioredis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=2)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.psubscribe(live.live_channel_pattern(live.url_db(url)))
                await pubsub.subscribe(live.access_channel(live.url_db(url)))
                self._set_online(True)
                self._subscribed.set()
                backoff = 0.2
                pinged = time.monotonic()
                while not self.closing:
                    message = await pubsub.get_message(timeout=self.heartbeat)
                    if message is not None and message["type"] == "pmessage":
                        self.deliver(message["data"])
                    elif message is not None and message["type"] == "message":
                        self.access_changed(message["data"])
                    elif time.monotonic() - pinged >= self.heartbeat:
                        # a dead connection shows up on a write, not as silence. (Its pong comes
                        # back as an ignored message, None: hence the clock, not a ping per None.)
                        await pubsub.ping()
                        pinged = time.monotonic()
            except (redis.RedisError, OSError) as error:
                if self.online:
                    log.warning("live: Redis subscription lost (%s); retrying", error)
                self._set_online(False)
            except Exception:
                log.exception("live: the subscription failed; retrying")
                self._set_online(False)
            finally:
                for connection in (pubsub, client):
                    if connection is not None:
                        with contextlib.suppress(Exception):
                            await connection.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)


# --- the route ---------------------------------------------------------------------------------

_hub: LiveHub | None = None


def current_hub() -> LiveHub | None:
    return _hub


async def start(**options: Any) -> LiveHub:
    """Start this process's hub (the lifespan calls it after the servers are up)."""
    global _hub
    _hub = LiveHub(**options)
    await _hub.start(handle_signals=True)
    return _hub


async def stop() -> None:
    """End every stream and the subscription (before the embedded Redis stops)."""
    global _hub
    if _hub is not None:
        await _hub.stop()
        _hub = None


def _problem(status: int, title: str, detail: str, **headers: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(
        body,
        status_code=status,
        media_type="application/problem+json",
        headers={"Cache-Control": "no-store", **headers},
    )


def _resume_point(request: Request) -> int | None:
    for value in (request.headers.get("last-event-id"), request.query_params.get("since")):
        if value and value.strip().isdigit() and len(value.strip()) < 19:
            return int(value.strip())
    return None


async def live_events(request: Request) -> Response:
    hub = _hub
    token = request.cookies.get(SESSION_COOKIE)
    try:
        user = await anyio.to_thread.run_sync(auth.resolve_session, token) if token else None
    except PipelineError as error:
        log.error("live: session check unavailable: %s", error)
        return _problem(
            503, "Service Unavailable", "The sign-in service cannot be reached.", **{"Retry-After": "5"}
        )
    if user is None:
        return _problem(401, "Unauthorized", "Not signed in, or the session has ended.")
    if hub is None or hub.closing:
        return _problem(503, "Service Unavailable", "Live updates are not running.", **{"Retry-After": "2"})
    stream = _stream(hub, user, _resume_point(request), token or "")
    return StreamingResponse(stream, media_type="text/event-stream", headers=HEADERS)


def _frame(event: str, data: str, sequence: int | None = None) -> str:
    head = f"id: {sequence}\n" if sequence is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def _status(online: bool) -> str:
    return "live" if online else "offline"


async def _stream(hub: LiveHub, user: CurrentUser, after: int | None, token: str = "") -> AsyncIterator[str]:
    listener = hub.attach(user, token)  # first: whatever is published from now on is queued
    metrics.LIVE_CONNECTS.inc()
    metrics.LIVE_OPEN.inc()
    reason = "client"  # the browser went away, unless the server ends it below
    try:
        ws = user.workspace_id
        yield f"retry: {RETRY_MS}\n\n"
        current = await _sequence(ws)
        last = after if after is not None else current
        hello = {"boot": BOOT_ID, "status": _status(hub.online), "sequence": current}
        yield _frame("hello", json.dumps(hello), last)
        if after is not None:
            frames, last = await _catch_up(listener, after)
            for frame in frames:
                yield frame
        ends_at = time.monotonic() + MAX_STREAM_AGE
        while time.monotonic() < ends_at:
            try:
                item = await asyncio.wait_for(listener.queue.get(), hub.heartbeat)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if item is Signal.CLOSE:
                reason = "closed"  # signed out, access changed, or the server stopping
                return
            if item is Signal.OFFLINE:
                yield _frame("status", json.dumps({"status": "offline"}))
            elif item is Signal.ONLINE:
                yield _frame("status", json.dumps({"status": "live"}))
                if last is not None:
                    frames, last = await _catch_up(listener, last)
                    for frame in frames:
                        yield frame
            elif item is Signal.RESYNC:
                last = await _sequence(ws)
                yield _frame("resync", json.dumps({"sequence": last}), last)
            elif isinstance(item, Delivery) and (last is None or item.sequence > last):
                last = item.sequence
                yield _frame("change", item.raw, last)
                metrics.LIVE_DELIVERED.inc()
        reason = "age"
    finally:
        hub.detach(listener)
        metrics.live_disconnected(reason)


def _observe_lag(event: dict[str, Any]) -> None:
    """The time from the change to its arrival here, when the change happened on the wall clock."""
    with contextlib.suppress(ValueError, KeyError, TypeError):
        lag = time.time() - datetime.fromisoformat(event["occurred_at"]).timestamp()
        if 0 <= lag < 3600:
            metrics.LIVE_LAG.observe(lag)


async def _sequence(workspace_id: int) -> int | None:
    return await anyio.to_thread.run_sync(live.current_sequence, workspace_id)


async def _catch_up(listener: Listener, after: int) -> tuple[list[str], int]:
    """The frames of the events missed since `after` that this listener may see (or one
    `resync`), and the sequence the browser is then at."""
    try:
        missed = await anyio.to_thread.run_sync(lambda: live.replay(listener.workspace_id, after))
    except (redis.RedisError, OSError):
        return [_frame("status", json.dumps({"status": "offline"}))], after
    if missed is None:
        current = await _sequence(listener.workspace_id)
        return [_frame("resync", json.dumps({"sequence": current}), current)], current or 0
    frames, last = [], after
    for event in missed:
        last = int(event["sequence"])
        if listener.may_see(event):
            frames.append(
                _frame("change", json.dumps(event, ensure_ascii=False, separators=(",", ":")), last)
            )
    if missed and not listener.may_see(missed[-1]):
        # the newest missed event was not for this user: still move the browser's resume point
        # (a frame with an id and no data sets EventSource.lastEventId without an event)
        frames.append(f"id: {last}\n\n")
    return frames, last


routes = [Route("/live/events", live_events, methods=["GET"])]
