"""`/v1/pipeline/versions`, `/v1/pipeline/drafts`, `/v1/pipeline/migrations`: the pipeline editor
(issue 17) over HTTP — the Pipeline page's interface (`pipeline_core.app.pipeline`), with its
permissions: every signed-in role reads the versions and migrations; drafts, publishing, migrating
and rolling back need `manage_pipeline` (managers and super-admins; others 403).

Optimistic locking on the pipeline's head, the HTTP way:
- a version answers `ETag: "v<number>"` (a version never changes, so the tag is its number);
- publishing a draft and rolling back need `If-Match` with the ETag of the head the caller saw
  (normally `"v<base_version_no>"` of the draft): missing → `428`; another version was published
  meanwhile → `412` whose `current` holds that head and what it changed (`head`, `changes`), with
  its ETag; the draft is kept, unchanged;
- a draft answers `ETag: "r<revision>"`; `PATCH` may send it in `If-Match` (stale → `412` with the
  draft as it is now); without it the save replaces whatever the draft holds.

Validation: the body's shape by pydantic, then the pipeline's rules (`domain.pipeline.parse_stages`,
the page's checks): a `PATCH` or an import with an error answers `422` naming each bad field as
`stages.<row>.<field>` (row from 0) and saves nothing; warnings (domain advice, e.g. the visa before
the hotel booking) come back in the `200`/`201` body. POSTs take `Idempotency-Key`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import Caller, CallerDep, NowDep
from api.v1.idempotency import idempotent
from api.v1.problems import Problem, ProblemError
from api.v1.text import Text
from pipeline_core.app import Draft as CoreDraft
from pipeline_core.app import (
    PublishConflict,
    compare_versions,
    discard_pipeline_draft,
    import_pipeline_draft,
    migrate_pipeline,
    migration_groups,
    open_pipeline_drafts,
    pipeline_draft,
    pipeline_migration,
    pipeline_templates,
    pipeline_version_stages,
    pipeline_versions,
    preview_pipeline,
    publish_pipeline_draft,
    roll_back_pipeline,
    run_pipeline_migration,
    save_pipeline_draft,
    start_pipeline_draft,
    start_pipeline_migration,
)
from pipeline_core.domain import pipeline as design
from pipeline_core.domain.errors import Conflict, InvalidInput, NotFound
from pipeline_core.domain.model import StageCategory
from pipeline_core.domain.permissions import Action

router = APIRouter(prefix="/pipeline", tags=["pipeline editor"])
log = logging.getLogger(__name__)

MAX_INT = 2**31 - 1
MAX_ID = 2**63 - 1
VersionNo = Annotated[int, Path(ge=1, le=MAX_INT, description="the version's number, from 1")]
DraftId = Annotated[int, Path(ge=1, le=MAX_INT, description="the draft's id")]
MigrationId = Annotated[int, Path(ge=1, le=MAX_ID, description="the migration's id")]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=100, description='the head version\'s ETag, e.g. "v3" (required)'),
]
IfMatchDraft = Annotated[
    str | None,
    Header(alias="If-Match", max_length=100, description='the draft\'s ETag, e.g. "r2" (optional)'),
]
Prefer = Annotated[
    str | None,
    Header(
        alias="Prefer",
        max_length=200,
        description="`respond-async`: answer 202 at once and move the jamaah in the background; "
        "follow Location (GET …/migrations/{id}) for the progress",
    ),
]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="any unique string, e.g. a UUID", max_length=255)
]
NO_STORE = {"Cache-Control": "no-store"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
AdminRole = Literal["document-admin", "siskopatuh-admin", "visa-admin", "logistics-admin", "travel-admin"]

_HEAD_GUARD: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "the draft was already published"},
    412: {
        "model": Problem,
        "description": "stale If-Match: another version was published; `current` = {head, changes}",
    },
    428: {"model": Problem, "description": "If-Match is missing"},
}
_DRAFT_GUARD: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "the draft was already published, or saved meanwhile"},
    412: {"model": Problem, "description": "stale If-Match: `current` holds the draft as it is now"},
}

_STAGE_EXAMPLE: dict[str, Any] = {
    "code": "hotel-booking",
    "name_id": "Pemesanan Hotel",
    "name_en": "Hotel Booking",
    "category": "travel",
    "sla_hours": 72,
    "responsible_role": "travel-admin",
    "done_by_days": 45,
    "is_active": True,
}


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- models -------------------------------------------------------------------------------------


class StageIn(BaseModel):
    """One stage of a draft, in pipeline order (its place in the list is its position)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_STAGE_EXAMPLE]})
    code: Code = Field(description="unique in the pipeline; a stage's identity across versions")
    name_id: Text = Field(min_length=1, max_length=design.NAME_MAX, description="name in Bahasa Indonesia")
    name_en: Text = Field(min_length=1, max_length=design.NAME_MAX, description="name in English")
    category: StageCategory = StageCategory.CUSTOM
    sla_hours: int = Field(ge=1, le=design.SLA_MAX_HOURS, description="hours the stage may take")
    responsible_role: AdminRole = Field(description="the admin role whose queue holds its tasks")
    done_by_days: int | None = Field(
        default=None, ge=0, le=design.DONE_BY_MAX_DAYS, description="done by H-n (days before departure)"
    )
    is_active: bool = Field(default=True, description="a disabled stage takes no new jamaah")


