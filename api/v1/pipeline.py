"""`/v1/pipeline/…` overview reads: health, stage statistics, bottlenecks, upcoming departures.

Each is the same cached read the overview page makes (`pipeline_core.app.dashboard`, Redis with the
plan's TTLs and the generations every change moves), in the caller's workspace, with the
`view_overview` permission.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import CallerDep, NowDep
from api.v1.paging import Limit, Page, paged
from pipeline_core.app import dashboard
from pipeline_core.domain.model import Severity

router = APIRouter(prefix="/pipeline", tags=["pipeline"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Health(_Out):
    total: int
    on_track: int
    at_risk: int
    overdue: int
    completed: int
    health_score: float


class StageVariant(_Out):
    """A stage code as one pipeline version defines it, and that version's jamaah counted."""

    version_no: int
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    jamaah: int


class StageStats(_Out):
    code: str
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    in_stage: int
    in_progress: int
    blocked: int
    overdue: int
    completed: int
    avg_completion_days: float | None
    in_head: bool = Field(description="false: only older pipeline versions have this stage")
    versions: list[int] = Field(description="the versions whose jamaah are counted (and the newest)")
    variants: list[StageVariant] = Field(description="each version's name, role, SLA and jamaah")


class StagePage(_Out):
    items: list[StageStats]
    total: int
    page: int
    pages: int


class Bottleneck(_Out):
    code: str
    name_id: str
    name_en: str
    responsible_role: str
    stuck: int
    avg_delay_days: float
    severity: Severity
    top_reason: str | None
    departure_impact: int
    stuck_7_days_ago: int | None
    trend: int | None
    in_head: bool
    versions: list[int]
    variants: list[StageVariant]


class Bottlenecks(_Out):
    items: list[Bottleneck]


class StageCount(_Out):
    code: str
    name_id: str
    name_en: str
    jamaah: int
    in_head: bool
    versions: list[int]
    variants: list[StageVariant]


class DepartureGroup(_Out):
    package_id: int
    code: str
    name: str
    departure_date: date
    return_date: date
    airline: str
    jamaah: int
    ready: int
    not_ready: int
    not_ready_by_stage: list[StageCount]


class DeparturePage(_Out):
    items: list[DepartureGroup]
    total: int
    page: int
    pages: int


class DepartureSort(StrEnum):
    DEPARTURE = "departure"
    DEPARTURE_DESC = "-departure"
    NOT_READY = "not_ready"
    NAME = "name"


@router.get("/health", response_model=Health, summary="Pipeline health: status counts and health score")
def health(request: Request, caller: CallerDep, now: NowDep) -> Response:
    return send(request, Health.model_validate(dashboard.pipeline_health(caller.viewer, now)))


@router.get(
    "/stages", response_model=StagePage, summary="Statistics of every active stage, in pipeline order"
)
def stages(request: Request, caller: CallerDep, now: NowDep, page: Page = 1, limit: Limit = 20) -> Response:
    everything = dashboard.stage_stats(caller.viewer, now)
    items, total, page, pages = paged(everything, page, limit)
    return send(
        request,
        StagePage(items=[StageStats.model_validate(s) for s in items], total=total, page=page, pages=pages),
    )


@router.get("/bottlenecks", response_model=Bottlenecks, summary="Bottleneck alerts, most severe first")
def bottlenecks(
    request: Request, caller: CallerDep, now: NowDep, severity: Annotated[Severity | None, Query()] = None
) -> Response:
    alerts = dashboard.bottlenecks(caller.viewer, now, severity)
    return send(request, Bottlenecks(items=[Bottleneck.model_validate(a) for a in alerts]))


@router.get(
    "/departures", response_model=DeparturePage, summary="Departure groups leaving soon, with readiness"
)
def departures(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    days: Annotated[int, Query(ge=0, le=366, description="groups leaving today … today + days")] = 7,
    page: Page = 1,
    limit: Limit = 20,
    sort: DepartureSort = DepartureSort.DEPARTURE,
) -> Response:
    found = dashboard.upcoming_departures(
        caller.viewer, now, days=days, page=page, limit=limit, sort=sort.value
    )
    return send(request, DeparturePage.model_validate(found))
