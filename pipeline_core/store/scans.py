"""Document scans' rows (`document_scans`, revision 0011): sealed on the way in, opened on the way out.

The file is encrypted here and only here (`pii_crypto.encrypt(…, context="document.scan")`), so no
other module handles the sealed bytes. `reencrypt_scans` is the key rotation's part for scans: it
re-seals, in batches, the rows still under a key other than the current one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pipeline_core.domain.documents import DocumentKind
from pipeline_core.domain.scans import ENCRYPTION_CONTEXT, CheckedScan, ScanFacts, ScanFile, ScanType
from pipeline_core.store import pii_crypto
from pipeline_core.store import schema as t

__all__ = [
    "ScanStorage",
    "delete_scan",
    "load_scan",
    "reencrypt_scans",
    "save_scan",
    "scan_facts",
    "scan_storage",
]

_FACTS = (
    t.DocumentScan.jamaah_id,
    t.DocumentScan.kind,
    t.DocumentScan.content_type,
    t.DocumentScan.size_bytes,
    t.DocumentScan.uploaded_by,
    t.DocumentScan.uploaded_at,
)


def _facts(row: object) -> ScanFacts:
    return ScanFacts(
        jamaah_id=row.jamaah_id,  # type: ignore[attr-defined]
        kind=DocumentKind(row.kind),  # type: ignore[attr-defined]
        scan_type=ScanType(row.content_type),  # type: ignore[attr-defined]
        size_bytes=row.size_bytes,  # type: ignore[attr-defined]
        uploaded_by=row.uploaded_by,  # type: ignore[attr-defined]
        uploaded_at=row.uploaded_at,  # type: ignore[attr-defined]
    )


def scan_facts(
    session: Session, workspace_id: int, jamaah_ids: Sequence[int], *, for_update: bool = False
) -> dict[tuple[int, DocumentKind], ScanFacts]:
    """(jamaah id, kind) -> what is stored, without the file (the checklist's "scan" column)."""
    if not jamaah_ids:
        return {}
    query = select(*_FACTS).where(
        t.DocumentScan.workspace_id == workspace_id, t.DocumentScan.jamaah_id.in_(list(jamaah_ids))
    )
    if for_update:
        query = query.with_for_update()
    return {(row.jamaah_id, DocumentKind(row.kind)): _facts(row) for row in session.execute(query)}


def save_scan(
    session: Session,
    workspace_id: int,
    jamaah_id: int,
    kind: DocumentKind,
    content: bytes,
    checked: CheckedScan,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Seal `content` and store it as the scan of (jamaah, kind), replacing any earlier one."""
    values = {
        "content_type": checked.scan_type.value,
        "size_bytes": checked.size_bytes,
        "file_name": checked.file_name,
        "sealed": pii_crypto.encrypt(content, context=ENCRYPTION_CONTEXT),
        "uploaded_by": actor,
        "uploaded_at": now,
    }
    session.execute(
        insert(t.DocumentScan)
        .values(workspace_id=workspace_id, jamaah_id=jamaah_id, kind=kind.value, **values)
        .on_conflict_do_update(index_elements=["workspace_id", "jamaah_id", "kind"], set_=values)
    )


def load_scan(session: Session, workspace_id: int, jamaah_id: int, kind: DocumentKind) -> ScanFile | None:
    """The scan opened (`PersonalDataUnreadable` when the key cannot open it), or None."""
    row = session.execute(
        select(t.DocumentScan.content_type, t.DocumentScan.file_name, t.DocumentScan.sealed).where(
            t.DocumentScan.workspace_id == workspace_id,
            t.DocumentScan.jamaah_id == jamaah_id,
            t.DocumentScan.kind == kind.value,
        )
    ).one_or_none()
    if row is None:
        return None
    content = pii_crypto.decrypt(row.sealed, context=ENCRYPTION_CONTEXT)
    return ScanFile(jamaah_id, kind, ScanType(row.content_type), row.file_name, content)


def delete_scan(session: Session, workspace_id: int, jamaah_id: int, kind: DocumentKind) -> bool:
    """Remove the scan; False when there was none."""
    result = session.execute(
        delete(t.DocumentScan).where(
            t.DocumentScan.workspace_id == workspace_id,
            t.DocumentScan.jamaah_id == jamaah_id,
            t.DocumentScan.kind == kind.value,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ScanStorage:
    scans: int
    file_bytes: int
    table_bytes: int


def scan_storage(session: Session) -> ScanStorage:
    """How many scans, the size of their files, and the table's size on disk (TOAST included)."""
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(t.DocumentScan.size_bytes), 0))
    ).one()
    on_disk = session.execute(select(func.pg_total_relation_size("document_scans"))).scalar_one()
    return ScanStorage(int(count), int(total), int(on_disk))


def reencrypt_scans(session: Session, keyring: pii_crypto.Keyring, batch: int = 50) -> int:
    """Re-seal up to `batch` scans (of every workspace) still under a key other than
    `keyring.current`; returns how many. Rows are locked `FOR UPDATE SKIP LOCKED`, so two rotations
    (or an upload meanwhile) never wait on each other; the caller commits after each batch and
    calls again until it returns 0. A scan sealed under a key the keyring does not hold raises
    `PersonalDataUnreadable` (put that key in `PII_OLD_KEYS`)."""
    current = keyring.current.key_id
    key_id = func.substring(t.DocumentScan.sealed, 2, pii_crypto.KEY_ID_BYTES)
    rows = session.execute(
        select(
            t.DocumentScan.workspace_id, t.DocumentScan.jamaah_id, t.DocumentScan.kind, t.DocumentScan.sealed
        )
        .where(key_id != current)
        .order_by(t.DocumentScan.workspace_id, t.DocumentScan.jamaah_id, t.DocumentScan.kind)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        content = pii_crypto.decrypt(row.sealed, context=ENCRYPTION_CONTEXT, keyring=keyring)
        session.execute(
            update(t.DocumentScan)
            .where(
                t.DocumentScan.workspace_id == row.workspace_id,
                t.DocumentScan.jamaah_id == row.jamaah_id,
                t.DocumentScan.kind == row.kind,
            )
            .values(sealed=pii_crypto.encrypt(content, context=ENCRYPTION_CONTEXT, keyring=keyring))
        )
    return len(rows)
