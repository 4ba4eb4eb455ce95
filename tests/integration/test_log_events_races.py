"""The commands' side effects on real PostgreSQL and Redis: the activity log, events after commit,
simultaneous completions, and refusals recorded even inside a page's transaction."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, TypedDict

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.commands.tasks import block_task, complete_task, reassign, unblock_task, update_task
from pipeline_core.domain.errors import Conflict, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace, WorkspaceKind, WorkStatus
from pipeline_core.store import cache, events, task_writes
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, delete_workspace, get_workspace
from tests.builders import (
    MANAGER,
    NOW,
    activity_entries,
    count_rows,
    listen,
    make_jamaah,
    stream_entries,
)

HOUR = timedelta(hours=1)
DOC_ADMIN = Actor(user_id=None, name="Dewi Dokumen", role=Role.DOCUMENT_ADMIN)
VISA_ADMIN = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)


class _TaskCall(TypedDict):
    """The arguments every command below shares, so mypy checks `**common` against each one."""

    session: Session
    workspace: Workspace
    actor: Actor
    task_id: int
    now: datetime


# --- the activity log and events ----------------------------------------------------------------


def test_the_log_has_exactly_one_entry_per_applied_command(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    common = _TaskCall(session=session, workspace=workspace, actor=MANAGER, task_id=task.id, now=NOW)
    update_task(**common, version=1, notes="Telepon jamaah")
    update_task(**common, version=2, notes="Telepon jamaah")  # nothing changes: not applied
    with pytest.raises(Conflict):
        update_task(**common, version=1, notes="stale")  # refused: not applied
    block_task(**common, version=2, reason="KTP buram")
    unblock_task(**common, version=3)
    reassign(**common, version=4, assignee_id=None)  # already unassigned: not applied
    complete_task(**(common | {"now": NOW + HOUR}), version=4)

    actions = [entry.action for entry in activity_entries(session, workspace)]
    assert actions == ["jamaah.enrolled", "task.updated", "task.blocked", "task.unblocked", "task.completed"]
    assert activity_entries(session, workspace)[-1].changes["current_stage"] == {
        "old": "document-collection",
        "new": "document-verification",
    }


def test_events_are_published_after_commit_in_sequence(session: Session, workspace: Workspace) -> None:
    client = cache.get_redis()
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(events.channel(workspace.id, client.connection_pool.connection_kwargs.get("db") or 0))
    try:
        task = make_jamaah(session, workspace).task
        assert task is not None
        result = complete_task(
            session=session, workspace=workspace, actor=DOC_ADMIN, task_id=task.id, version=1, now=NOW
        )
        heard = listen(pubsub, count=2)
    finally:
        pubsub.close()

    published = stream_entries(workspace)
    assert heard == published
    generations = cache.get_redis().hgetall(f"pl:{workspace.id}:gen")
    # Both commands moved the document desk's Upcoming column and the stage cards: only those
    # pages are recomputed. The health figures are patched in place, never invalidated.
    assert generations["queue:document-admin:upcoming"] == "2" and generations["stages:all"] == "2"
    assert "queue:document-admin:urgent" not in generations and "health:all" not in generations
    assert "bottlenecks:all" not in generations  # nobody was stuck
    enrolled, completed = published
    assert enrolled["type"] == "jamaah.enrolled" and enrolled["task_id"] == task.id
    assert enrolled["roles"] == ["document-admin", "manager"]
    assert completed["type"] == "task.completed"
    assert completed["sequence"] == enrolled["sequence"] + 1
    assert completed | {"occurred_at": None, "sequence": None} == {
        "type": "task.completed",
        "workspace_id": workspace.id,
        "jamaah_id": task.jamaah_id,
        "task_id": task.id,
        "actor": DOC_ADMIN.name,
        "roles": ["document-admin", "manager"],
        "occurred_at": None,
        "next_task_id": result.next_task.id if result.next_task else None,
        "jamaah_completed": False,
        "sequence": None,
        "views": ["queue", "stages"],
        "jamaah_name": "Ahmad Hidayat",  # for the other tabs' toast
        "task_title": task.title,
    }


def test_a_failed_command_writes_nothing_and_publishes_nothing(
    session: Session, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    published = len(stream_entries(workspace))

    write = task_writes.write_completion

    def written_then_broken(*args: Any, **kwargs: Any) -> None:
        write(*args, **kwargs)  # every row of the completion is written, then the action fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(task_writes, "write_completion", written_then_broken)
    with pytest.raises(RuntimeError, match="disk full"):
        complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=NOW
        )

    assert repo.find_task(session, workspace.id, task.id) == task
    assert count_rows(session, t.StageInstance, jamaah_id=task.jamaah_id) == 1
    assert count_rows(session, t.StageCompletionTotals, stage_id=task.stage_id) == 0
    assert len(activity_entries(session, workspace)) == 1
    assert len(stream_entries(workspace)) == published


# --- concurrency ----------------------------------------------------------------------------------


@pytest.fixture
def committed_workspace(engine: Engine) -> Iterator[Workspace]:
    """A workspace whose rows are really committed (threads cannot see a test's open transaction)."""
    slug = f"race-{uuid.uuid4().hex[:10]}"
    with Session(engine) as setup:
        create_workspace(setup, slug=slug, name="Race Agency", kind=WorkspaceKind.AGENCY)
        setup.commit()
        workspace = get_workspace(setup, slug)
    try:
        yield workspace
    finally:
        with Session(engine) as cleanup:
            delete_workspace(cleanup, slug)
            cleanup.commit()


def test_a_completion_does_not_wait_for_another_open_completion_of_its_stage(
    engine: Engine, committed_workspace: Workspace
) -> None:
    """Two writers completing tasks of the same stage at once: the second does not queue behind
    the first's open transaction on the stage's totals (each connection adds to its own slot)."""
    workspace = committed_workspace
    with Session(engine, expire_on_commit=False) as setup:
        first = make_jamaah(setup, workspace).task
        second = make_jamaah(setup, workspace).task
    assert first is not None and second is not None and first.stage_id == second.stage_id
    slot = "pg_backend_pid() % 16"
    with engine.connect() as holder:  # a completion of the same stage, still in its transaction
        held = holder.execute(text(f"SELECT {slot}")).scalar_one()
        holder.execute(
            text(
                "INSERT INTO stage_completion_totals (stage_id, slot, workspace_id, completed_count,"
                f" total_seconds) VALUES (:s, {slot}, :w, 1, 60) ON CONFLICT (stage_id, slot)"
                " DO UPDATE SET completed_count = stage_completion_totals.completed_count + 1"
            ),
            {"s": first.stage_id, "w": workspace.id},
        )
        spare = [engine.connect() for _ in range(3)]  # another connection, on another slot
        try:
            writer = next(c for c in spare if c.execute(text(f"SELECT {slot}")).scalar_one() != held)
            writer.commit()
            writer.execute(text("SET lock_timeout = '2s'"))  # waiting on the held row would fail
            writer.commit()
            with Session(bind=writer, expire_on_commit=False) as own:
                done = complete_task(
                    session=own, workspace=workspace, actor=MANAGER, task_id=second.id, version=1, now=NOW
                )
            assert done.completed.status is WorkStatus.COMPLETED
        finally:
            for connection in spare:
                connection.close()
        holder.rollback()
    with Session(engine) as check:
        total = check.execute(
            select(func.sum(t.StageCompletionTotals.completed_count)).where(
                t.StageCompletionTotals.stage_id == first.stage_id
            )
        ).scalar_one()
    assert total == 1  # the completion; the held one was rolled back


def test_two_simultaneous_completions_one_wins_one_conflicts(
    engine: Engine, committed_workspace: Workspace
) -> None:
    workspace = committed_workspace
    with Session(engine, expire_on_commit=False) as setup:
        task = make_jamaah(setup, workspace).task
    assert task is not None
    start = threading.Barrier(2, timeout=10)
    outcomes: list[object] = []

    def complete() -> None:
        with Session(engine, expire_on_commit=False) as own:
            start.wait()
            try:
                outcomes.append(
                    complete_task(
                        session=own, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=NOW
                    )
                )
            except Exception as error:
                outcomes.append(error)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [o for o in outcomes if isinstance(o, services.TaskCompletion)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert losers[0].current.version == 2 and losers[0].current.status is WorkStatus.COMPLETED
    with Session(engine) as check:
        assert count_rows(check, t.PipelineTask, jamaah_id=task.jamaah_id) == 2
        assert count_rows(check, t.StageInstance, jamaah_id=task.jamaah_id) == 2
        next_stage = winners[0].next_task
        assert next_stage is not None
        assert count_rows(check, t.PipelineTask, jamaah_id=task.jamaah_id, stage_id=next_stage.stage_id) == 1
        totals = check.execute(
            select(func.sum(t.StageCompletionTotals.completed_count)).where(
                t.StageCompletionTotals.stage_id == task.stage_id
            )
        ).scalar_one()
        assert totals == 1  # the loser's transaction added nothing to any slot


def test_a_refusal_inside_a_user_action_transaction_is_still_recorded(engine: Engine) -> None:
    """Pages run commands inside db.transaction(): the denial gets a transaction of its own."""
    from pipeline_core.store import db

    slug = f"deny-{uuid.uuid4().hex[:8]}"
    with Session(engine) as setup:
        create_workspace(setup, slug=slug, name="Deny", kind=WorkspaceKind.AGENCY)
        setup.commit()
        workspace = get_workspace(setup, slug)
        task = make_jamaah(setup, workspace).task
        assert task is not None
    try:
        with pytest.raises(PermissionDenied), db.transaction() as session:
            complete_task(
                session=session, workspace=workspace, actor=VISA_ADMIN, task_id=task.id, version=1, now=NOW
            )
        with Session(engine) as check:
            actions = [e.action for e in activity_entries(check, workspace)]
        assert actions == ["jamaah.enrolled", "permission.denied"]
    finally:
        with Session(engine) as cleanup:
            delete_workspace(cleanup, slug)
            cleanup.commit()
