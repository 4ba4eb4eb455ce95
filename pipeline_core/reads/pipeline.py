"""Reads of the pipeline editor: the versions, one version, the open drafts, and the preview.

The preview answers "what would this pipeline do to the jamaah we have now, if they moved to it?"
in one SQL pass over the current-status snapshot (one row per jamaah), never over history: for each
open jamaah its current stage code is mapped to the draft's stage (`pipeline.default_mapping` from
the jamaah's own version, or the mapping of a planned migration); the new due date is the earlier
of start + the draft's SLA (a stage that continues keeps its start, a new stage starts now) and
its "done by" deadline; the status follows `rules.classify_jamaah`, as `queries.STATUS_SQL` does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain import pipeline as design
from pipeline_core.domain import rules
from pipeline_core.domain.model import Stage, Workspace
from pipeline_core.reads.queries import STATUS_SQL, status_params
from pipeline_core.store import pipelines
from pipeline_core.store.repository import load_stages

__all__ = ["PreviewStage", "StagePreview", "VersionLine", "preview", "versions"]


@dataclass(frozen=True, slots=True)
class VersionLine:
    version_no: int
    created_by: str
    created_at: datetime
    note: str | None
    source: str
    based_on_no: int | None
    stages: int
    jamaah: int  # jamaah on this version now (completed included)
    open_jamaah: int
    is_head: bool


def versions(session: Session, workspace: Workspace) -> list[VersionLine]:
    """Every version, newest first, with how many jamaah are on it."""
    rows = session.execute(
        text(
            """
            WITH counts AS (
              SELECT pipeline_version_id AS id, count(*) AS jamaah,
                     count(*) FILTER (WHERE NOT is_completed) AS open_jamaah
              FROM jamaah_pipeline_status WHERE workspace_id = :ws GROUP BY pipeline_version_id
            )
            SELECT v.version_no, v.created_by, v.created_at, v.note, coalesce(v.source, '') AS source,
                   v.based_on_no,
                   (SELECT count(*) FROM pipeline_stages ps WHERE ps.pipeline_version_id = v.id) AS stages,
                   coalesce(c.jamaah, 0) AS jamaah, coalesce(c.open_jamaah, 0) AS open_jamaah,
                   v.version_no = max(v.version_no) OVER () AS is_head
            FROM pipeline_versions v LEFT JOIN counts c ON c.id = v.id
            WHERE v.workspace_id = :ws ORDER BY v.version_no DESC
            """
        ),
        {"ws": workspace.id},
    ).mappings()
    return [VersionLine(**row) for row in rows]


def version_stages(session: Session, workspace: Workspace, version_no: int) -> tuple[Stage, ...]:
    return pipelines.stages_of(
        session, workspace.id, pipelines.version_by_no(session, workspace.id, version_no)
    )


# --- the preview --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StagePreview:
    """One stage code: what it holds now and what it would hold under the draft."""

    code: str
    name_id: str
    name_en: str
    in_draft: bool
    jamaah_now: int
    open_tasks_now: int
    jamaah_after: int
    status_changes: int  # jamaah that would end up here with another status than they have now


@dataclass(frozen=True, slots=True)
class PreviewStage:
    """The whole preview: per stage, the status moves (before → after: count) and the open tasks."""

    stages: list[StagePreview]
    transitions: dict[str, int] = field(default_factory=dict)  # "on-track→overdue": n
    jamaah: int = 0
    changed: int = 0
    tasks_kept: int = 0  # same stage, same role: the task stays where it is
    tasks_moved: int = 0  # same stage, new role: the task moves to that role's queue
    tasks_replaced: int = 0  # another stage: the task is closed and a new one created
    tasks_closed: int = 0  # nothing left to do: the task is closed


_PREVIEW = f"""
WITH m AS (SELECT * FROM jsonb_to_recordset(CAST(:mapping AS jsonb))
        AS x(version_id int, old_code text, target text)),
d AS (SELECT * FROM jsonb_to_recordset(CAST(:stages AS jsonb))
        AS x(code text, sla_hours int, done_by_days int, later_hours int, role text)),
cur AS (
  SELECT s.departure_date, s.current_started_at, s.current_stage_status, ps.code AS old_code,
         ps.responsible_role AS old_role, m.target, d.sla_hours, d.done_by_days, d.later_hours,
         d.role AS new_role, {STATUS_SQL} AS before
  FROM jamaah_pipeline_status s
  JOIN pipeline_stages ps ON ps.id = s.current_stage_id
  LEFT JOIN m ON m.version_id = s.pipeline_version_id AND m.old_code = ps.code
  LEFT JOIN d ON d.code = m.target
  WHERE s.workspace_id = :ws AND NOT s.is_completed
    AND (CAST(:from_id AS integer) IS NULL OR s.pipeline_version_id = :from_id)
    AND (CAST(:pkg AS integer) IS NULL OR s.package_id = :pkg)
), due AS (
  SELECT *, LEAST(
      CASE WHEN target = old_code THEN current_started_at ELSE CAST(:now AS timestamptz) END
        + make_interval(hours => sla_hours),
      CASE WHEN done_by_days IS NULL THEN 'infinity'::timestamptz
           ELSE (departure_date - done_by_days)::timestamp AT TIME ZONE :tz END) AS new_due
  FROM cur
)
SELECT old_code, target, old_role, new_role, before,
       CASE
         WHEN target IS NULL THEN 'completed'
         WHEN new_due < :now OR departure_date < :today THEN 'overdue'
         WHEN (target = old_code AND current_stage_status = 'blocked')
           OR new_due + make_interval(hours => later_hours)
              > ((departure_date - :buffer_days)::timestamp AT TIME ZONE :tz) THEN 'at-risk'
         ELSE 'on-track'
       END AS after,
       count(*) AS n