class StageOut(_Out):
    code: str
    name_id: str
    name_en: str
    category: StageCategory
    sla_hours: int
    responsible_role: str
    done_by_days: int | None
    is_active: bool
    position: int


class VersionLine(_Out):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "version_no": 2,
                    "created_by": "Rina Manajer",
                    "created_at": "2026-12-01T09:30:00+07:00",
                    "note": "SLA visa 48 jam",
                    "source": "draft",
                    "based_on_no": 1,
                    "stages": 10,
                    "jamaah": 1840,
                    "open_jamaah": 1200,
                    "is_head": True,
                }
            ]
        },
    )
    version_no: int
    created_by: str
    created_at: datetime
    note: str | None
    source: str = Field(description="template, draft, import, rollback … (empty for version 1)")
    based_on_no: int | None = Field(description="the version a draft or roll back started from")
    stages: int
    jamaah: int = Field(description="jamaah on this version (completed included)")
    open_jamaah: int
    is_head: bool


class VersionList(_Out):
    items: list[VersionLine] = Field(description="newest first")
    total: int
    head: int = Field(description='the published version; If-Match for a publish is "v<head>"')


class Version(_Out):
    """A published version: immutable, hence its ETag `"v<version_no>"`."""

    version_no: int
    created_by: str
    created_at: datetime
    note: str | None
    source: str
    based_on_no: int | None
    stages: list[StageOut]


class FieldChange(_Out):
    old: Any
    new: Any


class StageChange(_Out):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "visa-approval",
                    "name_id": "Persetujuan Visa",
                    "name_en": "Visa Approval",
                    "kind": "changed",
                    "old_position": 7,
                    "new_position": 7,
                    "fields": {"sla_hours": {"old": 120, "new": 48}},
                    "moved": False,
                }
            ]
        },
    )
    code: str
    name_id: str
    name_en: str
    kind: Literal["added", "removed", "changed", "same"]
    old_position: int | None
    new_position: int | None
    fields: dict[str, FieldChange] = Field(description="each changed field: {old, new}")
    moved: bool = Field(description="its place among the stages both versions share changed")


class VersionChanges(_Out):
    from_version_no: int
    to_version_no: int
    items: list[StageChange] = Field(description="in the newer order; removed stages last")
    total: int


class TemplateList(_Out):
    items: list[str] = Field(
        description='shipped templates, e.g. "umrah-2026": POST …/drafts {"template": …}'
    )
    total: int


