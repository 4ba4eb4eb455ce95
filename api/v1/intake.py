"""`/v1/departure-groups` and `/v1/jamaah` (POST, PATCH): intake through the same core as the pages.

- Groups: the list as `{"items": [...], "total": n}`; create (manager, travel-admin, super-admin);
  edit with `PATCH`, where an `If-Match` (the ETag of `GET /departure-groups/{id}`) is checked when
  sent — a stale one is `412` with the group as it is now; a new departure date answers what it did
  to the group's jamaah (`departure_change`).
- Jamaah: `POST /jamaah` enrols one into `departure_group_id` with the form's fields (`gender`
  `male|female`, `passport_expiry`, and the SISKOPATUH template's fields); every field problem is
  one entry of the 422's `errors`, named as in the request; a duplicate NIK is `409` whose
  `current` links to the jamaah already registered. Warnings (a passport expiring within 6 months
  of departure) come back in the 201's `warnings`. `PATCH /jamaah/{id}` changes some fields.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import CallerDep, NowDep
from api.v1.problems import Problem, ProblemError
from api.v1.text import Text
from pipeline_core.app import intake
from pipeline_core.domain.errors import Conflict, InvalidInput
from pipeline_core.domain.jamaah_rules import API_NAMES
from pipeline_core.domain.jamaah_rules import Problem as RuleProblem

groups_router = APIRouter(prefix="/departure-groups", tags=["departure groups"])
jamaah_router = APIRouter(prefix="/jamaah", tags=["jamaah"])

MAX_ID = 2**31 - 1
GroupId = Annotated[int, Path(ge=1, le=MAX_ID, description="the departure group's id")]
JamaahId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the jamaah's id")]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="the group's ETag from GET (optional)", max_length=100)
]
NO_STORE = {"Cache-Control": "no-store"}
_GENDER = {"male": "L", "female": "P"}
_GENDER_BACK = {"L": "male", "P": "female"}


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Group(_Out):
    id: int
    code: str
    name: str
    departure_date: date
    return_date: date
    airline: str
    flight_numbers: str | None
    quota: int
    price_idr: int
    status: Literal["open", "closed"]
    seats_used: int
    seats_left: int


class GroupList(BaseModel):
    items: list[Group]
    total: int


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=200)
    code: Text | None = Field(default=None, max_length=32, description="left out: G-<yymmdd>-<n>")
    departure_date: date
    return_date: date
    airline: Text = Field(default="", max_length=200)
    flight_numbers: Text | None = Field(default=None, max_length=200, examples=["SV 817 / SV 816"])
    quota: int = Field(ge=1, le=1000)
    price_idr: int = Field(default=0, ge=0)


class GroupPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, max_length=200)
    code: Text | None = Field(default=None, max_length=32)
    departure_date: date | None = None
    return_date: date | None = None
    airline: Text | None = Field(default=None, max_length=200)
    flight_numbers: Text | None = Field(default=None, max_length=200)
    quota: int | None = Field(default=None, ge=1, le=1000)
    price_idr: int | None = Field(default=None, ge=0)
    status: Literal["open", "closed"] | None = None


class DepartureChange(_Out):
    jamaah: int
    deadlines_moved: int
    status_changes: int
    by_change: dict[str, int]


class GroupChanged(BaseModel):
    group: Group
    departure_change: DepartureChange | None = Field(description="only when the departure date changed")


def _group(found: intake.GroupRecord) -> Group:
    return Group.model_validate(
        {**{name: getattr(found, name) for name in Group.model_fields if name != "seats_left"},
         "seats_left": found.seats_left}
    )  # fmt: skip


@groups_router.get("", response_model=GroupList, summary="Departure groups with seats used and left")
def departure_groups(request: Request, caller: CallerDep) -> Response:
    items = [_group(g) for g in intake.departure_groups(caller.viewer)]
    return send(request, GroupList(items=items, total=len(items)))


@groups_router.get("/{group_id}", response_model=Group, summary="One departure group, with its ETag")
def departure_group(request: Request, caller: CallerDep, group_id: GroupId) -> Response:
    return send(request, _group(intake.departure_group(caller.viewer, group_id)))


@groups_router.post("", response_model=Group, status_code=201, summary="Create a departure group")
def create_departure_group(request: Request, caller: CallerDep, now: NowDep, body: GroupIn) -> Response:
    created = intake.create_departure_group(caller.viewer, body.model_dump(exclude_none=True), now=now)
    return send(request, _group(created), status=201, headers=NO_STORE)


def _etag(request: Request, group: Group) -> str:
    sent = send(request, group)
    return sent.headers["etag"]


@groups_router.patch(
    "/{group_id}",
    response_model=GroupChanged,
    responses={412: {"model": Problem, "description": "stale If-Match: `current` holds the group now"}},
    summary="Edit a departure group (a new departure date moves its jamaah's deadlines)",
)
def update_departure_group(
    request: Request,
    caller: CallerDep,
    now: NowDep,
    group_id: GroupId,
    body: Annotated[GroupPatch, Body()],
    if_match: IfMatch = None,
) -> Response:
    if if_match is not None:
        current = _group(intake.departure_group(caller.viewer, group_id))
        if if_match.strip().removeprefix("W/") != _etag(request, current).removeprefix("W/"):
            raise ProblemError(
                412,
                "precondition-failed",
                "The group changed since you read it; look at `current` and decide again.",
                current=current.model_dump(mode="json"),
            )
    change = intake.update_departure_group(
        caller.viewer, group_id, body.model_dump(exclude_unset=True), now=now
    )
    group = _group(intake.departure_group(caller.viewer, group_id))
    moved = None if change is None else DepartureChange.model_validate(change)
    return send(request, GroupChanged(group=group, departure_change=moved), headers=NO_STORE)


# --- jamaah ---------------------------------------------------------------------------------------


class JamaahIn(BaseModel):
    """The enrolment form's fields; dates as yyyy-mm-dd."""

    model_config = ConfigDict(extra="forbid")

    departure_group_id: int = Field(ge=1, le=MAX_ID)
    full_name: Text = Field(max_length=200)
    gender: Literal["male", "female"]
    birth_date: date
    nik: Text = Field(max_length=40)
    phone: Text = Field(max_length=40)
    passport_number: Text | None = Field(default=None, max_length=40)
    passport_name: Text | None = Field(default=None, max_length=200)
    passport_issue_date: date | None = None
    passport_expiry: date | None = None
    passport_city: Text | None = Field(default=None, max_length=100)
    title: Text | None = Field(default=None, max_length=40, examples=["TUAN"])
    father_name: Text | None = Field(default=None, max_length=200)
    identity_type: Text | None = Field(default=None, max_length=40, examples=["NIK"])
    birth_place: Text | None = Field(default=None, max_length=100)
    address: Text | None = Field(default=None, max_length=500)
    province: Text | None = Field(default=None, max_length=100)
    regency: Text | None = Field(default=None, max_length=100)
    district: Text | None = Field(default=None, max_length=100)
    village: Text | None = Field(default=None, max_length=100)
    home_phone: Text | None = Field(default=None, max_length=40)
    nationality: Text | None = Field(default=None, max_length=40, examples=["WNI"])
    marital_status: Text | None = Field(default=None, max_length=40)
    education: Text | None = Field(default=None, max_length=40)
    occupation: Text | None = Field(default=None, max_length=40)
    visa_provider: Text | None = Field(default=None, max_length=100)
    visa_number: Text | None = Field(default=None, max_length=64)
    visa_valid_from: date | None = None
    visa_valid_until: date | None = None
    insurance_provider: Text | None = Field(default=None, max_length=100)
    insurance_policy_number: Text | None = Field(default=None, max_length=64)
    insurance_input_date: date | None = None
    insurance_start_date: date | None = None
    insurance_end_date: date | None = None
    bpjs_number: Text | None = Field(default=None, max_length=40)
    agent_name: Text | None = Field(default=None, max_length=200)
    notes: Text | None = Field(default=None, max_length=2000)


