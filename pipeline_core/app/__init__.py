"""The one interface of the core: what the pages, the HTTP routes and the command line call.

Every function takes the `Viewer` (a signed-in person and their workspace) and checks the
permission it needs; reads are cached where the dashboard needs them, each action is one
transaction with its events published after the commit. Pages and routes import this package and
`pipeline_core.domain` only (the import contract in `.importlinter`); the modules here are:

    viewer      who is looking (`Viewer`, `system_viewer`)
    dashboard   the cached reads: health, stage cards, bottlenecks, departures, task queue, jamaah
    actions     the task actions and the jamaah lists
    activity    the activity log
    user_admin  staff accounts (super-admin)
    pipeline    the pipeline editor: versions, drafts, preview, publish, migrate, roll back
    sessions    sign-in, sign-out, the current user, the demo accounts
    live        change events for the live push
    api_access  the HTTP API's callers: personal API tokens, rate limits, idempotency keys
    runtime     start-up, shutdown, readiness, settings
    metrics     what /metrics serves and what pages and routes record
    system      the System page's figures and alerts, the alert notifier
"""

from __future__ import annotations

from pipeline_core.app.actions import (
    JamaahLine,
    JamaahPage,
    StaffMember,
    StageBreakdown,
    active_users,
    block_task,
    complete_task,
    find_jamaah,
    not_ready_jamaah,
    reveal_identity,
    stage_breakdown,
    stuck_jamaah,
    unblock_task,
    update_task,
)
from pipeline_core.app.activity import (
    ActivityEntry,
    ActivityFilters,
    ActivityKey,
    ActivityPage,
    activity_filters,
    activity_page,
)
from pipeline_core.app.api_access import (
    ApiTokenInfo,
    IssuedToken,
    TokenHolder,
    create_token,
    revoke_token,
    token_holder,
    tokens_of,
    viewer_of,
)
from pipeline_core.app.dashboard import (
    WorkspaceChoice,
    bottlenecks,
    check_search,
    jamaah_detail,
    pipeline_health,
    stage_stats,
    stuck_history,
    task,
    task_queue_page,
    upcoming_departures,
    workspace,
    workspace_choices,
)
from pipeline_core.app.pipeline import (
    Draft,
    GroupLine,
    MigrationBatch,
    MigrationProgress,
    PreviewStage,
    PublishConflict,
    PublishedVersion,
    StagePreview,
    VersionLine,
    compare_versions,
    discard_pipeline_draft,
    export_pipeline_version,
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
from pipeline_core.app.system import Alert, SystemStatus, system_status
from pipeline_core.app.user_admin import (
    SignInAttempt,
    change_role,
    create_user,
    deactivate_user,
    reset_password,
    sign_in_attempts,
    users,
)
from pipeline_core.app.viewer import Viewer, system_viewer
from pipeline_core.commands.accounts import PASSWORD_MIN, UserAccount
from pipeline_core.commands.privacy import RevealedIdentity
from pipeline_core.commands.tasks import TaskCompletion
from pipeline_core.reads.jamaah_detail import ActivityLine, JamaahDetail, TaskLine, TimelineStage
from pipeline_core.reads.queries import (
    Bottleneck,
    DepartureGroup,
    DeparturePage,
    PipelineHealth,
    StageStats,
    StuckDay,
)
from pipeline_core.reads.task_queue import ColumnCounts, QueueKey, TaskCard, TaskPage
from pipeline_core.store.repository import Task

__all__ = [
    "PASSWORD_MIN",
    "ActivityEntry",
    "ActivityFilters",
    "ActivityKey",
    "ActivityLine",
    "ActivityPage",
    "Alert",
    "ApiTokenInfo",
    "Bottleneck",
    "ColumnCounts",
    "DepartureGroup",
    "DeparturePage",
    "Draft",
    "GroupLine",
    "IssuedToken",
    "JamaahDetail",
    "JamaahLine",
    "JamaahPage",
    "MigrationBatch",
    "MigrationProgress",
    "PipelineHealth",
    "PreviewStage",
    "PublishConflict",
    "PublishedVersion",
    "QueueKey",
    "RevealedIdentity",
    "SignInAttempt",
    "StaffMember",
    "StageBreakdown",
    "StagePreview",
    "StageStats",
    "StuckDay",
    "SystemStatus",
    "Task",
    "TaskCard",
    "TaskCompletion",
    "TaskLine",
    "TaskPage",
    "TimelineStage",
    "TokenHolder",
    "UserAccount",
    "VersionLine",
    "Viewer",
    "WorkspaceChoice",
    "active_users",
    "activity_filters",
    "activity_page",
    "block_task",
    "bottlenecks",
    "change_role",
    "check_search",
    "compare_versions",
    "complete_task",
    "create_token",
    "create_user",
    "deactivate_user",
    "discard_pipeline_draft",
    "export_pipeline_version",
    "find_jamaah",
    "import_pipeline_draft",
    "jamaah_detail",
    "migrate_pipeline",
    "migration_groups",
    "not_ready_jamaah",
    "open_pipeline_drafts",
    "pipeline_draft",
    "pipeline_health",
    "pipeline_migration",
    "pipeline_templates",
    "pipeline_version_stages",
    "pipeline_versions",
    "preview_pipeline",
    "publish_pipeline_draft",
    "reset_password",
    "reveal_identity",
    "revoke_token",
    "roll_back_pipeline",
    "run_pipeline_migration",
    "save_pipeline_draft",
    "sign_in_attempts",
    "stage_breakdown",
    "stage_stats",
    "start_pipeline_draft",
    "start_pipeline_migration",
    "stuck_history",
    "stuck_jamaah",
    "system_status",
    "system_viewer",
    "task",
    "task_queue_page",
    "token_holder",
    "tokens_of",
    "unblock_task",
    "upcoming_departures",
    "update_task",
    "users",
    "viewer_of",
    "workspace",
    "workspace_choices",
]
