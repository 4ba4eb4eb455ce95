"""The pipeline's task commands: complete, block, unblock, update and reassign a task.

Enrolment (registering a jamaah) lives in `enrolment.py` and shares the steps below; the
validators of typed values live in `validation.py`.

Each command is one user action and one transaction, in the same order every time:

    lock/load (repository) → check → pure rule (rules.py) → save + snapshot + activity log → commit
    → keep the dashboard cache current and publish events, one Redis script (events.publish)

It works on the caller's `session`, calls `session.commit()` once at the end, and on any error
rolls the session back and re-raises (driver errors translated by `db.translate_errors`), so
nothing is half-written. Pass a session that carries only this action: whatever else is pending
in it is committed or rolled back with the command.

Choices where DOMAIN.md is silent:
- Permissions: a manager or super-admin may act on any task; an admin only on tasks of their own
  role. Moving a task to another role (`reassign(role=…)`) is for a manager or super-admin.
- A completed task is history: every command on it is a `Conflict` carrying its current state.
- Completing a blocked task is allowed (the work got done; the block is cleared, the log keeps it).
- Unblocking puts the task back to in-progress, not its earlier status: a task is only blocked
  once someone has started on it and hit the obstacle.
- `update_task` changes only the fields it is given (`UNSET` = not given, `None` = clear); a call
  that changes nothing is not an applied command: no write, no log entry, no event, same version.
  Its status may move between pending and in-progress; completing and blocking have commands.
- The assignee must be an active user of the workspace; their role need not match the task's (a
  manager may lend a colleague to another desk).
- `complete_task(notes=None)` keeps the task's notes; a given note replaces them.
- The document stages (`document-collection`, `document-verification`, by code) are completed
  only when the checklist allows it (`document_gate`, issue 19); the refusal names the documents.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Literal, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline_core.domain import documents, permissions, rules, validation
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict, InvalidInput, PermissionDenied
from pipeline_core.domain.model import ADMIN_ROLES, Actor, Priority, Role, Stage, Workspace, WorkStatus
from pipeline_core.domain.permissions import Action
from pipeline_core.store import events, task_writes
from pipeline_core.store import repository as repo
from pipeline_core.store.audit import log_denial
from pipeline_core.store.db import translate_errors
from pipeline_core.store.repository import Task

__all__ = [
    "UNSET",
    "Task",
    "TaskCompletion",
    "Unset",
    "block_task",
    "complete_task",
    "one_transaction",
    "reassign",
    "unblock_task",
    "update_task",
]

REASON_MAX = 500
NOTES_MAX = 2000
E = TypeVar("E", bound=enum.Enum)
Ev = TypeVar("Ev", bound=events.Event)


class _Unset(enum.Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]


@dataclass(frozen=True, slots=True)
class TaskCompletion:
    completed: Task
    next_task: Task | None  # the next active stage's task; None when the jamaah is done

    @property
    def jamaah_completed(self) -> bool:
        return self.next_task is None


# --- task commands ------------------------------------------------------------------------------


def complete_task(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    task_id: int,
    version: int,
    notes: str | None = None,
    now: datetime | None = None,
) -> TaskCompletion:
    """Complete the task and its stage, then start the next active stage or finish the jamaah."""
    now = instant(now)
    race = f"Task {task_id} was completed by someone else at the same moment. Reload it."
    with one_transaction(session, workspace=workspace, actor=actor, on_duplicate=race):
        task = _lock(session, workspace, actor, task_id, version, Action.COMPLETE_TASK_OWN_ROLE)
        document_gate(session, workspace.id, task.jamaah_id, task.task_type)
        progress = task_writes.load_progress(session, workspace.id, task.jamaah_id)
        pipeline = progress.pipeline
        notes = (
            task.notes if notes is None else validation.text_field("notes", notes, NOTES_MAX, multiline=True)
        )
        done = _as_stored(
            task, replace(task, status=WorkStatus.COMPLETED, completed_at=now, block_reason=None, notes=notes)
        )
        runs = _mirrored(progress.runs, done)
        started_at = next(r.started_at for r in runs if r.id == task.stage_instance_id)
        next_start = None
        if all(r.status is WorkStatus.COMPLETED for r in runs):  # it was the current stage
            completed = {r.code for r in runs if r.done}  # by code: runs of older versions too
            next_stage = rules.current_stage(pipeline.stages, completed)
            if next_stage is not None:
                due_at, priority = schedule(workspace, pipeline, next_stage, now)
                next_start = (next_stage, due_at, priority.value)
                runs.append(repo.StageRun.starting(next_stage, now, due_at))
        snapshot = repo.snapshot_values(workspace_id=workspace.id, pipeline=pipeline, now=now, runs=runs)
        moved = {"old": task.task_type, "new": next_start[0].code if next_start else None}
        written = task_writes.write_completion(
            session,
            task,
            done,
            next_stage=next_start,
            snapshot=snapshot,
            seconds=max(0.0, (now - started_at).total_seconds()),
            actor=actor.name,
            action=events.TaskCompleted.type,
            changes=repo.diff(task, done) | {"current_stage": moved},
            now=now,
        )
        if written is None:
            raise Conflict(f"Task {task.id} was changed by someone else. Reload it and try again.")
        done, next_task = written
        session.commit()
    event = _event(
        events.TaskCompleted,
        workspace,
        actor,
        now,
        task,
        pipeline.jamaah.full_name,
        also=next_task.assigned_role if next_task else None,
        next_task_id=next_task.id if next_task else None,
        jamaah_completed=next_task is None,
        change=events.dashboard_change(
            before=progress.before,
            after=repo.facts_of(snapshot),
            now=now,
            workspace=workspace,
            tasks=((task, done), (None, next_task)),
            stage_completed=True,
        ),
    )
    announce([event])
    return TaskCompletion(done, next_task)


def block_task(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    task_id: int,
    version: int,
    reason: str,
    now: datetime | None = None,
) -> Task:
    """Block the task and its stage with a reason (at most 500 characters)."""
    now = instant(now)
    cleaned = validation.text_field("reason", reason, REASON_MAX)
    if cleaned is None:
        raise InvalidInput("reason", "Say why the task is blocked, e.g. 'waiting for the passport scan'.")
    with one_transaction(session, workspace=workspace, actor=actor):
        task = _lock(session, workspace, actor, task_id, version, Action.BLOCK_TASK)
        if task.status is WorkStatus.BLOCKED:
            raise InvalidInput("status", f"Task {task_id} is already blocked ({task.block_reason}).")
        changed = replace(task, status=WorkStatus.BLOCKED, block_reason=cleaned)
        saved, change, name = _save(session, workspace, actor, events.TaskBlocked.type, task, changed, now)
        session.commit()
    announce([_event(events.TaskBlocked, workspace, actor, now, task, name, reason=cleaned, change=change)])
    return saved


def unblock_task(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    task_id: int,
    version: int,
    now: datetime | None = None,
) -> Task:
    """Lift the block: the task and its stage go back to in-progress."""
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        task = _lock(session, workspace, actor, task_id, version, Action.UNBLOCK_TASK)
        if task.status is not WorkStatus.BLOCKED:
            raise InvalidInput("status", f"Task {task_id} is not blocked.")
        changed = replace(task, status=WorkStatus.IN_PROGRESS, block_reason=None)
        saved, change, name = _save(session, workspace, actor, events.TaskUnblocked.type, task, changed, now)
        session.commit()
    announce([_event(events.TaskUnblocked, workspace, actor, now, task, name, change=change)])
    return saved


def update_task(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    task_id: int,
    version: int,
    priority: Priority | str | Unset = UNSET,
    assignee_id: int | Unset | None = UNSET,
    due_at: datetime | Unset = UNSET,
    notes: str | Unset | None = UNSET,
    status: WorkStatus | str | Unset = UNSET,
    now: datetime | None = None,
) -> Task:
    """Change only the given fields; status moves between pending and in-progress only."""
    now = instant(now)
    needed = [Action.UPDATE_TASK]
    if priority is not UNSET or due_at is not UNSET:
        needed.append(Action.REPRIORITISE_TASK)
    if assignee_id is not UNSET:
        needed.append(Action.REASSIGN)
    with one_transaction(session, workspace=workspace, actor=actor):
        task = _lock(session, workspace, actor, task_id, version, *needed)
        changed = task
        if priority is not UNSET:
            changed = replace(changed, priority=validation.choice(Priority, "priority", priority))
        if status is not UNSET:
            changed = replace(
                changed, status=_status_edit(task, validation.choice(WorkStatus, "status", status))
            )
        if due_at is not UNSET:
            changed = replace(changed, due_at=_due_at(task, due_at))
        if notes is not UNSET:
            changed = replace(changed, notes=validation.text_field("notes", notes, NOTES_MAX, multiline=True))
        if assignee_id is not UNSET:
            changed = replace(changed, assignee_id=_assignee(session, workspace, assignee_id))
        if changed == task:
            session.commit()
            return task
        saved, change, name = _save(session, workspace, actor, events.TaskUpdated.type, task, changed, now)
        session.commit()
    fields = tuple(repo.diff(task, saved))
    announce([_event(events.TaskUpdated, workspace, actor, now, task, name, changed=fields, change=change)])
    return saved


def reassign(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    task_id: int,
    version: int,
    assignee_id: int | None,
    role: Role | str | None = None,
    now: datetime | None = None,
) -> Task:
    """Give the task to another person (None: back to the role's queue) and/or another admin role."""
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        task = _lock(session, workspace, actor, task_id, version, Action.REASSIGN)
        changed = replace(task, assignee_id=_assignee(session, workspace, assignee_id))
        if role is not None:
            new_role = validation.choice(Role, "role", role)
            if new_role not in ADMIN_ROLES:
                names = ", ".join(r.value for r in ADMIN_ROLES)
                raise InvalidInput("role", f"A task belongs to an admin role: one of {names}.")
            if new_role is not task.assigned_role:
                permissions.require(actor.role, Action.CHANGE_TASK_ROLE)
            changed = replace(changed, assigned_role=new_role)
        if changed == task:
            session.commit()
            return task
        saved, change, name = _save(session, workspace, actor, events.TaskReassigned.type, task, changed, now)
        session.commit()
    also = saved.assigned_role
    event = _event(
        events.TaskReassigned,
        workspace,
        actor,
        now,
        task,
        name,
        also=also,
        assignee_id=saved.assignee_id,
        change=change,
    )
    announce([event])
    return saved


# --- shared steps -------------------------------------------------------------------------------


@contextlib.contextmanager
def one_transaction(
    session: Session, *, workspace: Workspace, actor: Actor, on_duplicate: str | None = None
) -> Iterator[None]:
    """Roll the whole action back on any error; a unique-constraint race becomes `on_duplicate`.

    A refusal for lack of permission is itself recorded: after the rollback, one activity-log
    entry `permission.denied` (who, what) is committed on its own.
    """
    try:
        with translate_errors():
            try:
                yield
            except IntegrityError as error:
                if on_duplicate is not None and constraint_name(error).startswith("uq_"):
                    raise Conflict(on_duplicate) from error
                raise
    except PermissionDenied as denied:
        session.rollback()
        log_denial(workspace, actor, denied, bind=session.get_bind())
        raise
    except BaseException:
        session.rollback()
        raise


def _lock(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    task_id: int,
    version: int,
    *actions: permissions.Action,
) -> Task:
    """Lock the task row until commit, then check permission, version and that it is still open."""
    task = task_writes.lock_task(session, workspace.id, task_id)
    for action in actions:
        permissions.require_on_task(actor.role, action, task.assigned_role)
    if task.version != version:
        raise Conflict(
            f"Task {task_id} was changed by someone else since you opened it "
            f"(now version {task.version}, you had {version}). Reload it and try again.",
            current=task,
        )
    if task.status is WorkStatus.COMPLETED:
        raise Conflict(f"Task {task_id} is already completed.", current=task)
    return task


def _save(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    action: str,
    task: Task,
    changed: Task,
    now: datetime,
) -> tuple[Task, events.DashboardChange, str]:
    """Save the changed task (mirrored onto its stage), refresh the snapshot, log old → new: one
    statement after one read (`store.task_writes`).

    Returns the saved task, what the change means for the dashboards and the jamaah's name (for
    the event's toast).
    """
    progress = task_writes.load_progress(session, workspace.id, task.jamaah_id)
    changed = _as_stored(task, changed)
    snapshot = repo.snapshot_values(
        workspace_id=workspace.id, pipeline=progress.pipeline, now=now, runs=_mirrored(progress.runs, changed)
    )
    saved = task_writes.write_change(
        session,
        task,
        changed,
        snapshot=snapshot,
        actor=actor.name,
        action=action,
        changes=repo.diff(task, changed),
        now=now,
    )
    if saved is None:
        raise Conflict(f"Task {task.id} was changed by someone else. Reload it and try again.")
    change = events.dashboard_change(
        before=progress.before,
        after=repo.facts_of(snapshot),
        now=now,
        workspace=workspace,
        tasks=((task, saved),),
        notes_changed=saved.notes != task.notes,
    )
    return saved, change, progress.pipeline.jamaah.full_name


def _as_stored(task: Task, changed: Task) -> Task:
    """`changed` with its instants in the zone the database returns them in (that of `task`, just
    read), so the activity log shows them as a read-back would, whatever zone the caller used."""
    zone = task.updated_at.tzinfo
    return replace(
        changed,
        due_at=changed.due_at.astimezone(zone),
        completed_at=None if changed.completed_at is None else changed.completed_at.astimezone(zone),
    )


def _mirrored(runs: list[repo.StageRun], task: Task) -> list[repo.StageRun]:
    """The stage instances once `task`'s fields are mirrored onto its own (as the write does)."""
    return [
        replace(
            run,
            status=task.status,
            due_at=task.due_at,
            completed_at=task.completed_at,
            block_reason=task.block_reason,
        )
        if run.id == task.stage_instance_id
        else run
        for run in runs
    ]


def schedule(
    workspace: Workspace, pipeline: repo.JamaahPipeline, stage: Stage, now: datetime
) -> tuple[datetime, Priority]:
    """When `stage`, started now, is due (rules.stage_due_at) and its task's priority
    (rules.default_priority)."""
    tz, departure = workspace.timezone, pipeline.jamaah.departure_date
    due_at = rules.stage_due_at(
        started_at=now,
        sla_hours=stage.sla_hours,
        departure_date=departure,
        done_by_days=stage.done_by_days,
        tz=tz,
    )
    priority = rules.default_priority(
        stage_overdue=now > due_at, due_at=due_at, departure_date=departure, now=now, tz=tz
    )
    return due_at, priority


def start_stage(
    session: Session, workspace: Workspace, pipeline: repo.JamaahPipeline, stage: Stage, now: datetime
) -> Task:
    """Start `stage` now: due by rules.stage_due_at, priority by rules.default_priority."""
    due_at, priority = schedule(workspace, pipeline, stage, now)
    return repo.start_stage(
        session,
        workspace_id=workspace.id,
        pipeline=pipeline,
        stage=stage,
        started_at=now,
        due_at=due_at,
        priority=priority,
    )


def _event(
    kind: type[Ev],
    workspace: Workspace,
    actor: Actor,
    now: datetime,
    task: Task,
    jamaah_name: str,
    *,
    also: Role | None = None,
    change: events.DashboardChange,
    **extra: Any,
) -> Ev:
    """An event about `task`, for its role (`also` a second one) and the manager; it names who
    acted (and their id, so their own tab can ignore it), the jamaah and the task, for a toast,
    and carries what the change means for the dashboards (its views, for the cache)."""
    roles = events.affected_roles(task.assigned_role, also)
    return kind(
        views=change.views,
        change=change,
        workspace_id=workspace.id,
        jamaah_id=task.jamaah_id,
        task_id=task.id,
        actor=actor.name,
        roles=roles,
        occurred_at=now,
        actor_id=actor.user_id,
        jamaah_name=jamaah_name,
        task_title=task.title,
        **extra,
    )


def announce(changes: list[events.Event]) -> None:
    """After commit: keep the dashboard cache current with the changes, then publish them, in one
    round trip to Redis per change (`events.publish`). In that order: a page redrawn by the
    event must not read the cached figures of before."""
    events.publish(changes)


def document_gate(session: Session, workspace_id: int, jamaah_id: int, stage_code: str) -> None:
    """Refuse completing a document stage the checklist does not allow yet (issue 19):
    `InvalidInput("documents")` naming the documents missing/rejected (collection) or unverified."""
    if stage_code not in (documents.COLLECTION_STAGE, documents.VERIFICATION_STAGE):
        return
    required, statuses = task_writes.load_checklist(session, workspace_id, jamaah_id)
    holding = documents.not_ready(stage_code, statuses, required)
    if holding:
        raise documents.DocumentsNotReady(stage_code, holding)


def constraint_name(error: IntegrityError) -> str:
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""


# --- validation of edits ----------------------------------------------------------------------


def _status_edit(task: Task, new: WorkStatus) -> WorkStatus:
    """The status moves `update_task` may make: pending ↔ in-progress."""
    match task.status, new:
        case _, WorkStatus.COMPLETED:
            raise InvalidInput("status", "A task is completed with the Complete action, not by editing it.")
        case WorkStatus.BLOCKED, WorkStatus.BLOCKED:
            return new
        case _, WorkStatus.BLOCKED:
            raise InvalidInput("status", "A task is blocked with the Block action, which records why.")
        case WorkStatus.BLOCKED, _:
            raise InvalidInput("status", f"Task {task.id} is blocked; unblock it first.")
        case _:
            return new


def _due_at(task: Task, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("due_at", "The due date needs a date, a time and a time zone.")
    if value <= task.created_at:
        raise InvalidInput("due_at", "The due date must be after the stage started.")
    return value


def _assignee(session: Session, workspace: Workspace, assignee_id: int | None) -> int | None:
    if assignee_id is not None and not repo.is_active_user(session, workspace.id, assignee_id):
        raise InvalidInput("assignee_id", f"User {assignee_id} is not an active member of this workspace.")
    return assignee_id