class DraftProblem(_Out):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "field": "stages.5.sla_hours",
                    "row": 5,
                    "code": "sla_range",
                    "message": "The SLA must be more than 0 and at most 8760 hours, got 0.",
                }
            ]
        },
    )
    field: str = Field(description="`stages.<row>.<field>` (row from 0), or `stages` for the whole")
    row: int | None
    code: str = Field(description="a stable word for the problem, e.g. sla_range, visa_before_hotel")
    message: str


class Draft(_Out):
    id: int
    author: str
    base_version_no: int | None = Field(description='the head it began from: If-Match "v<this>"')
    source: str = Field(description="head, version:<n>, template:<code> or import")
    note: str | None
    revision: int = Field(description='the draft\'s ETag is "r<revision>"')
    published_no: int | None = Field(description="the version it became; null while open")
    updated_at: datetime
    stages: list[StageOut]
    errors: list[DraftProblem] = Field(description="what stops a publish")
    warnings: list[DraftProblem] = Field(description="domain advice; never stops anything")


class DraftList(_Out):
    items: list[Draft] = Field(description="open drafts, newest first")
    total: int


class DraftStart(BaseModel):
    """Where the draft starts: at most one of `from_version_no`, `template`, `document`; none =
    the published head."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {},
                {"from_version_no": 1},
                {"template": "umrah-2026"},
                {"document": {"code": "x", "name": "x", "stages": [_STAGE_EXAMPLE]}},
            ]
        },
    )
    from_version_no: int | None = Field(default=None, ge=1, le=MAX_INT, description="an older version")
    template: Code | None = Field(default=None, description="a shipped template, e.g. umrah-2026")
    document: dict[str, Any] | None = Field(
        default=None, description='a pipeline exported as JSON (`{"stages": [...]}`), to import'
    )

    @model_validator(mode="after")
    def _one_start(self) -> DraftStart:
        given = [n for n in ("from_version_no", "template", "document") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(
                f"give at most one of from_version_no, template, document (got {', '.join(given)})"
            )
        return self

    @property
    def start(self) -> str:
        if self.from_version_no is not None:
            return f"version:{self.from_version_no}"
        if self.template is not None:
            return f"template:{self.template}"
        return "head"


class DraftEdit(BaseModel):
    """The draft's whole stage list (it replaces the old one) and, optionally, its note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"stages": [_STAGE_EXAMPLE], "note": "SLA hotel 72 jam"}]},
    )
    stages: list[StageIn] = Field(min_length=1, max_length=design.MAX_STAGES)
    note: Text | None = Field(default=None, max_length=500)


StageMapping = dict[Code, Code | None]
_MAPPING = "old stage code → new stage code (null: nothing left to do); the rest by code"


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"from_version_no": 1}]})
    from_version_no: int | None = Field(default=None, ge=1, le=MAX_INT, description="only jamaah of it")
    package_id: int | None = Field(default=None, ge=1, le=MAX_INT, description="only this departure group")
    mapping: StageMapping = Field(default_factory=dict, max_length=design.MAX_STAGES, description=_MAPPING)


class StagePreview(_Out):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "visa-application",
                    "name_id": "Pengajuan Visa",
                    "name_en": "Visa Application",
                    "in_draft": True,
                    "jamaah_now": 120,
                    "open_tasks_now": 118,
                    "jamaah_after": 120,
                    "status_changes": 14,
                }
            ]
        },
    )
    code: str
    name_id: str
    name_en: str
    in_draft: bool = Field(description="false: a stage the draft removes (its people are counted)")
    jamaah_now: int
    open_tasks_now: int
    jamaah_after: int
    status_changes: int = Field(description="jamaah that would end here with another status")


class Preview(_Out):
    stages: list[StagePreview]
    transitions: dict[str, int] = Field(description='"on-track→overdue": n, …')
    jamaah: int
    changed: int = Field(description="jamaah whose status would change")
    tasks_kept: int
    tasks_moved: int = Field(description="same stage, new role: the task moves to that queue")
    tasks_replaced: int = Field(description="another stage: closed, and a new one created")
    tasks_closed: int = Field(description="nothing left to do")


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "SLA visa 48 jam"}]})
    note: Text | None = Field(default=None, max_length=500, description="shown in the version history")


