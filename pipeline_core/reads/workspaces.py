"""Workspaces to choose from: the sidebar's dataset switch."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_core.store import schema as t

__all__ = ["WorkspaceChoice", "workspace_choices"]


@dataclass(frozen=True, slots=True)
class WorkspaceChoice:
    slug: str
    name: str
    jamaah: int


def workspace_choices(session: Session, kinds: tuple[str, ...]) -> list[WorkspaceChoice]:
    """Workspaces of the given kinds with their jamaah counts, for the sidebar switch (the scale
    datasets appear there once loaded with `python -m pipeline_core seed scale-100k`)."""
    counts = select(t.Jamaah.workspace_id, func.count().label("n")).group_by(t.Jamaah.workspace_id).subquery()
    rows = session.execute(
        select(t.Workspace.slug, t.Workspace.name, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.workspace_id == t.Workspace.id)
        .where(t.Workspace.kind.in_(kinds))
        .order_by(func.coalesce(counts.c.n, 0))
    ).all()
    return [WorkspaceChoice(slug=slug, name=name, jamaah=n) for slug, name, n in rows]
