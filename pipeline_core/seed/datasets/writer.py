"""Writing one generated dataset into a new workspace, inside the caller's transaction.

Creates the workspace from the dataset's template (with its min_stuck, buffer and `seeded_on`),
allocates ids from the identity sequences, COPYs users, packages, jamaah, stage instances, tasks,
the status snapshot and the activity log (`bulk`), ANALYZEs them, derives each jamaah's document
checklist from their stages (`store.documents.fill_demo_checklists`), checks every reference when the
per-row checks were skipped, and fills the summaries. The COPY runs on the psycopg connection
under the session's own connection (what `engine.raw_connection()` gives, but shared with the
SQLAlchemy statements that create the workspace), so everything commits together.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline_core.domain import rules
from pipeline_core.seed.datasets import bulk, template_fields
from pipeline_core.seed.datasets.records import GeneratedDataset
from pipeline_core.seed.datasets.registry import DatasetSpec
from pipeline_core.seed.datasets.summaries import fill_summaries
from pipeline_core.store import jamaah_identity, pii_crypto
from pipeline_core.store import schema as t
from pipeline_core.store.documents import fill_demo_checklists
from pipeline_core.store.workspaces import create_workspace, current_version_id

#: The columns each COPY fills, in the order the row functions below produce them.
COLUMNS = {
    "users": "id workspace_id username full_name role email",
    "packages": "id workspace_id code name departure_date return_date airline quota price_idr",
    "jamaah": "id workspace_id full_name gender birth_date nik_encrypted nik_hash phone passport_encrypted"
    " passport_hash passport_issue_date passport_expiry_date package_id pipeline_version_id companion_id"
    " agent_name notes registered_at " + " ".join(template_fields.COLUMNS),
    "stage_instances": "id workspace_id jamaah_id stage_id status started_at due_at completed_at"
    " assigned_to block_reason",
    "pipeline_tasks": "id workspace_id jamaah_id stage_id stage_instance_id task_type title priority status"
    " due_at assigned_role assignee_id block_reason version created_at updated_at completed_at",
    "jamaah_pipeline_status": "jamaah_id workspace_id pipeline_version_id package_id departure_date"
    " current_stage_id current_instance_id current_stage_status current_started_at current_due_at"
    " projected_finish_at block_reason completed_stages active_stages is_completed completed_at",
    "activity_log": "id workspace_id occurred_at actor action entity_type entity_id jamaah_id changes",
}


@dataclass(slots=True)
class _Ids:
    """Database ids of the dataset's rows, by list index (filled table by table)."""

    workspace: int
    version: int
    stages: list[int]
    staff: Sequence[int] = ()
    packages: Sequence[int] = ()
    jamaah: Sequence[int] = ()
    instances: Sequence[int] = ()
    tasks: Sequence[int] = ()

    def assignee(self, index: int | None) -> int | None:
        return None if index is None else self.staff[index]


def write_dataset(
    session: Session, spec: DatasetSpec, ds: GeneratedDataset, phases: dict[str, float]
) -> tuple[int, dict[str, int]]:
    """Create the workspace and COPY the dataset into it; returns (workspace id, rows per table)."""
    ids = _create_workspace(session, spec, ds)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    rows: dict[str, int] = {}
    loaded: list[str] = []

    def load(table: str, data: Iterable[Sequence[Any]], *, parent: bool = False) -> None:
        clock = time.perf_counter()
        rows[table] = bulk.copy_rows(cursor, t.Base.metadata.tables[table], COLUMNS[table].split(), data)
        loaded.append(table)
        if parent and not unchecked:  # the next COPY checks its foreign keys against this table
            bulk.analyze(cursor, [table])
        phases[f"copy {table}"] = time.perf_counter() - clock

    with bulk.reference_triggers_off(session, allowed=bulk.is_superuser(session)) as unchecked:
        ids.staff = bulk.allocate_ids(cursor, "users", len(ds.staff))
        load("users", _user_rows(ds, ids), parent=True)
        ids.packages = bulk.allocate_ids(cursor, "packages", len(ds.packages))
        load("packages", _package_rows(ds, ids), parent=True)
        ids.jamaah = bulk.allocate_ids(cursor, "jamaah", len(ds.jamaah))
        load("jamaah", _jamaah_rows(ds, ids), parent=True)
        ids.instances = bulk.allocate_ids(cursor, "stage_instances", len(ds.work))
        load("stage_instances", _instance_rows(ds, ids), parent=True)
        ids.tasks = bulk.allocate_ids(cursor, "pipeline_tasks", len(ds.work))
        load("pipeline_tasks", _task_rows(ds, ids, ids.tasks))
        load("jamaah_pipeline_status", _snapshot_rows(ds, ids))
        if ds.activity:
            activity_ids = bulk.allocate_ids(cursor, "activity_log", len(ds.activity))
            load("activity_log", _activity_rows(ds, ids, activity_ids))
    clock = time.perf_counter()
    bulk.analyze(cursor, loaded)  # before the checks below and the first dashboards
    phases["analyze"] = time.perf_counter() - clock
    if unchecked:
        clock = time.perf_counter()
        bulk.verify_references(session, ids.workspace, [t.Base.metadata.tables[name] for name in loaded])
        phases["verify references"] = time.perf_counter() - clock
    clock = time.perf_counter()
    rows["jamaah_documents"] = fill_demo_checklists(session, ids.workspace, ds.now)
    bulk.analyze(cursor, ["jamaah_documents"])
    phases["document checklists"] = time.perf_counter() - clock
    clock = time.perf_counter()
    summary_rows = fill_summaries(session, workspace_id=ids.workspace, timezone=spec.timezone, now=ds.now)
    bulk.analyze(cursor, summary_rows)
    rows.update(summary_rows)
    phases["summaries"] = time.perf_counter() - clock
    return ids.workspace, rows


