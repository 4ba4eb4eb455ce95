"""The task commands' write path in four round trips: lock, read, write, commit (issue 21).

A completion used to take a dozen statements, each built anew as a SQLAlchemy expression (half
of a completion's CPU went into building and caching them): lock the task, read the snapshot, the
jamaah and its stage instances, update the task and its instance, insert the next instance and
task, upsert the snapshot and the stage's totals, insert the activity entry. Here the same rows
are written by fixed SQL text, sent as it is (`exec_driver_sql`: no expression to build, no cache
key; psycopg prepares each statement on the server after a few uses of a connection):

1. `lock_task`: the task row, `FOR UPDATE` (the commands check permission and version on it);
2. `load_progress`: the jamaah, its snapshot's facts and its stage instances, in one query, read
   *after* the lock (a read in the locking statement itself would use the snapshot taken before
   waiting for the lock);
3. `write_completion` / `write_change`: every write of the action in one statement of
   data-modifying CTEs, each reading the task update's `RETURNING`, so nothing is written when
   the version no longer matches. The next instance is inserted from the old instance's update,
   so the old one is closed first (the partial unique index allows one open instance a jamaah).

A document stage's completion reads one more row first (`load_checklist`): what the jamaah must
bring and the checklist's statuses, its rows locked, in one statement (three ORM queries before).

The commands decide everything in Python, as before (`rules`, `repository.snapshot_values`), and
these functions only carry the values; the rows written are the same as the expression-built
path's (tests/integration/test_task_writes.py). Every statement is parameterised and filtered by
`workspace_id`; the SQL text is built once at import from the schema's column names.

The statements go to the session's own psycopg connection (inside its transaction) through a
plain cursor whose rows are dicts read by name: SQLAlchemy's result set-up for these wide rows (a
description object and a processor per column, per statement) was a fifth of a completion's CPU.
A driver error leaves here as SQLAlchemy's error of the same kind, so `db.translate_errors` and
the commands' race handling see what they always saw, and each statement's time is recorded
under its function's name as the engine's listener records the others'.
"""

from __future__ import annotations

import json
import time
from dataclasses import fields
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import exc
from sqlalchemy.orm import Session

from pipeline_core.domain.documents import DocStatus, DocumentKind, required_kinds
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.model import Jamaah, Stage, WorkStatus
from pipeline_core.store import metrics
from pipeline_core.store import repository as repo
from pipeline_core.store.repository import JamaahPipeline, SnapshotFacts, StageRun, Task

__all__ = ["Progress", "load_checklist", "load_progress", "lock_task", "write_change", "write_completion"]

_TASK = ", ".join(f.name for f in fields(Task))
_SEALED_AS = {"nik": "nik_encrypted", "passport_number": "passport_encrypted"}  # opened by jamaah_of
_JAMAAH = ", ".join(
    f"j.{_SEALED_AS.get(f.name, f.name)}" for f in fields(Jamaah) if f.name != "departure_date"
)
_FACTS = ", ".join(f"s.{f.name} AS s_{f.name}" for f in fields(SnapshotFacts))
_FACT_COLUMNS = tuple(f"s_{f.name}" for f in fields(SnapshotFacts))
_RUN = ", ".join(
    f"{column} AS r_{column.split('.')[1]}"
    for column in (
        "i.id",
        "i.stage_id",
        "i.status",
        "i.started_at",
        "i.due_at",
        "i.completed_at",
        "i.block_reason",
        "ps.code",
        "i.closed_by_migration_id",
    )
)
_SNAPSHOT = (
    "workspace_id",
    "pipeline_version_id",
    "package_id",
    "departure_date",
    "completed_stages",
    "active_stages",
    "updated_at",
    "current_stage_id",
    "current_instance_id",
    "current_stage_status",
    "current_started_at",
    "current_due_at",
    "projected_finish_at",
    "block_reason",
    "is_completed",
    "completed_at",
)

_LOCK = f"""
SELECT {_TASK} FROM pipeline_tasks
WHERE workspace_id = %(ws)s AND id = %(task_id)s
FOR UPDATE
"""

