"""`/v1/jamaah/{id}/documents/{kind}/scan`: the scan of one checklist document (issue 19).

- `PUT` (multipart `file`) stores the scan, replacing an earlier one: a PDF, JPEG or PNG by its
  content, at most `PIPELINE_SCAN_MAX_MB`. Answers what is stored (type, size, who, when). Roles of
  `upload_document_scan` (document-admins, managers, super-admins). A file over the limit is `413`,
  one that is not a PDF/JPEG/PNG `415`, an empty file or a damaged image `422` on `file`.
- `GET` answers the file itself — its type as `Content-Type`, `Content-Disposition: attachment`,
  `Cache-Control: no-store`, `X-Content-Type-Options: nosniff` — to the roles that may reveal
  personal data (`view_document_scan`); every answer is an activity entry on the jamaah's timeline.
- `DELETE` removes it (`204`); same roles as `PUT`.

Same functions and permissions as the jamaah page (`pipeline_core.app.scans`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Path, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.v1.auth import CallerDep, NowDep
from api.v1.problems import Problem, ProblemError
from pipeline_core.app import scans
from pipeline_core.domain.documents import DocumentKind

__all__ = ["ScanInfo", "router", "scan_info"]

router = APIRouter(prefix="/jamaah", tags=["documents"])

JamaahId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the jamaah's id")]
KindPath = Annotated[DocumentKind, Path(description="the document kind")]
SCAN_PATH = "/{jamaah_id}/documents/{kind}/scan"
#: The status and problem type of each reason a file is refused.
REFUSALS = {
    "too_large": (413, "too-large"),
    "wrong_type": (415, "unsupported-type"),
    "empty": (422, "validation"),
    "damaged": (422, "validation"),
}
_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}


class ScanInfo(BaseModel):
    content_type: scans.ScanType = Field(description="from the file's content, not its name")
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime


def scan_info(facts: scans.ScanFacts) -> ScanInfo:
    return ScanInfo(
        content_type=facts.scan_type,
        size_bytes=facts.size_bytes,
        uploaded_by=facts.uploaded_by,
        uploaded_at=facts.uploaded_at,
    )


def _refusal(error: scans.ScanRefused) -> ProblemError:
    status, kind = REFUSALS[error.reason]
    extra: dict[str, Any] = {}
    if kind == "validation":
        extra["errors"] = [{"field": "file", "in": "body", "message": error.message}]
    return ProblemError(status, kind, error.message, **extra)


@router.put(
    SCAN_PATH,
    response_model=ScanInfo,
    summary="Upload (or replace) the scan of one document: PDF, JPEG or PNG",
    responses={
        413: {"model": Problem, "description": "larger than PIPELINE_SCAN_MAX_MB"},
        415: {"model": Problem, "description": "not a PDF, JPEG or PNG by its content"},
    },
)
def upload_scan(
    caller: CallerDep,
    now: NowDep,
    jamaah_id: JamaahId,
    kind: KindPath,
    file: Annotated[UploadFile, File(description="the scan: PDF, JPEG or PNG")],
) -> ScanInfo:
    data = file.file.read()  # bounded already: the body limit of a /scan path (`BodyLimit`)
    try:
        stored = scans.upload_document_scan(
            caller.viewer, jamaah_id, kind.value, data, file.filename or "", now=now
        )
    except scans.ScanRefused as refused:
        raise _refusal(refused) from None
    return scan_info(stored)


def _disposition(file_name: str) -> str:
    """`attachment` with the name twice: plain ASCII for old clients, UTF-8 (RFC 6266) for the rest."""
    plain = file_name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@router.get(
    SCAN_PATH,
    summary="The scan itself (roles that may reveal personal data; every view logged)",
    response_class=Response,
    responses={200: {"content": {t.value: _BINARY for t in scans.ScanType}, "description": "the file"}},
)
def open_scan(caller: CallerDep, now: NowDep, jamaah_id: JamaahId, kind: KindPath) -> Response:
    opened = scans.open_document_scan(caller.viewer, jamaah_id, kind.value, now=now)
    headers = {
        "Content-Disposition": _disposition(opened.file_name),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(opened.content, media_type=opened.scan_type.value, headers=headers)


@router.delete(SCAN_PATH, status_code=204, summary="Remove the scan of one document", response_class=Response)
def remove_scan(caller: CallerDep, now: NowDep, jamaah_id: JamaahId, kind: KindPath) -> Response:
    scans.remove_document_scan(caller.viewer, jamaah_id, kind.value, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
