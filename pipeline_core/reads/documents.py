"""The document checklist as the pages read it: one jamaah's, or the desk's table of many jamaah."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.domain.documents import COLLECTION_STAGE, VERIFICATION_STAGE, DocumentRow
from pipeline_core.store import documents as store
from pipeline_core.store import schema as t

__all__ = ["DeskLine", "checklists", "desk"]

DESK_LIMIT = 300


@dataclass(frozen=True, slots=True)
class DeskLine:
    """One jamaah on the document desk: who, which group, which stage now, and their checklist."""

    jamaah_id: int
    full_name: str
    package_id: int
    stage_code: str | None
    documents: tuple[DocumentRow, ...]


def checklists(session: Session, workspace_id: int, jamaah_ids: list[int]) -> dict[int, list[DocumentRow]]:
    return store.load_checklists(session, workspace_id, jamaah_ids)


def desk(
    session: Session,
    workspace_id: int,
    *,
    package_id: int | None = None,
    document_stages_only: bool = True,
    limit: int = DESK_LIMIT,
) -> list[DeskLine]:
    """Jamaah (by name) with their checklists: of one group, and/or those whose current stage is
    document collection or verification (the desk's work), at most `limit`."""
    stage_code = t.PipelineStage.code
    query = (
        select(t.Jamaah.id, t.Jamaah.full_name, t.Jamaah.package_id, stage_code)
        .join(t.JamaahPipelineStatus, t.JamaahPipelineStatus.jamaah_id == t.Jamaah.id)
        .outerjoin(
            t.PipelineStage,
            (t.PipelineStage.workspace_id == t.Jamaah.workspace_id)
            & (t.PipelineStage.id == t.JamaahPipelineStatus.current_stage_id),
        )
        .where(t.Jamaah.workspace_id == workspace_id)
        .order_by(t.Jamaah.full_name, t.Jamaah.id)
        .limit(limit)
    )
    if package_id is not None:
        query = query.where(t.Jamaah.package_id == package_id)
    if document_stages_only:
        query = query.where(stage_code.in_([COLLECTION_STAGE, VERIFICATION_STAGE]))
    rows = session.execute(query).all()
    lists = store.load_checklists(session, workspace_id, [r.id for r in rows])
    return [DeskLine(r.id, r.full_name, r.package_id, r.code, tuple(lists.get(r.id, ()))) for r in rows]
