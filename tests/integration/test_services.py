"""The task commands on real PostgreSQL: progression, locking, block, update and reassign."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.commands.tasks import UNSET, block_task, complete_task, reassign, unblock_task, update_task
from pipeline_core.domain import rules
from pipeline_core.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.model import Actor, Priority, Role, Workspace, WorkspaceKind, WorkStatus
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import (
    MANAGER,
    NOW,
    activity_entries,
    count_rows,
    instance_row,
    make_jamaah,
    make_package,
    make_user,
    snapshot_row,
    stages_of,
    stream_entries,
)

HOUR = timedelta(hours=1)
DOC_ADMIN = Actor(user_id=None, name="Dewi Dokumen", role=Role.DOCUMENT_ADMIN)
VISA_ADMIN = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)


# --- progression --------------------------------------------------------------------------------


def test_completing_each_current_task_walks_every_active_stage_to_completion(
    session: Session, workspace: Workspace
) -> None:
    session.execute(
        update(t.PipelineStage)
        .where(t.PipelineStage.workspace_id == workspace.id, t.PipelineStage.code == "equipment-preparation")
        .values(is_active=False)
    )
    stages = stages_of(session, workspace)
    active = [s for s in stages if s.is_active]
    enrolment = make_jamaah(session, workspace)
    jamaah_id, task = enrolment.jamaah.id, enrolment.task
    now = NOW

    for done_count, stage in enumerate(active, start=1):
        assert task is not None and task.stage_id == stage.id
        now += 5 * HOUR
        result = complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=now
        )
        assert result.completed.status is WorkStatus.COMPLETED and result.completed.version == 2
        instance = instance_row(session, task.stage_instance_id)
        assert (instance.status, instance.completed_at) == ("completed", now)
        snapshot = snapshot_row(session, jamaah_id)
        assert snapshot.completed_stages == done_count
        task = result.next_task
        if task is None:
            break
        assert snapshot.current_stage_id == task.stage_id == active[done_count].id
        assert (snapshot.current_instance_id, snapshot.current_stage_status) == (
            task.stage_instance_id,
            "pending",
        )
        assert (snapshot.current_started_at, snapshot.current_due_at) == (now, task.due_at)
        later = sum(s.sla_hours for s in active if s.position > active[done_count].position)
        assert snapshot.projected_finish_at == task.due_at + timedelta(hours=later)
        assert snapshot.block_reason is None

    assert result.jamaah_completed and task is None
    assert done_count == len(active) == 9
    snapshot = snapshot_row(session, jamaah_id)
    assert snapshot.is_completed and snapshot.completed_at == now
    assert snapshot.completed_stages == snapshot.active_stages == 9
    assert snapshot.current_stage_id is None and snapshot.current_stage_status is None
    disabled = next(s for s in stages if not s.is_active)
    assert count_rows(session, t.StageInstance, jamaah_id=jamaah_id, stage_id=disabled.id) == 0
    totals = session.execute(
        select(t.StageCompletionTotals.__table__).where(t.StageCompletionTotals.workspace_id == workspace.id)
    ).all()
    assert {row.stage_id for row in totals} == {s.id for s in active}
    assert {(row.completed_count, row.total_seconds) for row in totals} == {(1, 5 * 3600.0)}


def test_completion_totals_accumulate_over_jamaah(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace)
    for hours in (2, 6):
        task = make_jamaah(session, workspace, package_id=package_id).task
        assert task is not None
        complete_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=1,
            now=NOW + hours * HOUR,
        )
    assert task is not None
    totals = t.StageCompletionTotals
    row = session.execute(
        select(func.sum(totals.completed_count), func.sum(totals.total_seconds)).where(
            totals.stage_id == task.stage_id
        )
    ).one()
    assert tuple(row) == (2, 8 * 3600.0)


# --- optimistic locking -------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_carrying_the_current_task(
    session: Session, workspace: Workspace
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    update_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        notes="Dicek",
        now=NOW,
    )
    log_before = len(activity_entries(session, workspace))

    with pytest.raises(Conflict, match="changed by someone else") as error:
        complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=NOW
        )

    current = error.value.current
    assert isinstance(current, services.Task)
    assert (current.version, current.notes, current.status) == (2, "Dicek", WorkStatus.PENDING)
    assert repo.find_task(session, workspace.id, task.id) == current
    assert count_rows(session, t.StageInstance, jamaah_id=task.jamaah_id) == 1
    assert len(activity_entries(session, workspace)) == log_before


def test_completing_a_completed_task_is_a_conflict(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    done = complete_task(
        session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=NOW
    )
    with pytest.raises(Conflict, match="already completed") as error:
        complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=2, now=NOW
        )
    assert error.value.current == done.completed
    assert count_rows(session, t.PipelineTask, jamaah_id=task.jamaah_id) == 2


# --- block, unblock, update, reassign -----------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_blocking_needs_a_reason(session: Session, workspace: Workspace, reason: str) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    with pytest.raises(InvalidInput) as error:
        block_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=1,
            reason=reason,
            now=NOW,
        )
    assert error.value.field == "reason"
    assert repo.find_task(session, workspace.id, task.id) == task


def test_block_and_unblock_round_trip_task_instance_and_snapshot(
    session: Session, workspace: Workspace
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    reason = "Menunggu scan paspor dari jamaah"

    blocked = block_task(
        session=session,
        workspace=workspace,
        actor=DOC_ADMIN,
        task_id=task.id,
        version=1,
        reason=f" {reason} ",
        now=NOW,
    )
    assert (blocked.status, blocked.block_reason, blocked.version) == (WorkStatus.BLOCKED, reason, 2)
    instance = instance_row(session, task.stage_instance_id)
    assert (instance.status, instance.block_reason) == ("blocked", reason)
    snapshot = snapshot_row(session, task.jamaah_id)
    assert (snapshot.current_stage_status, snapshot.block_reason) == ("blocked", reason)
    with pytest.raises(InvalidInput, match="already blocked"):
        block_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=2,
            reason="lagi",
            now=NOW,
        )

    with pytest.raises(PermissionDenied, match="unblock"):  # lifting a block is the manager's call
        unblock_task(
            session=session, workspace=workspace, actor=DOC_ADMIN, task_id=task.id, version=2, now=NOW
        )
    unblocked = unblock_task(
        session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=2, now=NOW
    )
    assert (unblocked.status, unblocked.block_reason, unblocked.version) == (WorkStatus.IN_PROGRESS, None, 3)
    instance = instance_row(session, task.stage_instance_id)
    assert (instance.status, instance.block_reason) == ("in-progress", None)
    snapshot = snapshot_row(session, task.jamaah_id)
    assert (snapshot.current_stage_status, snapshot.block_reason) == ("in-progress", None)
    with pytest.raises(InvalidInput, match="not blocked"):
        unblock_task(session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=3, now=NOW)

    entries = activity_entries(session, workspace)[1:]
    actions = [(e.action, e.changes) for e in entries if e.action != "permission.denied"]
    assert [e.action for e in entries].count("permission.denied") == 1
    assert actions == [
        (
            "task.blocked",
            {"status": {"old": "pending", "new": "blocked"}, "block_reason": {"old": None, "new": reason}},
        ),
        (
            "task.unblocked",
            {
                "status": {"old": "blocked", "new": "in-progress"},
                "block_reason": {"old": reason, "new": None},
            },
        ),
    ]


def test_update_task_changes_only_the_given_fields_and_logs_old_to_new(
    session: Session, workspace: Workspace
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    siti = make_user(session, workspace, role=Role.DOCUMENT_ADMIN)
    later = NOW + 10 * HOUR

    updated = update_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        priority="urgent",
        assignee_id=siti,
        status=WorkStatus.IN_PROGRESS,
        now=later,
    )

    assert updated == replace(
        task,
        priority=Priority.URGENT,
        assignee_id=siti,
        status=WorkStatus.IN_PROGRESS,
        version=2,
        updated_at=later,
    )
    instance = instance_row(session, task.stage_instance_id)
    assert (instance.status, instance.assigned_to, instance.due_at) == ("in-progress", siti, task.due_at)
    entry = activity_entries(session, workspace)[-1]
    assert entry.action == "task.updated"
    assert entry.changes == {
        "priority": {"old": "normal", "new": "urgent"},
        "status": {"old": "pending", "new": "in-progress"},
        "assignee_id": {"old": None, "new": siti},
    }


def test_a_new_due_date_moves_the_instance_and_the_snapshot(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    new_due = task.due_at + 24 * HOUR
    update_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        due_at=new_due,
        now=NOW,
    )
    assert instance_row(session, task.stage_instance_id).due_at == new_due
    snapshot = snapshot_row(session, task.jamaah_id)
    later = rules.later_sla_hours(repo.load_stages(session, workspace.id, snapshot.pipeline_version_id), 1)
    assert (snapshot.current_due_at, snapshot.projected_finish_at) == (new_due, new_due + later * HOUR)
    with pytest.raises(InvalidInput) as error:
        update_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=2,
            due_at=NOW,
            now=NOW,
        )
    assert error.value.field == "due_at"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "completed"}, "status"),
        ({"status": "blocked"}, "status"),
        ({"status": "done"}, "status"),
        ({"priority": "asap"}, "priority"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_update_task_refuses_bad_values(
    session: Session, workspace: Workspace, change: dict[str, Any], field: str
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    with pytest.raises(InvalidInput) as error:
        update_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=1, now=NOW, **change
        )
    assert error.value.field == field
    assert repo.find_task(session, workspace.id, task.id) == task


def test_an_update_that_changes_nothing_is_not_applied(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    same = update_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        priority=task.priority,
        notes=UNSET,
        now=NOW,
    )
    assert same == task and same.version == 1
    assert len(activity_entries(session, workspace)) == 1


def test_the_assignee_must_be_an_active_user_of_the_workspace(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    retired = make_user(session, workspace, is_active=False)
    create_workspace(session, slug="other-agency", name="Other", kind=WorkspaceKind.AGENCY)
    stranger = make_user(session, get_workspace(session, "other-agency"))
    for user_id in (retired, stranger, 987654):
        with pytest.raises(InvalidInput) as error:
            reassign(
                session=session,
                workspace=workspace,
                actor=MANAGER,
                task_id=task.id,
                version=1,
                assignee_id=user_id,
                now=NOW,
            )
        assert error.value.field == "assignee_id"


def test_reassign_changes_assignee_and_role_and_tells_both_roles(
    session: Session, workspace: Workspace
) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    vina = make_user(session, workspace, role=Role.VISA_ADMIN, full_name="Vina Visa")

    moved = reassign(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=task.id,
        version=1,
        assignee_id=vina,
        role="visa-admin",
        now=NOW,
    )

    assert (moved.assignee_id, moved.assigned_role, moved.version) == (vina, Role.VISA_ADMIN, 2)
    assert activity_entries(session, workspace)[-1].changes == {
        "assigned_role": {"old": "document-admin", "new": "visa-admin"},
        "assignee_id": {"old": None, "new": vina},
    }
    event = stream_entries(workspace)[-1]
    assert event["type"] == "task.reassigned"
    assert event["roles"] == ["document-admin", "visa-admin", "manager"]
    with pytest.raises(InvalidInput) as error:
        reassign(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task.id,
            version=2,
            assignee_id=None,
            role="manager",
            now=NOW,
        )
    assert error.value.field == "role"


def test_admins_work_only_on_their_own_roles_tasks(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    with pytest.raises(PermissionDenied):
        complete_task(
            session=session, workspace=workspace, actor=VISA_ADMIN, task_id=task.id, version=1, now=NOW
        )
    with pytest.raises(PermissionDenied):
        reassign(
            session=session,
            workspace=workspace,
            actor=DOC_ADMIN,
            task_id=task.id,
            version=1,
            assignee_id=None,
            role=Role.VISA_ADMIN,
            now=NOW,
        )
    with pytest.raises(PermissionDenied, match="reprioritise"):
        update_task(
            session=session,
            workspace=workspace,
            actor=DOC_ADMIN,
            task_id=task.id,
            version=1,
            priority="urgent",
            now=NOW,
        )
    noted = update_task(
        session=session,
        workspace=workspace,
        actor=DOC_ADMIN,
        task_id=task.id,
        version=1,
        notes="KK sudah ada",
        now=NOW,
    )
    done = complete_task(
        session=session, workspace=workspace, actor=DOC_ADMIN, task_id=task.id, version=noted.version, now=NOW
    )
    assert done.completed.status is WorkStatus.COMPLETED
    denials = [e for e in activity_entries(session, workspace) if e.action == "permission.denied"]
    assert [d.actor for d in denials] == ["Vina Visa", "Dewi Dokumen", "Dewi Dokumen"]
    assert "reprioritise" in denials[-1].changes["refused"]["new"]


def test_a_blocked_task_may_be_completed_and_its_block_is_cleared(
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
        reason="KTP buram",
        now=NOW,
    )
    result = complete_task(
        session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=2, now=NOW
    )
    assert (result.completed.status, result.completed.block_reason) == (WorkStatus.COMPLETED, None)
    assert instance_row(session, task.stage_instance_id).block_reason is None
    assert snapshot_row(session, task.jamaah_id).current_stage_status == "pending"  # the next stage


def test_a_task_of_another_workspace_is_not_found(session: Session, workspace: Workspace) -> None:
    task = make_jamaah(session, workspace).task
    assert task is not None
    create_workspace(session, slug="other-agency", name="Other", kind=WorkspaceKind.AGENCY)
    other = get_workspace(session, "other-agency")
    with pytest.raises(NotFound):
        complete_task(session=session, workspace=other, actor=MANAGER, task_id=task.id, version=1, now=NOW)
    assert repo.find_task(session, workspace.id, task.id) == task
