"""`/v1/jamaah/{id}/documents`: a jamaah's document checklist (issue 19), read and changed.

- `GET` lists every required document (and any no longer required, `required: false`) with its
  status `missing|received|verified|rejected`, the reason of a rejection, who changed it and when.
- Each item carries `scan`: what is stored of the document's scan (type, size, who, when) or null;
  the file itself is `…/documents/{kind}/scan` (`document_scans.py`).
- `PATCH /{kind}` sets one document's `status` (and `reason`, required for `rejected`); it answers
  the whole checklist. Same rules and permissions as the pages: document-admins, managers and
  super-admins; another role is `403`; a bad kind, status or missing reason is `422` naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import CallerDep, NowDep
from api.v1.document_scans import ScanInfo, scan_info
from api.v1.text import Text
from pipeline_core.app import documents, scans
from pipeline_core.app.viewer import Viewer
from pipeline_core.domain.documents import DocumentKind, DocumentRow

router = APIRouter(prefix="/jamaah", tags=["documents"])

JamaahId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the jamaah's id")]
KindPath = Annotated[DocumentKind, Path(description="the document kind")]
NO_STORE = {"Cache-Control": "no-store"}


class Document(BaseModel):
    kind: DocumentKind
    status: Literal["missing", "received", "verified", "rejected"]
    reason: str | None
    required: bool = Field(description="false: on the checklist but no longer required")
    updated_by: str | None
    updated_at: datetime | None
    scan: ScanInfo | None = Field(default=None, description="the stored scan, if any (not the file)")


class Checklist(BaseModel):
    jamaah_id: int
    items: list[Document]
    total: int


class DocumentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["missing", "received", "verified", "rejected"]
    reason: Text | None = Field(default=None, max_length=500, description="required for `rejected`")


def _checklist(viewer: Viewer, jamaah_id: int, rows: list[DocumentRow]) -> Checklist:
    stored = scans.document_scans(viewer, jamaah_id)
    items = [
        Document(
            kind=r.kind,
            status=r.status.value,
            reason=r.reason,
            required=r.required,
            updated_by=r.updated_by,
            updated_at=r.updated_at,
            scan=scan_info(stored[r.kind]) if r.kind in stored else None,
        )
        for r in rows
    ]
    return Checklist(jamaah_id=jamaah_id, items=items, total=len(items))


@router.get("/{jamaah_id}/documents", response_model=Checklist, summary="A jamaah's document checklist")
def checklist(request: Request, caller: CallerDep, jamaah_id: JamaahId) -> Response:
    rows = documents.document_checklist(caller.viewer, jamaah_id)
    return send(request, _checklist(caller.viewer, jamaah_id, rows))


@router.patch(
    "/{jamaah_id}/documents/{kind}",
    response_model=Checklist,
    summary="Mark one document received, verified, rejected (with a reason) or missing",
)
def update_document(
    request: Request, caller: CallerDep, now: NowDep, jamaah_id: JamaahId, kind: KindPath, body: DocumentPatch
) -> Response:
    change = documents.DocumentChange(jamaah_id, kind.value, body.status, body.reason)
    documents.update_documents(caller.viewer, [change], now=now)
    rows = documents.document_checklist(caller.viewer, jamaah_id)
    return send(request, _checklist(caller.viewer, jamaah_id, rows), headers=NO_STORE)
