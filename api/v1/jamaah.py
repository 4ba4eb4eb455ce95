"""`/v1/jamaah/{id}`: one jamaah as the detail page shows it — profile, status, timeline, tasks and
activity — with NIK and passport number masked for every role, as in the UI. Revealing them stays
an explicit, logged action of the page (managers); the API offers no way around it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import CallerDep, NowDep
from pipeline_core.app import dashboard
from pipeline_core.domain.model import JamaahStatus, WorkStatus

router = APIRouter(prefix="/jamaah", tags=["jamaah"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TimelineStage(_Out):
    code: str
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    status: WorkStatus | None = Field(description="null: not started yet")
    started_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    planned_start: datetime | None
    planned_due: datetime | None
    block_reason: str | None
    notes: str | None


class TaskLine(_Out):
    id: int
    version: int
    title: str
    stage_code: str
    priority: str
    status: str
    due_at: datetime
    assigned_role: str
    assignee_name: str | None
    notes: str | None
    block_reason: str | None
    completed_at: datetime | None


class ActivityLine(_Out):
    occurred_at: datetime
    actor: str
    action: str
    changes: dict[str, Any]


class Jamaah(_Out):
    id: int
    full_name: str
    gender: str
    birth_date: date
    nik: str = Field(description="masked, e.g. 3174 •••• •••• 0001")
    phone: str
    passport_number: str | None = Field(description="masked")
    passport_issue_date: date | None
    passport_expiry_date: date | None
    passport: str = Field(description="ok, warning, too-short or missing")
    package_name: str
    departure_date: date
    return_date: date
    airline: str
    agent_name: str | None
    notes: str | None
    companion_name: str | None
    status: JamaahStatus
    progress_percent: float
    timeline: list[TimelineStage]
    tasks: list[TaskLine]
    activity: list[ActivityLine]


@router.get(
    "/{jamaah_id}", response_model=Jamaah, summary="One jamaah: profile (masked), timeline, tasks, activity"
)
def jamaah(
    request: Request, caller: CallerDep, now: NowDep, jamaah_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> Response:
    return send(request, Jamaah.model_validate(dashboard.jamaah_detail(caller.viewer, jamaah_id, now)))
