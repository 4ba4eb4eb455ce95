"""The read side: dashboard questions answered in SQL over the current-status snapshot.

Aggregates happen in PostgreSQL and no read loads more rows than it returns. The status of a
jamaah is the SQL mirror of `rules.classify_jamaah` over `jamaah_pipeline_status` (one row per
jamaah); the instants it compares against (now, today, the risk threshold) come from `rules`, so
both sides agree to the second. Thresholds and sorting of bottlenecks are applied in Python with
`rules` on the handful of per-stage rows SQL returns.

Stages are reported per stage *code* (a code is a stage's identity across versions): jamaah on an
older version are counted under the code with the head's; each row carries its variants (the
words of each version counted, `domain.stage_versions`), and a stage only older versions run is
listed after its old neighbour, marked not in the head (docs/decisions.md, "Stages of two versions").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain import rules
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Severity, Workspace
from pipeline_core.domain.stage_versions import StageVariant, VersionedStage
from pipeline_core.reads.stage_versions import load_catalog

#: rules.classify_jamaah in SQL. Parameters: :now, :today, :buffer_days, :tz.
STATUS_SQL = """
CASE
  WHEN s.is_completed THEN 'completed'
  WHEN s.current_due_at < :now OR s.departure_date < :today THEN 'overdue'
  WHEN s.current_stage_status = 'blocked'
    OR s.projected_finish_at > ((s.departure_date - :buffer_days)::timestamp AT TIME ZONE :tz)
    THEN 'at-risk'
  ELSE 'on-track'
END
"""


def status_params(workspace: Workspace, now: datetime) -> dict[str, object]:
    tz = ZoneInfo(workspace.timezone)
    return {
        "now": now,
        "today": rules.agency_today(now, tz),
        "buffer_days": workspace.at_risk_buffer_days,
        "tz": workspace.timezone,
        "ws": workspace.id,
    }


def check_paging(page: object, limit: object) -> tuple[int, int]:
    """page ≥ 1 and 1 ≤ limit ≤ 100, as whole numbers; InvalidInput names the bad parameter."""
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise InvalidInput("page", f"must be a whole number of at least 1, got {page!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise InvalidInput(
            "limit", f"must be a whole number from 1 to 100 (20, 50 or 100 in the UI), got {limit!r}"
        )
    return page, limit


def page_count(total: int, limit: int) -> int:
    return max(1, -(-total // limit))


# --- health ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PipelineHealth:
    total: int
    on_track: int
    at_risk: int
    overdue: int
    completed: int

    @property
    def health_score(self) -> float:
        return rules.health_score(on_track=self.on_track, total=self.total, completed=self.completed)


def pipeline_health(session: Session, workspace: Workspace, now: datetime) -> PipelineHealth:
    """The KPI counts of a workspace: one pass over the snapshot (46-80 ms uncached at 100,000
    jamaah on the 2-core machine, docs/benchmarks.md "Engine"; cached, recomputed once a minute and
    moved by each change in between: store/cache.py)."""
    row = (
        session.execute(
            text(
                f"""
                SELECT count(*) AS total,
                       count(*) FILTER (WHERE st = 'on-track') AS on_track,
                       count(*) FILTER (WHERE st = 'at-risk') AS at_risk,
                       count(*) FILTER (WHERE st = 'overdue') AS overdue,
                       count(*) FILTER (WHERE st = 'completed') AS completed
                FROM (SELECT {STATUS_SQL} AS st FROM jamaah_pipeline_status s WHERE s.workspace_id = :ws) x
                """
            ),
            status_params(workspace, now),
        )
        .mappings()
        .one()
    )
    return PipelineHealth(**row)


# --- stages ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageStats:
    """One stage code: the newest counted variant's words, the jamaah of every version in it."""

    code: str
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    in_stage: int
    in_progress: int
    blocked: int
    overdue: int
    completed: int
    avg_completion_days: float | None
    in_head: bool = True  # False: only older versions run this stage ("hanya v1")
    variants: tuple[StageVariant, ...] = ()  # per version: its words and its jamaah in the stage

    @property
    def sla_days(self) -> float:
        return self.sla_hours / 24

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(v.version_no for v in self.variants)


def _shown(stage: VersionedStage) -> dict[str, object]:
    """The words an aggregate row shows for a stage code, and its version facts."""
    shown = stage.shown
    return {
        "code": stage.code,
        "name_id": shown.name_id,
        "name_en": shown.name_en,
        "in_head": stage.in_head,
        "variants": stage.variants,
    }


