"""The writing half of an import's commit: many jamaah enrolled or updated in batches.

`commands.intake` checks and classifies the rows; this module writes them, in the caller's
transaction, exactly as `commands.enrolment` writes one jamaah (a test compares the rows field by
field): jamaah, first stage instance and task (the due date and priority rules of
`tasks.start_stage`, computed once for the group), snapshot row and a `jamaah.enrolled` entry per
jamaah — by one binary COPY per table per batch (`store/copying.py`) — and per updated jamaah an
UPDATE of the changed fields and a `jamaah.updated` entry old → new. NIK and passport numbers are
sealed (`store/jamaah_identity.py`) in the rows and masked in every log entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from pipeline_core.domain import documents, privacy, rules
from pipeline_core.domain.model import Actor, EventKind, Workspace, WorkStatus
from pipeline_core.store import copying, jamaah_identity
from pipeline_core.store import documents as document_rows
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t

__all__ = ["Group", "Start", "enrol_batch", "first_stage", "update_batch"]

JAMAAH_UPDATED = EventKind.JAMAAH_UPDATED.value


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


_JAMAAH = _table(t.Jamaah)


@dataclass(slots=True)
class Group:
    """The departure group being imported into, locked, with its seats taken."""

    id: int
    name: str
    departure: date
    quota: int
    enrolled: int


@dataclass(frozen=True, slots=True)
class Start:
    """The first stage as every jamaah of this import starts it: same stage, same instant."""

    stage_id: int | None
    code: str | None
    title: str | None
    role: str | None
    due_at: datetime | None
    priority: str | None
    projected_finish_at: datetime | None
    active_stages: int


def first_stage(
    workspace: Workspace, group: Group, stages: Sequence[Any], first: Any, now: datetime
) -> Start:
    active = sum(1 for s in stages if s.is_active)
    if first is None:
        return Start(None, None, None, None, None, None, None, active)
    due_at = rules.stage_due_at(
        started_at=now,
        sla_hours=first.sla_hours,
        departure_date=group.departure,
        done_by_days=first.done_by_days,
        tz=workspace.timezone,
    )
    priority = rules.default_priority(
        stage_overdue=now > due_at,
        due_at=due_at,
        departure_date=group.departure,
        now=now,
        tz=workspace.timezone,
    )
    later = timedelta(hours=rules.later_sla_hours(stages, first.position))
    return Start(
        first.id,
        first.code,
        first.name_id,
        first.responsible_role.value,
        due_at,
        priority.value,
        due_at + later,
        active,
    )


def enrol_batch(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    group: Group,
    version_id: int,
    start: Start,
    batch: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Enrol `batch` as `enroll_jamaah` enrols one: jamaah, first stage instance and task, snapshot
    row, document checklist, `jamaah.enrolled` entry — one COPY per table, ids drawn first so
    rows can refer to them."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    ids = copying.allocate_ids(cursor, "jamaah", len(batch))
    sealed = [jamaah_identity.seal(values) for values in batch]  # NIK, passport: encrypted + hashed
    fields = sorted({name for values in sealed for name in values} - _FIXED)
    copying.copy_rows(
        cursor,
        _JAMAAH,
        [*_FIXED_ORDER, *fields],
        (
            (jamaah_id, workspace.id, group.id, version_id, now, *(values.get(name) for name in fields))
            for jamaah_id, values in zip(ids, sealed, strict=True)
        ),
    )
    instance_ids: Sequence[int | None] = [None] * len(batch)
    if start.stage_id is not None:
        instance_ids = copying.allocate_ids(cursor, "stage_instances", len(batch))
        copying.copy_rows(
            cursor,
            _table(t.StageInstance),
            ["id", "workspace_id", "jamaah_id", "stage_id", "status", "started_at", "due_at"],
            (
                (
                    instance_id,
                    workspace.id,
                    jamaah_id,
                    start.stage_id,
                    WorkStatus.PENDING.value,
                    now,
                    start.due_at,
                )
                for jamaah_id, instance_id in zip(ids, instance_ids, strict=True)
            ),
        )
        copying.copy_rows(
            cursor,
            _table(t.PipelineTask),
            _TASK_COLUMNS,
            (
                (workspace.id, jamaah_id, start.stage_id, instance_id, start.code, start.title,
                 start.priority, WorkStatus.PENDING.value, start.due_at, start.role, 1, now, now)
                for jamaah_id, instance_id in zip(ids, instance_ids, strict=True)
            ),
        )  # fmt: skip
    enabled = document_rows.enabled_kinds(session, workspace.id)
    copying.copy_rows(
        cursor,
        _table(t.JamaahDocument),
        ["workspace_id", "jamaah_id", "kind"],
        (
            (workspace.id, jamaah_id, kind.value)
            for jamaah_id, values in zip(ids, batch, strict=True)
            for kind in _required(values, group, enabled)
        ),
    )
    snapshots = [
        _snapshot(workspace, group, version_id, start, jamaah_id, instance_id, now)
        for jamaah_id, instance_id in zip(ids, instance_ids, strict=True)
    ]
    copying.copy_rows(
        cursor, _table(t.JamaahPipelineStatus), list(snapshots[0]), (list(r.values()) for r in snapshots)
    )
    copying.copy_rows(
        cursor,
        _table(t.ActivityLog),
        _ACTIVITY_COLUMNS,
        (
            (workspace.id, now, actor.name, EventKind.JAMAAH_ENROLLED.value, "jamaah", jamaah_id, jamaah_id,
             copying.Jsonb(privacy.mask_changes(
                 repo.created(values | {"package_id": group.id, "current_stage": start.code}))))
            for jamaah_id, values in zip(ids, batch, strict=True)
        ),
    )  # fmt: skip


def _required(
    values: dict[str, Any], group: Group, enabled: tuple[documents.DocumentKind, ...] | None
) -> tuple[documents.DocumentKind, ...]:
    """The new jamaah's checklist kinds, as `enrol_checked` writes them (all `missing`)."""
    return documents.required_kinds(
        gender=values["gender"],
        birth_date=values["birth_date"],
        departure_date=group.departure,
        has_companion=values.get("companion_id") is not None,
        enabled=enabled,
    )


