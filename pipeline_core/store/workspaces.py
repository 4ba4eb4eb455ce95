"""Workspaces (one per agency or dataset) and the pipeline templates their first version comes from.

A template is data (`data/templates/<code>.json`); creating a workspace copies the chosen template
into pipeline version 1. Deleting a workspace cascades to everything in it and touches no other.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from pipeline_core.domain.errors import InvalidInput, NotFound
from pipeline_core.domain.model import PipelineTemplate, Role, Stage, StageCategory, Workspace, WorkspaceKind
from pipeline_core.store import schema as t

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
TEMPLATE_DIR = DATA_DIR / "templates"
DEFAULT_TEMPLATE = "umrah-2026"


def template_codes() -> list[str]:
    return sorted(path.stem for path in TEMPLATE_DIR.glob("*.json"))


@functools.cache
def load_template(code: str) -> PipelineTemplate:
    path = TEMPLATE_DIR / f"{code}.json"
    if not path.is_file():
        raise InvalidInput(
            "template", f"unknown template {code!r}; choose one of {', '.join(template_codes())}"
        )
    raw = json.loads(path.read_text(encoding="utf-8"))
    stages = tuple(
        Stage(
            code=s["code"],
            name_id=s["name_id"],
            name_en=s["name_en"],
            category=StageCategory(s["category"]),
            sla_hours=int(s["sla_hours"]),
            responsible_role=Role(s["responsible_role"]),
            position=int(s["position"]),
            done_by_days=s.get("done_by_days"),
            is_active=bool(s.get("is_active", True)),
        )
        for s in raw["stages"]
    )
    return PipelineTemplate(code=raw["code"], name=raw["name"], description=raw["description"], stages=stages)


def create_workspace(
    session: Session,
    *,
    slug: str,
    name: str,
    kind: WorkspaceKind,
    template_code: str = DEFAULT_TEMPLATE,
    timezone: str = "Asia/Jakarta",
    created_by: str = "system",
) -> int:
    """Create a workspace with pipeline version 1 from a template; return the workspace id."""
    template = load_template(template_code)
    workspace_id = session.execute(
        insert(t.Workspace)
        .values(slug=slug, name=name, kind=kind.value, timezone=timezone)
        .returning(t.Workspace.id)
    ).scalar_one()
    version_id = session.execute(
        insert(t.PipelineVersion)
        .values(
            workspace_id=workspace_id,
            version_no=1,
            template_code=template.code,
            note=f"Dibuat dari templat {template.name}",
            created_by=created_by,
            source=f"template:{template.code}",
        )
        .returning(t.PipelineVersion.id)
    ).scalar_one()
    session.execute(
        insert(t.PipelineStage),
        [
            {
                "workspace_id": workspace_id,
                "pipeline_version_id": version_id,
                "position": stage.position,
                "code": stage.code,
                "name_id": stage.name_id,
                "name_en": stage.name_en,
                "category": stage.category.value,
                "sla_hours": stage.sla_hours,
                "responsible_role": stage.responsible_role.value,
                "done_by_days": stage.done_by_days,
                "is_active": stage.is_active,
            }
            for stage in template.stages
        ],
    )
    return workspace_id


def _to_workspace(row: t.Workspace) -> Workspace:
    return Workspace(
        id=row.id,
        slug=row.slug,
        name=row.name,
        kind=WorkspaceKind(row.kind),
        timezone=row.timezone,
        at_risk_buffer_days=row.at_risk_buffer_days,
        min_stuck=row.min_stuck,
    )


def find_workspace(session: Session, slug: str) -> Workspace | None:
    row = session.execute(select(t.Workspace).where(t.Workspace.slug == slug)).scalar_one_or_none()
    return None if row is None else _to_workspace(row)


def get_workspace(session: Session, slug: str) -> Workspace:
    workspace = find_workspace(session, slug)
    if workspace is None:
        raise NotFound("workspace", slug)
    return workspace


def delete_workspace(session: Session, slug: str) -> bool:
    """Delete one workspace and everything in it (FKs cascade); other workspaces are untouched."""
    deleted = session.execute(delete(t.Workspace).where(t.Workspace.slug == slug).returning(t.Workspace.id))
    return deleted.first() is not None


def current_version_id(session: Session, workspace_id: int) -> int:
    version_id = session.execute(
        select(t.PipelineVersion.id)
        .where(t.PipelineVersion.workspace_id == workspace_id)
        .order_by(t.PipelineVersion.version_no.desc())
        .limit(1)
    ).scalar_one_or_none()
    if version_id is None:
        raise NotFound("pipeline version of workspace", workspace_id)
    return version_id