def stage_stats(session: Session, workspace: Workspace, now: datetime) -> list[StageStats]:
    """Per stage code the head runs, and per code an older version runs with jamaah in it: jamaah
    in it, in progress, blocked, overdue, completed (every version), average days."""
    current = {
        row["stage_id"]: row
        for row in session.execute(
            text(
                """
                SELECT s.current_stage_id AS stage_id, count(*) AS in_stage,
                       count(*) FILTER (WHERE s.current_stage_status = 'in-progress') AS in_progress,
                       count(*) FILTER (WHERE s.current_stage_status = 'blocked') AS blocked,
                       count(*) FILTER (WHERE s.current_due_at < :now) AS overdue
                FROM jamaah_pipeline_status s
                WHERE s.workspace_id = :ws AND NOT s.is_completed
                GROUP BY s.current_stage_id
                """
            ),
            {"ws": workspace.id, "now": now},
        ).mappings()
    }
    done = {
        row["code"]: row
        for row in session.execute(
            text(
                """
                SELECT ps.code, sum(t.completed_count)::bigint AS completed, sum(t.total_seconds) AS seconds
                FROM stage_completion_totals t JOIN pipeline_stages ps ON ps.id = t.stage_id
                WHERE t.workspace_id = :ws
                GROUP BY ps.code
                """
            ),
            {"ws": workspace.id},
        ).mappings()
    }
    catalog = load_catalog(session, workspace)
    head_ids = [r.id for r in catalog.by_id.values() if r.version_no == catalog.head_no and r.is_active]
    counts = {stage_id: 0 for stage_id in head_ids} | {k: v["in_stage"] for k, v in current.items()}
    stats = []
    for stage in catalog.counted(counts):
        ids = [i for i in counts if catalog.by_id[i].code == stage.code]
        total = {
            key: sum(current[i][key] for i in ids if i in current)
            for key in ("in_stage", "in_progress", "blocked", "overdue")
        }
        finished = done.get(stage.code)
        completed, seconds = (
            (int(finished["completed"]), float(finished["seconds"])) if finished else (0, 0.0)
        )
        stats.append(
            StageStats(
                **_shown(stage),  # type: ignore[arg-type]
                responsible_role=stage.shown.responsible_role,
                sla_hours=stage.shown.sla_hours,
                **total,
                completed=completed,
                avg_completion_days=seconds / completed / 86400.0 if completed else None,
            )
        )
    return stats


# --- bottlenecks ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bottleneck:
    code: str
    name_id: str
    name_en: str
    responsible_role: str
    stuck: int
    avg_delay_days: float
    severity: Severity
    top_reason: str | None
    departure_impact: int
    stuck_7_days_ago: int | None
    in_head: bool = True  # False: only older versions run this stage ("hanya v1")
    variants: tuple[StageVariant, ...] = ()  # per version: its words and its stuck jamaah

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(v.version_no for v in self.variants)

    @property
    def trend(self) -> int | None:
        """Change in stuck count versus 7 days ago (None when that day was not recorded)."""
        return None if self.stuck_7_days_ago is None else self.stuck - self.stuck_7_days_ago


_BOTTLENECK_SQL = """
WITH stuck AS (
  SELECT ps.code, s.current_stage_id, s.departure_date, s.current_due_at,
         -- The stage's notes by primary key, one look-up per stuck jamaah: as a LEFT JOIN the
         -- planner scanned all of stage_instances (~650,000 rows at 100,000 jamaah) for the
         -- 10,000 it needs; uncached p50 87.8 -> 52.2 ms (docs/benchmarks.md, "Engine").
         coalesce(s.block_reason,
                  (SELECT si.notes FROM stage_instances si WHERE si.id = s.current_instance_id)) AS reason
  FROM jamaah_pipeline_status s
  JOIN pipeline_stages ps ON ps.id = s.current_stage_id
  WHERE s.workspace_id = :ws AND NOT s.is_completed AND s.current_due_at < :now
), per_stage AS (
  SELECT code, count(*) AS stuck,
         (avg(extract(epoch FROM (:now - current_due_at))) / 86400.0)::float8 AS avg_delay_days,
         count(*) FILTER (WHERE departure_date <= :impact_until) AS departure_impact,
         mode() WITHIN GROUP (ORDER BY reason) AS top_reason
  FROM stuck GROUP BY code
), per_version AS (
  -- the stuck of each version's stage of the code: the alert's variants
  SELECT code, jsonb_object_agg(current_stage_id, n) AS by_stage
  FROM (SELECT code, current_stage_id, count(*) AS n FROM stuck GROUP BY code, current_stage_id) x
  GROUP BY code
), week_ago AS (
  SELECT ps.code, sum(b.stuck_count)::int AS stuck
  FROM bottleneck_daily b JOIN pipeline_stages ps ON ps.id = b.stage_id
  WHERE b.workspace_id = :ws AND b.day = :week_ago
  GROUP BY ps.code
)
SELECT p.code, p.stuck, p.avg_delay_days, p.departure_impact, p.top_reason,
       w.stuck AS stuck_7_days_ago, v.by_stage
FROM per_stage p JOIN per_version v ON v.code = p.code LEFT JOIN week_ago w ON w.code = p.code
"""


