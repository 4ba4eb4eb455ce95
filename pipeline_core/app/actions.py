"""What the pages do and read beyond `dashboard`: each user action in its own transaction, and the
few jamaah lists the pages page through.

Pages never open sessions: a button calls `complete(...)`, which opens `db.transaction()` and runs
the command in `services`. The lists (a departure group's not-ready jamaah, the jamaah stuck in a
stage, a jamaah search) are read one page at a time, LIMIT/OFFSET in SQL, like the task queue.
They are not cached: each is one indexed read of at most 100 rows, rarely repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import privacy
from pipeline_core.commands import tasks as services
from pipeline_core.commands.privacy import RevealedIdentity, mask_nik, mask_passport
from pipeline_core.commands.tasks import UNSET, Actor, TaskCompletion, Unset
from pipeline_core.domain.model import ADMIN_ROLES, JamaahStatus, Role, Workspace, WorkStatus
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import queries
from pipeline_core.reads.task_queue import search_filter
from pipeline_core.store import cache, db
from pipeline_core.store import schema as t
from pipeline_core.store.repository import Task

__all__ = [
    "JamaahLine",
    "JamaahPage",
    "StaffMember",
    "StageBreakdown",
    "active_users",
    "block",
    "complete",
    "find_jamaah",
    "not_ready_jamaah",
    "reveal_identity",
    "stage_breakdown",
    "stuck_jamaah",
    "unblock",
    "update",
]

_ROLE_ORDER = {role: index for index, role in enumerate((Role.MANAGER, *ADMIN_ROLES, Role.SUPER_ADMIN))}


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# --- who can act ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    role: Role

    def as_actor(self) -> Actor:
        return Actor(user_id=self.id, name=self.name, role=self.role)


def active_users(viewer: Viewer) -> list[StaffMember]:
    """The workspace's active staff: managers first, then the admin roles in pipeline order."""
    workspace = viewer.scope(Action.VIEW_QUEUE_OWN)
    with db.read_session() as session:
        rows = session.execute(
            select(t.User.id, t.User.full_name, t.User.role)
            .where(t.User.workspace_id == workspace.id, t.User.is_active)
            .order_by(t.User.full_name, t.User.id)
        ).all()
    staff = [StaffMember(id=row.id, name=row.full_name, role=Role(row.role)) for row in rows]
    return sorted(staff, key=lambda member: _ROLE_ORDER[member.role])


# --- task commands, one transaction each ---------------------------------------------------------


def complete(viewer: Viewer, task_id: int, version: int, notes: str | None = None) -> TaskCompletion:
    with db.transaction() as session:
        return services.complete_task(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            task_id=task_id,
            version=version,
            notes=notes,
        )


def block(viewer: Viewer, task_id: int, version: int, reason: str) -> Task:
    with db.transaction() as session:
        return services.block_task(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            task_id=task_id,
            version=version,
            reason=reason,
        )


def unblock(viewer: Viewer, task_id: int, version: int) -> Task:
    with db.transaction() as session:
        return services.unblock_task(
            session=session, workspace=viewer.workspace, actor=viewer.actor, task_id=task_id, version=version
        )


def update(
    viewer: Viewer,
    task_id: int,
    version: int,
    *,
    priority: str | Unset = UNSET,
    status: str | Unset = UNSET,
    assignee_id: int | Unset | None = UNSET,
    due_at: datetime | Unset = UNSET,
    notes: str | Unset | None = UNSET,
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
        )


def reveal_identity(viewer: Viewer, jamaah_id: int) -> RevealedIdentity:
    """A manager asks for a jamaah's full NIK and passport number: allowed or refused, and logged
    on the jamaah's timeline, in one transaction (`privacy.reveal_identity`)."""
    with db.transaction() as session:
        return privacy.reveal_identity(
            session, workspace_id=viewer.workspace.id, actor=viewer.actor, jamaah_id=jamaah_id
        )


# --- jamaah lists ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JamaahLine:
    """One jamaah in a list: who, which group, where in the pipeline, how late."""

    id: int
    full_name: str
    nik: str
    phone: str
    passport_number: str | None
    package_name: str
    departure_date: date
    status: JamaahStatus
    stage_code: str | None  # None: every stage completed
    stage_name_id: str | None
    stage_name_en: str | None
    stage_status: WorkStatus | None
    due_at: datetime | None
    delay_days: float | None  # how far past due_at (None when not overdue)
    reason: str | None  # block reason, else the stage's notes


@dataclass(frozen=True, slots=True)
class JamaahPage:
    items: list[JamaahLine]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class StageBreakdown:
    """Open jamaah of a stage in disjoint parts: overdue first, the rest by stage status."""

    code: str
    in_progress: int
    pending: int
    blocked: int
    overdue: int


