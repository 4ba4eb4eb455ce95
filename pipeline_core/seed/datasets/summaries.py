"""The summary tables of a freshly loaded dataset, filled set-based in SQL (never row by row).

- `stage_completion_totals`: per stage of the workspace, the completed instances and their summed
  duration `completed_at − started_at` in seconds. Stages nobody has completed get a row of zeros,
  so the use case that keeps it current can always UPDATE.
- `bottleneck_daily`: for each of the last 30 agency days up to today and each stage, the instances
  still open at the end of that day whose `due_at` had passed — count and mean delay in days.
  "End of the day" is 00:00 local of the next day, except today, which ends at `now`: today's row
  is the live bottleneck count. Every (stage, day) gets a row, zeros included (avg 0.0, as
  `rules.average_delay_days` says for nobody stuck), so the 30-day chart has no holes.

Only instances that could be late inside the window are joined to the days (due before now, not
completed before the window began), which keeps this well under a second at 100,000 jamaah.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain import rules

TREND_DAYS = 30

_COMPLETION_TOTALS = text(
    """
    INSERT INTO stage_completion_totals (stage_id, workspace_id, completed_count, total_seconds)
    SELECT ps.id, ps.workspace_id, count(si.id),
           coalesce(sum(extract(epoch FROM si.completed_at - si.started_at)), 0)
    FROM pipeline_stages ps
    LEFT JOIN stage_instances si
      ON si.workspace_id = ps.workspace_id AND si.stage_id = ps.id AND si.status = 'completed'
    WHERE ps.workspace_id = :ws
    GROUP BY ps.id, ps.workspace_id
    """
)

_BOTTLENECK_DAILY = text(
    """
    WITH days AS (
      SELECT d::date AS day,
             least(((d::date + 1)::timestamp AT TIME ZONE :tz), :now) AS day_end
      FROM generate_series(CAST(:first_day AS date), CAST(:today AS date), interval '1 day') AS d
    ),
    late AS MATERIALIZED (
      SELECT stage_id, due_at, completed_at
      FROM stage_instances
      WHERE workspace_id = :ws AND due_at < :now
        AND (completed_at IS NULL OR completed_at > :window_start)
    ),
    stuck AS (
      SELECT l.stage_id, d.day, count(*) AS stuck_count,
             avg(extract(epoch FROM d.day_end - l.due_at) / 86400) AS avg_delay_days
      FROM days d
      JOIN late l ON l.due_at < d.day_end AND (l.completed_at IS NULL OR l.completed_at > d.day_end)
      GROUP BY l.stage_id, d.day
    )
    INSERT INTO bottleneck_daily (stage_id, day, workspace_id, stuck_count, avg_delay_days)
    SELECT ps.id, d.day, ps.workspace_id, coalesce(s.stuck_count, 0), coalesce(s.avg_delay_days, 0)
    FROM pipeline_stages ps
    CROSS JOIN days d
    LEFT JOIN stuck s ON s.stage_id = ps.id AND s.day = d.day
    WHERE ps.workspace_id = :ws
    """
)


def fill_summaries(session: Session, *, workspace_id: int, timezone: str, now: datetime) -> dict[str, int]:
    """Fill both tables for one workspace; returns the rows written per table."""
    totals = session.execute(_COMPLETION_TOTALS, {"ws": workspace_id})
    tz = ZoneInfo(timezone)
    today = rules.agency_today(now, tz)
    first_day = today - timedelta(days=TREND_DAYS - 1)
    daily = session.execute(
        _BOTTLENECK_DAILY,
        {
            "ws": workspace_id,
            "tz": timezone,
            "now": now,
            "today": today,
            "first_day": first_day,
            "window_start": rules.local_midnight(first_day, tz),
        },
    )
    return {"stage_completion_totals": totals.rowcount, "bottleneck_daily": daily.rowcount}  # type: ignore[attr-defined]
