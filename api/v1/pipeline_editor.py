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
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import Caller, CallerDep, NowDep
from api.v1.idempotency import idempotent
from api.v1.pipeline_editor_models import (
    CONTROL,
    MAX_INT,
    Draft,
    DraftEdit,
    DraftList,
    DraftProblem,
    DraftStart,
    FieldChange,
    Migration,
    MigrationRequest,
    NoteBody,
    Preview,
    PreviewRequest,
    PublishedVersion,
    StageChange,
    StageOut,
    TemplateList,
    Version,
    VersionChanges,
    VersionLine,
    VersionList,
)
from api.v1.problems import Problem, ProblemError
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
from pipeline_core.domain.permissions import Action

router = APIRouter(prefix="/pipeline", tags=["pipeline editor"])
log = logging.getLogger(__name__)

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
                if isinstance(value, str) and CONTROL.search(value):
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
