"""Editing the pipeline: drafts, publishing a version, rolling back. One transaction each.

    start_draft      from the published head, a shipped template or an older version
    import_draft     from a JSON document (a pipeline another agency exported)
    save_draft       the edited stage rows and note (guarded by the draft's revision)
    discard_draft    forget an unpublished draft
    publish_draft    the draft becomes version head + 1 (guarded by the expected head)
    roll_back        an older version's stages become version head + 1 (nothing is deleted)

Moving jamaah between versions is `pipeline_migration.py`.

Choices where the issue is silent:
- A draft may be saved with errors (it is work in progress); the problems travel with it, and
  publishing refuses while any error is left. Warnings never stop anything.
- An imported document is refused only when it is not a pipeline at all (not JSON, no stages);
  errors in its stages become the new draft's problems, to be fixed in the editor.
- The head guard: a publish names the head version its author saw. If another version was
  published since, the publish is a `Conflict` whose `current` is a `PublishConflict` (what the
  other person published and what it changed) and the draft stays as it was.
- A stage of the head may be removed in a draft only while no jamaah is in it (on any version,
  matched by code): until they move on, disable it instead. A roll back is not held to that:
  nobody changes version until a migration, which maps them.
- Versions are immutable and never deleted; a roll back is a new version with the stages of the
  old one (source "rollback", `based_on_no` = the old number).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.commands.tasks import announce, one_transaction
from pipeline_core.domain import permissions
from pipeline_core.domain import pipeline as design
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict, InvalidInput
from pipeline_core.domain.model import ADMIN_ROLES, Actor, Stage, Workspace
from pipeline_core.domain.permissions import Action
from pipeline_core.domain.validation import text_field
from pipeline_core.store import events, pipelines
from pipeline_core.store import repository as repo
from pipeline_core.store.pipelines import DraftRow, VersionRow
from pipeline_core.store.workspaces import load_template

__all__ = [
    "Draft",
    "PublishConflict",
    "PublishedVersion",
    "discard_draft",
    "import_draft",
    "publish_draft",
    "roll_back",
    "save_draft",
    "start_draft",
]

NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft with its stages parsed and checked."""

    id: int
    author: str
    base_version_no: int | None
    source: str
    rows: list[dict[str, Any]]
    note: str | None
    revision: int
    published_no: int | None
    updated_at: datetime
    stages: tuple[Stage, ...]
    problems: list[design.Problem]

    @property
    def errors(self) -> list[design.Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[design.Problem]:
        return [p for p in self.problems if p.warning]


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    version_no: int
    created_by: str
    created_at: datetime
    note: str | None
    source: str


@dataclass(frozen=True, slots=True)
class PublishConflict:
    """What another person published since the draft's author last saw the head."""

    head: PublishedVersion
    changes: list[design.StageChange]  # the head against the version the draft began from


def as_draft(row: DraftRow) -> Draft:
    stages, problems = design.parse_stages(row.stages)
    return Draft(
        id=row.id,
        author=row.author,
        base_version_no=row.base_version_no,
        source=row.source,
        rows=row.stages,
        note=row.note,
        revision=row.revision,
        published_no=row.published_no,
        updated_at=row.updated_at,
        stages=stages,
        problems=problems,
    )


def _published(row: VersionRow) -> PublishedVersion:
    return PublishedVersion(row.version_no, row.created_by, row.created_at, row.note, row.source or "")


# --- drafts -------------------------------------------------------------------------------------


def start_draft(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    start: str = "head",
    now: datetime | None = None,
) -> Draft:
    """A new draft: `start` is "head", "template:<code>" or "version:<number>"."""
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        current = pipelines.head(session, workspace.id)
        stages = _starting_stages(session, workspace, start, current)
        row = pipelines.insert_draft(
            session,
            workspace_id=workspace.id,
            author=actor.name,
            author_user_id=actor.user_id,
            base_version_no=current.version_no,
            source=start,
            stages=[design.stage_values(s) for s in stages],
            note=None,
            now=now,
        )
        _log(session, workspace, actor, "pipeline.draft_started", row.id, {"source": start}, now)
        session.commit()
    return as_draft(row)


def _starting_stages(
    session: Session, workspace: Workspace, start: str, current: VersionRow
) -> Sequence[Stage]:
    kind, _, name = start.partition(":")
    if kind == "head":
        return pipelines.stages_of(session, workspace.id, current)
    if kind == "template" and name:
        return load_template(name).stages
    if kind == "version" and name.isdigit():
        return pipelines.stages_of(
            session, workspace.id, pipelines.version_by_no(session, workspace.id, int(name))
        )
    raise InvalidInput("start", f"Start from 'head', 'template:<code>' or 'version:<number>', not {start!r}.")


def import_draft(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    document: str | bytes,
    now: datetime | None = None,
) -> Draft:
    """A new draft from an exported JSON document; its stages are checked like any draft's."""
    now = instant(now)
    rows = design.read_document(document)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        row = pipelines.insert_draft(
            session,
            workspace_id=workspace.id,
            author=actor.name,
            author_user_id=actor.user_id,
            base_version_no=pipelines.head(session, workspace.id).version_no,
            source="import",
            stages=_json_rows(rows),
            note=None,
            now=now,
        )
        _log(session, workspace, actor, "pipeline.draft_started", row.id, {"source": "import"}, now)
        session.commit()
    return as_draft(row)


def save_draft(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    draft_id: int,
    revision: int,
    rows: Sequence[Mapping[str, Any]],
    note: str | None = None,
    now: datetime | None = None,
) -> Draft:
    """Replace the draft's stage rows and note; `revision` is the one the editor showed."""
    now = instant(now)
    cleaned_note = text_field("note", note, NOTE_MAX)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        draft = _open_draft(session, workspace, draft_id, revision)
        saved = pipelines.save_draft(
            session, workspace.id, draft, now=now, stages=_json_rows(rows), note=cleaned_note
        )
        session.commit()
    return as_draft(saved)


def discard_draft(
    *, session: Session, workspace: Workspace, actor: Actor, draft_id: int, now: datetime | None = None
) -> None:
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        draft = pipelines.find_draft(session, workspace.id, draft_id, for_update=True)
        session.execute(
            text(
                "DELETE FROM pipeline_drafts WHERE workspace_id = :ws AND id = :id AND published_no IS NULL"
            ),
            {"ws": workspace.id, "id": draft.id},
        )
        _log(session, workspace, actor, "pipeline.draft_discarded", draft.id, {}, now)
        session.commit()


def _open_draft(session: Session, workspace: Workspace, draft_id: int, revision: int | None) -> DraftRow:
    draft = pipelines.find_draft(session, workspace.id, draft_id, for_update=True)
    if draft.published_no is not None:
        raise Conflict(f"Draft {draft_id} was already published as version {draft.published_no}.")
    if revision is not None and draft.revision != revision:
        raise Conflict(
            f"Draft {draft_id} was saved by {draft.author} meanwhile (revision {draft.revision}, "
            f"you had {revision}). Reload it.",
            current=as_draft(draft),
        )
    return draft


def _json_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The editor's rows as JSON values (a NaN from an empty table cell becomes null)."""
    fields = (
        "code",
        "name_id",
        "name_en",
        "category",
        "sla_hours",
        "responsible_role",
        "done_by_days",
        "is_active",
    )
    cleaned = []
    for row in rows:
        values = {}
        for name in fields:
            value = row.get(name)
            if isinstance(value, float) and (value != value or value.is_integer()):
                value = None if value != value else int(value)
            elif value is not None and not isinstance(value, str | int | bool):
                value = str(value)
            values[name] = value
        cleaned.append(values)
    return cleaned


# --- publishing and rolling back ----------------------------------------------------------------


def publish_draft(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    draft_id: int,
    expected_head: int,
    note: str | None = None,
    now: datetime | None = None,
) -> PublishedVersion:
    """The draft becomes the newest version, if the head is still `expected_head` and it has no error."""
    now = instant(now)
    cleaned_note = text_field("note", note, NOTE_MAX)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        current = _expect_head(session, workspace, expected_head)
        draft = as_draft(_open_draft(session, workspace, draft_id, None))
        if draft.errors:
            first = draft.errors[0]
            where = f"stage {first.row + 1}, {first.field}" if first.row is not None else first.field
            raise InvalidInput(
                "stages", f"{len(draft.errors)} problem(s) left, first: {where}: {first.message}"
            )
        _refuse_occupied_removals(
            session, workspace, pipelines.stages_of(session, workspace.id, current), draft
        )
        version = _write_version(
            session,
            workspace,
            actor,
            draft.stages,
            version_no=current.version_no + 1,
            note=cleaned_note or draft.note,
            source="draft",
            based_on_no=draft.base_version_no,
            now=now,
        )
        session.execute(
            text("UPDATE pipeline_drafts SET published_no = :no, updated_at = :now WHERE id = :id"),
            {"no": version.version_no, "now": now, "id": draft.id},
        )
        session.commit()
    _announce(workspace, actor, version, now)
    return version


def roll_back(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    version_no: int,
    expected_head: int,
    note: str | None = None,
    now: datetime | None = None,
) -> PublishedVersion:
    """Publish the stages of version `version_no` again, as the newest version."""
    now = instant(now)
    cleaned_note = text_field("note", note, NOTE_MAX)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, Action.MANAGE_PIPELINE)
        current = _expect_head(session, workspace, expected_head)
        old = pipelines.version_by_no(session, workspace.id, version_no)
        if old.version_no == current.version_no:
            raise InvalidInput("version_no", f"Version {version_no} is already the published one.")
        version = _write_version(
            session,
            workspace,
            actor,
            pipelines.stages_of(session, workspace.id, old),
            version_no=current.version_no + 1,
            note=cleaned_note or f"Kembali ke versi {version_no}",
            source="rollback",
            based_on_no=version_no,
            now=now,
        )
        session.commit()
    _announce(workspace, actor, version, now)
    return version