class PublishedVersion(_Out):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "version_no": 2,
                    "created_by": "Rina Manajer (API upt_1a2b3c4d)",
                    "created_at": "2026-12-01T09:30:00+07:00",
                    "note": "SLA visa 48 jam",
                    "source": "draft",
                }
            ]
        },
    )
    version_no: int
    created_by: str
    created_at: datetime
    note: str | None
    source: str


class MigrationRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"from_version_no": 1},
                {"from_version_no": 1, "package_id": 3, "mapping": {"visa-application": "hotel-booking"}},
            ]
        },
    )
    from_version_no: int = Field(ge=1, le=MAX_INT, description="the version the jamaah are on")
    package_id: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="one departure group; null: all"
    )
    mapping: StageMapping = Field(default_factory=dict, max_length=design.MAX_STAGES, description=_MAPPING)


class Migration(_Out):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "from_version_no": 1,
                    "to_version_no": 2,
                    "package_id": None,
                    "mapping": {"hotel-booking": "hotel-booking", "visa-application": "visa-application"},
                    "moved": 1840,
                    "remaining": 0,
                    "completed": True,
                }
            ]
        },
    )
    id: int
    from_version_no: int
    to_version_no: int
    package_id: int | None
    mapping: dict[str, str | None]
    moved: int
    remaining: int = Field(description="open jamaah still on the old version (0 when done)")
    completed: bool


# --- helpers ------------------------------------------------------------------------------------


def _stage_out(stage: Any) -> StageOut:
    return StageOut.model_validate(design.stage_values(stage) | {"position": stage.position})


def _problem_out(problem: design.Problem, prefix: str = "stages") -> DraftProblem:
    field = prefix if problem.row is None else f"{prefix}.{problem.row}.{problem.field}"
    return DraftProblem(field=field, row=problem.row, code=problem.code, message=problem.message)


def _draft_out(draft: CoreDraft) -> Draft:
    return Draft(
        id=draft.id,
        author=draft.author,
        base_version_no=draft.base_version_no,
        source=draft.source,
        note=draft.note,
        revision=draft.revision,
        published_no=draft.published_no,
        updated_at=draft.updated_at,
        stages=[_stage_out(s) for s in draft.stages],
        errors=[_problem_out(p) for p in draft.errors],
        warnings=[_problem_out(p) for p in draft.warnings],
    )


def version_etag(version_no: int) -> str:
    return f'"v{version_no}"'


def draft_etag(draft: CoreDraft) -> str:
    published = f"-v{draft.published_no}" if draft.published_no is not None else ""
    return f'"r{draft.revision}{published}"'


def _written(
    body: BaseModel,
    *,
    status: int = 200,
    etag: str | None = None,
    location: str | None = None,
    extra: dict[str, str] | None = None,
) -> Response:
    headers = {**NO_STORE, **(extra or {})}
    if etag:
        headers["ETag"] = etag
    if location:
        headers["Location"] = location
    raw = body.model_dump_json().encode("utf-8")
    return Response(raw, status_code=status, media_type="application/json", headers=headers)


def _tag(header: str | None, letter: str) -> int:
    """The number an `If-Match` of `"<letter><n>"` names; -1 (never current) for anything else."""
    found = re.fullmatch(rf'\s*"{letter}(\d{{1,9}})"\s*', header or "")
    return int(found.group(1)) if found else -1