_ACTIVITY_COLUMNS = [
    "workspace_id", "occurred_at", "actor", "action", "entity_type", "entity_id", "jamaah_id", "changes",
]  # fmt: skip
_FIXED_ORDER = ["id", "workspace_id", "package_id", "pipeline_version_id", "registered_at"]
_FIXED = set(_FIXED_ORDER)
_TASK_COLUMNS = [
    "workspace_id", "jamaah_id", "stage_id", "stage_instance_id", "task_type", "title", "priority", "status",
    "due_at", "assigned_role", "version", "created_at", "updated_at",
]  # fmt: skip


def _snapshot(
    workspace: Workspace,
    group: Group,
    version_id: int,
    start: Start,
    jamaah_id: int,
    instance_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    open_stage = start.stage_id is not None
    return {
        "jamaah_id": jamaah_id,
        "workspace_id": workspace.id,
        "pipeline_version_id": version_id,
        "package_id": group.id,
        "departure_date": group.departure,
        "current_stage_id": start.stage_id,
        "current_instance_id": instance_id,
        "current_stage_status": WorkStatus.PENDING.value if open_stage else None,
        "current_started_at": now if open_stage else None,
        "current_due_at": start.due_at,
        "projected_finish_at": start.projected_finish_at,
        "block_reason": None,
        "completed_stages": 0,
        "active_stages": start.active_stages,
        "is_completed": not open_stage,
        "completed_at": None if open_stage else now,
        "updated_at": now,
    }


def update_batch(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    chunk: list[tuple[int, int, dict[str, dict[str, Any]]]],
    now: datetime,
) -> None:
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for _, jamaah_id, changes in chunk:
        columns = jamaah_identity.seal({k: change["new"] for k, change in changes.items()})
        names = tuple(sorted(columns))
        by_fields.setdefault(names, []).append({"_id": jamaah_id, **{f"_{k}": v for k, v in columns.items()}})
    for names, params in by_fields.items():
        statement = (
            update(_JAMAAH)
            .where(_JAMAAH.c.workspace_id == workspace.id, _JAMAAH.c.id == bindparam("_id"))
            .values({name: bindparam(f"_{name}") for name in names} | {"updated_at": now})
        )
        session.connection().execute(statement, params)
    session.execute(
        insert(_table(t.ActivityLog)),
        [
            {
                "workspace_id": workspace.id,
                "occurred_at": now,
                "actor": actor.name,
                "action": JAMAAH_UPDATED,
                "entity_type": "jamaah",
                "entity_id": jamaah_id,
                "jamaah_id": jamaah_id,
                "changes": privacy.mask_changes(
                    {k: {"old": _json(c["old"]), "new": _json(c["new"])} for k, c in changes.items()}
                ),
            }
            for _, jamaah_id, changes in chunk
        ],
    )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
