"""What the pages do beyond `dashboard`: each user action in its own transaction, and the few
jamaah lists the pages page through.

Pages never open sessions: a button calls `complete_task(...)`, which opens `db.transaction()` and runs
the command in `pipeline_core.commands.tasks`. The lists are read by
`pipeline_core.reads.jamaah_lists`, one page at a time, uncached (each is one indexed read of at
most 100 rows, rarely repeated).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import privacy
from pipeline_core.commands import tasks as services
from pipeline_core.commands.privacy import RevealedIdentity
from pipeline_core.commands.tasks import UNSET, TaskCompletion, Unset
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import View
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import jamaah_lists
from pipeline_core.reads.jamaah_lists import JamaahLine, JamaahPage, StaffMember, StageBreakdown
from pipeline_core.store import cache, db
from pipeline_core.store.repository import Task

__all__ = [
    "JamaahLine",
    "JamaahPage",
    "StaffMember",
    "StageBreakdown",
    "active_users",
    "block_task",
    "complete_task",
    "find_jamaah",
    "not_ready_jamaah",
    "reveal_identity",
    "stage_breakdown",
    "stuck_jamaah",
    "unblock_task",
    "update_task",
]


# --- task commands, one transaction each ---------------------------------------------------------


def complete_task(
    viewer: Viewer, task_id: int, version: int, notes: str | None = None, *, now: datetime | None = None
) -> TaskCompletion:
    with db.transaction() as session:
        return services.complete_task(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            task_id=task_id,
            version=version,
            notes=notes,
            now=now,
        )


def block_task(
    viewer: Viewer, task_id: int, version: int, reason: str, *, now: datetime | None = None
) -> Task:
    with db.transaction() as session:
        return services.block_task(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            task_id=task_id,
            version=version,
            reason=reason,
            now=now,
        )


def unblock_task(viewer: Viewer, task_id: int, version: int, *, now: datetime | None = None) -> Task:
    with db.transaction() as session:
        return services.unblock_task(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            task_id=task_id,
            version=version,
            now=now,
        )


def update_task(
    viewer: Viewer,
    task_id: int,
    version: int,
    *,
    priority: str | Unset = UNSET,
    status: str | Unset = UNSET,
    assignee_id: int | Unset | None = UNSET,
    due_at: datetime | Unset = UNSET,
    notes: str | Unset | None = UNSET,
    now: datetime | None = None,
) -> Task:
    """Edit fields of a task (the table view); only the given fields change."""
    with db.transaction() as session:
        return services.update_task(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            task_id=task_id,
            version=version,
            priority=priority,
            status=status,
            assignee_id=assignee_id,
            due_at=due_at,
            notes=notes,
            now=now,
        )


def reveal_identity(viewer: Viewer, jamaah_id: int, *, now: datetime | None = None) -> RevealedIdentity:
    """A manager asks for a jamaah's full NIK and passport number: allowed or refused, and logged
    on the jamaah's timeline, in one transaction (`privacy.reveal_identity`)."""
    with db.transaction() as session:
        return privacy.reveal_identity(
            session, workspace_id=viewer.workspace.id, actor=viewer.actor, jamaah_id=jamaah_id, now=now
        )


# --- who can act, and the jamaah lists (SQL in pipeline_core.reads.jamaah_lists) -----------------


def active_users(viewer: Viewer) -> list[StaffMember]:
    """The workspace's active staff: managers first, then the admin roles in pipeline order."""
    workspace = viewer.scope(Action.VIEW_QUEUE_OWN)
    with db.read_session() as session:
        return jamaah_lists.active_staff(session, workspace)


def _jamaah_list(viewer: Viewer, read: Callable[..., JamaahPage], key: object, **paging: Any) -> JamaahPage:
    """One page of a jamaah list, for a viewer who may see the overview."""
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return read(session, workspace, key, **paging)


def not_ready_jamaah(
    viewer: Viewer, package_id: int, *, page: int = 1, limit: int = 20, now: datetime | None = None
) -> JamaahPage:
    """The departure group's jamaah not yet ready, furthest behind first (stage, then due time)."""
    return _jamaah_list(
        viewer, jamaah_lists.not_ready_jamaah, package_id, now=instant(now), page=page, limit=limit
    )


def stuck_jamaah(
    viewer: Viewer, stage_code: str, *, page: int = 1, limit: int = 20, now: datetime | None = None
) -> JamaahPage:
    """The jamaah stuck in a stage (current stage instance overdue), longest delay first."""
    return _jamaah_list(
        viewer, jamaah_lists.stuck_jamaah, stage_code, now=instant(now), page=page, limit=limit
    )


def find_jamaah(
    viewer: Viewer, search: str, *, page: int = 1, limit: int = 20, now: datetime | None = None
) -> JamaahPage:
    """Jamaah by name words, NIK, passport number or phone (the task queue's search rules; a full
    NIK or passport number only for a role that may reveal personal data)."""
    viewer.check_search(search)
    return _jamaah_list(viewer, jamaah_lists.find_jamaah, search, now=instant(now), page=page, limit=limit)


def stage_breakdown(viewer: Viewer, now: datetime | None = None) -> list[StageBreakdown]:
    """Per current stage code: overdue, then (not overdue) blocked, in progress, pending. Cached
    like the stage cards (same generation: a change that moves a stage moves both)."""
    workspace, at = viewer.scope(Action.VIEW_OVERVIEW), instant(now)

    def compute() -> list[StageBreakdown]:
        with db.read_session() as session:
            return jamaah_lists.stage_breakdown(session, workspace, at)

    return cache.cached(
        workspace_id=workspace.id,
        family=View.STAGES,
        scope="all",
        params="breakdown",
        now=at,
        kind=list[StageBreakdown],
        compute=compute,
    )