_PROGRESS = f"""
SELECT {_JAMAAH}, j.pipeline_version_id, p.departure_date, s.jamaah_id IS NOT NULL AS has_snapshot,
       {_FACTS}, {_RUN}
FROM jamaah j
JOIN packages p ON p.workspace_id = j.workspace_id AND p.id = j.package_id
LEFT JOIN jamaah_pipeline_status s ON s.workspace_id = j.workspace_id AND s.jamaah_id = j.id
LEFT JOIN stage_instances i ON i.workspace_id = j.workspace_id AND i.jamaah_id = j.id
LEFT JOIN pipeline_stages ps ON ps.id = i.stage_id
WHERE j.workspace_id = %(ws)s AND j.id = %(jamaah_id)s
ORDER BY i.started_at, i.id
"""

# What the jamaah must bring (the agency's kinds; gender, birth date, companion and departure for
# the mahram letter) and the statuses of their checklist's rows, locked until commit.
_CHECKLIST = """
WITH held AS (
    SELECT kind, status FROM jamaah_documents
    WHERE workspace_id = %(ws)s AND jamaah_id = %(jamaah_id)s
    FOR UPDATE
)
SELECT w.required_documents, j.gender, j.birth_date, j.companion_id IS NOT NULL AS has_companion,
       p.departure_date, (SELECT json_object_agg(kind, status) FROM held) AS statuses
FROM jamaah j
JOIN packages p ON p.workspace_id = j.workspace_id AND p.id = j.package_id
JOIN workspaces w ON w.id = j.workspace_id
WHERE j.workspace_id = %(ws)s AND j.id = %(jamaah_id)s
"""

# The task (matched on the version it was read at) and its stage instance, mirrored.
_SAVE = f"""
saved AS (
    UPDATE pipeline_tasks SET
        priority = %(priority)s, status = %(status)s, due_at = %(due_at)s,
        assigned_role = %(assigned_role)s, assignee_id = %(assignee_id)s, notes = %(notes)s,
        block_reason = %(block_reason)s, completed_at = %(completed_at)s, updated_at = %(now)s,
        version = version + 1
    WHERE workspace_id = %(ws)s AND id = %(task_id)s AND version = %(version)s
    RETURNING {_TASK}
), instance AS (
    UPDATE stage_instances SET
        status = %(status)s, due_at = %(due_at)s, completed_at = %(completed_at)s,
        assigned_to = %(assignee_id)s, notes = %(notes)s, block_reason = %(block_reason)s
    WHERE workspace_id = %(ws)s AND id = %(instance_id)s AND EXISTS (SELECT 1 FROM saved)
    RETURNING id
), logged AS (
    INSERT INTO activity_log
        (workspace_id, occurred_at, actor, action, entity_type, entity_id, jamaah_id, changes)
    SELECT %(ws)s, %(now)s, %(actor)s, %(action)s, 'task', %(task_id)s, %(jamaah_id)s,
        CAST(%(changes)s AS jsonb)
    FROM saved
)"""


def _snapshot(instance_id: str) -> str:
    """Upsert of the snapshot row; its current instance is `instance_id` (SQL)."""
    names = ", ".join(_SNAPSHOT)
    values = ", ".join(instance_id if n == "current_instance_id" else f"%(s_{n})s" for n in _SNAPSHOT)
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in _SNAPSHOT)
    return f"""
snapshot AS (
    INSERT INTO jamaah_pipeline_status (jamaah_id, {names})
    SELECT %(jamaah_id)s, {values} FROM instance
    ON CONFLICT (jamaah_id) DO UPDATE SET {updates}
    WHERE jamaah_pipeline_status.workspace_id = %(ws)s
)"""


_TOTALS = """
totals AS (
    INSERT INTO stage_completion_totals (stage_id, slot, workspace_id, completed_count, total_seconds)
    SELECT %(stage_id)s, pg_backend_pid() %% 16, %(ws)s, 1, %(seconds)s FROM saved
    ON CONFLICT (stage_id, slot) DO UPDATE SET
        completed_count = stage_completion_totals.completed_count + 1,
        total_seconds = stage_completion_totals.total_seconds + EXCLUDED.total_seconds
    WHERE stage_completion_totals.workspace_id = %(ws)s
)"""