def _expect_head(session: Session, workspace: Workspace, expected: int) -> VersionRow:
    current = pipelines.lock_head(session, workspace.id)
    if current.version_no != expected:
        base = pipelines.version_by_no(session, workspace.id, min(expected, current.version_no))
        changes = design.compare(
            pipelines.stages_of(session, workspace.id, base),
            pipelines.stages_of(session, workspace.id, current),
        )
        raise Conflict(
            f"{current.created_by} published version {current.version_no} meanwhile "
            f"(you were editing on version {expected}). Your draft is kept: compare, then publish again.",
            current=PublishConflict(_published(current), [c for c in changes if c.kind != "same"]),
        )
    return current


def _refuse_occupied_removals(
    session: Session, workspace: Workspace, head: Sequence[Stage], draft: Draft
) -> None:
    removed = sorted({s.code for s in head} - {s.code for s in draft.stages})
    if not removed:
        return
    rows = session.execute(
        text(
            """
            SELECT ps.code, count(*) AS n FROM jamaah_pipeline_status s
            JOIN pipeline_stages ps ON ps.id = s.current_stage_id
            WHERE s.workspace_id = :ws AND NOT s.is_completed AND ps.code = ANY(:codes)
            GROUP BY ps.code ORDER BY ps.code
            """
        ),
        {"ws": workspace.id, "codes": removed},
    ).all()
    if rows:
        held = ", ".join(f"{code} ({n} jamaah)" for code, n in rows)
        raise InvalidInput(
            "stages",
            f"Stages with jamaah in them cannot be removed: {held}. Disable them instead (no new "
            "jamaah enter a disabled stage), or migrate the jamaah first.",
        )


