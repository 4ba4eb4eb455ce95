"""The write side: load-for-update and save of tasks, stage instances, jamaah and their snapshot.

`services.py` decides, this module reads and writes rows. Everything here runs inside the caller's
transaction and never commits. Every statement is parameterised and filtered by `workspace_id`.

Choices:
- Rows are read as plain column tuples (Core-style selects over the ORM tables), never as ORM
  objects: the sessions keep objects after commit (`expire_on_commit=False`), so an identity map
  would hand out stale tasks. Rows become the frozen dataclasses below.
- A task and its stage instance are one unit of work (one task per instance): the task commands'
  writes (`task_writes.py`, one statement) mirror status, due date, assignee, notes, block reason
  and completion onto the instance, bump `version` in SQL and match on the version read, so a
  save can never overwrite a change it did not see, even if a caller forgot the row lock.
- `refresh_snapshot` recomputes the jamaah's `jamaah_pipeline_status` row from its stage
  instances instead of patching it field by field: one function keeps every command's snapshot
  right, at the cost of one small read (a jamaah has at most a dozen instances).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Row, exists, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from pipeline_core.domain import rules
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.model import Gender, Jamaah, Priority, Role, Stage, StageCategory, WorkStatus
from pipeline_core.store import jamaah_identity
from pipeline_core.store import schema as t

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")

_TASK_COLUMNS = tuple(c for c in t.PipelineTask.__table__.c if c.name != "priority_rank")
_JAMAAH_COLUMNS = (*t.Jamaah.__table__.c, t.Package.departure_date)


@dataclass(frozen=True, slots=True)
class Task:
    """A task as the commands return it: the row, with its words as enums."""

    id: int
    workspace_id: int
    jamaah_id: int
    stage_id: int
    stage_instance_id: int
    task_type: str
    title: str
    priority: Priority
    status: WorkStatus
    due_at: datetime
    assigned_role: Role
    assignee_id: int | None
    notes: str | None
    block_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


#: Fields a command may change; `diff` logs these and nothing else (version/updated_at follow).
TASK_FIELDS = ("priority", "status", "due_at", "assigned_role", "assignee_id", "notes", "block_reason")


@dataclass(frozen=True, slots=True)
class StageRun:
    """One stage instance: a jamaah's passage through one stage."""

    id: int
    stage_id: int
    status: WorkStatus
    started_at: datetime
    due_at: datetime
    completed_at: datetime | None
    block_reason: str | None
    code: str  # the stage's code: a jamaah moved to a newer version keeps runs of older stages
    closed_by_migration_id: int | None = None  # closed by a move to another version, not done

    @property
    def done(self) -> bool:
        """Completed by the work, not closed by a migration."""
        return self.status is WorkStatus.COMPLETED and self.closed_by_migration_id is None

    @classmethod
    def started(cls, task: Task) -> StageRun:
        """The run `start_stage` just created for `task` (saves reading it back)."""
        return cls(
            task.stage_instance_id,
            task.stage_id,
            WorkStatus.PENDING,
            task.created_at,
            task.due_at,
            None,
            None,
            task.task_type,
        )

    @classmethod
    def starting(cls, stage: Stage, started_at: datetime, due_at: datetime) -> StageRun:
        """The run of `stage` about to start, before it has an id (0): what the snapshot needs."""
        if stage.id is None:
            raise ValueError(f"stage {stage.code} is not saved: it cannot start")
        return cls(0, stage.id, WorkStatus.PENDING, started_at, due_at, None, None, stage.code)


@dataclass(frozen=True, slots=True)
class JamaahPipeline:
    """A jamaah with the stages of the pipeline version it was enrolled on (by position)."""

    jamaah: Jamaah
    pipeline_version_id: int
    stages: tuple[Stage, ...]

    def stage(self, stage_id: int) -> Stage:
        found = next((s for s in self.stages if s.id == stage_id), None)
        if found is None:
            raise LookupError(f"stage {stage_id} is not in pipeline version {self.pipeline_version_id}")
        return found

    @property
    def active_stages(self) -> int:
        return sum(1 for s in self.stages if s.is_active)


# --- tasks ------------------------------------------------------------------------------------