def _head_expected(caller: Caller, if_match: str | None) -> int:
    """The head version If-Match names. Missing: 428. Not a version's ETag (`*`, a weak or a
    foreign tag): 412 with the head, since a write must name the head it was decided on."""
    if if_match is None:
        raise ProblemError(
            428,
            "precondition-required",
            'Send If-Match with the pipeline head\'s ETag (e.g. If-Match: "v3") from GET '
            "…/pipeline/versions/{number}.",
        )
    expected = _tag(if_match, "v")
    if expected >= 1:
        return expected
    caller.viewer.scope(Action.MANAGE_PIPELINE)
    head = pipeline_versions(caller.viewer)[0]
    raise ProblemError(
        412,
        "precondition-failed",
        f'If-Match names no version; the published version is {head.version_no} (ETag "v{head.version_no}").',
        headers={"ETag": version_etag(head.version_no)},
        current={"head": PublishedVersion.model_validate(head).model_dump(mode="json"), "changes": []},
    )


def _invalid(problems: Sequence[design.Problem], prefix: str) -> ProblemError:
    errors = [
        {"field": p.field, "in": "body", "message": p.message}
        for p in (_problem_out(x, prefix) for x in problems)
    ]
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return ProblemError(422, "validation", f"The pipeline has problems: {names}.", errors=errors)


def _guarded(write: Callable[[], Response]) -> Response:
    """Run a write; a stale head or draft is 412 with what is current, any other conflict 409."""
    try:
        return write()
    except Conflict as conflict:
        current = conflict.current
        if isinstance(current, PublishConflict):
            head = PublishedVersion.model_validate(current.head).model_dump(mode="json")
            changes = [_change(c) for c in current.changes]
            raise ProblemError(
                412,
                "precondition-failed",
                str(conflict),
                headers={"ETag": version_etag(current.head.version_no)},
                current={"head": head, "changes": changes},
            ) from None
        if isinstance(current, CoreDraft):
            raise ProblemError(
                412,
                "precondition-failed",
                str(conflict),
                headers={"ETag": draft_etag(current)},
                current=_draft_out(current).model_dump(mode="json"),
            ) from None
        raise


def _change(change: design.StageChange) -> dict[str, Any]:
    return _change_out(change).model_dump(mode="json")


def _change_out(change: design.StageChange) -> StageChange:
    return StageChange(
        code=change.code,
        name_id=change.name_id,
        name_en=change.name_en,
        kind=change.kind,  # type: ignore[arg-type]
        old_position=change.old_position,
        new_position=change.new_position,
        fields={name: FieldChange(old=old, new=new) for name, (old, new) in change.fields.items()},
        moved=change.moved,
    )


def _post(
    request: Request, caller: Caller, key: str | None, body: BaseModel | None, write: Callable[[], Response]
) -> Response:
    text = body.model_dump_json() if body is not None else ""
    return idempotent(request, caller, key, text, lambda: _guarded(write))


def _as_field(error: NotFound, field: str) -> ProblemError:
    return ProblemError(
        422, "validation", str(error), errors=[{"field": field, "in": "body", "message": str(error)}]
    )


# --- versions -----------------------------------------------------------------------------------


@router.get("/versions", response_model=VersionList, summary="Every pipeline version, newest first")
def versions(request: Request, caller: CallerDep) -> Response:
    lines = pipeline_versions(caller.viewer)
    head = max((line.version_no for line in lines), default=0)
    items = [VersionLine.model_validate(line) for line in lines]
    return send(request, VersionList(items=items, total=len(items), head=head))


@router.get(
    "/versions/{number}",
    response_model=Version,
    summary='One version: its stages, author, time, note; ETag "v<n>"',
)
def version(request: Request, caller: CallerDep, number: VersionNo) -> Response:
    stages = pipeline_version_stages(caller.viewer, number)
    line = next(v for v in pipeline_versions(caller.viewer) if v.version_no == number)
    body = Version(
        version_no=line.version_no,
        created_by=line.created_by,
        created_at=line.created_at,
        note=line.note,
        source=line.source,
        based_on_no=line.based_on_no,
        stages=[_stage_out(s) for s in stages],
    )
    return send(request, body, etag=version_etag(number))