def bottlenecks(
    session: Session, workspace: Workspace, now: datetime, severity: Severity | str | None = None
) -> list[Bottleneck]:
    """Stages whose stuck (overdue) jamaah reach the workspace's `min_stuck`, most severe first."""
    wanted = parse_severity(severity)
    today = rules.agency_today(now, workspace.timezone)
    rows = session.execute(
        text(_BOTTLENECK_SQL),
        {
            "ws": workspace.id,
            "now": now,
            "impact_until": today + timedelta(days=14),
            "week_ago": today - timedelta(days=7),
        },
    ).mappings()
    catalog = load_catalog(session, workspace)
    alerts = []
    for row in rows:
        if not rules.raises_alert(stuck=row["stuck"], min_stuck=workspace.min_stuck):
            continue
        level = rules.bottleneck_severity(avg_delay_days=float(row["avg_delay_days"]), stuck=row["stuck"])
        if wanted is not None and level is not wanted:
            continue
        (stage,) = catalog.counted({int(k): int(n) for k, n in row["by_stage"].items()})
        alerts.append(
            Bottleneck(
                **_shown(stage),  # type: ignore[arg-type]
                responsible_role=stage.shown.responsible_role,
                stuck=row["stuck"],
                avg_delay_days=round(float(row["avg_delay_days"]), 1),
                severity=level,
                top_reason=row["top_reason"],
                departure_impact=row["departure_impact"],
                stuck_7_days_ago=None if row["stuck_7_days_ago"] is None else int(row["stuck_7_days_ago"]),
            )
        )
    alerts.sort(key=lambda b: (rules.SEVERITY_ORDER[b.severity], -b.departure_impact, -b.stuck))
    return alerts


def parse_severity(value: Severity | str | None) -> Severity | None:
    if value is None or isinstance(value, Severity):
        return value
    try:
        return Severity(value)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise InvalidInput("severity", f"must be one of {choices}, got {value!r}") from None


@dataclass(frozen=True, slots=True)
class StuckDay:
    day: date
    code: str
    stuck: int
    name_id: str = ""  # the newest version's name of the stage
    name_en: str = ""
    in_head: bool = True  # False: only older versions run this stage ("hanya v1")
    variants: tuple[StageVariant, ...] = ()  # the versions that have the stage


def record_bottleneck_day(session: Session, workspace: Workspace, now: datetime) -> None:
    """Upsert today's stuck count per stage into `bottleneck_daily` (the trend's memory)."""
    today = rules.agency_today(now, workspace.timezone)
    session.execute(
        text(
            """
            INSERT INTO bottleneck_daily (stage_id, day, workspace_id, stuck_count, avg_delay_days)
            SELECT s.current_stage_id, :today, :ws, count(*),
                   avg(extract(epoch FROM (:now - s.current_due_at))) / 86400.0
            FROM jamaah_pipeline_status s
            WHERE s.workspace_id = :ws AND NOT s.is_completed AND s.current_due_at < :now
            GROUP BY s.current_stage_id
            ON CONFLICT (stage_id, day) DO UPDATE
              SET stuck_count = excluded.stuck_count, avg_delay_days = excluded.avg_delay_days
            """
        ),
        {"ws": workspace.id, "now": now, "today": today},
    )


def stuck_history(session: Session, workspace: Workspace, now: datetime, days: int = 30) -> list[StuckDay]:
    """Stuck count per stage code per day for the last `days` days (the bottlenecks chart)."""
    today = rules.agency_today(now, workspace.timezone)
    rows = session.execute(
        text(
            """
            SELECT b.day, ps.code, sum(b.stuck_count)::int AS stuck
            FROM bottleneck_daily b JOIN pipeline_stages ps ON ps.id = b.stage_id
            WHERE b.workspace_id = :ws AND b.day > :since AND b.day <= :today
            GROUP BY b.day, ps.code ORDER BY b.day, ps.code
            """
        ),
        {"ws": workspace.id, "since": today - timedelta(days=days), "today": today},
    ).all()
    stages = load_catalog(session, workspace).every_code()
    return [
        StuckDay(
            day=day,
            stuck=stuck,
            **_shown(stages[code]),  # type: ignore[arg-type]
        )
        for day, code, stuck in rows
    ]


