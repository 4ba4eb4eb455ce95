"""The jamaah lists the pages page through, the stage breakdown, and the active staff — in SQL.

The lists (a departure group's not-ready jamaah, the jamaah stuck in a stage, a jamaah search) are
read one page at a time, LIMIT/OFFSET in SQL, like the task queue. They are not cached: each is one
indexed read of at most 100 rows, rarely repeated. NIK and passport numbers leave masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pipeline_core.domain.model import Actor, JamaahStatus, Role, Workspace, WorkStatus
from pipeline_core.domain.permissions import ROLE_ORDER
from pipeline_core.domain.privacy import mask_nik, mask_passport
from pipeline_core.reads import queries
from pipeline_core.reads.stage_versions import HEAD_JOIN, ROW_VERSION_SQL, load_catalog
from pipeline_core.reads.task_queue import search_filter
from pipeline_core.store import jamaah_identity
from pipeline_core.store import schema as t

__all__ = [
    "JamaahLine",
    "JamaahPage",
    "StaffMember",
    "StageBreakdown",
    "active_staff",
    "find_jamaah",
    "not_ready_jamaah",
    "stage_breakdown",
    "stuck_jamaah",
]

_ROLE_RANK = {role: index for index, role in enumerate(ROLE_ORDER)}


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    role: Role

    def as_actor(self) -> Actor:
        return Actor(user_id=self.id, name=self.name, role=self.role)


def active_staff(session: Session, workspace: Workspace) -> list[StaffMember]:
    """The workspace's active staff: managers first, then the admin roles in pipeline order."""
    rows = session.execute(
        select(t.User.id, t.User.full_name, t.User.role)
        .where(t.User.workspace_id == workspace.id, t.User.is_active)
        .order_by(t.User.full_name, t.User.id)
    ).all()
    staff = [StaffMember(id=row.id, name=row.full_name, role=Role(row.role)) for row in rows]
    return sorted(staff, key=lambda member: _ROLE_RANK[member.role])


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
    # the stage's words above are those of the jamaah's own version; these say which one it is
    pipeline_version_no: int | None = None  # None: every stage completed
    head_version_no: int = 0
    stage_in_head: bool = True  # False: the newest version has no such stage ("hanya v1")

    @property
    def on_older_version(self) -> bool:
        return self.pipeline_version_no is not None and self.pipeline_version_no < self.head_version_no


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
SELECT j.id, j.full_name, j.nik_encrypted, j.phone, j.passport_encrypted, p.name AS package_name,
       s.departure_date,
       ({queries.STATUS_SQL}) AS status,
       ps.code AS stage_code, ps.name_id AS stage_name_id, ps.name_en AS stage_name_en,
       s.current_stage_status AS stage_status, s.current_due_at AS due_at,
       CASE WHEN s.current_due_at < :now
            THEN (extract(epoch FROM (:now - s.current_due_at)) / 86400.0)::float8 END AS delay_days,
       coalesce(s.block_reason, si.notes) AS reason, {ROW_VERSION_SQL}
FROM jamaah_pipeline_status s
JOIN jamaah j ON j.id = s.jamaah_id
JOIN packages p ON p.id = s.package_id
LEFT JOIN pipeline_stages ps ON ps.id = s.current_stage_id
LEFT JOIN stage_instances si ON si.id = s.current_instance_id
{HEAD_JOIN}
"""


def _jamaah_page(
    session: Session,
    workspace: Workspace,
    now: datetime,
    *,
    where: str,
    order: str,
    params: dict[str, Any],
    page: int,
    limit: int,
) -> JamaahPage:
    page, limit = queries.check_paging(page, limit)
    scope = f"WHERE s.workspace_id = :ws AND {where}"
    values = {**queries.status_params(workspace, now), **params}
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
    """A list line: NIK and passport decrypted only to be masked (the page shows no more)."""
    values = jamaah_identity.unseal(row)
    values["nik"] = mask_nik(values["nik"])
    values["passport_number"] = (
        mask_passport(values["passport_number"]) if values["passport_number"] else None
    )
    values["status"] = JamaahStatus(row["status"])
    values["stage_status"] = WorkStatus(row["stage_status"]) if row["stage_status"] else None
    return JamaahLine(**values)


def not_ready_jamaah(
    session: Session, workspace: Workspace, package_id: int, *, now: datetime, page: int = 1, limit: int = 20
) -> JamaahPage:
    """The departure group's jamaah not yet ready, furthest behind first (stage, then due time).

    Stages in the merged order of every version (the head's; an old-only stage after its old
    neighbour), so jamaah of two versions in the same stage stand together."""
    order = list(load_catalog(session, workspace).every_code())
    return _jamaah_page(
        session,
        workspace,
        now,
        where="s.package_id = :package AND NOT s.is_completed",
        order="array_position(CAST(:stage_order AS text[]), ps.code::text), s.current_due_at,"
        " j.full_name, j.id",
        params={"package": package_id, "stage_order": order},
        page=page,
        limit=limit,
    )


def stuck_jamaah(
    session: Session, workspace: Workspace, stage_code: str, *, now: datetime, page: int = 1, limit: int = 20
) -> JamaahPage:
    """The jamaah stuck in a stage (current stage instance overdue), longest delay first."""
    return _jamaah_page(
        session,
        workspace,
        now,
        where="NOT s.is_completed AND s.current_due_at < :now AND ps.code = :code",
        order="s.current_due_at, j.id",
        params={"code": stage_code},
        page=page,
        limit=limit,
    )


def find_jamaah(
    session: Session, workspace: Workspace, search: str, *, now: datetime, page: int = 1, limit: int = 20
) -> JamaahPage:
    """Jamaah by name words, NIK, passport number or phone (the task queue's search rules)."""
    search_sql, search_params = search_filter(search)
    return _jamaah_page(
        session,
        workspace,
        now,
        where=search_sql or "true",
        order="j.full_name, j.id",
        params=search_params,
        page=page,
        limit=limit,
    )


def stage_breakdown(session: Session, workspace: Workspace, now: datetime) -> list[StageBreakdown]:
    """Per current stage code: overdue, then (not overdue) blocked, in progress, pending."""
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