@router.get(
    "/versions/{number}/changes",
    response_model=VersionChanges,
    summary="What changed per stage from an older version (`since`, default number - 1) to {number}",
)
def changes(
    request: Request,
    caller: CallerDep,
    number: VersionNo,
    since: Annotated[int | None, Query(ge=1, le=MAX_INT, description="the older version")] = None,
) -> Response:
    older = since if since is not None else max(1, number - 1)
    found = [_change_out(c) for c in compare_versions(caller.viewer, older, number)]
    body = VersionChanges(from_version_no=older, to_version_no=number, items=found, total=len(found))
    return send(request, body)


@router.get("/templates", response_model=TemplateList, summary="The shipped templates a draft may start from")
def templates(request: Request, caller: CallerDep) -> Response:
    caller.viewer.scope(Action.VIEW_OVERVIEW)
    codes = pipeline_templates()
    return send(request, TemplateList(items=codes, total=len(codes)))


@router.post(
    "/versions/{number}/rollback",
    response_model=PublishedVersion,
    status_code=201,
    responses=_HEAD_GUARD,
    summary="Roll back: publish version {number}'s stages again as the newest version",
)
def rollback(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    number: VersionNo,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[NoteBody | None, Body()] = None,
) -> Response:
    expected = _head_expected(caller, if_match)
    note = body.note if body is not None else None

    def write() -> Response:
        done = roll_back_pipeline(caller.viewer, number, expected, note, now=now)
        return _written(
            PublishedVersion.model_validate(done),
            status=201,
            etag=version_etag(done.version_no),
            location=f"/api/v1/pipeline/versions/{done.version_no}",
        )

    return _post(request, caller, idempotency_key, body, write)


# --- drafts -------------------------------------------------------------------------------------


@router.get("/drafts", response_model=DraftList, summary="The open (unpublished) drafts, newest first")
def drafts(request: Request, caller: CallerDep) -> Response:
    items = [_draft_out(d) for d in open_pipeline_drafts(caller.viewer)]
    return send(request, DraftList(items=items, total=len(items)))


@router.get("/drafts/{draft_id}", response_model=Draft, summary='One draft, with its ETag "r<revision>"')
def draft(request: Request, caller: CallerDep, draft_id: DraftId) -> Response:
    found = pipeline_draft(caller.viewer, draft_id)
    return send(request, _draft_out(found), etag=draft_etag(found))


