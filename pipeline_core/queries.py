"""The read side: dashboard questions answered in SQL over the current-status snapshot.

Aggregates happen in PostgreSQL; no read loads more rows than it returns. The status of a jamaah
is the SQL mirror of `rules.classify_jamaah` over `jamaah_pipeline_status` (one row per jamaah);
the instants it compares against (now, today, the risk threshold) come from `rules`, so both
sides agree to the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core import rules
from pipeline_core.model import Workspace

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
    """The KPI counts of a workspace: one pass over the snapshot (~10 ms at 100,000 jamaah)."""
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
