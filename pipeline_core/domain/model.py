"""The words of the domain (../shared/DOMAIN.md) as enums and frozen dataclasses.

Everything here is plain data: no I/O, no SQLAlchemy. The rules (`rules.py`), the tables
(`tables.py`) and the read side all speak these types. Enum values are the strings stored in the
database and shown in URLs, so they never change once released.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Role(enum.StrEnum):
    MANAGER = "manager"
    DOCUMENT_ADMIN = "document-admin"
    SISKOPATUH_ADMIN = "siskopatuh-admin"
    VISA_ADMIN = "visa-admin"
    LOGISTICS_ADMIN = "logistics-admin"
    TRAVEL_ADMIN = "travel-admin"
    SUPER_ADMIN = "super-admin"


#: Roles that own stages and tasks (a manager and a super-admin own none).
ADMIN_ROLES: tuple[Role, ...] = (
    Role.DOCUMENT_ADMIN,
    Role.SISKOPATUH_ADMIN,
    Role.VISA_ADMIN,
    Role.LOGISTICS_ADMIN,
    Role.TRAVEL_ADMIN,
)


class StageCategory(enum.StrEnum):
    DOCUMENT = "document"
    GOVERNMENT = "government"
    TRAVEL = "travel"
    LOGISTICS = "logistics"
    CUSTOM = "custom"


class WorkStatus(enum.StrEnum):
    """Status of a stage instance and of a task (the same four words in DOMAIN.md)."""

    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BLOCKED = "blocked"


class Priority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Sort key inside a kanban column: urgent first."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class JamaahStatus(enum.StrEnum):
    """Computed status of a jamaah; never stored (DOMAIN.md, "Status of a jamaah")."""

    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OVERDUE = "overdue"
    COMPLETED = "completed"


class KanbanColumn(enum.StrEnum):
    BLOCKED = "blocked"
    URGENT = "urgent"
    TODAY = "today"
    UPCOMING = "upcoming"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    MODERATE = "moderate"
    LOW = "low"


class View(enum.StrEnum):
    """A dashboard view a change can touch: a page reruns, and the cache recomputes, only these."""

    QUEUE = "queue"
    STAGES = "stages"
    HEALTH = "health"
    BOTTLENECKS = "bottlenecks"
    DEPARTURES = "departures"


class EventKind(enum.StrEnum):
    """A committed change to a jamaah's work: the activity-log action and the live event's `type`."""

    JAMAAH_ENROLLED = "jamaah.enrolled"
    JAMAAH_IMPORTED = "jamaah.imported"
    TASK_COMPLETED = "task.completed"
    TASK_BLOCKED = "task.blocked"
    TASK_UNBLOCKED = "task.unblocked"
    TASK_UPDATED = "task.updated"
    TASK_REASSIGNED = "task.reassigned"
    PIPELINE_PUBLISHED = "pipeline.published"
    PIPELINE_MIGRATED = "pipeline.migrated"
    JAMAAH_UPDATED = "jamaah.updated"
    GROUP_CHANGED = "group.changed"


class Gender(enum.StrEnum):
    MALE = "L"  # laki-laki
    FEMALE = "P"  # perempuan


class WorkspaceKind(enum.StrEnum):
    AGENCY = "agency"
    DEMO = "demo"
    SCALE = "scale"


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a pipeline version."""

    code: str
    name_id: str
    name_en: str
    category: StageCategory
    sla_hours: int
    responsible_role: Role
    position: int
    done_by_days: int | None = None  # due at the latest H - done_by_days
    is_active: bool = True
    id: int | None = None


@dataclass(frozen=True, slots=True)
class PipelineTemplate:
    code: str
    name: str
    description: str
    stages: tuple[Stage, ...]


@dataclass(frozen=True, slots=True)
class Workspace:
    id: int
    slug: str
    name: str
    kind: WorkspaceKind
    timezone: str
    at_risk_buffer_days: int
    min_stuck: int


@dataclass(frozen=True, slots=True)
class Jamaah:
    id: int
    full_name: str
    gender: Gender
    birth_date: date
    nik: str
    phone: str
    passport_number: str | None
    passport_issue_date: date | None
    passport_expiry_date: date | None
    package_id: int
    departure_date: date
    registered_at: datetime
    agent_name: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the name goes into the activity log and the events, the role decides permission."""

    user_id: int | None
    name: str
    role: Role