def _document_rows(document: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The document as text and its stage rows; 422 on `document` when it is not a pipeline."""
    text = json.dumps(document, ensure_ascii=False)
    try:
        rows = design.read_document(text)
        for row in rows:
            for value in row.values():
                if isinstance(value, str) and _CONTROL.search(value):
                    raise InvalidInput("document", "A stage value holds control characters.")
    except InvalidInput as error:
        raise ProblemError(
            422,
            "validation",
            error.message,
            errors=[{"field": "document", "in": "body", "message": error.message}],
        ) from None
    return text, rows


def _start(caller: Caller, start: DraftStart, now: datetime | None) -> CoreDraft:
    caller.viewer.scope(Action.MANAGE_PIPELINE)
    if start.document is not None:
        text, rows = _document_rows(start.document)
        _, problems = design.parse_stages(rows)
        errors = [p for p in problems if not p.warning]
        if errors:
            raise _invalid(errors, "document.stages")
        return import_pipeline_draft(caller.viewer, text, now=now)
    try:
        return start_pipeline_draft(caller.viewer, start.start, now=now)
    except NotFound as error:
        raise _as_field(error, "from_version_no") from None


@router.post(
    "/drafts",
    response_model=Draft,
    status_code=201,
    summary="Start a draft: from the head, an older version, a shipped template or an imported JSON",
)
def start_draft(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[DraftStart | None, Body()] = None,
) -> Response:
    start = body or DraftStart()

    def write() -> Response:
        made = _start(caller, start, now)
        return _written(
            _draft_out(made), status=201, etag=draft_etag(made), location=f"/api/v1/pipeline/drafts/{made.id}"
        )

    return _post(request, caller, idempotency_key, body, write)


@router.patch(
    "/drafts/{draft_id}",
    response_model=Draft,
    responses=_DRAFT_GUARD,
    summary="Replace the draft's stages (and note); 422 names each bad field, warnings in the answer",
)
def edit_draft(
    caller: CallerDep, now: NowDep, draft_id: DraftId, body: DraftEdit, if_match: IfMatchDraft = None
) -> Response:
    rows = [stage.model_dump(mode="json") for stage in body.stages]
    current = pipeline_draft(caller.viewer, draft_id)
    revision = current.revision if if_match is None else _tag(if_match, "r")
    if revision != current.revision:
        raise ProblemError(
            412,
            "precondition-failed",
            f"Draft {draft_id} is at revision {current.revision}, not the one If-Match names. Reload it.",
            headers={"ETag": draft_etag(current)},
            current=_draft_out(current).model_dump(mode="json"),
        )
    errors = [p for p in design.check(rows) if not p.warning]
    if errors:
        raise _invalid(errors, "stages")

    def write() -> Response:
        saved = save_pipeline_draft(caller.viewer, draft_id, revision, rows, body.note, now=now)
        return _written(_draft_out(saved), etag=draft_etag(saved))

    return _guarded(write)


@router.post(
    "/drafts/{draft_id}/preview",
    response_model=Preview,
    summary="What the draft would do to the jamaah now: per stage, status changes, where tasks go",
)
def preview(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    draft_id: DraftId,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[PreviewRequest | None, Body()] = None,
) -> Response:
    ask = body or PreviewRequest()

    def write() -> Response:
        found = pipeline_draft(caller.viewer, draft_id)
        _known_targets(ask.mapping, found.stages)
        try:
            figures = preview_pipeline(
                caller.viewer,
                found.rows,
                from_version_no=ask.from_version_no,
                package_id=ask.package_id,
                mapping=ask.mapping or None,
                now=now,
            )
        except NotFound as error:
            raise _as_field(error, "from_version_no") from None
        return _written(Preview.model_validate(figures))

    return _post(request, caller, idempotency_key, body, write)


@router.post(
    "/drafts/{draft_id}/publish",
    response_model=PublishedVersion,
    status_code=201,
    responses=_HEAD_GUARD,
    summary='Publish the draft as the newest version; If-Match: the head\'s ETag "v<n>"',
)
def publish(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    draft_id: DraftId,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[NoteBody | None, Body()] = None,
) -> Response:
    expected = _head_expected(caller, if_match)
    note = body.note if body is not None else None

    def write() -> Response:
        found = pipeline_draft(caller.viewer, draft_id)
        if found.published_no is None and found.errors:
            raise _invalid(found.errors, "stages")
        done = publish_pipeline_draft(caller.viewer, draft_id, expected, note, now=now)
        return _written(
            PublishedVersion.model_validate(done),
            status=201,
            etag=version_etag(done.version_no),
            location=f"/api/v1/pipeline/versions/{done.version_no}",
        )

    return _post(request, caller, idempotency_key, body, write)


@router.delete(
    "/drafts/{draft_id}",
    status_code=204,
    response_class=Response,
    responses={409: {"model": Problem, "description": "the draft was already published"}},
    summary="Discard an open draft",
)
def discard(caller: CallerDep, now: NowDep, draft_id: DraftId) -> Response:
    found = pipeline_draft(caller.viewer, draft_id)
    if found.published_no is not None:
        raise ProblemError(
            409, "conflict", f"Draft {draft_id} was published as version {found.published_no}; it stays."
        )
    discard_pipeline_draft(caller.viewer, draft_id, now=now)
    return Response(status_code=204, headers=NO_STORE)


# --- migrations ---------------------------------------------------------------------------------


@router.post(
    "/migrations",
    response_model=Migration,
    status_code=201,
    responses={
        202: {
            "model": Migration,
            "description": "`Prefer: respond-async`: started; moving in the background",
        },
        409: {"model": Problem, "description": "a newer version was published meanwhile"},
    },
    summary="Move the open jamaah of a version (one group, or all) to the newest version",
)
def migrate(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    body: MigrationRequest,
    idempotency_key: IdempotencyKey = None,
    prefer: Prefer = None,
) -> Response:
    background = "respond-async" in {token.strip().lower() for token in (prefer or "").split(",")}

    def write() -> Response:
        caller.viewer.scope(Action.MANAGE_PIPELINE)
        if body.package_id is not None:
            _known_group(caller, body.from_version_no, body.package_id)
        options: dict[str, Any] = {"package_id": body.package_id, "mapping": body.mapping or None, "now": now}
        try:
            if background:
                done = start_pipeline_migration(caller.viewer, body.from_version_no, **options)
                _run_in_background(caller, done.id, now)
            else:
                done = migrate_pipeline(caller.viewer, body.from_version_no, **options)
        except NotFound as error:
            raise _as_field(error, "from_version_no") from None
        return _written(
            Migration.model_validate(done),
            status=202 if background else 201,
            location=f"/api/v1/pipeline/migrations/{done.id}",
            extra={"Preference-Applied": "respond-async"} if background else None,
        )

    return _post(request, caller, idempotency_key, body, write)


@router.post(
    "/migrations/preview",
    response_model=Preview,
    summary="What a migration to the newest version would do: the preview of its stages for those jamaah",
)
def migration_preview(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    body: MigrationRequest,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def write() -> Response:
        caller.viewer.scope(Action.MANAGE_PIPELINE)
        head = pipeline_versions(caller.viewer)[0].version_no
        stages = pipeline_version_stages(caller.viewer, head)
        _known_targets(body.mapping, stages, f"version {head}")
        try:
            figures = preview_pipeline(
                caller.viewer,
                [design.stage_values(s) for s in stages],
                from_version_no=body.from_version_no,
                package_id=body.package_id,
                mapping=body.mapping or None,
                now=now,
            )
        except NotFound as error:
            raise _as_field(error, "from_version_no") from None
        return _written(Preview.model_validate(figures))

    return _post(request, caller, idempotency_key, body, write)


def _run_in_background(caller: Caller, migration_id: int, now: datetime | None) -> None:
    """Move the jamaah of a started migration in a thread of this process. If the process stops
    halfway, the migration stays `completed: false`; a new POST moves the jamaah still left."""

    def run() -> None:
        try:
            run_pipeline_migration(caller.viewer, migration_id, now=now)
        except Exception:
            log.exception("pipeline migration %s stopped; POST another to move the rest", migration_id)

    threading.Thread(target=run, name=f"pipeline-migration-{migration_id}", daemon=True).start()


def _known_targets(mapping: dict[str, str | None], stages: Sequence[Any], of: str = "the draft") -> None:
    active = {s.code for s in stages if s.is_active}
    for source, target in mapping.items():
        if target is not None and target not in active:
            message = f"{target!r} is not an active stage of {of}."
            raise ProblemError(
                422,
                "validation",
                message,
                errors=[{"field": f"mapping.{source}", "in": "body", "message": message}],
            )


def _known_group(caller: Caller, version_no: int, package_id: int) -> None:
    groups = {g.package_id for g in migration_groups(caller.viewer, version_no)}
    if package_id not in groups:
        message = f"Departure group {package_id} has no open jamaah on version {version_no}."
        raise ProblemError(
            422, "validation", message, errors=[{"field": "package_id", "in": "body", "message": message}]
        )


@router.get(
    "/migrations/{migration_id}", response_model=Migration, summary="A migration's progress and result"
)
def migration(request: Request, caller: CallerDep, migration_id: MigrationId) -> Response:
    return send(request, Migration.model_validate(pipeline_migration(caller.viewer, migration_id)))