class JamaahPatch(BaseModel):
    """Any of the enrolment fields but the group; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    full_name: Text | None = Field(default=None, max_length=200)
    gender: Literal["male", "female"] | None = None
    birth_date: date | None = None
    nik: Text | None = Field(default=None, max_length=40)
    phone: Text | None = Field(default=None, max_length=40)
    passport_number: Text | None = Field(default=None, max_length=40)
    passport_name: Text | None = Field(default=None, max_length=200)
    passport_issue_date: date | None = None
    passport_expiry: date | None = None
    passport_city: Text | None = Field(default=None, max_length=100)
    title: Text | None = Field(default=None, max_length=40)
    father_name: Text | None = Field(default=None, max_length=200)
    identity_type: Text | None = Field(default=None, max_length=40)
    birth_place: Text | None = Field(default=None, max_length=100)
    address: Text | None = Field(default=None, max_length=500)
    province: Text | None = Field(default=None, max_length=100)
    regency: Text | None = Field(default=None, max_length=100)
    district: Text | None = Field(default=None, max_length=100)
    village: Text | None = Field(default=None, max_length=100)
    home_phone: Text | None = Field(default=None, max_length=40)
    nationality: Text | None = Field(default=None, max_length=40)
    marital_status: Text | None = Field(default=None, max_length=40)
    education: Text | None = Field(default=None, max_length=40)
    occupation: Text | None = Field(default=None, max_length=40)
    visa_provider: Text | None = Field(default=None, max_length=100)
    visa_number: Text | None = Field(default=None, max_length=64)
    visa_valid_from: date | None = None
    visa_valid_until: date | None = None
    insurance_provider: Text | None = Field(default=None, max_length=100)
    insurance_policy_number: Text | None = Field(default=None, max_length=64)
    insurance_input_date: date | None = None
    insurance_start_date: date | None = None
    insurance_end_date: date | None = None
    bpjs_number: Text | None = Field(default=None, max_length=40)
    agent_name: Text | None = Field(default=None, max_length=200)
    notes: Text | None = Field(default=None, max_length=2000)


class Warning_(BaseModel):
    field: str
    message: str


class Enrolled(BaseModel):
    id: int
    task_id: int | None = Field(description="the first stage's task")
    warnings: list[Warning_]


class Updated(BaseModel):
    id: int
    changed: list[str] = Field(description="the fields whose value changed (none: nothing was written)")
    warnings: list[Warning_]


_CORE_NAMES = {api: core for core, api in API_NAMES.items()}


def _core_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {_CORE_NAMES.get(name, name): value for name, value in body.items()}
    if fields.get("gender") is not None:
        fields["gender"] = _GENDER[fields["gender"]]
    return fields


def _api_name(name: str) -> str:
    return API_NAMES.get(name, name)


def _warnings(found: tuple[RuleProblem, ...]) -> list[Warning_]:
    return [Warning_(field=_api_name(p.field), message=p.message) for p in found]


def _rejected(error: InvalidInput) -> ProblemError:
    """Every problem, named as the request names the field (`passport_expiry`, `departure_group_id`)."""
    found = getattr(error, "problems", None) or (RuleProblem(error.field, "invalid", error.message),)
    errors = [{"field": _api_name(p.field), "in": "body", "message": p.message} for p in found]
    names = ", ".join(e["field"] for e in errors)
    return ProblemError(422, "validation", f"Some values are not valid: {names}.", errors=errors)


def _duplicate(error: Conflict) -> ProblemError:
    holder = error.current
    current = None if holder is None else {"id": holder.id, "href": f"/api/v1/jamaah/{holder.id}"}
    return ProblemError(409, "conflict", str(error), current=current)


@jamaah_router.post(
    "",
    response_model=Enrolled,
    status_code=201,
    responses={409: {"model": Problem, "description": "duplicate NIK: `current` links to the jamaah"}},
    summary="Enrol one jamaah into a departure group",
)
def enrol(request: Request, caller: CallerDep, now: NowDep, body: JamaahIn) -> Response:
    fields = _core_fields(body.model_dump(exclude_none=True))
    package_id = fields.pop("package_id")
    try:
        enrolled = intake.enrol_jamaah(caller.viewer, fields, package_id, now=now)
    except InvalidInput as error:
        raise _rejected(error) from None
    except Conflict as error:
        raise _duplicate(error) from None
    answer = Enrolled(
        id=enrolled.jamaah.id,
        task_id=enrolled.task.id if enrolled.task else None,
        warnings=_warnings(enrolled.warnings),
    )
    headers = {**NO_STORE, "Location": f"/api/v1/jamaah/{enrolled.jamaah.id}"}
    return send(request, answer, status=201, headers=headers)


@jamaah_router.patch("/{jamaah_id}", response_model=Updated, summary="Change some of a jamaah's data")
def edit(
    request: Request, caller: CallerDep, now: NowDep, jamaah_id: JamaahId, body: JamaahPatch
) -> Response:
    fields = _core_fields(body.model_dump(exclude_unset=True))
    try:
        result = intake.update_jamaah_data(caller.viewer, jamaah_id, fields, now=now)
    except InvalidInput as error:
        raise _rejected(error) from None
    except Conflict as error:
        raise _duplicate(error) from None
    answer = Updated(
        id=jamaah_id, changed=[_api_name(n) for n in result.changed], warnings=_warnings(result.warnings)
    )
    return send(request, answer, headers=NO_STORE)
