"""Change events without a server: payload shape, affected roles, and publishing that never fails."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from pipeline_core.domain.model import (
    JamaahStatus,
    KanbanColumn,
    Priority,
    Role,
    Workspace,
    WorkspaceKind,
    WorkStatus,
)
from pipeline_core.store import events
from pipeline_core.store.cache import QueueMove
from pipeline_core.store.events import touched_views
from pipeline_core.store.repository import SnapshotFacts, Task
from tests.ports import free_port

AT = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def _completed(**overrides: Any) -> events.TaskCompleted:
    fields: dict[str, Any] = {
        "workspace_id": 7,
        "jamaah_id": 11,
        "task_id": 42,
        "actor": "Dewi Dokumen",
        "roles": ("document-admin", "manager"),
        "occurred_at": AT,
        "next_task_id": 43,
        "jamaah_completed": False,
    }
    return events.TaskCompleted(**fields | overrides)


class RefusedRedis(redis.Redis):
    """A real client of a port where no server listens (connections are refused at once, no
    retry); counts the commands it was asked to send."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))
        self.attempts = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.attempts += 1
        return super().execute_command(*args, **options)


@pytest.fixture(autouse=True)
def fresh_failure_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "_last_warning", float("-inf"))
    monkeypatch.setattr(events, "_unlogged", 0)


def test_the_payload_names_its_type_and_carries_every_field() -> None:
    assert _completed().payload() == {
        "type": "task.completed",
        "workspace_id": 7,
        "jamaah_id": 11,
        "task_id": 42,
        "actor": "Dewi Dokumen",
        "roles": ("document-admin", "manager"),
        "occurred_at": "2026-11-29T03:00:00+00:00",
        "next_task_id": 43,
        "jamaah_completed": False,
        "views": (),
    }


@pytest.fixture
def tab() -> Iterator[list[str | None]]:
    """The process's origin source answers the tab in this list (as the UI's does during a tab's
    script run); the source before the test is put back afterwards."""
    acting: list[str | None] = [None]
    before = events._origin_source
    events.set_origin_source(lambda: acting[0])
    yield acting
    events.set_origin_source(before)


def test_an_event_made_in_a_tab_names_it_as_its_origin(tab: list[str | None]) -> None:
    tab[0] = "tab-1"
    made_there = _completed()
    tab[0] = None  # published later, outside the tab: the origin is where it was made
    assert made_there.payload()["origin"] == "tab-1"
    assert "origin" not in _completed().payload()  # the API, the command line: no tab, all update


def test_a_failing_origin_source_never_stops_an_event(
    tab: list[str | None], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> str:
        raise RuntimeError("no session state here")

    events.set_origin_source(broken)
    with caplog.at_level(logging.ERROR, logger=events.__name__):
        assert "origin" not in _completed().payload()
    assert "origin source failed" in caplog.text


def test_events_are_frozen_facts() -> None:
    with pytest.raises(AttributeError):
        _completed().task_id = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ((Role.DOCUMENT_ADMIN,), ("document-admin", "manager")),
        ((Role.DOCUMENT_ADMIN, Role.VISA_ADMIN), ("document-admin", "visa-admin", "manager")),
        ((Role.VISA_ADMIN, Role.VISA_ADMIN, None), ("visa-admin", "manager")),
        ((Role.MANAGER,), ("manager",)),
        ((), ("manager",)),
    ],
)
def test_affected_roles_always_include_the_manager_once(
    roles: tuple[Any, ...], expected: tuple[str, ...]
) -> None:
    assert events.affected_roles(*roles) == expected


