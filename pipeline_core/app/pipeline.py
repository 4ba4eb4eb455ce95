"""The Pipeline page's interface (issue 17): read the versions, edit drafts, preview, publish,
migrate, roll back. Every role reads (`view_overview`); editing needs `manage_pipeline` (managers
and super-admins), checked again by each command. One transaction per action.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import pipeline as editor
from pipeline_core.commands import pipeline_migration as migration
from pipeline_core.commands.pipeline import Draft, PublishConflict, PublishedVersion
from pipeline_core.commands.pipeline_migration import MigrationBatch, MigrationProgress, OnBatch
from pipeline_core.domain import pipeline as design
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import Stage
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import pipeline as reads
from pipeline_core.reads.pipeline import GroupLine, PreviewStage, StagePreview, VersionLine
from pipeline_core.store import db, pipelines
from pipeline_core.store.workspaces import template_codes

__all__ = [
    "Draft",
    "GroupLine",
    "MigrationBatch",
    "MigrationProgress",
    "PreviewStage",
    "PublishConflict",
    "PublishedVersion",
    "StagePreview",
    "VersionLine",
    "compare_versions",
    "discard_pipeline_draft",
    "export_pipeline_version",
    "import_pipeline_draft",
    "migrate_pipeline",
    "migration_groups",
    "open_pipeline_drafts",
    "pipeline_draft",
    "pipeline_migration",
    "pipeline_templates",
    "pipeline_version_stages",
    "pipeline_versions",
    "preview_pipeline",
    "publish_pipeline_draft",
    "roll_back_pipeline",
    "run_pipeline_migration",
    "save_pipeline_draft",
    "start_pipeline_draft",
    "start_pipeline_migration",
]


# --- reads --------------------------------------------------------------------------------------


def pipeline_versions(viewer: Viewer) -> list[VersionLine]:
    """Every version, newest first (the head first)."""
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return reads.versions(session, workspace)


def pipeline_version_stages(viewer: Viewer, version_no: int) -> tuple[Stage, ...]:
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return reads.version_stages(session, workspace, version_no)


def compare_versions(viewer: Viewer, old_no: int, new_no: int) -> list[design.StageChange]:
    """What changed per stage from version `old_no` to `new_no`."""
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        old = reads.version_stages(session, workspace, old_no)
        new = reads.version_stages(session, workspace, new_no)
    return design.compare(old, new)


def export_pipeline_version(viewer: Viewer, version_no: int) -> str:
    """The version as JSON (the form of data/templates/), to share with another agency."""
    stages = pipeline_version_stages(viewer, version_no)
    slug = viewer.workspace.slug
    document = design.to_document(
        stages, code=f"{slug}-v{version_no}", name=f"{viewer.workspace.name} v{version_no}"
    )
    return json.dumps(document, ensure_ascii=False, indent=2)


def pipeline_templates() -> list[str]:
    return template_codes()


def open_pipeline_drafts(viewer: Viewer) -> list[Draft]:
    """Unpublished drafts, newest first."""
    workspace = viewer.scope(Action.MANAGE_PIPELINE)
    with db.read_session() as session:
        ids = pipelines.open_draft_ids(session, workspace.id)
        return [editor.as_draft(pipelines.find_draft(session, workspace.id, i)) for i in ids]


def pipeline_draft(viewer: Viewer, draft_id: int) -> Draft:
    """One draft of the workspace (open or already published); `NotFound` in another workspace."""
    workspace = viewer.scope(Action.MANAGE_PIPELINE)
    with db.read_session() as session:
        return editor.as_draft(pipelines.find_draft(session, workspace.id, draft_id))


def pipeline_migration(viewer: Viewer, migration_id: int) -> MigrationProgress:
    """A migration's progress and result (`pipeline_migrations`); `NotFound` in another workspace."""
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return migration.progress(session, workspace, migration_id)