# --- departures -----------------------------------------------------------------------------

DEPARTURE_SORTS = {
    "departure": "p.departure_date, p.name, p.id",
    "-departure": "p.departure_date DESC, p.name, p.id",
    "not_ready": "g.not_ready DESC, p.departure_date, p.id",
    "name": "p.name, p.departure_date, p.id",
}


@dataclass(frozen=True, slots=True)
class StageCount:
    code: str
    name_id: str
    name_en: str
    jamaah: int
    in_head: bool = True  # False: only older versions run this stage ("hanya v1")
    variants: tuple[StageVariant, ...] = ()  # per version: its words and its jamaah in the stage

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(v.version_no for v in self.variants)


@dataclass(frozen=True, slots=True)
class DepartureGroup:
    package_id: int
    code: str
    name: str
    departure_date: date
    return_date: date
    airline: str
    jamaah: int
    ready: int
    not_ready: int
    not_ready_by_stage: tuple[StageCount, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class DeparturePage:
    items: list[DepartureGroup]
    total: int
    page: int
    pages: int


def upcoming_departures(
    session: Session,
    workspace: Workspace,
    now: datetime,
    *,
    days: int = 7,
    page: int = 1,
    limit: int = 20,
    sort: str = "departure",
) -> DeparturePage:
    """Departure groups leaving today .. today + days, soonest first, with readiness per stage."""
    page, limit = check_paging(page, limit)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 366:
        raise InvalidInput("days", f"must be a whole number of days from 0 to 366, got {days!r}")
    if sort not in DEPARTURE_SORTS:
        raise InvalidInput("sort", f"must be one of {', '.join(DEPARTURE_SORTS)}, got {sort!r}")
    today = rules.agency_today(now, workspace.timezone)
    params = {"ws": workspace.id, "from": today, "until": today + timedelta(days=days)}
    groups = f"""
        WITH g AS (
          SELECT s.package_id, count(*) AS jamaah, count(*) FILTER (WHERE s.is_completed) AS ready,
                 count(*) FILTER (WHERE NOT s.is_completed) AS not_ready
          FROM jamaah_pipeline_status s
          WHERE s.workspace_id = :ws AND s.departure_date BETWEEN :from AND :until
          GROUP BY s.package_id
        )
        SELECT p.id AS package_id, p.code, p.name, p.departure_date, p.return_date, p.airline,
               g.jamaah, g.ready, g.not_ready, count(*) OVER () AS total
        FROM g JOIN packages p ON p.id = g.package_id
        ORDER BY {DEPARTURE_SORTS[sort]}
        LIMIT :limit OFFSET :offset
    """
    rows = (
        session.execute(text(groups), {**params, "limit": limit, "offset": (page - 1) * limit})
        .mappings()
        .all()
    )
    total = rows[0]["total"] if rows else _count_groups(session, params)
    by_stage: dict[int, list[StageCount]] = {}
    if rows:
        counts: dict[int, dict[int, int]] = {}
        for package_id, stage_id, jamaah in session.execute(
            text(
                """
                SELECT s.package_id, s.current_stage_id, count(*) AS jamaah
                FROM jamaah_pipeline_status s
                WHERE s.workspace_id = :ws AND s.package_id = ANY(:packages) AND NOT s.is_completed
                GROUP BY s.package_id, s.current_stage_id
                """
            ),
            {"ws": workspace.id, "packages": [row["package_id"] for row in rows]},
        ):
            counts.setdefault(package_id, {})[stage_id] = jamaah
        catalog = load_catalog(session, workspace)
        for package_id, per_stage in counts.items():
            by_stage[package_id] = [
                StageCount(
                    **_shown(stage),  # type: ignore[arg-type]
                    jamaah=sum(v.jamaah for v in stage.variants),
                )
                for stage in catalog.counted(per_stage)
            ]
    items = [
        DepartureGroup(
            **{k: v for k, v in row.items() if k != "total"},
            not_ready_by_stage=tuple(by_stage.get(row["package_id"], ())),
        )
        for row in rows
    ]
    return DeparturePage(items=items, total=total, page=page, pages=page_count(total, limit))


def _count_groups(session: Session, params: dict[str, object]) -> int:
    return session.execute(
        text(
            """
            SELECT count(DISTINCT package_id) FROM jamaah_pipeline_status
            WHERE workspace_id = :ws AND departure_date BETWEEN :from AND :until
            """
        ),
        params,
    ).scalar_one()