def _write_version(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    stages: Sequence[Stage],
    *,
    version_no: int,
    note: str | None,
    source: str,
    based_on_no: int | None,
    now: datetime,
) -> PublishedVersion:
    template = pipelines.head(session, workspace.id).template_code
    pipelines.insert_version(
        session,
        workspace_id=workspace.id,
        stages=stages,
        version_no=version_no,
        template_code=template,
        note=note,
        created_by=actor.name,
        source=source,
        based_on_no=based_on_no,
        now=now,
    )
    changes = {
        "version_no": {"old": version_no - 1, "new": version_no},
        "source": {"old": None, "new": source},
    }
    _log(session, workspace, actor, events.PipelinePublished.type, version_no, changes, now)
    return PublishedVersion(version_no, actor.name, now, note, source)


def _log(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    action: str,
    entity_id: int,
    changes: Any,
    now: datetime,
) -> None:
    plain = {k: v if isinstance(v, dict) else {"old": None, "new": v} for k, v in changes.items()}
    repo.log_activity(
        session,
        workspace_id=workspace.id,
        actor=actor.name,
        action=action,
        entity_type="pipeline",
        entity_id=entity_id,
        jamaah_id=None,
        changes=plain,
        now=now,
    )


def _announce(workspace: Workspace, actor: Actor, version: PublishedVersion, now: datetime) -> None:
    """Stage names, SLAs and roles shown on every page may have changed: all views, all roles."""
    announce(
        [
            events.PipelinePublished(
                workspace_id=workspace.id,
                jamaah_id=None,
                task_id=None,
                actor=actor.name,
                actor_id=actor.user_id,
                roles=events.affected_roles(*ADMIN_ROLES),
                occurred_at=now,
                views=events.ALL_VIEWS,
                version_no=version.version_no,
            )
        ]
    )
