"""`/v1/activity`: the workspace's activity log, newest first, paged — for the roles that may read it
(managers and super-admins, `view_activity_log`; everyone else 403), with the page's filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import CallerDep
from api.v1.cursor import CURSOR_400, Cursor, activity_key, encode_activity, refuse_page_with_cursor
from api.v1.paging import Page
from api.v1.text import Text
from pipeline_core.app import activity_page

router = APIRouter(prefix="/activity", tags=["activity"])

Day = Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2100, 12, 31), description="e.g. 2026-11-29")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ActivityEntry(_Out):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    jamaah_id: int | None
    jamaah_name: str | None
    subject_name: str | None
    changes: dict[str, Any]


class ActivityPage(_Out):
    items: list[ActivityEntry]
    total: int
    page: int | None = Field(description="the page number asked for; null when asked by `cursor`")
    pages: int
    next_cursor: str | None = Field(
        default=None, description="send as `cursor` (same filters) for older entries; null on the last"
    )


@router.get("", response_model=ActivityPage, responses=CURSOR_400, summary="The activity log, newest first")
def activity(
    request: Request,
    caller: CallerDep,
    actor: Annotated[Text | None, Query(max_length=200, description="exactly as logged")] = None,
    action: Annotated[Text | None, Query(max_length=200, description="e.g. task.completed")] = None,
    date_from: Day = None,
    date_to: Day = None,
    page: Page = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Cursor = None,
) -> Response:
    refuse_page_with_cursor(request, cursor)
    workspace_id = caller.viewer.workspace.id
    filters: dict[str, object] = {"actor": actor, "action": action, "from": date_from, "to": date_to}
    after = activity_key(cursor, workspace_id, filters) if cursor is not None else None
    found = activity_page(
        caller.viewer,
        actor=actor,
        action=action,
        date_from=date_from,
        date_to=date_to,
        page=page,
        limit=limit,
        after=after,
    )
    answer = ActivityPage.model_validate(found)
    answer.page = None if after is not None else found.page
    answer.next_cursor = encode_activity(found.next_key, workspace_id, filters) if found.next_key else None
    return send(request, answer)
