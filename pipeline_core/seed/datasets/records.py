"""The rows of a dataset before they reach the database, and what a plan says about one jamaah.

Rows refer to each other by list index (jamaah, package, staff, work); the loader turns indexes into
database ids. Plain tuples and frozen dataclasses: two datasets built from the same seed and `now`
compare equal, which is how the tests pin determinism.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from pipeline_core.domain.model import Role, Stage, WorkStatus


class Staff(NamedTuple):
    username: str
    full_name: str
    role: Role
    email: str


class PackageRow(NamedTuple):
    code: str
    name: str
    departure_date: date
    return_date: date
    airline: str
    quota: int
    price_idr: int


class Identity(NamedTuple):
    full_name: str
    gender: str
    birth_date: date
    nik: str
    phone: str
    passport_number: str | None
    passport_issue_date: date | None
    passport_expiry_date: date | None
    companion: int | None  # index of another jamaah
    agent_name: str | None
    notes: str | None


class JamaahRow(NamedTuple):
    full_name: str
    gender: str
    birth_date: date
    nik: str
    phone: str
    passport_number: str | None
    passport_issue_date: date | None
    passport_expiry_date: date | None
    package: int
    companion: int | None
    agent_name: str | None
    notes: str | None
    registered_at: datetime


class WorkRow(NamedTuple):
    """A stage instance and its task (one task per instance, so they share a row here)."""

    jamaah: int
    stage: int  # index into GeneratedDataset.stages
    status: str
    started_at: datetime
    due_at: datetime
    completed_at: datetime | None
    assignee: int | None  # index into staff
    block_reason: str | None
    title: str
    priority: str
    updated_at: datetime


class SnapshotRow(NamedTuple):
    jamaah: int
    current: int | None  # index into work; None when every active stage is completed
    projected_finish_at: datetime | None
    completed_stages: int
    active_stages: int
    completed_at: datetime | None


class ActivityRow(NamedTuple):
    jamaah: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    work: int | None
    changes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JourneyPlan:
    """Where one jamaah stands at load time."""

    package: int
    current: int | None  # index into the active stages; None = all completed
    status: WorkStatus | None = None  # of the open instance
    started_at: datetime | None = None  # of the open instance
    block_reason: str | None = None
    finished_at: datetime | None = None  # completed jamaah: when the last stage was completed


@dataclass(frozen=True, slots=True)
class GeneratedDataset:
    name: str
    now: datetime
    timezone: str
    buffer_days: int
    stages: tuple[Stage, ...]  # the active stages, in order
    staff: list[Staff]
    packages: list[PackageRow]
    jamaah: list[JamaahRow]
    work: list[WorkRow]
    snapshot: list[SnapshotRow]
    activity: list[ActivityRow]

    def departure_date(self, jamaah: int) -> date:
        return self.packages[self.jamaah[jamaah].package].departure_date


def active_stages(stages: Sequence[Stage]) -> tuple[Stage, ...]:
    return tuple(sorted((s for s in stages if s.is_active), key=lambda s: s.position))