@functools.cache
def _names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names (`dataclasses.fields` builds them anew on every call)."""
    return tuple(f.name for f in fields(kind))


def _fill(kind: type[D], row: Row[Any], **words: Any) -> D:
    """A dataclass from the row's columns of the same names; `words` turn stored text into enums."""
    m = row._mapping
    return kind(**{name: m[name] for name in _names(kind)} | words)


def _task(row: Row[Any]) -> Task:
    words = {"priority": Priority(row.priority), "status": WorkStatus(row.status)}
    return _fill(Task, row, **words, assigned_role=Role(row.assigned_role))


def task_of(row: Row[Any]) -> Task:
    """A task out of a row that has the task's columns by name (any query's)."""
    return _task(row)


def find_task(session: Session, workspace_id: int, task_id: int, *, for_update: bool = False) -> Task:
    """The task, optionally locked (`SELECT … FOR UPDATE`) until the transaction ends."""
    query = select(*_TASK_COLUMNS).where(
        t.PipelineTask.workspace_id == workspace_id, t.PipelineTask.id == task_id
    )
    row = session.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise NotFound("task", task_id)
    return _task(row)


def diff(old: Task, new: Task) -> dict[str, dict[str, Any]]:
    """{field: {"old": …, "new": …}} for every changed field, as JSON values for the log."""
    return {
        name: {"old": _json(getattr(old, name)), "new": _json(getattr(new, name))}
        for name in (*TASK_FIELDS, "completed_at")
        if getattr(old, name) != getattr(new, name)
    }


# --- jamaah, stages and stage instances --------------------------------------------------------


def _jamaah(row: Row[Any]) -> Jamaah:
    """The jamaah with NIK and passport number decrypted (`store/jamaah_identity.py`)."""
    m = jamaah_identity.unseal(row._mapping)
    return Jamaah(**{name: m[name] for name in _names(Jamaah)} | {"gender": Gender(row.gender)})


def jamaah_of(row: Row[Any]) -> Jamaah:
    """A jamaah out of a row that has the jamaah's columns and its package's departure date."""
    return _jamaah(row)


def _jamaah_query(workspace_id: int) -> Any:
    return (
        select(*_JAMAAH_COLUMNS)
        .join(
            t.Package,
            (t.Package.workspace_id == t.Jamaah.workspace_id) & (t.Package.id == t.Jamaah.package_id),
        )
        .where(t.Jamaah.workspace_id == workspace_id)
    )


#: A saved pipeline version never changes (a change is a new version), so its stages are read once
#: per process. Bounded: one entry per version in use.
_STAGES: dict[tuple[int, int], tuple[Stage, ...]] = {}


def load_stages(session: Session, workspace_id: int, pipeline_version_id: int) -> tuple[Stage, ...]:
    key = (workspace_id, pipeline_version_id)
    cached = _STAGES.get(key)
    if cached is None:
        cached = _STAGES[key] = _read_stages(session, workspace_id, pipeline_version_id)
    return cached


def _read_stages(session: Session, workspace_id: int, pipeline_version_id: int) -> tuple[Stage, ...]:
    rows = session.execute(
        select(t.PipelineStage.__table__)
        .where(
            t.PipelineStage.workspace_id == workspace_id,
            t.PipelineStage.pipeline_version_id == pipeline_version_id,
        )
        .order_by(t.PipelineStage.position)
    ).all()
    return tuple(
        _fill(Stage, r, category=StageCategory(r.category), responsible_role=Role(r.responsible_role))
        for r in rows
    )


def load_jamaah_pipeline(session: Session, workspace_id: int, jamaah_id: int) -> JamaahPipeline:
    row = session.execute(_jamaah_query(workspace_id).where(t.Jamaah.id == jamaah_id)).one_or_none()
    if row is None:
        raise NotFound("jamaah", jamaah_id)
    version_id = row._mapping["pipeline_version_id"]
    return JamaahPipeline(_jamaah(row), version_id, load_stages(session, workspace_id, version_id))


def find_jamaah_by_nik(session: Session, workspace_id: int, nik: str) -> Jamaah | None:
    """The jamaah holding this NIK (its keyed hash under any readable key: a rotation may be
    part-way), or None."""
    hashes = jamaah_identity.nik_hashes(nik)
    row = session.execute(
        _jamaah_query(workspace_id).where(t.Jamaah.nik_hash.in_(hashes)).limit(1)
    ).one_or_none()
    return None if row is None else _jamaah(row)


