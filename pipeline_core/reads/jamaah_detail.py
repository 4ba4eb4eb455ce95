"""Everything about one jamaah on one screen: profile, passport check, stage timeline, tasks, activity.

The timeline lists every active stage of the jamaah's pipeline version. Done and current stages
show what happened (started, due, completed); later stages show a plan: each starts when the one
before is due, and is due by `rules.stage_due_at` (SLA and the done-by deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain import rules
from pipeline_core.domain.activity import typed_changes
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.model import JamaahStatus, Workspace, WorkStatus
from pipeline_core.domain.privacy import mask_changes, mask_nik, mask_passport
from pipeline_core.domain.stage_versions import merged_order
from pipeline_core.reads.stage_versions import load_catalog
from pipeline_core.store import jamaah_identity


@dataclass(frozen=True, slots=True)
class TimelineStage:
    code: str
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    status: WorkStatus | None  # None: not started yet
    started_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    planned_start: datetime | None
    planned_due: datetime | None
    block_reason: str | None
    notes: str | None
    version_no: int = 0  # the version whose words these are: the jamaah's own, or an older one
    in_head: bool = True  # False: the newest version has no such stage ("hanya v1")


@dataclass(frozen=True, slots=True)
class TaskLine:
    id: int
    version: int
    title: str
    stage_code: str
    priority: str
    status: str
    due_at: datetime
    assigned_role: str
    assignee_name: str | None
    notes: str | None
    block_reason: str | None
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ActivityLine:
    occurred_at: datetime
    actor: str
    action: str
    changes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JamaahDetail:
    """One jamaah for the detail page. NIK and passport number come masked: the full values only
    through `privacy.reveal_identity` (managers, logged)."""

    id: int
    full_name: str
    gender: str
    birth_date: date
    nik: str
    phone: str
    passport_number: str | None
    passport_issue_date: date | None
    passport_expiry_date: date | None
    passport: rules.PassportCheck
    package_name: str
    departure_date: date
    return_date: date
    airline: str
    agent_name: str | None
    notes: str | None
    companion_name: str | None
    status: JamaahStatus
    progress_percent: float
    timeline: list[TimelineStage]
    tasks: list[TaskLine]
    activity: list[ActivityLine]


def jamaah_detail(session: Session, workspace: Workspace, jamaah_id: int, now: datetime) -> JamaahDetail:
    row = (
        session.execute(
            text(
                """
                SELECT j.*, p.name AS package_name, p.departure_date, p.return_date, p.airline,
                       c.full_name AS companion_name, s.current_due_at, s.current_stage_status,
                       s.projected_finish_at, s.completed_stages, s.active_stages, s.is_completed
                FROM jamaah j
                JOIN packages p ON p.id = j.package_id
                JOIN jamaah_pipeline_status s ON s.jamaah_id = j.id
                LEFT JOIN jamaah c ON c.id = j.companion_id
                WHERE j.workspace_id = :ws AND j.id = :id
                """
            ),
            {"ws": workspace.id, "id": jamaah_id},
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound("Jamaah", jamaah_id)
    profile = jamaah_identity.unseal(row)  # decrypted only to be masked below
    status = _status(profile, workspace, now)
    warning_months = session.execute(
        text("SELECT passport_warning_months FROM workspaces WHERE id = :ws"), {"ws": workspace.id}
    ).scalar_one()
    return JamaahDetail(
        id=profile["id"],
        full_name=profile["full_name"],
        gender=profile["gender"],
        birth_date=profile["birth_date"],
        nik=mask_nik(profile["nik"]),
        phone=profile["phone"],
        passport_number=mask_passport(profile["passport_number"]) or None,
        passport_issue_date=profile["passport_issue_date"],
        passport_expiry_date=profile["passport_expiry_date"],
        passport=rules.passport_check(
            expiry=profile["passport_expiry_date"],
            departure_date=profile["departure_date"],
            warning_months=warning_months,
        ),
        package_name=profile["package_name"],
        departure_date=profile["departure_date"],
        return_date=profile["return_date"],
        airline=profile["airline"],
        agent_name=profile["agent_name"],
        notes=profile["notes"],
        companion_name=profile["companion_name"],
        status=status,
        progress_percent=rules.progress_percent(
            completed_active=profile["completed_stages"], active=profile["active_stages"]
        ),
        timeline=_timeline(session, workspace, profile),
        tasks=_tasks(session, workspace, jamaah_id),
        activity=_activity(session, workspace, jamaah_id),
    )


def _status(profile: Any, workspace: Workspace, now: datetime) -> JamaahStatus:
    """rules.classify_jamaah on the snapshot (later SLA = projected finish − current due)."""
    if profile["is_completed"]:
        return JamaahStatus.COMPLETED
    later = profile["projected_finish_at"] - profile["current_due_at"]
    return rules.classify_jamaah(
        now=now,
        departure_date=profile["departure_date"],
        current=rules.CurrentStage(
            due_at=profile["current_due_at"],
            blocked=profile["current_stage_status"] == WorkStatus.BLOCKED.value,
        ),
        later_sla_hours=int(later.total_seconds() // 3600),
        buffer_days=workspace.at_risk_buffer_days,
        tz=workspace.timezone,
    )


_TIMELINE_SQL = """
SELECT ps.code, ps.name_id, ps.name_en, ps.responsible_role, ps.sla_hours, ps.done_by_days,
       v.version_no, si.status, si.started_at, si.due_at, si.completed_at, si.block_reason, si.notes