_NEXT = f"""
next_instance AS (
    INSERT INTO stage_instances (workspace_id, jamaah_id, stage_id, status, started_at, due_at)
    SELECT %(ws)s, %(jamaah_id)s, %(next_stage_id)s, 'pending', %(now)s, %(next_due_at)s FROM instance
    RETURNING id
), next_task AS (
    INSERT INTO pipeline_tasks (workspace_id, jamaah_id, stage_id, stage_instance_id, task_type, title,
        priority, status, due_at, assigned_role, version, created_at, updated_at)
    SELECT %(ws)s, %(jamaah_id)s, %(next_stage_id)s, next_instance.id, %(next_code)s, %(next_title)s,
        %(next_priority)s, 'pending', %(next_due_at)s, %(next_role)s, 1, %(now)s, %(now)s
    FROM next_instance
    RETURNING {_TASK}
)"""

_RESULT = "SELECT 'saved' AS row_kind, saved.* FROM saved"  # saved.*: the columns of `_TASK`

_CHANGE = f"WITH {_SAVE}, {_snapshot('%(s_current_instance_id)s')}\n{_RESULT}"
_COMPLETE = f"WITH {_SAVE}, {_snapshot('%(s_current_instance_id)s')}, {_TOTALS}\n{_RESULT}"
_COMPLETE_AND_START = (
    f"WITH {_SAVE}, {_NEXT}, {_snapshot('(SELECT id FROM next_instance)')}, {_TOTALS}\n"
    f"{_RESULT} UNION ALL SELECT 'next', next_task.* FROM next_task"
)


def _compact(sql: str) -> str:
    """The statement on one line: psycopg caches its parsing of a query of up to 4,096 bytes only
    (`MAX_CACHED_STATEMENT_LENGTH`), and the completion's statement is longer when indented."""
    return " ".join(sql.split())


_LOCK, _PROGRESS, _CHECKLIST, _CHANGE, _COMPLETE, _COMPLETE_AND_START = (
    _compact(sql) for sql in (_LOCK, _PROGRESS, _CHECKLIST, _CHANGE, _COMPLETE, _COMPLETE_AND_START)
)


class _Row(dict[str, Any]):
    """A result row as the repository's readers take it: `row.name` and `row._mapping`."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def _mapping(self) -> dict[str, Any]:
        return self


def _row_factory(cursor: Any) -> Any:
    result = cursor.pgresult
    names = [result.fname(i).decode() for i in range(result.nfields)] if result is not None else []
    return lambda values: _Row(zip(names, values, strict=True))


def _rows(session: Session, sql: str, params: dict[str, Any], name: str) -> list[Any]:
    """The rows of one statement on the session's connection, in its transaction."""
    connection: psycopg.Connection[Any] = session.connection().connection.driver_connection  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        with connection.cursor(row_factory=_row_factory) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    except psycopg.Error as error:
        raise exc.DBAPIError.instance(sql, None, error, psycopg.Error, hide_parameters=True) from error
    metrics.observe_query(name, time.perf_counter() - started)
    return rows


def lock_task(session: Session, workspace_id: int, task_id: int) -> Task:
    """The task, locked (`SELECT … FOR UPDATE`) until the transaction ends."""
    rows = _rows(session, _LOCK, {"ws": workspace_id, "task_id": task_id}, "store.task_writes.lock_task")
    if not rows:
        raise NotFound("task", task_id)
    return repo.task_of(rows[0])


class Progress:
    """A jamaah as a task command needs it: its pipeline, its snapshot's facts (None: no row) and
    its stage instances in the order they started."""

    __slots__ = ("before", "pipeline", "runs")

    def __init__(self, pipeline: JamaahPipeline, before: SnapshotFacts | None, runs: list[StageRun]) -> None:
        self.pipeline, self.before, self.runs = pipeline, before, runs


def load_progress(session: Session, workspace_id: int, jamaah_id: int) -> Progress:
    rows = _rows(
        session, _PROGRESS, {"ws": workspace_id, "jamaah_id": jamaah_id}, "store.task_writes.load_progress"
    )
    if not rows:
        raise NotFound("jamaah", jamaah_id)
    first = rows[0]
    jamaah = repo.jamaah_of(first)
    version_id = first.pipeline_version_id
    stages = repo.load_stages(session, workspace_id, version_id)
    before = SnapshotFacts(*(first[column] for column in _FACT_COLUMNS)) if first.has_snapshot else None
    runs = [
        StageRun(
            r.r_id,
            r.r_stage_id,
            WorkStatus(r.r_status),
            r.r_started_at,
            r.r_due_at,
            r.r_completed_at,
            r.r_block_reason,
            r.r_code,
            r.r_closed_by_migration_id,
        )
        for r in rows
        if r.r_id is not None
    ]
    return Progress(JamaahPipeline(jamaah, version_id, stages), before, runs)


