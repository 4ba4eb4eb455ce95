"""The read side: dashboard questions answered in SQL over the current-status snapshot.

Aggregates happen in PostgreSQL and no read loads more rows than it returns. The status of a
jamaah is the SQL mirror of `rules.classify_jamaah` over `jamaah_pipeline_status` (one row per
jamaah); the instants it compares against (now, today, the risk threshold) come from `rules`, so
both sides agree to the second. Thresholds and sorting of bottlenecks are applied in Python with
`rules` on the handful of per-stage rows SQL returns.

Stages are reported per stage *code* of the workspace's current pipeline version: jamaah still on
an older version are counted under the stage with the same code (a stage removed since is listed
after the current ones, under its old name).
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
    jamaah on the 2-core machine, docs/benchmarks.md "Engine"; cached for the minute)."""
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

#: The current version's stages by code, plus older versions' codes it no longer has.
_STAGE_CODES = """
WITH current_version AS (
  SELECT id FROM pipeline_versions WHERE workspace_id = :ws ORDER BY version_no DESC LIMIT 1
), codes AS (
  SELECT DISTINCT ON (ps.code) ps.code, ps.id AS stage_id, ps.name_id, ps.name_en, ps.sla_hours,
         ps.responsible_role, ps.is_active,
         (ps.pipeline_version_id = (SELECT id FROM current_version)) AS in_current,
         ps.position
  FROM pipeline_stages ps
  WHERE ps.workspace_id = :ws
  ORDER BY ps.code, (ps.pipeline_version_id = (SELECT id FROM current_version)) DESC,
           ps.pipeline_version_id DESC
)
"""


@dataclass(frozen=True, slots=True)
class StageStats:
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

    @property
    def sla_days(self) -> float:
        return self.sla_hours / 24


def stage_stats(session: Session, workspace: Workspace, now: datetime) -> list[StageStats]:
    """Per active stage: jamaah in it, in progress, blocked, overdue, completed, average days."""
    rows = session.execute(
        text(
            _STAGE_CODES
            + """
            , current AS (
              SELECT ps.code,
                     count(*) AS in_stage,
                     count(*) FILTER (WHERE s.current_stage_status = 'in-progress') AS in_progress,
                     count(*) FILTER (WHERE s.current_stage_status = 'blocked') AS blocked,
                     count(*) FILTER (WHERE s.current_due_at < :now) AS overdue
              FROM jamaah_pipeline_status s JOIN pipeline_stages ps ON ps.id = s.current_stage_id
              WHERE s.workspace_id = :ws AND NOT s.is_completed
              GROUP BY ps.code
            ), done AS (
              SELECT ps.code, sum(t.completed_count)::bigint AS completed, sum(t.total_seconds) AS seconds
              FROM stage_completion_totals t JOIN pipeline_stages ps ON ps.id = t.stage_id
              WHERE t.workspace_id = :ws
              GROUP BY ps.code
            )
            SELECT c.code, c.name_id, c.name_en, c.responsible_role, c.sla_hours,
                   coalesce(cur.in_stage, 0) AS in_stage, coalesce(cur.in_progress, 0) AS in_progress,
                   coalesce(cur.blocked, 0) AS blocked, coalesce(cur.overdue, 0) AS overdue,
                   coalesce(d.completed, 0) AS completed,
                   CASE WHEN d.completed > 0 THEN (d.seconds / d.completed / 86400.0)::float8 END
                     AS avg_completion_days
            FROM codes c
            LEFT JOIN current cur ON cur.code = c.code
            LEFT JOIN done d ON d.code = c.code
            WHERE (c.in_current AND c.is_active) OR cur.in_stage > 0
            ORDER BY c.in_current DESC, c.position
            """
        ),
        {"ws": workspace.id, "now": now},
    ).mappings()
    return [StageStats(**row) for row in rows]


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

    @property
    def trend(self) -> int | None:
        """Change in stuck count versus 7 days ago (None when that day was not recorded)."""
        return None if self.stuck_7_days_ago is None else self.stuck - self.stuck_7_days_ago


_BOTTLENECK_SQL = (
    _STAGE_CODES
    + """
, stuck AS (
  SELECT ps.code, s.departure_date, s.current_due_at,
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
), week_ago AS (
  SELECT ps.code, sum(b.stuck_count)::int AS stuck
  FROM bottleneck_daily b JOIN pipeline_stages ps ON ps.id = b.stage_id
  WHERE b.workspace_id = :ws AND b.day = :week_ago
  GROUP BY ps.code
)
SELECT c.code, c.name_id, c.name_en, c.responsible_role, p.stuck, p.avg_delay_days,
       p.departure_impact, p.top_reason, w.stuck AS stuck_7_days_ago
FROM per_stage p JOIN codes c ON c.code = p.code LEFT JOIN week_ago w ON w.code = p.code
"""
)


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
    alerts = []
    for row in rows:
        if not rules.raises_alert(stuck=row["stuck"], min_stuck=workspace.min_stuck):
            continue
        level = rules.bottleneck_severity(avg_delay_days=float(row["avg_delay_days"]), stuck=row["stuck"])
        if wanted is not None and level is not wanted:
            continue
        alerts.append(
            Bottleneck(
                code=row["code"],
                name_id=row["name_id"],
                name_en=row["name_en"],
                responsible_role=row["responsible_role"],
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
    )
    return [StuckDay(day=day, code=code, stuck=stuck) for day, code, stuck in rows]


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
        for row in session.execute(
            text(
                """
                SELECT s.package_id, ps.code, ps.name_id, ps.name_en, count(*) AS jamaah
                FROM jamaah_pipeline_status s JOIN pipeline_stages ps ON ps.id = s.current_stage_id
                WHERE s.workspace_id = :ws AND s.package_id = ANY(:packages) AND NOT s.is_completed
                GROUP BY s.package_id, ps.code, ps.name_id, ps.name_en, ps.position
                ORDER BY s.package_id, ps.position
                """
            ),
            {"ws": workspace.id, "packages": [row["package_id"] for row in rows]},
        ).mappings():
            by_stage.setdefault(row["package_id"], []).append(
                StageCount(
                    code=row["code"], name_id=row["name_id"], name_en=row["name_en"], jamaah=row["jamaah"]
                )
            )
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
