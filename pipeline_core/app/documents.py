"""The document checklist (issue 19) for the pages and the API: read it, change it.

Reading needs `view_jamaah_detail` (every role); changing needs `update_documents` (document-admin,
manager, super-admin), checked by the command. One save — one row or the table editor's many
jamaah — is one transaction; its events are published after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import documents as commands
from pipeline_core.commands.documents import DocumentChange
from pipeline_core.domain.documents import DocumentKind, DocumentRow
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import documents as reads
from pipeline_core.reads.documents import DeskLine
from pipeline_core.store import db

__all__ = [
    "DeskLine",
    "DocumentChange",
    "DocumentRow",
    "document_checklist",
    "document_checklists",
    "document_desk",
    "required_documents",
    "set_required_documents",
    "update_documents",
]


def document_checklist(viewer: Viewer, jamaah_id: int) -> list[DocumentRow]:
    """One jamaah's checklist (`NotFound` for a jamaah of no one in this workspace)."""
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        found = reads.checklists(session, ws.id, [jamaah_id])
    if jamaah_id not in found:
        raise NotFound("jamaah", jamaah_id)
    return found[jamaah_id]


def document_checklists(viewer: Viewer, jamaah_ids: Sequence[int]) -> dict[int, list[DocumentRow]]:
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        return reads.checklists(session, ws.id, list(jamaah_ids))


def document_desk(
    viewer: Viewer, *, package_id: int | None = None, document_stages_only: bool = True
) -> list[DeskLine]:
    """The table editor's jamaah and their checklists (at most `reads.documents.DESK_LIMIT`)."""
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        return reads.desk(session, ws.id, package_id=package_id, document_stages_only=document_stages_only)


def update_documents(
    viewer: Viewer, changes: Sequence[DocumentChange], *, now: datetime | None = None
) -> list[DocumentChange]:
    """Apply the changes in one transaction; returns those that changed a row."""
    with db.transaction() as session:
        return commands.update_documents(
            session=session, workspace=viewer.workspace, actor=viewer.actor, changes=changes, now=now
        )


def required_documents(viewer: Viewer) -> tuple[DocumentKind, ...]:
    """The document kinds the agency requires (every kind until a manager chooses)."""
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        return commands.required_documents(session, ws.id)


def set_required_documents(
    viewer: Viewer, kinds: Sequence[str], *, now: datetime | None = None
) -> tuple[DocumentKind, ...]:
    with db.transaction() as session:
        return commands.set_required_documents(
            session=session, workspace=viewer.workspace, actor=viewer.actor, kinds=kinds, now=now
        )