def preview_pipeline(
    viewer: Viewer,
    rows: Sequence[Mapping[str, Any]],
    *,
    from_version_no: int | None = None,
    package_id: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    now: datetime | None = None,
) -> PreviewStage:
    """What the stages of `rows` would do to the open jamaah (of one version and group) if moved."""
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    stages, _ = design.parse_stages(rows)
    with db.read_session() as session:
        version_id = (
            None
            if from_version_no is None
            else pipelines.version_by_no(session, workspace.id, from_version_no).id
        )
        return reads.preview(
            session,
            workspace,
            stages,
            instant(now),
            from_version_id=version_id,
            package_id=package_id,
            mapping=mapping,
        )


def migration_groups(viewer: Viewer, version_no: int) -> list[GroupLine]:
    workspace = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return reads.groups_on(session, workspace, version_no)


# --- commands -----------------------------------------------------------------------------------


def start_pipeline_draft(viewer: Viewer, start: str = "head", *, now: datetime | None = None) -> Draft:
    with db.transaction() as session:
        return editor.start_draft(
            session=session, workspace=viewer.workspace, actor=viewer.actor, start=start, now=now
        )


def import_pipeline_draft(viewer: Viewer, document: str | bytes, *, now: datetime | None = None) -> Draft:
    with db.transaction() as session:
        return editor.import_draft(
            session=session, workspace=viewer.workspace, actor=viewer.actor, document=document, now=now
        )


def save_pipeline_draft(
    viewer: Viewer,
    draft_id: int,
    revision: int,
    rows: Sequence[Mapping[str, Any]],
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> Draft:
    with db.transaction() as session:
        return editor.save_draft(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            draft_id=draft_id,
            revision=revision,
            rows=rows,
            note=note,
            now=now,
        )


def discard_pipeline_draft(viewer: Viewer, draft_id: int, *, now: datetime | None = None) -> None:
    with db.transaction() as session:
        editor.discard_draft(
            session=session, workspace=viewer.workspace, actor=viewer.actor, draft_id=draft_id, now=now
        )


def publish_pipeline_draft(
    viewer: Viewer, draft_id: int, expected_head: int, note: str | None = None, *, now: datetime | None = None
) -> PublishedVersion:
    with db.transaction() as session:
        return editor.publish_draft(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            draft_id=draft_id,
            expected_head=expected_head,
            note=note,
            now=now,
        )


def roll_back_pipeline(
    viewer: Viewer,
    version_no: int,
    expected_head: int,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> PublishedVersion:
    with db.transaction() as session:
        return editor.roll_back(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            version_no=version_no,
            expected_head=expected_head,
            note=note,
            now=now,
        )


def migrate_pipeline(
    viewer: Viewer,
    from_version_no: int,
    *,
    package_id: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    on_batch: OnBatch | None = None,
    now: datetime | None = None,
) -> MigrationProgress:
    """Move the open jamaah of `from_version_no` (one group, or all) to the newest version;
    `on_batch` hears of each committed batch (a page's progress bar).

    The command commits once per batch itself, so its session is a plain one (no outer `begin`)."""
    with db.read_session() as session:
        return migration.migrate_jamaah(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            from_version_no=from_version_no,
            package_id=package_id,
            mapping=mapping,
            on_batch=on_batch,
            now=now,
        )


def start_pipeline_migration(
    viewer: Viewer,
    from_version_no: int,
    *,
    package_id: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    now: datetime | None = None,
) -> MigrationProgress:
    """Record a migration to the newest version (checked like `migrate_pipeline`); nothing moves
    until `run_pipeline_migration` (the HTTP API's `Prefer: respond-async` runs it in the background)."""
    with db.read_session() as session:
        return migration.start_migration(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            from_version_no=from_version_no,
            package_id=package_id,
            mapping=mapping,
            now=now,
        )


def run_pipeline_migration(
    viewer: Viewer, migration_id: int, *, now: datetime | None = None
) -> MigrationProgress:
    """Move the jamaah of a recorded migration still on its old version, a batch per transaction;
    a second call (after an interruption) continues where the first stopped."""
    with db.read_session() as session:
        return migration.run_migration(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            migration_id=migration_id,
            now=now,
        )
