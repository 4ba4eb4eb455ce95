"""The pipeline editor on a real database: draft → check → publish → migrate → roll back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pipeline_core.commands import pipeline as editor
from pipeline_core.commands.pipeline_migration import (
    MigrationBatch,
    migrate_jamaah,
    run_migration,
    start_migration,
)
from pipeline_core.commands.tasks import complete_task
from pipeline_core.domain.errors import Conflict, InvalidInput, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.domain.pipeline import parse_stages
from pipeline_core.reads.jamaah_detail import jamaah_detail
from pipeline_core.reads.pipeline import preview, versions
from pipeline_core.reads.queries import pipeline_health
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import current_version_id
from tests.builders import MANAGER, NOW, make_jamaah, make_package

OTHER_EDITOR = Actor(user_id=None, name="Budi Super", role=Role.SUPER_ADMIN)
VISA_ADMIN = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)


def start(session: Session, workspace: Workspace, actor: Actor = MANAGER, **kw: Any) -> editor.Draft:
    return editor.start_draft(session=session, workspace=workspace, actor=actor, now=NOW, **kw)


def save(
    session: Session, workspace: Workspace, draft: editor.Draft, rows: list[dict[str, Any]]
) -> editor.Draft:
    return editor.save_draft(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        draft_id=draft.id,
        revision=draft.revision,
        rows=rows,
        now=NOW,
    )


def publish(
    session: Session, workspace: Workspace, draft: editor.Draft, head: int = 1, actor: Actor = MANAGER
) -> editor.PublishedVersion:
    return editor.publish_draft(
        session=session,
        workspace=workspace,
        actor=actor,
        draft_id=draft.id,
        expected_head=head,
        note="uji",
        now=NOW,
    )


def with_sla(draft: editor.Draft, code: str, hours: int) -> list[dict[str, Any]]:
    return [row | {"sla_hours": hours} if row["code"] == code else row for row in draft.rows]


def open_instances(session: Session, jamaah_id: int) -> int:
    return session.execute(
        select(func.count()).where(
            t.StageInstance.jamaah_id == jamaah_id, t.StageInstance.status != "completed"
        )
    ).scalar_one()


def test_a_published_draft_is_the_version_new_jamaah_enrol_on(session: Session, workspace: Workspace) -> None:
    draft = start(session, workspace)
    assert draft.base_version_no == 1 and draft.problems == []
    draft = save(session, workspace, draft, with_sla(draft, "document-collection", 24))
    version = publish(session, workspace, draft)
    assert (version.version_no, version.created_by, version.note, version.source) == (
        2,
        MANAGER.name,
        "uji",
        "draft",
    )
    enrolled = make_jamaah(session, workspace)
    assert enrolled.task is not None
    assert enrolled.task.due_at == NOW + timedelta(hours=24)  # the new SLA
    log = session.execute(
        select(t.ActivityLog.action)
        .where(t.ActivityLog.workspace_id == workspace.id, t.ActivityLog.entity_type == "pipeline")
        .order_by(t.ActivityLog.id)
    ).scalars()
    assert list(log) == ["pipeline.draft_started", "pipeline.published"]


def test_only_managers_and_super_admins_edit(session: Session, workspace: Workspace) -> None:
    session.commit()  # the workspace stays when the refused command rolls back
    with pytest.raises(PermissionDenied):
        start(session, workspace, actor=VISA_ADMIN)
    assert start(session, workspace, actor=OTHER_EDITOR).author == OTHER_EDITOR.name


def test_a_draft_with_errors_is_saved_but_not_published(session: Session, workspace: Workspace) -> None:
    draft = start(session, workspace)
    draft = save(session, workspace, draft, with_sla(draft, "visa-approval", 0))
    assert [(p.row, p.field, p.code) for p in draft.errors] == [(6, "sla_hours", "sla_range")]
    with pytest.raises(InvalidInput, match="stage 7, sla_hours"):
        publish(session, workspace, draft)
    assert (
        current_version_id(session, workspace.id)
        == session.execute(
            select(t.PipelineVersion.id).where(t.PipelineVersion.workspace_id == workspace.id)
        ).scalar_one()
    )


def test_a_stale_draft_save_is_a_conflict(session: Session, workspace: Workspace) -> None:
    draft = start(session, workspace)
    save(session, workspace, draft, draft.rows)
    with pytest.raises(Conflict, match="Reload"):
        save(session, workspace, draft, draft.rows)


def test_the_second_of_two_editors_gets_a_conflict_and_keeps_the_draft(
    session: Session, workspace: Workspace
) -> None:
    first = start(session, workspace)
    second = start(session, workspace, actor=OTHER_EDITOR)
    publish(session, workspace, save(session, workspace, first, with_sla(first, "hotel-booking", 48)))
    second = save(session, workspace, second, with_sla(second, "flight-booking", 96))
    with pytest.raises(Conflict) as refused:
        publish(session, workspace, second, actor=OTHER_EDITOR)
    shown = refused.value.current
    assert isinstance(shown, editor.PublishConflict)
    assert shown.head.version_no == 2 and shown.head.created_by == MANAGER.name
    assert [(c.code, dict(c.fields)) for c in shown.changes] == [("hotel-booking", {"sla_hours": (96, 48)})]
    kept = session.execute(select(t.PipelineDraft.stages).where(t.PipelineDraft.id == second.id)).scalar_one()
    assert kept == second.rows  # nothing of the second draft is lost
    assert publish(session, workspace, second, head=2, actor=OTHER_EDITOR).version_no == 3


def test_a_stage_with_jamaah_in_it_cannot_be_removed(session: Session, workspace: Workspace) -> None:
    make_jamaah(session, workspace)  # in document collection
    draft = start(session, workspace)
    draft = save(session, workspace, draft, draft.rows[1:])
    with pytest.raises(InvalidInput, match=r"document-collection \(1 jamaah\)"):
        publish(session, workspace, draft)
    empty = save(
        session,
        workspace,
        draft,
        [r for r in draft.rows if r["code"] != "departure-ready"],
    )
    assert empty.revision == 3


def test_an_imported_document_with_errors_becomes_a_draft_showing_them(
    session: Session, workspace: Workspace
) -> None:
    document = {
        "stages": [
            {"code": "a", "name_id": "A", "name_en": "A", "sla_hours": 0, "responsible_role": "visa-admin"},
            {"code": "a", "name_id": "B", "name_en": "B", "sla_hours": 5, "responsible_role": "astronaut"},
        ]
    }
    draft = editor.import_draft(
        session=session, workspace=workspace, actor=MANAGER, document=json.dumps(document), now=NOW
    )
    assert [(p.row, p.code) for p in draft.errors] == [
        (0, "sla_range"),
        (1, "code_duplicate"),
        (1, "role_unknown"),
    ]
    with pytest.raises(InvalidInput) as refused:
        editor.import_draft(session=session, workspace=workspace, actor=MANAGER, document="{oops", now=NOW)
    assert refused.value.field == "file"


def test_roll_back_publishes_an_older_version_again(session: Session, workspace: Workspace) -> None:
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, with_sla(draft, "visa-approval", 96)))
    back = editor.roll_back(
        session=session, workspace=workspace, actor=MANAGER, version_no=1, expected_head=2, now=NOW
    )
    assert (back.version_no, back.source) == (3, "rollback")
    slas = session.execute(
        select(t.PipelineVersion.version_no, t.PipelineStage.sla_hours)
        .join(t.PipelineStage, t.PipelineStage.pipeline_version_id == t.PipelineVersion.id)
        .where(t.PipelineVersion.workspace_id == workspace.id, t.PipelineStage.code == "visa-approval")
        .order_by(t.PipelineVersion.version_no)
    ).all()
    assert [tuple(r) for r in slas] == [(1, 120), (2, 96), (3, 120)]  # nothing deleted
    with pytest.raises(Conflict):
        editor.roll_back(
            session=session, workspace=workspace, actor=MANAGER, version_no=1, expected_head=2, now=NOW
        )


# --- migration ------------------------------------------------------------------------------


def test_an_sla_cut_flips_a_migrated_jamaah_from_on_track_to_overdue(
    session: Session, workspace: Workspace
) -> None:
    enrolled = make_jamaah(session, workspace, now=NOW - timedelta(hours=30))  # 30 h into a 72 h stage
    assert enrolled.task is not None
    assert pipeline_health(session, workspace, NOW).on_track == 1
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, with_sla(draft, "document-collection", 24)))
    result = migrate_jamaah(session=session, workspace=workspace, actor=MANAGER, from_version_no=1, now=NOW)
    assert (result.moved, result.remaining, result.completed) == (1, 0, True)
    health = pipeline_health(session, workspace, NOW)
    assert (health.on_track, health.overdue) == (0, 1)
    task = session.execute(
        select(t.PipelineTask.__table__).where(t.PipelineTask.id == enrolled.task.id)
    ).one()
    assert task.status == "pending" and task.due_at == NOW - timedelta(hours=6) and task.version == 2
    assert open_instances(session, enrolled.jamaah.id) == 1
    entry = session.execute(
        select(t.ActivityLog.changes).where(
            t.ActivityLog.jamaah_id == enrolled.jamaah.id, t.ActivityLog.action == "pipeline.migrated"
        )
    ).scalar_one()
    assert entry["pipeline_version"] == {"old": 1, "new": 2}
    # history kept: the old instance is closed by the migration, not rewritten
    closed = session.execute(
        select(t.StageInstance.started_at, t.StageInstance.closed_by_migration_id).where(
            t.StageInstance.jamaah_id == enrolled.jamaah.id, t.StageInstance.status == "completed"
        )
    ).one()
    assert closed.started_at == NOW - timedelta(hours=30) and closed.closed_by_migration_id == result.id


def test_work_goes_on_after_a_migration_that_reorders_visa_before_hotel(
    session: Session, workspace: Workspace
) -> None:
    enrolled = make_jamaah(session, workspace)
    draft = start(session, workspace)
    rows = draft.rows
    rows[4], rows[5] = rows[5], rows[4]
    draft = save(session, workspace, draft, rows)
    assert [p.code for p in draft.warnings] == ["visa_before_hotel"]
    publish(session, workspace, draft)
    migrate_jamaah(session=session, workspace=workspace, actor=MANAGER, from_version_no=1, now=NOW)
    assert enrolled.task is not None
    task_id, version = enrolled.task.id, 2
    codes = []
    for _ in range(6):
        done = complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task_id, version=version, now=NOW
        )
        assert done.next_task is not None
        codes.append(done.next_task.task_type)
        task_id, version = done.next_task.id, done.next_task.version
    assert codes[3:5] == ["visa-application", "hotel-booking"]  # the new order
    assert open_instances(session, enrolled.jamaah.id) == 1


def test_a_mapping_to_another_stage_closes_the_task_and_opens_a_new_one(
    session: Session, workspace: Workspace
) -> None:
    enrolled = make_jamaah(session, workspace)
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, draft.rows))
    told: list[MigrationBatch] = []
    done = migrate_jamaah(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        from_version_no=1,
        mapping={"document-collection": "visa-application"},
        on_batch=told.append,
        now=NOW,
    )
    assert done.moved == 1
    assert [(b.moved, b.tasks_moved, b.tasks_created, b.tasks_closed) for b in told] == [(1, 0, 1, 1)]
    assert enrolled.task is not None
    old = session.execute(
        select(t.PipelineTask.status).where(t.PipelineTask.id == enrolled.task.id)
    ).scalar_one()
    new = session.execute(
        select(t.PipelineTask.task_type, t.PipelineTask.assigned_role).where(
            t.PipelineTask.jamaah_id == enrolled.jamaah.id, t.PipelineTask.status != "completed"
        )
    ).one()
    assert old == "completed" and tuple(new) == ("visa-application", "visa-admin")
    with pytest.raises(InvalidInput, match="mapping"):
        start_migration(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            from_version_no=1,
            mapping={"x": None},
            now=NOW,
        )


def test_an_interrupted_migration_is_retried_and_moves_each_jamaah_once(
    session: Session, workspace: Workspace
) -> None:
    group = make_package(session, workspace, departure_date=date(2027, 3, 1))
    other = make_package(session, workspace, departure_date=date(2027, 4, 1))
    people = [make_jamaah(session, workspace, package_id=group).jamaah.id for _ in range(5)]
    outsider = make_jamaah(session, workspace, package_id=other).jamaah.id
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, with_sla(draft, "document-collection", 48)))
    started = start_migration(
        session=session, workspace=workspace, actor=MANAGER, from_version_no=1, package_id=group, now=NOW
    )
    halfway = run_migration(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        migration_id=started.id,
        batch_size=2,
        max_batches=1,
        now=NOW,
    )
    assert (halfway.moved, halfway.remaining, halfway.completed) == (2, 3, False)
    again = run_migration(
        session=session, workspace=workspace, actor=MANAGER, migration_id=started.id, batch_size=2, now=NOW
    )
    assert (again.moved, again.remaining, again.completed) == (5, 0, True)
    versions = session.execute(
        text(
            "SELECT j.id, v.version_no FROM jamaah j JOIN pipeline_versions v ON v.id = j.pipeline_version_id"
            " WHERE j.workspace_id = :ws"
        ),
        {"ws": workspace.id},
    ).all()
    assert {jid: no for jid, no in versions} == {**dict.fromkeys(people, 2), outsider: 1}
    assert all(open_instances(session, jid) == 1 for jid in [*people, outsider])
    moves = session.execute(
        select(func.count()).where(
            t.ActivityLog.workspace_id == workspace.id, t.ActivityLog.action == "pipeline.migrated"
        )
    ).scalar_one()
    assert moves == 5


def test_a_migration_tells_each_committed_batch_and_moves_the_same_as_without(
    session: Session, workspace: Workspace
) -> None:
    group = make_package(session, workspace, departure_date=date(2027, 3, 1))
    people = [make_jamaah(session, workspace, package_id=group).jamaah.id for _ in range(5)]
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, with_sla(draft, "document-collection", 48)))
    told: list[MigrationBatch] = []

    def heard(batch: MigrationBatch) -> None:
        # told after the commit: the batch's jamaah are on the new version already
        on_new = session.execute(
            select(func.count()).where(
                t.Jamaah.id.in_(people),
                t.Jamaah.pipeline_version_id != current_version_id(session, workspace.id),
            )
        ).scalar_one()
        assert on_new == batch.to_move - batch.moved_so_far
        told.append(batch)

    done = migrate_jamaah(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        from_version_no=1,
        batch_size=2,
        on_batch=heard,
        now=NOW,
    )
    assert (done.moved, done.remaining, done.completed) == (5, 0, True)
    assert [(b.number, b.moved, b.moved_so_far, b.to_move) for b in told] == [
        (1, 2, 2, 5),
        (2, 2, 4, 5),
        (3, 1, 5, 5),
    ]
    # each had an open task of a stage that continues: moved, none created or closed
    assert sum(b.tasks_moved for b in told) == 5
    assert sum(b.tasks_created + b.tasks_closed for b in told) == 0
    assert all(open_instances(session, jid) == 1 for jid in people)


# --- the preview ----------------------------------------------------------------------------


def test_the_preview_counts_who_would_change_status_and_where_tasks_go(
    session: Session, workspace: Workspace
) -> None:
    late = make_jamaah(
        session, workspace, now=NOW - timedelta(hours=30)
    ).jamaah.id  # 30 h into document collection
    make_jamaah(session, workspace, now=NOW - timedelta(hours=1))
    draft = start(session, workspace)
    rows = with_sla(draft, "document-collection", 24)
    rows[0] |= {"responsible_role": "travel-admin"}
    stages, _ = parse_stages(rows)
    shown = preview(session, workspace, stages, NOW)
    first = shown.stages[0]
    assert (first.code, first.jamaah_now, first.open_tasks_now, first.jamaah_after) == (
        "document-collection",
        2,
        2,
        2,
    )
    assert first.status_changes == 1 and shown.transitions == {"on-track→on-track": 1, "on-track→overdue": 1}
    assert (shown.tasks_moved, shown.tasks_kept, shown.tasks_replaced, shown.tasks_closed) == (2, 0, 0, 0)
    # the migration does what the preview said
    publish(session, workspace, save(session, workspace, draft, rows))
    migrate_jamaah(session=session, workspace=workspace, actor=MANAGER, from_version_no=1, now=NOW)
    health = pipeline_health(session, workspace, NOW)
    assert (health.on_track, health.overdue) == (1, 1)
    role = session.execute(
        select(t.PipelineTask.assigned_role).where(
            t.PipelineTask.jamaah_id == late, t.PipelineTask.status != "completed"
        )
    ).scalar_one()
    assert role == "travel-admin"


def test_a_removed_stage_shows_in_the_preview_with_its_people(session: Session, workspace: Workspace) -> None:
    make_jamaah(session, workspace)
    draft = start(session, workspace)
    stages, _ = parse_stages(draft.rows[1:])
    shown = preview(session, workspace, stages, NOW)
    gone = shown.stages[-1]
    assert (gone.code, gone.in_draft, gone.jamaah_now, gone.jamaah_after) == (
        "document-collection",
        False,
        1,
        0,
    )
    assert shown.stages[0].jamaah_after == 1 and shown.tasks_replaced == 1


def test_versions_are_listed_newest_first_with_their_jamaah(session: Session, workspace: Workspace) -> None:
    make_jamaah(session, workspace)
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, draft.rows))
    listed = versions(session, workspace)
    assert [(v.version_no, v.jamaah, v.is_head, v.source) for v in listed] == [
        (2, 0, True, "draft"),
        (1, 1, False, "template:umrah-2026"),
    ]


def test_a_migrated_jamaahs_timeline_keeps_the_stages_done_on_the_old_version(
    session: Session, workspace: Workspace
) -> None:
    enrolled = make_jamaah(session, workspace)
    assert enrolled.task is not None
    complete_task(
        session=session, workspace=workspace, actor=MANAGER, task_id=enrolled.task.id, version=1, now=NOW
    )
    draft = start(session, workspace)
    publish(session, workspace, save(session, workspace, draft, with_sla(draft, "document-verification", 24)))
    migrate_jamaah(session=session, workspace=workspace, actor=MANAGER, from_version_no=1, now=NOW)
    shown = jamaah_detail(session, workspace, enrolled.jamaah.id, NOW)
    statuses = [(s.code, s.status.value if s.status else None) for s in shown.timeline[:3]]
    assert statuses == [
        ("document-collection", "completed"),
        ("document-verification", "pending"),
        ("siskopatuh-submission", None),
    ]
    assert shown.timeline[1].due_at == NOW + timedelta(hours=24)
