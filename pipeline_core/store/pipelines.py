"""Rows of the pipeline editor: versions (immutable once written), their stages, and drafts.

Runs inside the caller's transaction and never commits. The pipeline's *head* is its newest
`version_no`; `lock_head` serialises two publishes of one workspace (a row lock on the workspace)
and the unique (workspace_id, version_no) refuses a duplicate number even without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from pipeline_core.domain.errors import Conflict, NotFound
from pipeline_core.domain.model import Stage
from pipeline_core.store import schema as t
from pipeline_core.store.repository import load_stages

__all__ = [
    "DraftRow",
    "VersionRow",
    "find_draft",
    "head",
    "insert_draft",
    "insert_version",
    "lock_head",
    "save_draft",
    "version_by_id",
    "version_by_no",
]


@dataclass(frozen=True, slots=True)
class VersionRow:
    id: int
    version_no: int
    template_code: str
    note: str | None
    created_by: str
    created_at: datetime
    source: str | None
    based_on_no: int | None


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: int
    author: str
    author_user_id: int | None
    base_version_no: int | None
    source: str
    stages: list[dict[str, Any]]
    note: str | None
    revision: int
    published_no: int | None
    created_at: datetime
    updated_at: datetime


_VERSION = (
    t.PipelineVersion.id,
    t.PipelineVersion.version_no,
    t.PipelineVersion.template_code,
    t.PipelineVersion.note,
    t.PipelineVersion.created_by,
    t.PipelineVersion.created_at,
    t.PipelineVersion.source,
    t.PipelineVersion.based_on_no,
)
_DRAFT = tuple(c for c in t.PipelineDraft.__table__.c if c.name != "workspace_id")


def head(session: Session, workspace_id: int) -> VersionRow:
    row = session.execute(
        select(*_VERSION)
        .where(t.PipelineVersion.workspace_id == workspace_id)
        .order_by(t.PipelineVersion.version_no.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        raise NotFound("pipeline version of workspace", workspace_id)
    return VersionRow(*row)


def lock_head(session: Session, workspace_id: int) -> VersionRow:
    """The head, with the workspace row locked until commit: publishes of one workspace queue here."""
    session.execute(select(t.Workspace.id).where(t.Workspace.id == workspace_id).with_for_update())
    return head(session, workspace_id)


def version_by_no(session: Session, workspace_id: int, version_no: int) -> VersionRow:
    row = session.execute(
        select(*_VERSION).where(
            t.PipelineVersion.workspace_id == workspace_id, t.PipelineVersion.version_no == version_no
        )
    ).one_or_none()
    if row is None:
        raise NotFound("pipeline version", version_no)
    return VersionRow(*row)


def version_by_id(session: Session, workspace_id: int, version_id: int) -> VersionRow:
    row = session.execute(
        select(*_VERSION).where(
            t.PipelineVersion.workspace_id == workspace_id, t.PipelineVersion.id == version_id
        )
    ).one()
    return VersionRow(*row)


def stages_of(session: Session, workspace_id: int, version: VersionRow) -> tuple[Stage, ...]:
    return load_stages(session, workspace_id, version.id)


def insert_version(
    session: Session,
    *,
    workspace_id: int,
    stages: Sequence[Stage],
    version_no: int,
    template_code: str,
    note: str | None,
    created_by: str,
    source: str,
    based_on_no: int | None,
    now: datetime,
) -> int:
    version_id = session.execute(
        insert(t.PipelineVersion)
        .values(
            workspace_id=workspace_id,
            version_no=version_no,
            template_code=template_code,
            note=note,
            created_by=created_by,
            created_at=now,
            source=source,
            based_on_no=based_on_no,
        )
        .returning(t.PipelineVersion.id)
    ).scalar_one()
    session.execute(
        insert(t.PipelineStage),
        [
            {
                "workspace_id": workspace_id,
                "pipeline_version_id": version_id,
                "position": position,
                "code": stage.code,
                "name_id": stage.name_id,
                "name_en": stage.name_en,
                "category": stage.category.value,
                "sla_hours": stage.sla_hours,
                "responsible_role": stage.responsible_role.value,
                "done_by_days": stage.done_by_days,
                "is_active": stage.is_active,
            }
            for position, stage in enumerate(sorted(stages, key=lambda s: s.position), start=1)
        ],
    )
    return version_id


# --- drafts -------------------------------------------------------------------------------------


def insert_draft(
    session: Session,
    *,
    workspace_id: int,
    author: str,
    author_user_id: int | None,
    base_version_no: int | None,
    source: str,
    stages: list[dict[str, Any]],
    note: str | None,
    now: datetime,
) -> DraftRow:
    row = session.execute(
        insert(t.PipelineDraft)
        .values(
            workspace_id=workspace_id,
            author=author,
            author_user_id=author_user_id,
            base_version_no=base_version_no,
            source=source,
            stages=stages,
            note=note,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        .returning(*_DRAFT)
    ).one()
    return DraftRow(**row._mapping)


def find_draft(session: Session, workspace_id: int, draft_id: int, *, for_update: bool = False) -> DraftRow:
    query = select(*_DRAFT).where(
        t.PipelineDraft.workspace_id == workspace_id, t.PipelineDraft.id == draft_id
    )
    row = session.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise NotFound("pipeline draft", draft_id)
    return DraftRow(**row._mapping)


def save_draft(
    session: Session, workspace_id: int, draft: DraftRow, *, now: datetime, **values: Any
) -> DraftRow:
    """Write `values` if the draft is still at the revision `draft` was read at; revision + 1."""
    row = session.execute(
        update(t.PipelineDraft)
        .where(
            t.PipelineDraft.workspace_id == workspace_id,
            t.PipelineDraft.id == draft.id,
            t.PipelineDraft.revision == draft.revision,
        )
        .values(**values, updated_at=now, revision=t.PipelineDraft.revision + 1)
        .returning(*_DRAFT)
    ).one_or_none()
    if row is None:
        raise Conflict(f"Draft {draft.id} was saved by someone else meanwhile. Reload it.")
    return DraftRow(**row._mapping)


def open_draft_ids(session: Session, workspace_id: int) -> list[int]:
    return list(
        session.execute(
            select(t.PipelineDraft.id)
            .where(t.PipelineDraft.workspace_id == workspace_id, t.PipelineDraft.published_no.is_(None))
            .order_by(t.PipelineDraft.updated_at.desc(), t.PipelineDraft.id.desc())
        ).scalars()
    )
