"""Twenty people press at once on the same task version, on real PostgreSQL and Redis.

tests/integration/test_log_events_races.py races two completions; issue #6 asks for twenty, and
for edits and mixed commands too. Each contender has its own connection, opened before the start
line, so all twenty reach the row lock together. Whatever the interleaving: exactly one change is
applied, every other contender gets a `Conflict` carrying the task as it now is, no stage instance
or task is duplicated, the activity log has one entry and Redis one event for the applied change.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.domain.errors import Conflict
from pipeline_core.domain.model import Workspace, WorkspaceKind, WorkStatus
from pipeline_core.store import schema as t
from pipeline_core.store.repository import Task
from pipeline_core.store.workspaces import create_workspace, delete_workspace, get_workspace
from tests.builders import MANAGER, NOW, activity_entries, count_rows, make_jamaah, stream_entries

CONTENDERS = 20


@pytest.fixture
def race_engine(engine: Engine) -> Iterator[Engine]:
    """A pool as wide as the crowd, so no contender waits for a connection."""
    wide = create_engine(engine.url.render_as_string(hide_password=False), pool_size=CONTENDERS + 2)
    yield wide
    wide.dispose()


@pytest.fixture
def agency(engine: Engine) -> Iterator[Workspace]:
    slug = f"race20-{uuid.uuid4().hex[:8]}"
    with Session(engine) as setup:
        create_workspace(setup, slug=slug, name="Race Agency", kind=WorkspaceKind.AGENCY)
        setup.commit()
        workspace = get_workspace(setup, slug)
    yield workspace
    with Session(engine) as cleanup:
        delete_workspace(cleanup, slug)
        cleanup.commit()


Command = Callable[[Session, int], Any]


def _race(engine: Engine, commands: list[Command]) -> list[Any]:
    """Run the commands at once, each on its own connection; their results or errors, in order."""
    start = threading.Barrier(len(commands), timeout=60)
    outcomes: list[Any] = [None] * len(commands)

    def contender(index: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            own.connection()  # connected before the start line
            start.wait()
            try:
                outcomes[index] = commands[index](own, index)
            except Exception as error:
                outcomes[index] = error

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _complete(workspace: Workspace, task: Task) -> Command:
    def command(session: Session, index: int) -> Any:
        return services.complete_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=task.version,
            now=NOW,
        )

    return command


def _edit(workspace: Workspace, task: Task) -> Command:
    def command(session: Session, index: int) -> Any:
        return services.update_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=task.version,
            notes=f"catatan dari admin {index}",
            now=NOW,
        )

    return command


def _new_task(engine: Engine, workspace: Workspace) -> Task:
    with Session(engine, expire_on_commit=False) as setup:
        task = make_jamaah(setup, workspace).task
    assert task is not None
    return task


def _split(outcomes: list[Any]) -> tuple[list[Any], list[Conflict]]:
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    winners = [o for o in outcomes if not isinstance(o, BaseException) and o is not None]
    others = [
        o for o in outcomes if o is None or (isinstance(o, BaseException) and not isinstance(o, Conflict))
    ]
    assert not others, others
    return winners, losers


def _entries(engine: Engine, workspace: Workspace, task: Task) -> list[Any]:
    with Session(engine) as check:
        entries = activity_entries(check, workspace)
    return [e for e in entries if e.entity_id == task.id and e.action != "jamaah.enrolled"]


def _published(workspace: Workspace, task: Task) -> list[str]:
    """The types of the events Redis holds about the task, after its enrolment."""
    return [e["type"] for e in stream_entries(workspace) if e["task_id"] == task.id][1:]


def test_twenty_simultaneous_completions_one_wins(race_engine: Engine, agency: Workspace) -> None:
    task = _new_task(race_engine, agency)
    winners, losers = _split(_race(race_engine, [_complete(agency, task)] * CONTENDERS))

    assert (len(winners), len(losers)) == (1, CONTENDERS - 1)
    for conflict in losers:
        assert conflict.current is not None
        assert conflict.current.version == task.version + 1
        assert conflict.current.status is WorkStatus.COMPLETED
    [winner] = winners
    assert winner.next_task is not None
    with Session(race_engine) as check:
        assert count_rows(check, t.PipelineTask, jamaah_id=task.jamaah_id) == 2
        assert count_rows(check, t.StageInstance, jamaah_id=task.jamaah_id) == 2
        assert count_rows(check, t.StageInstance, jamaah_id=task.jamaah_id, stage_id=task.stage_id) == 1
    assert [e.action for e in _entries(race_engine, agency, task)] == ["task.completed"]
    assert _published(agency, task) == ["task.completed"]


def test_twenty_simultaneous_edits_one_wins_the_rest_see_its_change(
    race_engine: Engine, agency: Workspace
) -> None:
    task = _new_task(race_engine, agency)
    winners, losers = _split(_race(race_engine, [_edit(agency, task)] * CONTENDERS))

    assert (len(winners), len(losers)) == (1, CONTENDERS - 1)
    [winner] = winners
    assert winner.version == task.version + 1
    for conflict in losers:
        assert conflict.current is not None
        assert (conflict.current.version, conflict.current.notes) == (winner.version, winner.notes)
    [entry] = _entries(race_engine, agency, task)
    assert entry.action == "task.updated"
    assert _published(agency, task) == ["task.updated"]


def test_completions_and_edits_mixed_one_change_applies(race_engine: Engine, agency: Workspace) -> None:
    task = _new_task(race_engine, agency)
    commands = [_complete(agency, task), _edit(agency, task)] * (CONTENDERS // 2)
    winners, losers = _split(_race(race_engine, commands))

    assert (len(winners), len(losers)) == (1, CONTENDERS - 1)
    applied = _entries(race_engine, agency, task)
    assert len(applied) == 1
    with Session(race_engine) as check:
        tasks = count_rows(check, t.PipelineTask, jamaah_id=task.jamaah_id)
    assert tasks == (2 if applied[0].action == "task.completed" else 1)
    assert _published(agency, task) == [applied[0].action]