def _create_workspace(session: Session, spec: DatasetSpec, ds: GeneratedDataset) -> _Ids:
    workspace_id = create_workspace(
        session,
        slug=spec.name,
        name=spec.title,
        kind=spec.kind,
        template_code=spec.template,
        timezone=spec.timezone,
        created_by="dataset",
    )
    session.execute(
        update(t.Workspace)
        .where(t.Workspace.id == workspace_id)
        .values(
            min_stuck=spec.min_stuck,
            at_risk_buffer_days=spec.buffer_days,
            seeded_on=rules.agency_today(ds.now, spec.timezone),
        )
    )
    version_id = current_version_id(session, workspace_id)
    stage_id_by_code = dict(
        session.execute(
            select(t.PipelineStage.code, t.PipelineStage.id).where(
                t.PipelineStage.pipeline_version_id == version_id
            )
        ).all()
    )
    return _Ids(workspace_id, version_id, [stage_id_by_code[stage.code] for stage in ds.stages])


# --- one function per table: dataset rows -> COPY rows, in COLUMNS order ---------------------------


def _user_rows(ds: GeneratedDataset, ids: _Ids) -> Iterator[tuple[Any, ...]]:
    for i, s in enumerate(ds.staff):
        yield ids.staff[i], ids.workspace, s.username, s.full_name, s.role.value, s.email


def _package_rows(ds: GeneratedDataset, ids: _Ids) -> Iterator[tuple[Any, ...]]:
    for i, p in enumerate(ds.packages):
        yield ids.packages[i], ids.workspace, *p


def _jamaah_rows(ds: GeneratedDataset, ids: _Ids) -> Iterator[tuple[Any, ...]]:
    """NIK and passport number sealed as every writer seals them (`store/jamaah_identity.py`)."""
    ws, version, jamaah_ids, package_ids = ids.workspace, ids.version, ids.jamaah, ids.packages
    keyring = pii_crypto.get_keyring()
    for i, j in enumerate(ds.jamaah):
        companion = None if j.companion is None else jamaah_ids[j.companion]
        nik = jamaah_identity.seal_nik(j.nik, keyring=keyring)
        passport = jamaah_identity.seal_passport(j.passport_number, keyring=keyring)
        identity = (j.full_name, j.gender, j.birth_date, *nik, j.phone, *passport, j.passport_issue_date,
                    j.passport_expiry_date)  # fmt: skip
        template = template_fields.fields(
            nik=j.nik, gender=j.gender, birth_date=j.birth_date, full_name=j.full_name,
            has_passport=j.passport_number is not None, today=j.registered_at.date(),
        )  # fmt: skip
        yield (jamaah_ids[i], ws, *identity, package_ids[j.package], version, companion, j.agent_name,
               j.notes, j.registered_at, *template)  # fmt: skip


def _instance_rows(ds: GeneratedDataset, ids: _Ids) -> Iterator[tuple[Any, ...]]:
    ws, jamaah_ids, stage_ids, instance_ids = ids.workspace, ids.jamaah, ids.stages, ids.instances
    for i, w in enumerate(ds.work):
        yield (instance_ids[i], ws, jamaah_ids[w.jamaah], stage_ids[w.stage], w.status, w.started_at,
               w.due_at, w.completed_at, ids.assignee(w.assignee), w.block_reason)  # fmt: skip


def _task_rows(ds: GeneratedDataset, ids: _Ids, task_ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """One task per instance: task_type = stage code, version 1, created when the stage started."""
    ws, jamaah_ids, stage_ids, instance_ids = ids.workspace, ids.jamaah, ids.stages, ids.instances
    codes = [stage.code for stage in ds.stages]
    roles = [stage.responsible_role.value for stage in ds.stages]
    for i, w in enumerate(ds.work):
        yield (task_ids[i], ws, jamaah_ids[w.jamaah], stage_ids[w.stage], instance_ids[i], codes[w.stage],
               w.title, w.priority, w.status, w.due_at, roles[w.stage], ids.assignee(w.assignee),
               w.block_reason, 1, w.started_at, w.updated_at, w.completed_at)  # fmt: skip


def _snapshot_rows(ds: GeneratedDataset, ids: _Ids) -> Iterator[tuple[Any, ...]]:
    for s in ds.snapshot:
        jamaah = ds.jamaah[s.jamaah]
        head = (ids.jamaah[s.jamaah], ids.workspace, ids.version, ids.packages[jamaah.package],
                ds.packages[jamaah.package].departure_date)  # fmt: skip
        progress = (s.completed_stages, s.active_stages)
        if s.current is None:
            yield (*head, None, None, None, None, None, None, None, *progress, True, s.completed_at)
            continue
        w = ds.work[s.current]
        yield (*head, ids.stages[w.stage], ids.instances[s.current], w.status, w.started_at, w.due_at,
               s.projected_finish_at, w.block_reason, *progress, False, None)  # fmt: skip


def _activity_rows(ds: GeneratedDataset, ids: _Ids, activity_ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    for i, a in enumerate(ds.activity):
        entity = ids.jamaah[a.jamaah] if a.work is None else ids.tasks[a.work]  # the task, as commands log
        yield (activity_ids[i], ids.workspace, a.occurred_at, a.actor, a.action, a.entity_type, entity,
               ids.jamaah[a.jamaah], Jsonb(a.changes))  # fmt: skip
