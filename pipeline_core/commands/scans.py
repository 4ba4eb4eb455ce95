"""Scans of checklist documents (issue 19): upload (or replace), remove, and the logged view.

Each is one transaction with its activity entry on the jamaah's timeline — who and which document,
with the type and size for an upload; never the file's name or content:
`document.scan_uploaded` / `document.scan_replaced`, `document.scan_removed`,
`document.scan_viewed`. Permission comes first (`upload_document_scan` for writes,
`view_document_scan` for a view): a refused caller learns nothing of the file or the row, and the
refusal is logged (`permission.denied`, by `one_transaction`). The file is checked by content
(`domain.scans.check_scan`) before anything is written. A view is logged in the transaction that
opens the scan, so a scan is never shown without its entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.commands.documents import announce_documents
from pipeline_core.domain import permissions
from pipeline_core.domain.clock import instant
from pipeline_core.domain.documents import LABELS, DocumentKind
from pipeline_core.domain.errors import InvalidInput, NotFound
from pipeline_core.domain.model import Actor, Workspace
from pipeline_core.domain.scans import ScanFacts, ScanFile, check_scan, size_words
from pipeline_core.store import documents as checklist_store
from pipeline_core.store import repository as repo
from pipeline_core.store import scans as store

__all__ = ["SCAN_ACTIONS", "remove_scan", "upload_scan", "view_scan"]

UPLOADED, REPLACED, REMOVED, VIEWED = (
    "document.scan_uploaded",
    "document.scan_replaced",
    "document.scan_removed",
    "document.scan_viewed",
)
#: Every activity action of this module (docs/permissions.md lists them).
SCAN_ACTIONS = (UPLOADED, REPLACED, REMOVED, VIEWED)


def _document(kind: str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in DocumentKind)
        raise InvalidInput("kind", f"Unknown document kind {kind!r}: one of {names}.") from None


def _on_checklist(session: Session, workspace_id: int, jamaah_id: int, kind: DocumentKind) -> None:
    """`NotFound` for a jamaah not in this workspace; `InvalidInput` for a kind not on their list."""
    rows = checklist_store.load_checklists(session, workspace_id, [jamaah_id]).get(jamaah_id)
    if rows is None:
        raise NotFound("jamaah", jamaah_id)
    if kind not in {row.kind for row in rows}:
        raise InvalidInput("kind", f"The {LABELS[kind]} is not on this jamaah's checklist.")


def _log(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    action: str,
    jamaah_id: int,
    kind: DocumentKind,
    now: datetime,
    **extra: dict[str, Any],
) -> None:
    repo.log_activity(
        session,
        workspace_id=workspace.id,
        actor=actor.name,
        action=action,
        entity_type="jamaah",
        entity_id=jamaah_id,
        jamaah_id=jamaah_id,
        changes={"document": {"old": None, "new": kind.value}, **extra},
        now=now,
    )


def upload_scan(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    jamaah_id: int,
    kind: str,
    content: bytes,
    file_name: str,
    max_bytes: int,
    now: datetime | None = None,
) -> ScanFacts:
    """Store `content` as the scan of the jamaah's document, replacing an earlier one; `ScanRefused`
    (an `InvalidInput` on `file`) when it is empty, too large, not a PDF/JPEG/PNG or a damaged image."""
    now = instant(now)
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.UPLOAD_DOCUMENT_SCAN)
        document = _document(kind)
        checked = check_scan(content, file_name, document, max_bytes=max_bytes)
        _on_checklist(session, workspace.id, jamaah_id, document)
        before = store.scan_facts(session, workspace.id, [jamaah_id], for_update=True).get(
            (jamaah_id, document)
        )
        store.save_scan(
            session, workspace.id, jamaah_id, document, content, checked, actor=actor.name, now=now
        )
        old_type = before.scan_type.label if before else None
        old_size = size_words(before.size_bytes) if before else None
        _log(
            session, workspace, actor, REPLACED if before else UPLOADED, jamaah_id, document, now,
            file_type={"old": old_type, "new": checked.scan_type.label},
            size={"old": old_size, "new": size_words(checked.size_bytes)},
        )  # fmt: skip
        session.commit()
    announce_documents(workspace, actor, [jamaah_id], now)
    return ScanFacts(jamaah_id, document, checked.scan_type, checked.size_bytes, actor.name, now)


def remove_scan(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    jamaah_id: int,
    kind: str,
    now: datetime | None = None,
) -> None:
    """Delete the scan of the jamaah's document (`NotFound` when there is none)."""
    now = instant(now)
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.UPLOAD_DOCUMENT_SCAN)
        document = _document(kind)
        if not store.delete_scan(session, workspace.id, jamaah_id, document):
            raise NotFound("scan", f"{jamaah_id}/{document.value}")
        _log(session, workspace, actor, REMOVED, jamaah_id, document, now)
        session.commit()
    announce_documents(workspace, actor, [jamaah_id], now)


def view_scan(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    jamaah_id: int,
    kind: str,
    now: datetime | None = None,
) -> ScanFile:
    """Open the scan for someone who may see it, logging the view in the same transaction
    (`NotFound` when there is none)."""
    now = instant(now)
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.VIEW_DOCUMENT_SCAN)
        document = _document(kind)
        opened = store.load_scan(session, workspace.id, jamaah_id, document)
        if opened is None:
            raise NotFound("scan", f"{jamaah_id}/{document.value}")
        _log(session, workspace, actor, VIEWED, jamaah_id, document, now)
        session.commit()
    return opened
