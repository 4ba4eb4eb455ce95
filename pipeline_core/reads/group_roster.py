"""A departure group's jamaah with every stored field and their readiness, for its export files.

Unlike the pages' lists this read returns the full NIK and passport numbers: its only caller is the
logged export (`app.intake_files.export_group`, `export_group` permission), which the Ministry and the
airline need unmasked. One query, ordered by name; the numbers are decrypted per row
(`store/jamaah_identity.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.model import Workspace
from pipeline_core.reads import queries
from pipeline_core.store import jamaah_identity
from pipeline_core.store import schema as t

__all__ = ["GroupChoice", "Roster", "group_choices", "group_roster"]


@dataclass(frozen=True, slots=True)
class Roster:
    package_id: int
    code: str
    name: str
    rows: list[dict[str, Any]]


def group_roster(session: Session, workspace: Workspace, package_id: int, now: datetime) -> Roster:
    group = session.execute(
        select(t.Package.id, t.Package.code, t.Package.name).where(
            t.Package.workspace_id == workspace.id, t.Package.id == package_id
        )
    ).one_or_none()
    if group is None:
        raise NotFound("Departure group", package_id)
    found = session.execute(
        text(
            f"""SELECT j.*, ({queries.STATUS_SQL}) AS status, ps.name_id AS stage_name,
                       s.completed_stages, s.active_stages
                FROM jamaah j
                JOIN jamaah_pipeline_status s ON s.jamaah_id = j.id
                LEFT JOIN pipeline_stages ps ON ps.id = s.current_stage_id
                WHERE j.workspace_id = :ws AND j.package_id = :package
                ORDER BY j.full_name, j.id"""
        ),
        {**queries.status_params(workspace, now), "package": package_id},
    ).mappings()
    return Roster(group.id, group.code, group.name, [jamaah_identity.unseal(row) for row in found])


@dataclass(frozen=True, slots=True)
class GroupChoice:
    id: int
    code: str
    name: str
    departure_date: date
    quota: int
    enrolled: int


def group_choices(session: Session, workspace: Workspace) -> list[GroupChoice]:
    """Every departure group of the workspace with its seats taken, soonest departure first."""
    rows = session.execute(
        text(
            """SELECT p.id, p.code, p.name, p.departure_date, p.quota,
                      (SELECT count(*) FROM jamaah j WHERE j.workspace_id = p.workspace_id
                                                     AND j.package_id = p.id) AS enrolled
               FROM packages p WHERE p.workspace_id = :ws ORDER BY p.departure_date, p.name, p.id"""
        ),
        {"ws": workspace.id},
    ).all()
    return [GroupChoice(*row) for row in rows]
