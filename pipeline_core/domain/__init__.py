"""The domain: the words and rules of the pipeline, pure (no I/O, nothing else of ours imported).

    model        enums and frozen dataclasses: Role, WorkStatus, Priority, JamaahStatus, Stage, …
    rules        status, due dates, kanban columns, priorities, bottleneck severity
    permissions  the role × action matrix (`Action`, `allowed`, `require`)
    validation   input checks with field-named messages
    formatting   how numbers, money, dates and phones read in Indonesia
    privacy      masking of NIK / passport numbers, log redaction
    errors       the product's exception tree
    clock        the one place the wall clock is read

The vocabulary the pages use is re-exported here.
"""

from pipeline_core.domain.errors import (
    Conflict,
    IdentitySearchRefused,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PipelineError,
    ServerUnavailable,
)
from pipeline_core.domain.model import (
    ADMIN_ROLES,
    Actor,
    EventKind,
    Gender,
    JamaahStatus,
    KanbanColumn,
    Priority,
    Role,
    Severity,
    Stage,
    StageCategory,
    View,
    Workspace,
    WorkspaceKind,
    WorkStatus,
)
from pipeline_core.domain.permissions import ROLE_ORDER, Action

__all__ = [
    "ADMIN_ROLES",
    "ROLE_ORDER",
    "Action",
    "Actor",
    "Conflict",
    "EventKind",
    "Gender",
    "IdentitySearchRefused",
    "InvalidInput",
    "JamaahStatus",
    "KanbanColumn",
    "NotFound",
    "PermissionDenied",
    "PipelineError",
    "Priority",
    "Role",
    "ServerUnavailable",
    "Severity",
    "Stage",
    "StageCategory",
    "View",
    "WorkStatus",
    "Workspace",
    "WorkspaceKind",
]