def test_a_redis_failure_never_raises_and_is_logged_at_most_once_a_minute(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(events, "_clock", lambda: clock[0])
    client = RefusedRedis()
    caplog.set_level(logging.WARNING, logger="pipeline_core.store.events")

    assert events.publish([_completed(), _completed()], client=client) == []
    assert client.attempts == 1  # the rest of the batch is skipped
    for _ in range(3):
        clock[0] += 10
        events.publish([_completed()], client=client)
    assert len(caplog.records) == 1
    assert "ConnectionError" in caplog.records[0].getMessage()

    clock[0] += 60
    events.publish([_completed()], client=client)
    assert len(caplog.records) == 2
    assert "3 earlier failures not logged" in caplog.records[1].getMessage()


def test_a_redis_that_cannot_even_start_is_a_logged_failure_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_server() -> None:
        raise OSError("embedded redis failed to start")

    monkeypatch.setattr(events.cache, "get_redis", no_server)
    assert events.publish([_completed()]) == []


# --- which dashboard views a change touches ---------------------------------------------------

_WS = Workspace(
    id=7,
    slug="x",
    name="X",
    kind=WorkspaceKind.AGENCY,
    timezone="Asia/Jakarta",
    at_risk_buffer_days=3,
    min_stuck=5,
)
_NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def _facts(**changes: Any) -> SnapshotFacts:
    base = SnapshotFacts(
        current_stage_id=1,
        current_stage_status="pending",
        current_due_at=_NOW + timedelta(days=2),
        projected_finish_at=_NOW + timedelta(days=30),
        block_reason=None,
        departure_date=date(2027, 3, 1),
        is_completed=False,
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("before", "after", "kwargs", "expected"),
    [
        pytest.param(
            _facts(),
            _facts(current_stage_id=2, current_due_at=_NOW + timedelta(days=4)),
            {"stage_completed": True},
            ("queue", "stages"),
            id="on-track-moves-on",
        ),
        pytest.param(_facts(), _facts(), {"notes_changed": True}, ("queue",), id="notes-of-a-punctual-task"),
        pytest.param(
            _facts(),
            _facts(current_stage_status="blocked", block_reason="Paspor"),
            {},
            ("queue", "stages", "health"),
            id="blocked-becomes-at-risk",
        ),
        pytest.param(
            _facts(current_due_at=_NOW - timedelta(days=1)),
            _facts(current_due_at=_NOW - timedelta(days=1)),
            {"notes_changed": True},
            ("queue", "bottlenecks"),
            id="a-stuck-jamaahs-note-is-the-top-reason",
        ),
        pytest.param(
            _facts(current_due_at=_NOW - timedelta(days=1)),
            _facts(current_stage_id=2),
            {"stage_completed": True},
            ("queue", "stages", "health", "bottlenecks"),
            id="overdue-unstuck",
        ),
        pytest.param(
            _facts(departure_date=date(2026, 12, 20)),
            _facts(
                departure_date=date(2026, 12, 20),
                current_stage_id=None,
                current_stage_status=None,
                current_due_at=None,
                projected_finish_at=None,
                is_completed=True,
            ),
            {"stage_completed": True},
            ("queue", "stages", "health", "departures"),
            id="ready-to-depart-soon",
        ),
        pytest.param(None, _facts(), {}, ("queue", "stages", "health"), id="enrolled"),
    ],
)
def test_a_change_touches_only_the_views_it_changes(
    before: SnapshotFacts | None, after: SnapshotFacts, kwargs: dict[str, bool], expected: tuple[str, ...]
) -> None:
    assert touched_views(before=before, after=after, now=_NOW, workspace=_WS, **kwargs) == expected


# --- what a change means for the cached counts -----------------------------------------------


def _task(**changes: Any) -> Task:
    base = Task(
        id=42,
        workspace_id=7,
        jamaah_id=11,
        stage_id=1,
        stage_instance_id=5,
        task_type="visa-application",
        title="Pengajuan Visa",
        priority=Priority.HIGH,
        status=WorkStatus.IN_PROGRESS,
        due_at=_NOW - timedelta(days=1),  # before today in Jakarta: the Urgent column
        assigned_role=Role.VISA_ADMIN,
        assignee_id=None,
        notes=None,
        block_reason=None,
        version=1,
        created_at=_NOW - timedelta(days=4),
        updated_at=_NOW - timedelta(days=4),
        completed_at=None,
    )
    return replace(base, **changes)


def test_a_completion_moves_the_status_and_both_tasks_columns() -> None:
    old = _task()
    done = replace(old, status=WorkStatus.COMPLETED, completed_at=_NOW)
    started = _task(
        id=43, assigned_role=Role.VISA_ADMIN, due_at=_NOW + timedelta(days=5), status=WorkStatus.PENDING
    )
    change = events.dashboard_change(
        before=_facts(current_due_at=old.due_at),
        after=_facts(current_stage_id=2, current_due_at=started.due_at),
        now=_NOW,
        workspace=_WS,
        tasks=((old, done), (None, started)),
        stage_completed=True,
    )
    assert (change.status_before, change.status_after) == (JamaahStatus.OVERDUE, JamaahStatus.ON_TRACK)
    assert change.queue == (
        QueueMove("visa-admin", KanbanColumn.URGENT, None),
        QueueMove("visa-admin", None, KanbanColumn.UPCOMING),
    )
    assert change.views == ("queue", "stages", "health", "bottlenecks")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            _task(),
            _task(status=WorkStatus.BLOCKED, block_reason="Paspor"),
            (QueueMove("visa-admin", KanbanColumn.URGENT, KanbanColumn.BLOCKED),),
            id="blocked",
        ),
        pytest.param(
            _task(),
            _task(notes="cek"),
            (QueueMove("visa-admin", KanbanColumn.URGENT, KanbanColumn.URGENT),),
            id="a-note-redraws-its-column-only",
        ),
        pytest.param(
            _task(),
            _task(assigned_role=Role.TRAVEL_ADMIN),
            (
                QueueMove("visa-admin", KanbanColumn.URGENT, None),
                QueueMove("travel-admin", None, KanbanColumn.URGENT),
            ),
            id="another-desk",
        ),
    ],
)
def test_an_edit_moves_its_task_between_columns(
    old: Task, new: Task, expected: tuple[QueueMove, ...]
) -> None:
    change = events.dashboard_change(
        before=_facts(), after=_facts(), now=_NOW, workspace=_WS, tasks=((old, new),)
    )
    assert change.queue == expected


def test_the_change_stays_out_of_the_payload() -> None:
    change = events.dashboard_change(before=None, after=_facts(), now=_NOW, workspace=_WS, tasks=())
    assert "change" not in _completed(change=change).payload()