FROM pipeline_stages ps
JOIN pipeline_versions v ON v.id = ps.pipeline_version_id
-- by code: after a migration the stages done on an older version show on the new one
LEFT JOIN LATERAL (
  SELECT i.* FROM stage_instances i JOIN pipeline_stages ips ON ips.id = i.stage_id
  WHERE i.workspace_id = :ws AND i.jamaah_id = :id AND ips.code = ps.code
    AND i.closed_by_migration_id IS NULL
  ORDER BY i.started_at DESC, i.id DESC LIMIT 1
) si ON true
WHERE ps.workspace_id = :ws AND ps.pipeline_version_id = :version
  AND (ps.is_active OR si.id IS NOT NULL)
UNION ALL
-- stages done on an older version that the jamaah's version no longer has (shown, not dropped)
SELECT DISTINCT ON (ps.code) ps.code, ps.name_id, ps.name_en, ps.responsible_role, ps.sla_hours,
       ps.done_by_days, v.version_no, i.status, i.started_at, i.due_at, i.completed_at,
       i.block_reason, i.notes
FROM stage_instances i
JOIN pipeline_stages ps ON ps.id = i.stage_id
JOIN pipeline_versions v ON v.id = ps.pipeline_version_id
WHERE i.workspace_id = :ws AND i.jamaah_id = :id AND i.closed_by_migration_id IS NULL
  AND ps.pipeline_version_id <> :version
  AND NOT EXISTS (SELECT 1 FROM pipeline_stages own
                  WHERE own.pipeline_version_id = :version AND own.code = ps.code)
ORDER BY code, started_at DESC
"""


def _timeline(session: Session, workspace: Workspace, profile: Any) -> list[TimelineStage]:
    catalog = load_catalog(session, workspace)
    rows = list(
        session.execute(
            text(_TIMELINE_SQL),
            {"ws": workspace.id, "id": profile["id"], "version": profile["pipeline_version_id"]},
        ).mappings()
    )
    own = catalog.rows_of(profile["pipeline_version_id"])
    older = {r.version_no for r in catalog.by_id.values()} - {r.version_no for r in own}
    order = merged_order([r.code for r in own], {v: catalog.codes_of(v) for v in older})
    rows.sort(key=lambda row: order.index(row["code"]) if row["code"] in order else len(order))
    running = set(catalog.head_codes)
    stages: list[TimelineStage] = []
    plan_from: datetime | None = None
    for row in rows:
        planned_start = planned_due = None
        if row["status"] is None and plan_from is not None:
            planned_start = plan_from
            planned_due = rules.stage_due_at(
                started_at=plan_from,
                sla_hours=row["sla_hours"],
                departure_date=profile["departure_date"],
                done_by_days=row["done_by_days"],
                tz=workspace.timezone,
            )
        plan_from = planned_due or row["completed_at"] or row["due_at"] or plan_from
        stages.append(
            TimelineStage(
                code=row["code"],
                name_id=row["name_id"],
                name_en=row["name_en"],
                responsible_role=row["responsible_role"],
                sla_hours=row["sla_hours"],
                status=WorkStatus(row["status"]) if row["status"] else None,
                started_at=row["started_at"],
                due_at=row["due_at"],
                completed_at=row["completed_at"],
                planned_start=planned_start,
                planned_due=planned_due,
                block_reason=row["block_reason"],
                notes=row["notes"],
                version_no=row["version_no"],
                in_head=row["code"] in running,
            )
        )
    return stages


def _tasks(session: Session, workspace: Workspace, jamaah_id: int) -> list[TaskLine]:
    rows = session.execute(
        text(
            """
            SELECT t.id, t.version, t.title, ps.code AS stage_code, t.priority, t.status, t.due_at,
                   t.assigned_role, u.full_name AS assignee_name, t.notes, t.block_reason, t.completed_at
            FROM pipeline_tasks t
            JOIN pipeline_stages ps ON ps.id = t.stage_id
            LEFT JOIN users u ON u.id = t.assignee_id
            WHERE t.workspace_id = :ws AND t.jamaah_id = :id
            ORDER BY t.created_at DESC, t.id DESC
            """
        ),
        {"ws": workspace.id, "id": jamaah_id},
    ).mappings()
    return [TaskLine(**row) for row in rows]


def _activity(session: Session, workspace: Workspace, jamaah_id: int, limit: int = 50) -> list[ActivityLine]:
    rows = session.execute(
        text(
            """
            SELECT occurred_at, actor, action, changes FROM activity_log
            WHERE workspace_id = :ws AND jamaah_id = :id
            ORDER BY occurred_at DESC, id DESC LIMIT :limit
            """
        ),
        {"ws": workspace.id, "id": jamaah_id, "limit": limit},
    ).mappings()
    return [ActivityLine(**{**row, "changes": typed_changes(mask_changes(row["changes"]))}) for row in rows]
