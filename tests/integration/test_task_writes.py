"""What one task command writes, row by row: the task, its stage instance, the next stage's
instance and task, the jamaah's snapshot, the stage's completion totals, the activity entry and
the live event. Written against the command as it was before the write path was made faster
(issue 21), so the faster path is held to the same rows and the same payloads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_core.commands.tasks import block_task, complete_task, unblock_task, update_task
from pipeline_core.domain.model import Workspace
from pipeline_core.store import schema as t
from tests.builders import (
    DEPARTURE,
    MANAGER,
    NOW,
    activity_entries,
    instance_row,
    make_jamaah,
    snapshot_row,
    stages_of,
    stream_entries,
)

HOUR = timedelta(hours=1)


def _task_row(session: Session, task_id: int) -> Any:
    return session.execute(select(t.PipelineTask.__table__).where(t.PipelineTask.id == task_id)).one()


def _event(workspace: Workspace, task_id: int, kind: str) -> dict[str, Any]:
    [event] = [e for e in stream_entries(workspace) if e["task_id"] == task_id and e["type"] == kind]
    del event["sequence"]
    return event


def _totals(session: Session, stage_id: int) -> tuple[int, float]:
    totals = t.StageCompletionTotals
    row = session.execute(
        select(func.sum(totals.completed_count), func.sum(totals.total_seconds)).where(
            totals.stage_id == stage_id
        )
    ).one()
    return row[0] or 0, row[1] or 0.0


def test_a_completion_writes_the_same_rows_and_event_as_before(
    session: Session, workspace: Workspace
) -> None:
    collection, verification, *later = [s for s in stages_of(session, workspace) if s.is_active]
    enrolment = make_jamaah(session, workspace)
    task = enrolment.task
    assert task is not None
    done_at = NOW + 5 * HOUR

    result = complete_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        notes="  Semua dokumen lengkap  ",
        now=done_at,
    )

    done = _task_row(session, task.id)
    assert (done.status, done.completed_at, done.updated_at, done.version) == (
        "completed",
        done_at,
        done_at,
        2,
    )
    assert (done.notes, done.block_reason, done.priority, done.due_at) == (
        "Semua dokumen lengkap",
        None,
        task.priority.value,
        task.due_at,
    )
    instance = instance_row(session, task.stage_instance_id)
    assert (instance.status, instance.completed_at, instance.notes, instance.due_at) == (
        "completed",
        done_at,
        "Semua dokumen lengkap",
        task.due_at,
    )

    following = result.next_task
    assert following is not None
    nxt = _task_row(session, following.id)
    due = done_at + timedelta(hours=verification.sla_hours)
    assert (nxt.stage_id, nxt.task_type, nxt.title, nxt.assigned_role) == (
        verification.id,
        verification.code,
        verification.name_id,
        verification.responsible_role,
    )
    assert (nxt.status, nxt.priority, nxt.due_at, nxt.version) == ("pending", "normal", due, 1)
    assert (nxt.created_at, nxt.updated_at, nxt.completed_at, nxt.notes) == (done_at, done_at, None, None)
    new_instance = instance_row(session, nxt.stage_instance_id)
    assert (new_instance.stage_id, new_instance.status, new_instance.started_at, new_instance.due_at) == (
        verification.id,
        "pending",
        done_at,
        due,
    )

    snapshot = snapshot_row(session, task.jamaah_id)
    assert (snapshot.completed_stages, snapshot.active_stages, snapshot.is_completed) == (1, 10, False)
    assert (snapshot.current_stage_id, snapshot.current_instance_id, snapshot.current_stage_status) == (
        verification.id,
        nxt.stage_instance_id,
        "pending",
    )
    assert (snapshot.current_started_at, snapshot.current_due_at, snapshot.block_reason) == (
        done_at,
        due,
        None,
    )
    assert snapshot.projected_finish_at == due + timedelta(hours=sum(s.sla_hours for s in later))
    assert (snapshot.departure_date, snapshot.updated_at) == (DEPARTURE, done_at)
    assert _totals(session, collection.id) == (1, 5 * 3600.0)

    entry = activity_entries(session, workspace)[-1]
    assert (entry.action, entry.actor, entry.entity_type, entry.entity_id, entry.jamaah_id) == (
        "task.completed",
        MANAGER.name,
        "task",
        task.id,
        task.jamaah_id,
    )
    assert entry.occurred_at == done_at
    assert entry.changes == {
        "status": {"old": "pending", "new": "completed"},
        "notes": {"old": None, "new": "Semua dokumen lengkap"},
        "completed_at": {"old": None, "new": done_at.isoformat()},
        "current_stage": {"old": "document-collection", "new": "document-verification"},
    }
    assert _event(workspace, task.id, "task.completed") == {
        "type": "task.completed",
        "workspace_id": workspace.id,
        "jamaah_id": task.jamaah_id,
        "task_id": task.id,
        "actor": MANAGER.name,
        "roles": ["document-admin", "manager"],
        "occurred_at": done_at.isoformat(),
        "views": ["queue", "stages"],
        "jamaah_name": "Ahmad Hidayat",
        "task_title": task.title,
        "next_task_id": following.id,
        "jamaah_completed": False,
    }


def test_completing_the_last_stage_finishes_the_jamaah_with_the_same_rows(
    session: Session, workspace: Workspace
) -> None:
    active = [s for s in stages_of(session, workspace) if s.is_active]
    task = make_jamaah(session, workspace).task
    now = NOW
    for _ in active[:-1]:
        assert task is not None
        now += HOUR
        task = complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=now
        ).next_task
    assert task is not None and task.task_type == active[-1].code
    blocked = block_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        reason="Visa",
        now=now,
    )
    finished_at = now + 3 * HOUR

    result = complete_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=blocked.version,
        now=finished_at,
    )

    assert result.jamaah_completed and result.next_task is None
    done = _task_row(session, task.id)
    assert (done.status, done.block_reason, done.completed_at, done.version) == (
        "completed",
        None,
        finished_at,
        3,
    )
    snapshot = snapshot_row(session, task.jamaah_id)
    assert (snapshot.is_completed, snapshot.completed_at, snapshot.completed_stages) == (
        True,
        finished_at,
        10,
    )
    assert (snapshot.current_stage_id, snapshot.current_instance_id, snapshot.current_stage_status) == (
        None,
        None,
        None,
    )
    assert (snapshot.current_due_at, snapshot.projected_finish_at, snapshot.block_reason) == (
        None,
        None,
        None,
    )
    assert _totals(session, active[-1].id) == (1, 3 * 3600.0)
    entry = activity_entries(session, workspace)[-1]
    assert entry.changes == {
        "status": {"old": "blocked", "new": "completed"},
        "block_reason": {"old": "Visa", "new": None},
        "completed_at": {"old": None, "new": finished_at.isoformat()},
        "current_stage": {"old": "departure-ready", "new": None},
    }
    event = _event(workspace, task.id, "task.completed")
    assert (event["next_task_id"], event["jamaah_completed"], event["roles"]) == (
        None,
        True,
        ["travel-admin", "manager"],
    )
    assert event["views"] == ["queue", "stages", "health"]


def test_block_unblock_and_edit_write_the_same_rows_and_events_as_before(
    session: Session, workspace: Workspace
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None

    block_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        reason="Paspor",
        now=NOW,
    )
    unblock_task(session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=2, now=NOW)
    later = NOW + HOUR
    edited = update_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=3,
        notes="Telepon lagi besok",
        priority="urgent",
        now=later,
    )

    row = _task_row(session, task.id)
    assert (row.status, row.priority, row.notes, row.version, row.updated_at) == (
        "in-progress",
        "urgent",
        "Telepon lagi besok",
        4,
        later,
    )
    assert edited.version == 4
    instance = instance_row(session, task.stage_instance_id)
    assert (instance.status, instance.notes, instance.block_reason) == (
        "in-progress",
        "Telepon lagi besok",
        None,
    )
    snapshot = snapshot_row(session, task.jamaah_id)
    assert (snapshot.current_stage_status, snapshot.block_reason, snapshot.updated_at) == (
        "in-progress",
        None,
        later,
    )
    entries = [(e.action, e.changes) for e in activity_entries(session, workspace)[-3:]]
    assert entries == [
        (
            "task.blocked",
            {"status": {"old": "pending", "new": "blocked"}, "block_reason": {"old": None, "new": "Paspor"}},
        ),
        (
            "task.unblocked",
            {
                "status": {"old": "blocked", "new": "in-progress"},
                "block_reason": {"old": "Paspor", "new": None},
            },
        ),
        (
            "task.updated",
            {
                "priority": {"old": "normal", "new": "urgent"},
                "notes": {"old": None, "new": "Telepon lagi besok"},
            },
        ),
    ]
    blocked = _event(workspace, task.id, "task.blocked")
    assert (blocked["reason"], blocked["views"], blocked["roles"]) == (
        "Paspor",
        ["queue", "stages", "health"],  # blocked: at risk
        ["document-admin", "manager"],
    )
    assert _event(workspace, task.id, "task.unblocked")["views"] == ["queue", "stages", "health"]
    updated = _event(workspace, task.id, "task.updated")
    assert (updated["changed"], updated["views"]) == (["priority", "notes"], ["queue"])
