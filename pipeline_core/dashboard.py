"""What the pages ask: one function per question, each opening its own read session.

Pages never see a session, SQL or Redis: they call these and draw the typed answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from pipeline_core import db, queries
from pipeline_core import tables as t
from pipeline_core.model import Workspace
from pipeline_core.workspaces import get_workspace


@dataclass(frozen=True, slots=True)
class WorkspaceChoice:
    slug: str
    name: str
    jamaah: int


def workspace(slug: str) -> Workspace:
    with db.read_session() as session:
        return get_workspace(session, slug)


def workspace_choices(kinds: tuple[str, ...] = ("demo",)) -> list[WorkspaceChoice]:
    """Workspaces of the given kinds with their jamaah counts, for the sidebar switch."""
    counts = select(t.Jamaah.workspace_id, func.count().label("n")).group_by(t.Jamaah.workspace_id).subquery()
    with db.read_session() as session:
        rows = session.execute(
            select(t.Workspace.slug, t.Workspace.name, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.workspace_id == t.Workspace.id)
            .where(t.Workspace.kind.in_(kinds))
            .order_by(func.coalesce(counts.c.n, 0))
        ).all()
    return [WorkspaceChoice(slug=slug, name=name, jamaah=n) for slug, name, n in rows]


def pipeline_health(ws: Workspace, now: datetime | None = None) -> queries.PipelineHealth:
    with db.read_session() as session:
        return queries.pipeline_health(session, ws, now or datetime.now(UTC))