_LINE_SELECT = f"""
SELECT j.id, j.full_name, j.nik, j.phone, j.passport_number, p.name AS package_name, s.departure_date,
       ({queries.STATUS_SQL}) AS status,
       ps.code AS stage_code, ps.name_id AS stage_name_id, ps.name_en AS stage_name_en,
       s.current_stage_status AS stage_status, s.current_due_at AS due_at,
       CASE WHEN s.current_due_at < :now
            THEN (extract(epoch FROM (:now - s.current_due_at)) / 86400.0)::float8 END AS delay_days,
       coalesce(s.block_reason, si.notes) AS reason
FROM jamaah_pipeline_status s
JOIN jamaah j ON j.id = s.jamaah_id
JOIN packages p ON p.id = s.package_id
LEFT JOIN pipeline_stages ps ON ps.id = s.current_stage_id
LEFT JOIN stage_instances si ON si.id = s.current_instance_id
"""


def _jamaah_page(
    viewer: Viewer,
    now: datetime,
    *,
    where: str,
    order: str,
    params: dict[str, Any],
    page: int,
    limit: int,
) -> JamaahPage:
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    page, limit = queries.check_paging(page, limit)
    scope = f"WHERE s.workspace_id = :ws AND {where}"
    values = {**queries.status_params(workspace, now), **params}
    with db.read_session() as session:
        total = session.execute(
            text(
                "SELECT count(*) FROM jamaah_pipeline_status s JOIN jamaah j ON j.id = s.jamaah_id"
                " LEFT JOIN pipeline_stages ps ON ps.id = s.current_stage_id " + scope
            ),
            values,
        ).scalar_one()
        rows = session.execute(
            text(f"{_LINE_SELECT} {scope} ORDER BY {order} LIMIT :limit OFFSET :offset"),
            {**values, "limit": limit, "offset": (page - 1) * limit},
        ).mappings()
        items = [_line(row) for row in rows]
    return JamaahPage(items=items, total=total, page=page, pages=queries.page_count(total, limit))


def _line(row: Any) -> JamaahLine:
    values = dict(row)
    values["nik"] = mask_nik(row["nik"])
    values["passport_number"] = mask_passport(row["passport_number"]) if row["passport_number"] else None
    values["status"] = JamaahStatus(row["status"])
    values["stage_status"] = WorkStatus(row["stage_status"]) if row["stage_status"] else None
    return JamaahLine(**values)


def not_ready_jamaah(
    viewer: Viewer, package_id: int, *, page: int = 1, limit: int = 20, now: datetime | None = None
) -> JamaahPage:
    """The departure group's jamaah not yet ready, furthest behind first (stage, then due time)."""
    return _jamaah_page(
        viewer,
        _now(now),
        where="s.package_id = :package AND NOT s.is_completed",
        order="ps.position, s.current_due_at, j.full_name, j.id",
        params={"package": package_id},
        page=page,
        limit=limit,
    )


def stuck_jamaah(
    viewer: Viewer, stage_code: str, *, page: int = 1, limit: int = 20, now: datetime | None = None
) -> JamaahPage:
    """The jamaah stuck in a stage (current stage instance overdue), longest delay first."""
    return _jamaah_page(
        viewer,
        _now(now),
        where="NOT s.is_completed AND s.current_due_at < :now AND ps.code = :code",
        order="s.current_due_at, j.id",
        params={"code": stage_code},
        page=page,
        limit=limit,
    )


def find_jamaah(
    viewer: Viewer, search: str, *, page: int = 1, limit: int = 20, now: datetime | None = None
) -> JamaahPage:
    """Jamaah by name words, NIK, passport number or phone (the task queue's search rules)."""
    search_sql, search_params = search_filter(search)
    return _jamaah_page(
        viewer,
        _now(now),
        where=search_sql or "true",
        order="j.full_name, j.id",
        params=search_params,
        page=page,
        limit=limit,
    )


def stage_breakdown(viewer: Viewer, now: datetime | None = None) -> list[StageBreakdown]:
    """Per current stage code: overdue, then (not overdue) blocked, in progress, pending. Cached
    like the stage cards (same generation: a change that moves a stage moves both)."""
    workspace, at = viewer.scope(Action.VIEW_OVERVIEW), _now(now)
    return cache.cached(
        workspace_id=workspace.id,
        family="stages",
        scope="all",
        params="breakdown",
        now=at,
        kind=list[StageBreakdown],
        compute=lambda: _stage_breakdown(workspace, at),
    )


def _stage_breakdown(workspace: Workspace, now: datetime) -> list[StageBreakdown]:
    with db.read_session() as session:
        rows = session.execute(
            text(
                """
                SELECT ps.code,
                       count(*) FILTER (WHERE s.current_due_at < :now) AS overdue,
                       count(*) FILTER (WHERE s.current_due_at >= :now
                                          AND s.current_stage_status = 'blocked') AS blocked,
                       count(*) FILTER (WHERE s.current_due_at >= :now
                                          AND s.current_stage_status = 'in-progress') AS in_progress,
                       count(*) FILTER (WHERE s.current_due_at >= :now
                                          AND s.current_stage_status = 'pending') AS pending
                FROM jamaah_pipeline_status s JOIN pipeline_stages ps ON ps.id = s.current_stage_id
                WHERE s.workspace_id = :ws AND NOT s.is_completed
                GROUP BY ps.code
                """
            ),
            {"ws": workspace.id, "now": now},
        ).mappings()
        return [StageBreakdown(**row) for row in rows]