FROM due GROUP BY 1, 2, 3, 4, 5, 6
"""

_OPEN_TASKS = """
SELECT ps.code, count(*) AS n FROM pipeline_tasks t JOIN pipeline_stages ps ON ps.id = t.stage_id
WHERE t.workspace_id = :ws AND t.status <> 'completed' GROUP BY ps.code
"""


def preview(
    session: Session,
    workspace: Workspace,
    stages: Sequence[Stage],
    now: datetime,
    *,
    from_version_id: int | None = None,
    package_id: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
) -> PreviewStage:
    """What `stages` would do to the open jamaah (all, or those of one version and group) if moved."""
    mappings = _mappings(session, workspace, stages, from_version_id, mapping)
    draft = [
        {
            "code": s.code,
            "sla_hours": s.sla_hours,
            "done_by_days": s.done_by_days,
            "later_hours": rules.later_sla_hours(stages, s.position),
            "role": s.responsible_role.value,
        }
        for s in stages
        if s.is_active
    ]
    params = status_params(workspace, now) | {
        "mapping": json.dumps(mappings),
        "stages": json.dumps(draft),
        "from_id": from_version_id,
        "pkg": package_id,
    }
    groups = session.execute(text(_PREVIEW), params).mappings().all()
    tasks_now = {str(code): int(n) for code, n in session.execute(text(_OPEN_TASKS), {"ws": workspace.id})}
    return _summarise(session, workspace, stages, groups, tasks_now)


def _mappings(
    session: Session,
    workspace: Workspace,
    stages: Sequence[Stage],
    from_version_id: int | None,
    given: Mapping[str, str | None] | None,
) -> list[dict[str, object]]:
    """(version, old code, target code) for every version with open jamaah."""
    ids = (
        [from_version_id]
        if from_version_id is not None
        else session.execute(
            text(
                "SELECT DISTINCT pipeline_version_id FROM jamaah_pipeline_status"
                " WHERE workspace_id = :ws AND NOT is_completed"
            ),
            {"ws": workspace.id},
        ).scalars()
    )
    rows: list[dict[str, object]] = []
    for version_id in ids:
        mapping = design.default_mapping(load_stages(session, workspace.id, version_id), stages)
        mapping |= {k: v for k, v in (given or {}).items() if k in mapping}
        rows += [{"version_id": version_id, "old_code": old, "target": new} for old, new in mapping.items()]
    return rows


def _summarise(
    session: Session,
    workspace: Workspace,
    stages: Sequence[Stage],
    groups: Sequence[Any],
    tasks_now: dict[str, int],
) -> PreviewStage:
    now_in, after_in, changes = Counter[str](), Counter[str](), Counter[str]()
    moves, tasks = Counter[str](), Counter[str]()
    for g in groups:
        n = int(g["n"])
        old, target = str(g["old_code"]), g["target"]
        now_in[old] += n
        moves[f"{g['before']}→{g['after']}"] += n
        if target is None:
            tasks["closed"] += n
            continue
        after_in[str(target)] += n
        changes[str(target)] += n if g["before"] != g["after"] else 0
        same_role = g["old_role"] == g["new_role"]
        tasks["replaced" if target != old else "kept" if same_role else "moved"] += n
    names = {s.code: s for s in stages}
    lines = [
        StagePreview(
            s.code,
            s.name_id,
            s.name_en,
            True,
            now_in[s.code],
            tasks_now.get(s.code, 0),
            after_in[s.code],
            changes[s.code],
        )
        for s in sorted(stages, key=lambda s: s.position)
    ]
    gone = sorted(set(now_in) - set(names))
    if gone:
        known = _names(session, workspace, gone)
        lines += [
            StagePreview(
                code, *known.get(code, (code, code)), False, now_in[code], tasks_now.get(code, 0), 0, 0
            )
            for code in gone
        ]
    return PreviewStage(
        stages=lines,
        transitions={k: v for k, v in sorted(moves.items()) if v},
        jamaah=sum(now_in.values()),
        changed=sum(v for k, v in moves.items() if k.split("→")[0] != k.split("→")[1]),
        tasks_kept=tasks["kept"],
        tasks_moved=tasks["moved"],
        tasks_replaced=tasks["replaced"],
        tasks_closed=tasks["closed"],
    )


def _names(session: Session, workspace: Workspace, codes: list[str]) -> dict[str, tuple[str, str]]:
    rows = session.execute(
        text(
            "SELECT DISTINCT ON (code) code, name_id, name_en FROM pipeline_stages"
            " WHERE workspace_id = :ws AND code = ANY(:codes) ORDER BY code, pipeline_version_id DESC"
        ),
        {"ws": workspace.id, "codes": codes},
    ).all()
    return {code: (name_id, name_en) for code, name_id, name_en in rows}


@dataclass(frozen=True, slots=True)
class GroupLine:
    package_id: int
    name: str
    departure_date: datetime
    open_jamaah: int


def groups_on(session: Session, workspace: Workspace, version_no: int) -> list[GroupLine]:
    """Departure groups with open jamaah on version `version_no`, soonest first (migration choices)."""
    rows = session.execute(
        text(
            """
            SELECT p.id AS package_id, p.name, p.departure_date, count(*) AS open_jamaah
            FROM jamaah_pipeline_status s
            JOIN pipeline_versions v ON v.id = s.pipeline_version_id
            JOIN packages p ON p.id = s.package_id
            WHERE s.workspace_id = :ws AND v.version_no = :no AND NOT s.is_completed
            GROUP BY p.id, p.name, p.departure_date ORDER BY p.departure_date, p.id
            """
        ),
        {"ws": workspace.id, "no": version_no},
    ).mappings()
    return [GroupLine(**row) for row in rows]