def insert_jamaah(session: Session, *, workspace_id: int, values: dict[str, Any]) -> int:
    """A new jamaah row from field values (`nik` / `passport_number` in clear: sealed here)."""
    return session.execute(
        insert(t.Jamaah)
        .values(workspace_id=workspace_id, **jamaah_identity.seal(values))
        .returning(t.Jamaah.id)
    ).scalar_one()


def jamaah_exists(session: Session, workspace_id: int, jamaah_id: int) -> bool:
    return session.execute(
        select(exists().where(t.Jamaah.workspace_id == workspace_id, t.Jamaah.id == jamaah_id))
    ).scalar_one()


def package_departure(session: Session, workspace_id: int, package_id: int) -> date | None:
    return session.execute(
        select(t.Package.departure_date).where(
            t.Package.workspace_id == workspace_id, t.Package.id == package_id
        )
    ).scalar_one_or_none()


def is_active_user(session: Session, workspace_id: int, user_id: int) -> bool:
    return session.execute(
        select(exists().where(t.User.workspace_id == workspace_id, t.User.id == user_id, t.User.is_active))
    ).scalar_one()


def stage_runs(session: Session, workspace_id: int, jamaah_id: int) -> list[StageRun]:
    rows = session.execute(
        select(t.StageInstance.__table__, t.PipelineStage.code)
        .join(t.PipelineStage, t.PipelineStage.id == t.StageInstance.stage_id)
        .where(t.StageInstance.workspace_id == workspace_id, t.StageInstance.jamaah_id == jamaah_id)
        .order_by(t.StageInstance.started_at, t.StageInstance.id)
    ).all()
    return [_fill(StageRun, r, status=WorkStatus(r.status)) for r in rows]


def start_stage(
    session: Session,
    *,
    workspace_id: int,
    pipeline: JamaahPipeline,
    stage: Stage,
    started_at: datetime,
    due_at: datetime,
    priority: Priority,
) -> Task:
    """A new pending stage instance and its task (task_type = stage code, title = stage name)."""
    instance_id = session.execute(
        insert(t.StageInstance)
        .values(
            workspace_id=workspace_id,
            jamaah_id=pipeline.jamaah.id,
            stage_id=stage.id,
            status=WorkStatus.PENDING.value,
            started_at=started_at,
            due_at=due_at,
        )
        .returning(t.StageInstance.id)
    ).scalar_one()
    row = session.execute(
        insert(t.PipelineTask)
        .values(
            workspace_id=workspace_id,
            jamaah_id=pipeline.jamaah.id,
            stage_id=stage.id,
            stage_instance_id=instance_id,
            task_type=stage.code,
            title=stage.name_id,
            priority=priority.value,
            status=WorkStatus.PENDING.value,
            due_at=due_at,
            assigned_role=stage.responsible_role.value,
            version=1,
            created_at=started_at,
            updated_at=started_at,
        )
        .returning(*_TASK_COLUMNS)
    ).one()
    return _task(row)


# --- the snapshot -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnapshotFacts:
    """What the dashboards read of one jamaah's snapshot row: compared before/after a change."""

    current_stage_id: int | None
    current_stage_status: str | None
    current_due_at: datetime | None
    projected_finish_at: datetime | None
    block_reason: str | None
    departure_date: date
    is_completed: bool


_FACT_NAMES = tuple(f.name for f in fields(SnapshotFacts))
_FACTS = tuple(t.JamaahPipelineStatus.__table__.c[name] for name in _FACT_NAMES)


def snapshot_facts(session: Session, workspace_id: int, jamaah_id: int) -> SnapshotFacts | None:
    row = session.execute(
        select(*_FACTS).where(
            t.JamaahPipelineStatus.workspace_id == workspace_id, t.JamaahPipelineStatus.jamaah_id == jamaah_id
        )
    ).one_or_none()
    return None if row is None else SnapshotFacts(*row)


