"""The document checklist's rows (`jamaah_documents`, revision 0009): load, create, save, demo fill.

`domain/documents.py` decides which kinds a jamaah needs and what the document stages require;
this module only reads and writes the rows. A required kind without a row reads as `missing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pipeline_core.domain.documents import DocStatus, DocumentKind, DocumentRow, required_kinds
from pipeline_core.store import schema as t

__all__ = [
    "create_checklist",
    "enabled_kinds",
    "fill_demo_checklists",
    "load_checklists",
    "required_for",
    "save_enabled_kinds",
    "save_row",
]


def enabled_kinds(session: Session, workspace_id: int) -> tuple[DocumentKind, ...] | None:
    """The kinds the agency requires (`workspaces.required_documents`); None: the default, every kind."""
    chosen = session.execute(
        select(t.Workspace.required_documents).where(t.Workspace.id == workspace_id)
    ).scalar_one_or_none()
    return None if chosen is None else tuple(DocumentKind(k) for k in chosen)


def save_enabled_kinds(session: Session, workspace_id: int, kinds: Sequence[DocumentKind]) -> None:
    session.execute(
        update(t.Workspace)
        .where(t.Workspace.id == workspace_id)
        .values(required_documents=[k.value for k in kinds])
    )


def required_for(
    session: Session, workspace_id: int, jamaah_ids: Sequence[int]
) -> dict[int, tuple[DocumentKind, ...]]:
    """jamaah id -> the kinds they must bring (from gender, birth date, companion, departure)."""
    if not jamaah_ids:
        return {}
    enabled = enabled_kinds(session, workspace_id)
    rows = session.execute(
        select(
            t.Jamaah.id, t.Jamaah.gender, t.Jamaah.birth_date, t.Jamaah.companion_id, t.Package.departure_date
        )
        .join(
            t.Package,
            (t.Package.workspace_id == t.Jamaah.workspace_id) & (t.Package.id == t.Jamaah.package_id),
        )
        .where(t.Jamaah.workspace_id == workspace_id, t.Jamaah.id.in_(list(jamaah_ids)))
    ).all()
    return {
        r.id: required_kinds(
            gender=r.gender,
            birth_date=r.birth_date,
            departure_date=r.departure_date,
            has_companion=r.companion_id is not None,
            enabled=enabled,
        )
        for r in rows
    }


def load_checklists(
    session: Session, workspace_id: int, jamaah_ids: Sequence[int], *, for_update: bool = False
) -> dict[int, list[DocumentRow]]:
    """jamaah id -> their checklist in kind order: every required kind (a row or `missing`), then
    any stored row of a kind no longer required (`required=False`)."""
    required = required_for(session, workspace_id, jamaah_ids)
    query = select(t.JamaahDocument).where(
        t.JamaahDocument.workspace_id == workspace_id, t.JamaahDocument.jamaah_id.in_(list(required))
    )
    if for_update:
        query = query.with_for_update()
    stored: dict[tuple[int, DocumentKind], t.JamaahDocument] = {
        (row.jamaah_id, DocumentKind(row.kind)): row for row in session.scalars(query)
    }
    result: dict[int, list[DocumentRow]] = {}
    for jamaah_id, kinds in required.items():
        rows = []
        for kind in DocumentKind:
            row = stored.get((jamaah_id, kind))
            needed = kind in kinds
            if row is None and not needed:
                continue
            rows.append(
                DocumentRow(
                    jamaah_id=jamaah_id,
                    kind=kind,
                    status=DocStatus(row.status) if row else DocStatus.MISSING,
                    reason=row.reason if row else None,
                    required=needed,
                    updated_by=row.updated_by if row else None,
                    updated_at=row.updated_at if row else None,
                )
            )
        result[jamaah_id] = rows
    return result


def create_checklist(
    session: Session, workspace_id: int, jamaah_id: int, kinds: Iterable[DocumentKind]
) -> None:
    """The new jamaah's rows, all `missing` (in the enrolment's transaction)."""
    values = [{"workspace_id": workspace_id, "jamaah_id": jamaah_id, "kind": k.value} for k in kinds]
    if values:
        session.execute(insert(t.JamaahDocument).values(values).on_conflict_do_nothing())


def save_row(
    session: Session,
    workspace_id: int,
    jamaah_id: int,
    kind: DocumentKind,
    status: DocStatus,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Upsert one row (a kind without a row yet, e.g. the mahram letter once it becomes required)."""
    values = {"status": status.value, "reason": reason, "updated_by": actor, "updated_at": now}
    session.execute(
        insert(t.JamaahDocument)
        .values(workspace_id=workspace_id, jamaah_id=jamaah_id, kind=kind.value, **values)
        .on_conflict_do_update(index_elements=["workspace_id", "jamaah_id", "kind"], set_=values)
    )


#: The demo's statuses, consistent with each jamaah's stage and deterministic (from the name and birth
#: date: the NIK is stored encrypted):
#: verified once document verification is completed; in verification: received or verified
#: (about half); in collection: about a third missing and always at least one; otherwise missing.
_DEMO_FILL = """
WITH done AS (
    SELECT si.jamaah_id,
           bool_or(ps.code = 'document-collection' AND si.status = 'completed') AS collected,
           bool_or(ps.code = 'document-verification' AND si.status = 'completed') AS verified
    FROM stage_instances si
    JOIN pipeline_stages ps ON ps.workspace_id = si.workspace_id AND ps.id = si.stage_id
    WHERE si.workspace_id = :ws AND ps.code IN ('document-collection', 'document-verification')
    GROUP BY si.jamaah_id
), wanted AS (
    SELECT j.id, j.full_name || j.birth_date::text AS who, k.kind, k.n, done.collected, done.verified
    FROM jamaah j
    JOIN packages p ON p.workspace_id = j.workspace_id AND p.id = j.package_id
    CROSS JOIN (VALUES ('passport', 0), ('ktp', 1), ('kk', 2), ('passport_photo', 3),
                       ('meningitis_certificate', 4), ('mahram_letter', 5)) AS k(kind, n)
    LEFT JOIN done ON done.jamaah_id = j.id
    WHERE j.workspace_id = :ws AND (k.kind <> 'mahram_letter' OR (j.gender = 'P' AND j.companion_id IS NULL
          AND age(p.departure_date, j.birth_date) < interval '45 years'))
)
INSERT INTO jamaah_documents (workspace_id, jamaah_id, kind, status, updated_by, updated_at)
SELECT :ws, w.id, w.kind, s.status,
       CASE WHEN s.status = 'missing' THEN NULL ELSE 'demo' END,
       CASE WHEN s.status = 'missing' THEN NULL ELSE CAST(:now AS timestamptz) END
FROM wanted w
CROSS JOIN LATERAL (SELECT CASE
    WHEN w.verified THEN 'verified'
    WHEN w.collected THEN CASE WHEN abs(hashtext(w.who || w.kind)) % 2 = 0 THEN 'verified' ELSE 'received' END
    WHEN w.collected IS NOT NULL THEN CASE
        WHEN w.n = abs(hashtext(w.who)) % 4 OR abs(hashtext(w.who || w.kind)) % 3 = 0 THEN 'missing'
        ELSE 'received' END
    ELSE 'missing' END AS status) AS s
"""


def fill_demo_checklists(session: Session, workspace_id: int, now: datetime) -> int:
    """Every jamaah's checklist for a generated dataset; returns the rows written."""
    result = session.execute(text(_DEMO_FILL), {"ws": workspace_id, "now": now})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
