"""Document scans (issue 19) for the pages and the API: which scans a jamaah has, upload, remove,
and the logged view.

Who: the roles of `upload_document_scan` upload, replace and remove; the roles of
`view_document_scan` (those that may reveal personal data) open a scan, and each opening is an
activity entry. Which scans exist (type, size, who, when — no name, no content) is read by everyone
who reads the checklist. The size limit is `PIPELINE_SCAN_MAX_MB` (`scan_limit_bytes`).
"""

from __future__ import annotations

from datetime import datetime

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import scans as commands
from pipeline_core.domain.documents import DocumentKind
from pipeline_core.domain.permissions import Action
from pipeline_core.domain.scans import ScanFacts, ScanFile, ScanRefused, ScanType
from pipeline_core.store import db
from pipeline_core.store import scans as store
from pipeline_core.store.config import get_settings

__all__ = [
    "ScanFacts",
    "ScanFile",
    "ScanRefused",
    "ScanType",
    "document_scans",
    "open_document_scan",
    "remove_document_scan",
    "scan_limit_bytes",
    "upload_document_scan",
]


def scan_limit_bytes() -> int:
    """The largest scan accepted (`PIPELINE_SCAN_MAX_MB`), in bytes."""
    return get_settings().scan_max_bytes


def document_scans(viewer: Viewer, jamaah_id: int) -> dict[DocumentKind, ScanFacts]:
    """The jamaah's stored scans by document: type, size, who uploaded and when."""
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        found = store.scan_facts(session, ws.id, [jamaah_id])
    return {kind: facts for (_, kind), facts in found.items()}


def upload_document_scan(
    viewer: Viewer, jamaah_id: int, kind: str, content: bytes, file_name: str, *, now: datetime | None = None
) -> ScanFacts:
    """Store (or replace) the scan; `ScanRefused` names why a file is refused."""
    with db.transaction() as session:
        return commands.upload_scan(
            session=session, workspace=viewer.workspace, actor=viewer.actor, jamaah_id=jamaah_id,
            kind=kind, content=content, file_name=file_name, max_bytes=scan_limit_bytes(), now=now,
        )  # fmt: skip


def remove_document_scan(viewer: Viewer, jamaah_id: int, kind: str, *, now: datetime | None = None) -> None:
    with db.transaction() as session:
        commands.remove_scan(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            jamaah_id=jamaah_id,
            kind=kind,
            now=now,
        )


def open_document_scan(viewer: Viewer, jamaah_id: int, kind: str, *, now: datetime | None = None) -> ScanFile:
    """The scan's bytes for a role that may see it; the view is logged before they are returned."""
    with db.transaction() as session:
        return commands.view_scan(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            jamaah_id=jamaah_id,
            kind=kind,
            now=now,
        )