def load_checklist(
    session: Session, workspace_id: int, jamaah_id: int
) -> tuple[tuple[DocumentKind, ...], dict[DocumentKind, DocStatus]]:
    """The kinds the jamaah must bring (`documents.required_kinds`) and the status of each stored
    row of their checklist, the rows locked (`FOR UPDATE`) until the transaction ends."""
    rows = _rows(
        session, _CHECKLIST, {"ws": workspace_id, "jamaah_id": jamaah_id}, "store.task_writes.load_checklist"
    )
    if not rows:
        raise NotFound("jamaah", jamaah_id)
    row = rows[0]
    chosen = row.required_documents
    required = required_kinds(
        gender=row.gender,
        birth_date=row.birth_date,
        departure_date=row.departure_date,
        has_companion=row.has_companion,
        enabled=None if chosen is None else tuple(DocumentKind(k) for k in chosen),
    )
    statuses = {DocumentKind(kind): DocStatus(status) for kind, status in (row.statuses or {}).items()}
    return required, statuses


def _params(
    task: Task,
    changed: Task,
    *,
    snapshot: dict[str, Any],
    actor: str,
    action: str,
    changes: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    return {
        "ws": task.workspace_id,
        "task_id": task.id,
        "version": task.version,
        "instance_id": task.stage_instance_id,
        "jamaah_id": task.jamaah_id,
        "priority": changed.priority.value,
        "status": changed.status.value,
        "due_at": changed.due_at,
        "assigned_role": changed.assigned_role.value,
        "assignee_id": changed.assignee_id,
        "notes": changed.notes,
        "block_reason": changed.block_reason,
        "completed_at": changed.completed_at,
        "now": now,
        "actor": actor,
        "action": action,
        "changes": json.dumps(changes),
    } | {f"s_{name}": snapshot[name] for name in _SNAPSHOT}


def write_change(
    session: Session,
    task: Task,
    changed: Task,
    *,
    snapshot: dict[str, Any],
    actor: str,
    action: str,
    changes: dict[str, Any],
    now: datetime,
) -> Task | None:
    """Save `changed` (a change of `task`, read at its version) with its instance, the snapshot
    row and the activity entry; the saved task, or None when the version no longer matched."""
    params = _params(task, changed, snapshot=snapshot, actor=actor, action=action, changes=changes, now=now)
    rows = _rows(session, _CHANGE, params, "store.task_writes.write_change")
    return repo.task_of(rows[0]) if rows else None


def write_completion(
    session: Session,
    task: Task,
    done: Task,
    *,
    next_stage: tuple[Stage, datetime, str] | None,
    snapshot: dict[str, Any],
    seconds: float,
    actor: str,
    action: str,
    changes: dict[str, Any],
    now: datetime,
) -> tuple[Task, Task | None] | None:
    """Save the completed task `done` as `write_change` does, add the completion to its stage's
    totals and, when `next_stage` (stage, due at, priority) is given, start it: a pending instance
    and its task. The saved task and the next one; None when the version no longer matched."""
    params = _params(task, done, snapshot=snapshot, actor=actor, action=action, changes=changes, now=now)
    params |= {"stage_id": task.stage_id, "seconds": seconds}
    if next_stage is None:
        rows = _rows(session, _COMPLETE, params, "store.task_writes.write_completion")
    else:
        stage, due_at, priority = next_stage
        params |= {
            "next_stage_id": stage.id,
            "next_code": stage.code,
            "next_title": stage.name_id,
            "next_priority": priority,
            "next_due_at": due_at,
            "next_role": stage.responsible_role.value,
        }
        rows = _rows(session, _COMPLETE_AND_START, params, "store.task_writes.write_completion")
    if not rows:
        return None
    tasks = {row.row_kind: repo.task_of(row) for row in rows}
    return tasks["saved"], tasks.get("next")
