"""`/v1/pipeline/tasks`: the task queue, one task, and the task actions.

Reads are the task queue page's (`dashboard.task_queue_page`: cached per role, column and page;
an admin sees their own role's queue only) and the task itself (`dashboard.task`).

Writes are the pages' actions (`pipeline_core.app.actions`): one transaction each, the same
permission checks, activity-log entries and live events. Optimistic locking the HTTP way:
- every task answer carries `ETag: "v<version>"`;
- a write needs `If-Match` with that ETag: missing → `428`; stale → `412` with the task as it is
  now in the problem's `current` (and its ETag), so the client can look and decide again;
- `If-Match: *` or a weak tag never matches (a write must name the version it was decided on);
- POSTs take an `Idempotency-Key` (see `idempotency.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send, task_etag
from api.v1.auth import Caller, CallerDep, NowDep
from api.v1.cursor import CURSOR_400, Cursor, encode_queue, queue_key, refuse_page_with_cursor
from api.v1.idempotency import idempotent
from api.v1.paging import Limit, Page
from api.v1.problems import Problem, ProblemError
from api.v1.text import Text
from pipeline_core.app import Task as CoreTask
from pipeline_core.app import actions, dashboard
from pipeline_core.domain.errors import Conflict
from pipeline_core.domain.model import KanbanColumn, Priority, Role, WorkStatus

router = APIRouter(prefix="/pipeline/tasks", tags=["tasks"])

MAX_ID = 2**63 - 1
TaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="the task's id")]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description='the task\'s ETag, e.g. "v3" (required)', max_length=100)
]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="any unique string, e.g. a UUID", max_length=255)
]
NO_STORE = {"Cache-Control": "no-store"}

_PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"model": Problem, "description": "stale If-Match: `current` holds the task as it is now"},
    428: {"model": Problem, "description": "If-Match is missing"},
}


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Task(_Out):
    id: int
    jamaah_id: int
    stage_id: int
    task_type: str
    title: str
    priority: Priority
    status: WorkStatus
    due_at: datetime
    assigned_role: Role
    assignee_id: int | None
    notes: str | None
    block_reason: str | None
    version: int = Field(description='what If-Match names, as the ETag "v<version>"')
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class TaskCard(_Out):
    id: int
    version: int
    title: str
    task_type: str
    stage_code: str
    stage_name_id: str
    stage_name_en: str
    jamaah_id: int
    jamaah_name: str
    phone: str
    departure_date: date
    priority: Priority
    status: WorkStatus
    due_at: datetime
    assigned_role: Role
    assignee_id: int | None
    assignee_name: str | None
    notes: str | None
    block_reason: str | None
    column: KanbanColumn


class ColumnCounts(_Out):
    blocked: int
    urgent: int
    today: int
    upcoming: int


class TaskPage(_Out):
    items: list[TaskCard]
    total: int
    page: int | None = Field(description="the page number asked for; null when asked by `cursor`")
    pages: int
    counts: ColumnCounts
    next_cursor: str | None = Field(
        default=None, description="send as `cursor` (same filters) for the next page; null on the last"
    )


class Completion(_Out):
    completed: Task
    next_task: Task | None = Field(description="the next stage's new task; null when the jamaah is done")
    jamaah_completed: bool


class OpenStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    BLOCKED = "blocked"


class EditableStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in-progress"


class CompleteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: Text | None = Field(default=None, max_length=2000, description="replaces the task's notes")


class BlockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(
        min_length=1, max_length=500, description="why, e.g. 'waiting for the passport scan'"
    )


class TaskEdit(BaseModel):
    """The fields the task table may change; only those sent change (`notes: null` clears them).
    Priority and due date need `reprioritise_task`, the assignee `reassign` (managers)."""

    model_config = ConfigDict(extra="forbid")
    # Not nullable, but optional: absent means unchanged (`model_fields_set`).
    priority: Priority = Field(default=None)  # type: ignore[assignment]
    status: EditableStatus = Field(default=None, description="pending ↔ in-progress")  # type: ignore[assignment]
    due_at: AwareDatetime = Field(default=None, description="e.g. 2026-12-01T17:00:00+07:00")  # type: ignore[assignment]
    notes: Text | None = Field(default=None, max_length=2000)
    assignee_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="an active user; null: the role's queue"
    )


# --- reads --------------------------------------------------------------------------------------


@router.get(
    "",
    response_model=TaskPage,
    responses=CURSOR_400,
    summary="A page of the task queue, with the column counts",
)
def task_queue(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    role: Annotated[Role | None, Query(description="a role's queue; admins: only their own")] = None,
    column: KanbanColumn | None = None,
    status: OpenStatus | None = None,
    q: Annotated[Text | None, Query(max_length=100, description="name words, NIK, passport or phone")] = None,
    page: Page = 1,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    refuse_page_with_cursor(request, cursor)
    workspace_id = caller.viewer.workspace.id
    filters: dict[str, object] = {"role": role, "column": column, "status": status, "q": q}
    after = queue_key(cursor, workspace_id, filters) if cursor is not None else None
    found = dashboard.task_queue_page(
        caller.viewer,
        now,
        role=role,
        column=column,
        search=q,
        status=status.value if status else None,
        page=page,
        limit=limit,
        after=after,
    )
    answer = TaskPage.model_validate(found)
    answer.page = None if after is not None else found.page
    answer.next_cursor = encode_queue(found.next_key, workspace_id, filters) if found.next_key else None
    return send(request, answer)


@router.get("/{task_id}", response_model=Task, summary="One task, with its ETag")
def task(request: Request, caller: CallerDep, task_id: TaskId) -> Response:
    found = dashboard.task(caller.viewer, task_id)
    return send(request, Task.model_validate(found), etag=task_etag(found.version))


# --- writes -------------------------------------------------------------------------------------

_IF_MATCH = re.compile(r'\s*"v(\d{1,18})"\s*')


def _version(if_match: str | None) -> int:
    """The version named by If-Match; -1 (never current) for `*`, a weak or a foreign tag."""
    if if_match is None:
        raise ProblemError(
            428,
            "precondition-required",
            'Send If-Match with the task\'s ETag (e.g. If-Match: "v3") from GET …/tasks/{id}.',
        )
    found = _IF_MATCH.fullmatch(if_match)
    return int(found.group(1)) if found else -1


def _written(task: CoreTask, body: BaseModel, status: int = 200) -> Response:
    raw = body.model_dump_json().encode("utf-8")
    headers = {**NO_STORE, "ETag": task_etag(task.version)}
    return Response(raw, status_code=status, media_type="application/json", headers=headers)


def _locked(version: int, write: Callable[[], Response]) -> Response:
    """Run a write; a stale version is 412 with the current task."""
    try:
        return write()
    except Conflict as conflict:
        current = conflict.current
        if isinstance(current, CoreTask):
            body = Task.model_validate(current).model_dump(mode="json")
            status, kind = (412, "precondition-failed") if current.version != version else (409, "conflict")
            raise ProblemError(
                status, kind, str(conflict), headers={"ETag": task_etag(current.version)}, current=body
            ) from None
        raise


def _post(
    request: Request,
    caller: Caller,
    key: str | None,
    body: BaseModel | None,
    version: int,
    write: Callable[[], Response],
) -> Response:
    text = body.model_dump_json() if body is not None else ""
    return idempotent(request, caller, key, text, lambda: _locked(version, write))


@router.post(
    "/{task_id}/complete",
    response_model=Completion,
    responses=_PRECONDITIONS,
    summary="Complete the task (and its stage); starts the next stage",
)
def complete(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    task_id: TaskId,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[CompleteBody | None, Body()] = None,
) -> Response:
    version = _version(if_match)
    notes = body.notes if body is not None else None

    def write() -> Response:
        done = actions.complete_task(caller.viewer, task_id, version, notes, now=now)
        answer = Completion(
            completed=Task.model_validate(done.completed),
            next_task=Task.model_validate(done.next_task) if done.next_task else None,
            jamaah_completed=done.jamaah_completed,
        )
        return _written(done.completed, answer)

    return _post(request, caller, idempotency_key, body, version, write)


@router.post(
    "/{task_id}/block", response_model=Task, responses=_PRECONDITIONS, summary="Block the task, with a reason"
)
def block(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    task_id: TaskId,
    body: BlockBody,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    version = _version(if_match)

    def write() -> Response:
        saved = actions.block_task(caller.viewer, task_id, version, body.reason, now=now)
        return _written(saved, Task.model_validate(saved))

    return _post(request, caller, idempotency_key, body, version, write)


@router.post(
    "/{task_id}/unblock",
    response_model=Task,
    responses=_PRECONDITIONS,
    summary="Lift the block (managers): back to in progress",
)
def unblock(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    task_id: TaskId,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    version = _version(if_match)

    def write() -> Response:
        saved = actions.unblock_task(caller.viewer, task_id, version, now=now)
        return _written(saved, Task.model_validate(saved))

    return _post(request, caller, idempotency_key, None, version, write)


@router.patch(
    "/{task_id}",
    response_model=Task,
    responses=_PRECONDITIONS,
    summary="Edit the task's notes, status, priority, due date or assignee",
)
def edit(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    task_id: TaskId,
    body: TaskEdit,
    if_match: IfMatch = None,
) -> Response:
    version = _version(if_match)
    given: dict[str, Any] = {name: getattr(body, name) for name in body.model_fields_set}
    for name in ("priority", "status", "due_at"):
        if name in given and given[name] is None:
            raise ProblemError(
                422,
                "validation",
                f"{name} cannot be cleared.",
                errors=[{"field": name, "in": "body", "message": "must not be null"}],
            )

    def write() -> Response:
        saved = actions.update_task(caller.viewer, task_id, version, now=now, **given)
        return _written(saved, Task.model_validate(saved))

    return _locked(version, write)
