"""The request and answer models of the pipeline editor's API (api/v1/pipeline_editor.py): their
fields, limits and examples are what /api/v1/openapi.json and /api/docs show."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.v1.text import Text
from pipeline_core.domain import pipeline as design
from pipeline_core.domain.model import StageCategory

MAX_INT = 2**31 - 1

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
AdminRole = Literal["document-admin", "siskopatuh-admin", "visa-admin", "logistics-admin", "travel-admin"]

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
