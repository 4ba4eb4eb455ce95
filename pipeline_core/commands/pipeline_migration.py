"""Moving jamaah from an older pipeline version to the newest: by departure group or all.

    start_migration   record the move (from, to, group, stage mapping); nothing moves yet
    run_migration     move the jamaah still on the old version, a batch per transaction
    migrate_jamaah    both at once

Both runners take an optional `on_batch`: it is told about each batch after its commit (a
`MigrationBatch`: jamaah moved, tasks moved, created and closed, how far the run is), so a page can
draw progress. It changes nothing about what moves.

For each open jamaah of a batch, with its current stage code X and target Y = mapping[X]:
- Y = X (the stage continues): the stage instance of the old version is closed (its
  `closed_by_migration_id` says so; the row is otherwise untouched) and an instance of the new
  version's stage opens with the same start, status and block reason; its due date follows the new
  SLA and deadline. The open task moves onto it: same task (id, notes, priority), the new stage's
  role, the new due date; the assignee is cleared when the role changes.
- Y ≠ X: the old instance and its task are closed; Y starts now with a new task.
- Y = None (no stage left): the old instance and task are closed and the jamaah is completed.
Then the jamaah's `pipeline_version_id`, its snapshot row, one activity-log entry
(`pipeline.migrated`, old → new version and stage) and the migration's progress are written, and
after the commit the cache generations move and one live event per batch is published.

Jamaah already completed stay on their version: they have nothing left to do. A stage instance is
never rewritten; the partial unique index on open instances keeps "one open stage per jamaah" true
inside every batch, and the batch picks only jamaah still on the old version, so a retry (after an
interruption, or `max_batches`) continues where it stopped and never moves anyone twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from pipeline_core.commands.tasks import announce, one_transaction
from pipeline_core.domain import permissions, rules
from pipeline_core.domain import pipeline as design
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict, InvalidInput, NotFound
from pipeline_core.domain.model import ADMIN_ROLES, Actor, Stage, Workspace, WorkStatus
from pipeline_core.domain.permissions import Action
from pipeline_core.store import events, pipelines
from pipeline_core.store import schema as t

__all__ = ["MigrationBatch", "MigrationProgress", "migrate_jamaah", "run_migration", "start_migration"]

BATCH_SIZE = 2000


@dataclass(frozen=True, slots=True)
class MigrationProgress:
    id: int
    from_version_no: int
    to_version_no: int
    package_id: int | None
    mapping: dict[str, str | None]
    moved: int
    remaining: int
    completed: bool


@dataclass(frozen=True, slots=True)
class MigrationBatch:
    """One committed batch of a run: what it did, and how far the run is."""

    number: int  # 1, 2, … within this run
    moved: int  # jamaah moved to the new version in this batch
    tasks_moved: int  # open tasks carried onto the new version's stage (same task, maybe a new role)
    tasks_created: int  # tasks opened for a stage the jamaah starts anew
    tasks_closed: int  # tasks of a stage the jamaah left
    moved_so_far: int  # jamaah moved by this run, this batch included
    to_move: int  # jamaah this run had to move when it started


#: Told about each committed batch (see `MigrationBatch`).
OnBatch = Callable[[MigrationBatch], None]


def start_migration(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    from_version_no: int,
    package_id: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    now: datetime | None = None,
) -> MigrationProgress:
    """Record a migration to the newest version; `mapping` (old code → new code or None) defaults
    by code (`pipeline.default_mapping`), and a given one may name only some stages."""
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        target = pipelines.head(session, workspace.id)
        source = pipelines.version_by_no(session, workspace.id, from_version_no)
        if source.version_no >= target.version_no:
            raise InvalidInput("from_version_no", f"Jamaah move to a newer version than {from_version_no}.")
        old = pipelines.stages_of(session, workspace.id, source)
        new = pipelines.stages_of(session, workspace.id, target)
        full = checked_mapping(old, new, mapping or {})
        migration_id = session.execute(
            insert(t.PipelineMigration)
            .values(
                workspace_id=workspace.id,
                from_version_id=source.id,
                to_version_id=target.id,
                package_id=package_id,
                mapping=full,
                status="running",
                moved=0,
                started_by=actor.name,
                started_at=now,
            )
            .returning(t.PipelineMigration.id)
        ).scalar_one()
        session.commit()
    return progress(session, workspace, migration_id)


def checked_mapping(
    old: tuple[Stage, ...], new: tuple[Stage, ...], given: Mapping[str, str | None]
) -> dict[str, str | None]:
    """The default mapping with the given entries over it; each must name an old stage and an
    active new one (or None: nothing left to do)."""
    full = design.default_mapping(old, new)
    active = {s.code for s in new if s.is_active}
    for source, target in given.items():
        if source not in full:
            raise InvalidInput("mapping", f"{source!r} is not a stage of the version the jamaah are on.")
        if target is not None and target not in active:
            raise InvalidInput("mapping", f"{target!r} is not an active stage of the newest version.")
        full[source] = target
    return full


def run_migration(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    migration_id: int,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_batch: OnBatch | None = None,
    now: datetime | None = None,
) -> MigrationProgress:
    """Move the jamaah still on the old version, `batch_size` per transaction (all batches, or at
    most `max_batches` now: a later call continues); `on_batch` hears of each committed batch."""
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
    plan = _Plan.load(session, workspace, migration_id)
    to_move = progress(session, workspace, migration_id).remaining if on_batch else 0
    batches, after, so_far = 0, 0, 0  # keyset: each batch starts after the last id the previous saw
    while max_batches is None or batches < max_batches:
        with one_transaction(session, workspace=workspace, actor=actor):
            done, after = _move_batch(session, workspace, actor, plan, batch_size, after, now)
            session.commit()
        batches += 1
        moved = done.moved
        if moved == 0:
            break
        so_far += moved
        announce(
            [
                events.PipelineMigrated(
                    workspace_id=workspace.id,
                    jamaah_id=None,
                    task_id=None,
                    actor=actor.name,
                    actor_id=actor.user_id,
                    roles=events.affected_roles(*ADMIN_ROLES),
                    occurred_at=now,
                    views=events.ALL_VIEWS,
                    version_no=plan.to_no,
                    moved=moved,
                )
            ]
        )
        if on_batch is not None:
            on_batch(done.told(number=batches, moved_so_far=so_far, to_move=to_move))
    return progress(session, workspace, migration_id)


def migrate_jamaah(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    from_version_no: int,
    package_id: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: OnBatch | None = None,
    now: datetime | None = None,
) -> MigrationProgress:
    started = start_migration(
        session=session,
        workspace=workspace,
        actor=actor,
        from_version_no=from_version_no,
        package_id=package_id,
        mapping=mapping,
        now=now,
    )
    return run_migration(
        session=session,
        workspace=workspace,
        actor=actor,
        migration_id=started.id,
        batch_size=batch_size,
        on_batch=on_batch,
        now=now,
    )


def progress(session: Session, workspace: Workspace, migration_id: int) -> MigrationProgress:
    row = (
        session.execute(
            text(
                """
            SELECT m.id, fv.version_no AS from_no, tv.version_no AS to_no, m.package_id, m.mapping, m.moved,
                   m.status, m.from_version_id,
                   (SELECT count(*) FROM jamaah j JOIN jamaah_pipeline_status s ON s.jamaah_id = j.id
                    WHERE j.workspace_id = m.workspace_id AND j.pipeline_version_id = m.from_version_id
                      AND NOT s.is_completed AND (m.package_id IS NULL OR j.package_id = m.package_id))
                   AS remaining
            FROM pipeline_migrations m
            JOIN pipeline_versions fv ON fv.id = m.from_version_id
            JOIN pipeline_versions tv ON tv.id = m.to_version_id
            WHERE m.workspace_id = :ws AND m.id = :id
            """
            ),
            {"ws": workspace.id, "id": migration_id},
        )
        .mappings()
        .one_or_none()
    )
    session.rollback()  # a read: end its transaction
    if row is None:
        raise NotFound("pipeline migration", migration_id)
    return MigrationProgress(
        id=row["id"],
        from_version_no=row["from_no"],
        to_version_no=row["to_no"],
        package_id=row["package_id"],
        mapping=dict(row["mapping"]),
        moved=row["moved"],
        remaining=row["remaining"],
        completed=row["status"] == "completed",
    )


# --- one batch ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    id: int
    from_id: int
    to_id: int
    to_no: int
    from_no: int
    package_id: int | None
    mapping: dict[str, str | None]
    stages: dict[str, Stage]  # the new version's stages by code
    later_hours: dict[str, int]  # SLA still ahead after each new stage
    active: int

    @classmethod
    def load(cls, session: Session, workspace: Workspace, migration_id: int) -> _Plan:
        row = session.execute(
            text(
                "SELECT id, from_version_id, to_version_id, package_id, mapping, status"
                " FROM pipeline_migrations WHERE workspace_id = :ws AND id = :id"
            ),
            {"ws": workspace.id, "id": migration_id},
        ).one_or_none()
        if row is None:
            raise NotFound("pipeline migration", migration_id)
        target = pipelines.version_by_id(session, workspace.id, row.to_version_id)
        if pipelines.head(session, workspace.id).version_no != target.version_no:
            session.rollback()
            raise Conflict(
                f"A newer version than {target.version_no} was published: start a new migration to it."
            )
        stages = pipelines.stages_of(session, workspace.id, target)
        plan = cls(
            id=row.id,
            from_id=row.from_version_id,
            to_id=row.to_version_id,
            to_no=target.version_no,
            from_no=pipelines.version_by_id(session, workspace.id, row.from_version_id).version_no,
            package_id=row.package_id,
            mapping=dict(row.mapping),
            stages={s.code: s for s in stages},
            later_hours={s.code: rules.later_sla_hours(stages, s.position) for s in stages},
            active=sum(1 for s in stages if s.is_active),
        )
        session.rollback()
        return plan


_PICK = text(
    """
    SELECT j.id FROM jamaah j JOIN jamaah_pipeline_status s ON s.jamaah_id = j.id
    WHERE j.workspace_id = :ws AND j.pipeline_version_id = :from_id AND NOT s.is_completed
      AND (CAST(:pkg AS integer) IS NULL OR j.package_id = :pkg) AND j.id > :after
    ORDER BY j.id LIMIT :n
    """
)

_LOCK_TASKS = text(
    "SELECT id FROM pipeline_tasks WHERE workspace_id = :ws AND jamaah_id = ANY(:ids)"
    " AND status <> 'completed' ORDER BY id FOR UPDATE"
)

_STATE = text(
    """
    SELECT j.id AS jamaah_id, s.departure_date, s.current_instance_id, s.current_stage_status,
           s.current_started_at, s.block_reason, ps.code,
           (SELECT t.id FROM pipeline_tasks t WHERE t.stage_instance_id = s.current_instance_id
              AND t.status <> 'completed' ORDER BY t.id LIMIT 1) AS task_id,
           (SELECT count(DISTINCT dps.code) FROM stage_instances d
              JOIN pipeline_stages dps ON dps.id = d.stage_id
            WHERE d.jamaah_id = j.id AND d.status = 'completed' AND d.closed_by_migration_id IS NULL
              AND dps.code = ANY(:active_codes)) AS done
    FROM jamaah j
    JOIN jamaah_pipeline_status s ON s.jamaah_id = j.id
    JOIN pipeline_stages ps ON ps.id = s.current_stage_id
    WHERE j.workspace_id = :ws AND j.id = ANY(:ids) AND j.pipeline_version_id = :from_id
      AND NOT s.is_completed
    ORDER BY j.id
    FOR UPDATE OF j, s
    """
)


@dataclass(frozen=True, slots=True)
class _Done:
    """What one batch did (before the run numbers it)."""

    moved: int = 0
    tasks_moved: int = 0
    tasks_created: int = 0
    tasks_closed: int = 0

    @classmethod
    def of(cls, moves: list[_Move]) -> _Done:
        carried = sum(1 for m in moves if m.continues and m.task_id is not None)
        return cls(
            moved=len(moves),
            tasks_moved=carried,
            tasks_created=sum(1 for m in moves if m.target is not None) - carried,
            tasks_closed=sum(1 for m in moves if m.task_id is not None and not m.continues),
        )

    def told(self, *, number: int, moved_so_far: int, to_move: int) -> MigrationBatch:
        return MigrationBatch(
            number=number,
            moved=self.moved,
            tasks_moved=self.tasks_moved,
            tasks_created=self.tasks_created,
            tasks_closed=self.tasks_closed,
            moved_so_far=moved_so_far,
            to_move=to_move,
        )


def _move_batch(
    session: Session, workspace: Workspace, actor: Actor, plan: _Plan, size: int, after: int, now: datetime
) -> tuple[_Done, int]:
    """Move the next `size` open jamaah after id `after`; (what it did, the last id seen)."""
    params = {"ws": workspace.id, "from_id": plan.from_id, "pkg": plan.package_id, "n": size, "after": after}
    ids = list(session.execute(_PICK, params).scalars())
    if not ids:
        session.execute(
            text("UPDATE pipeline_migrations SET status = 'completed', finished_at = :now WHERE id = :id"),
            {"now": now, "id": plan.id},
        )
        return _Done(), after
    session.execute(_LOCK_TASKS, {"ws": workspace.id, "ids": ids})
    active_codes = [code for code, s in plan.stages.items() if s.is_active]
    state = session.execute(_STATE, params | {"ids": ids, "active_codes": active_codes}).mappings().all()
    moves = [_plan_one(row, plan, workspace, now) for row in state]
    _close_old(session, workspace, plan, moves, now)
    _open_new(session, workspace, moves, now)
    _write_jamaah(session, workspace, actor, plan, moves, now)
    return _Done.of(moves), ids[-1]


@dataclass(slots=True)
class _Move:
    jamaah_id: int
    old_instance: int
    old_code: str
    task_id: int | None
    target: Stage | None
    continues: bool
    status: str
    started_at: datetime
    due_at: datetime | None
    block_reason: str | None
    priority: str
    done: int
    new_instance: int | None = None


def _plan_one(row: Any, plan: _Plan, workspace: Workspace, now: datetime) -> _Move:
    code = row["code"]
    target_code = plan.mapping.get(code, code if code in plan.stages else None)
    target = plan.stages.get(target_code) if target_code else None
    continues = target is not None and target.code == code
    started = row["current_started_at"] if continues else now
    due = None
    priority = "normal"
    if target is not None:
        due = rules.stage_due_at(
            started_at=started,
            sla_hours=target.sla_hours,
            departure_date=row["departure_date"],
            done_by_days=target.done_by_days,
            tz=workspace.timezone,
        )
        priority = rules.default_priority(
            stage_overdue=now > due,
            due_at=due,
            departure_date=row["departure_date"],
            now=now,
            tz=workspace.timezone,
        ).value
    return _Move(
        jamaah_id=row["jamaah_id"],
        old_instance=row["current_instance_id"],
        old_code=code,
        task_id=row["task_id"],
        target=target,
        continues=continues,
        status=row["current_stage_status"] if continues else WorkStatus.PENDING.value,
        started_at=started,
        due_at=due,
        block_reason=row["block_reason"] if continues else None,
        priority=priority,
        done=min(row["done"], plan.active),
    )


def _close_old(
    session: Session, workspace: Workspace, plan: _Plan, moves: list[_Move], now: datetime
) -> None:
    """Close the old open instances (never rewritten otherwise) and the tasks that do not move."""
    session.execute(
        text(
            "UPDATE stage_instances SET status = 'completed', completed_at = :now,"
            " closed_by_migration_id = :mid WHERE workspace_id = :ws AND id = ANY(:ids)"
        ),
        {"now": now, "mid": plan.id, "ws": workspace.id, "ids": [m.old_instance for m in moves]},
    )
    closing = [m.task_id for m in moves if m.task_id is not None and not m.continues]
    if closing:
        session.execute(
            text(
                "UPDATE pipeline_tasks SET status = 'completed', completed_at = :now, updated_at = :now,"
                " version = version + 1 WHERE workspace_id = :ws AND id = ANY(:ids)"
            ),
            {"now": now, "ws": workspace.id, "ids": closing},
        )


def _open_new(session: Session, workspace: Workspace, moves: list[_Move], now: datetime) -> None:
    opening = [m for m in moves if m.target is not None]
    if not opening:
        return
    rows = session.execute(
        text(
            """
            INSERT INTO stage_instances
              (workspace_id, jamaah_id, stage_id, status, started_at, due_at, block_reason)
            SELECT :ws, v.jamaah_id, v.stage_id, v.status, v.started_at, v.due_at, v.block_reason
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(jamaah_id bigint, stage_id integer,
                 status text, started_at timestamptz, due_at timestamptz, block_reason text)
            RETURNING jamaah_id, id
            """
        ),
        {
            "ws": workspace.id,
            "rows": _json(
                [
                    {
                        "jamaah_id": m.jamaah_id,
                        "stage_id": m.target.id,  # type: ignore[union-attr]
                        "status": m.status,
                        "started_at": m.started_at.isoformat(),
                        "due_at": m.due_at.isoformat(),  # type: ignore[union-attr]
                        "block_reason": m.block_reason,
                    }
                    for m in opening
                ]
            ),
        },
    )
    instances = {int(jamaah_id): int(instance_id) for jamaah_id, instance_id in rows}
    for move in opening:
        move.new_instance = instances[move.jamaah_id]
    carried = [m for m in opening if m.continues and m.task_id is not None]
    if carried:
        session.execute(
            text(
                """
                UPDATE pipeline_tasks t SET stage_id = v.stage_id, stage_instance_id = v.instance_id,
                       assigned_role = v.role, due_at = v.due_at, updated_at = :now, version = t.version + 1,
                       assignee_id = CASE WHEN t.assigned_role = v.role THEN t.assignee_id END
                FROM jsonb_to_recordset(CAST(:rows AS jsonb))
                     AS v(task_id bigint, stage_id integer, instance_id bigint, role text, due_at timestamptz)
                WHERE t.workspace_id = :ws AND t.id = v.task_id
                """
            ),
            {
                "now": now,
                "ws": workspace.id,
                "rows": _json(
                    [
                        {
                            "task_id": m.task_id,
                            "stage_id": m.target.id,  # type: ignore[union-attr]
                            "instance_id": m.new_instance,
                            "role": m.target.responsible_role.value,  # type: ignore[union-attr]
                            "due_at": m.due_at.isoformat(),  # type: ignore[union-attr]
                        }
                        for m in carried
                    ]
                ),
            },
        )
    fresh = [m for m in opening if not (m.continues and m.task_id is not None)]
    if fresh:
        session.execute(
            text(
                """
                INSERT INTO pipeline_tasks (workspace_id, jamaah_id, stage_id, stage_instance_id, task_type,
                       title, priority, status, due_at, assigned_role, block_reason, version, created_at,
                       updated_at)
                SELECT :ws, v.jamaah_id, v.stage_id, v.instance_id, v.code, v.title, v.priority, v.status,
                       v.due_at, v.role, v.block_reason, 1, :now, :now
                FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(jamaah_id bigint, stage_id integer,
                     instance_id bigint, code text, title text, priority text, status text,
                     due_at timestamptz, role text, block_reason text)
                """
            ),
            {
                "ws": workspace.id,
                "now": now,
                "rows": _json(
                    [
                        {
                            "jamaah_id": m.jamaah_id,
                            "stage_id": m.target.id,  # type: ignore[union-attr]
                            "instance_id": m.new_instance,
                            "code": m.target.code,  # type: ignore[union-attr]
                            "title": m.target.name_id,  # type: ignore[union-attr]
                            "priority": m.priority,
                            "status": m.status,
                            "due_at": m.due_at.isoformat(),  # type: ignore[union-attr]
                            "role": m.target.responsible_role.value,  # type: ignore[union-attr]
                            "block_reason": m.block_reason,
                        }
                        for m in fresh
                    ]
                ),
            },
        )


def _write_jamaah(
    session: Session, workspace: Workspace, actor: Actor, plan: _Plan, moves: list[_Move], now: datetime
) -> None:
    """The jamaah's version, its snapshot, one activity entry each and the migration's progress."""
    ids = [m.jamaah_id for m in moves]
    session.execute(
        text(
            "UPDATE jamaah SET pipeline_version_id = :to, updated_at = :now"
            " WHERE workspace_id = :ws AND id = ANY(:ids)"
        ),
        {"to": plan.to_id, "now": now, "ws": workspace.id, "ids": ids},
    )
    snapshot = [_snapshot(m, plan, now) for m in moves]
    session.execute(
        text(
            """
            UPDATE jamaah_pipeline_status s SET
              pipeline_version_id = :to, current_stage_id = v.stage_id, current_instance_id = v.instance_id,
              current_stage_status = v.status, current_started_at = v.started_at, current_due_at = v.due_at,
              projected_finish_at = v.finish_at, block_reason = v.block_reason,
              completed_stages = v.done, active_stages = :active, is_completed = v.stage_id IS NULL,
              completed_at = CASE WHEN v.stage_id IS NULL THEN :now END, updated_at = :now
            FROM (SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(
                    jamaah_id bigint, stage_id integer, instance_id bigint, status text,
                    started_at timestamptz, due_at timestamptz, finish_at timestamptz, block_reason text,
                    done integer)) v
            WHERE s.workspace_id = :ws AND s.jamaah_id = v.jamaah_id
            """
        ),
        {"to": plan.to_id, "active": plan.active, "now": now, "ws": workspace.id, "rows": _json(snapshot)},
    )
    session.execute(
        text(
            """
            INSERT INTO activity_log
              (workspace_id, occurred_at, actor, action, entity_type, entity_id, jamaah_id, changes)
            SELECT :ws, :now, :actor, :action, 'jamaah', v.jamaah_id, v.jamaah_id, v.changes
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(jamaah_id bigint, changes jsonb)
            """
        ),
        {
            "ws": workspace.id,
            "now": now,
            "actor": actor.name,
            "action": events.PipelineMigrated.type.value,
            "rows": _json([{"jamaah_id": m.jamaah_id, "changes": _changes(m, plan)} for m in moves]),
        },
    )
    session.execute(
        text("UPDATE pipeline_migrations SET moved = moved + :n WHERE id = :id"),
        {"n": len(moves), "id": plan.id},
    )


def _snapshot(move: _Move, plan: _Plan, now: datetime) -> dict[str, Any]:
    target = move.target
    if target is None:
        return {"jamaah_id": move.jamaah_id, "done": plan.active}
    assert move.due_at is not None
    finish = move.due_at + timedelta(hours=plan.later_hours[target.code])
    return {
        "jamaah_id": move.jamaah_id,
        "stage_id": target.id,
        "instance_id": move.new_instance,
        "status": move.status,
        "started_at": move.started_at.isoformat(),
        "due_at": move.due_at.isoformat(),
        "finish_at": finish.isoformat(),
        "block_reason": move.block_reason,
        "done": move.done,
    }


def _changes(move: _Move, plan: _Plan) -> dict[str, Any]:
    target = move.target
    changes: dict[str, Any] = {
        "pipeline_version": {"old": plan.from_no, "new": plan.to_no},
        "current_stage": {"old": move.old_code, "new": target.code if target else None},
    }
    if target is not None and move.due_at is not None:
        changes["due_at"] = {"old": None, "new": move.due_at.isoformat()}
    return changes


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows)