def refresh_snapshot(
    session: Session,
    *,
    workspace_id: int,
    pipeline: JamaahPipeline,
    now: datetime,
    runs: list[StageRun] | None = None,
) -> SnapshotFacts:
    """Recompute the jamaah's `jamaah_pipeline_status` row from its stage instances (upsert).

    `runs`: the jamaah's stage instances as they now are, when the caller already holds them.
    """
    if runs is None:
        runs = stage_runs(session, workspace_id, pipeline.jamaah.id)
    values = snapshot_values(workspace_id=workspace_id, pipeline=pipeline, now=now, runs=runs)
    snapshot = t.JamaahPipelineStatus
    session.execute(
        pg_insert(snapshot)
        .values(jamaah_id=pipeline.jamaah.id, **values)
        .on_conflict_do_update(
            index_elements=[snapshot.jamaah_id], set_=values, where=snapshot.workspace_id == workspace_id
        )
    )
    return facts_of(values)


def facts_of(values: dict[str, Any]) -> SnapshotFacts:
    """The facts the dashboards compare, out of a snapshot row's `snapshot_values`."""
    return SnapshotFacts(*(values[name] for name in _FACT_NAMES))


def snapshot_values(
    *, workspace_id: int, pipeline: JamaahPipeline, now: datetime, runs: list[StageRun]
) -> dict[str, Any]:
    """The jamaah's `jamaah_pipeline_status` row (without `jamaah_id`) computed from its stage
    instances as they now are: pure, so the one-statement write path (`task_writes`) uses it too."""
    done = {r.code for r in runs if r.done}  # by code: runs of an older version count too
    completed_stages = sum(1 for s in pipeline.stages if s.is_active and s.code in done)
    open_run = next((r for r in runs if r.status is not WorkStatus.COMPLETED), None)
    values: dict[str, Any] = {
        "workspace_id": workspace_id,
        "pipeline_version_id": pipeline.pipeline_version_id,
        "package_id": pipeline.jamaah.package_id,
        "departure_date": pipeline.jamaah.departure_date,
        "completed_stages": completed_stages,
        "active_stages": pipeline.active_stages,
        "updated_at": now,
    }
    if open_run is not None:
        stage = pipeline.stage(open_run.stage_id)
        later = timedelta(hours=rules.later_sla_hours(pipeline.stages, stage.position))
        values |= {
            "current_stage_id": stage.id,
            "current_instance_id": open_run.id,
            "current_stage_status": open_run.status.value,
            "current_started_at": open_run.started_at,
            "current_due_at": open_run.due_at,
            "projected_finish_at": open_run.due_at + later,
            "block_reason": open_run.block_reason,
            "is_completed": False,
            "completed_at": None,
        }
    elif completed_stages == pipeline.active_stages:
        finished = [r.completed_at for r in runs if r.completed_at is not None]
        values |= dict.fromkeys(
            (
                "current_stage_id",
                "current_instance_id",
                "current_stage_status",
                "current_started_at",
                "current_due_at",
                "projected_finish_at",
                "block_reason",
            )
        )
        values |= {"is_completed": True, "completed_at": max(finished, default=now)}
    else:
        raise RuntimeError(f"jamaah {pipeline.jamaah.id} has no open stage but active stages left to do")
    return values


# --- the activity log -------------------------------------------------------------------------


def log_activity(
    session: Session,
    *,
    workspace_id: int,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    jamaah_id: int | None,
    changes: dict[str, dict[str, Any]],
    now: datetime,
) -> None:
    session.execute(
        insert(t.ActivityLog).values(
            workspace_id=workspace_id,
            occurred_at=now,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            jamaah_id=jamaah_id,
            changes=changes,
        )
    )


def log_task(
    session: Session, task: Task, *, actor: str, action: str, changes: dict[str, Any], now: datetime
) -> None:
    """One activity-log entry about a task (entity_type "task")."""
    log_activity(
        session,
        workspace_id=task.workspace_id,
        actor=actor,
        action=action,
        entity_type="task",
        entity_id=task.id,
        jamaah_id=task.jamaah_id,
        changes=changes,
        now=now,
    )


def created(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Log changes of a new record: every given field from None to its value."""
    return {name: {"old": None, "new": _json(value)} for name, value in values.items() if value is not None}


def json_value(value: Any) -> Any:
    """A value as the activity log's JSON holds it (dates as ISO text, enums as their value)."""
    return _json(value)


def _db(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
