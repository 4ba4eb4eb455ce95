"""Pipeline page: everyone reads the published version; a manager drafts, checks, previews,
publishes, compares, rolls back and migrates; an admin is offered no editing."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pipeline_core.app import actions
from pipeline_core.app import pipeline as editor
from pipeline_core.domain.model import Role, Workspace
from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.ui.conftest import open_page, viewer


def preview_table(at: AppTest) -> Any:
    return next(frame.value for frame in at.dataframe if "Jamaah kini" in frame.value.columns)


def tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_the_published_version_is_an_ordered_list_for_everyone(demo13: Workspace) -> None:
    at = open_page("pipeline", user="visa-admin")
    assert at.title[0].value == "Mengatur pipeline"
    assert tab_labels(at) == ["Versi berlaku", "Riwayat"]  # no draft, no migration
    codes = at.dataframe[0].value["code"].tolist()
    assert codes[:2] == ["document-collection", "document-verification"] and len(codes) == 10
    assert "Hanya Manajer" in at.info[0].value


def test_a_manager_drafts_checks_previews_and_publishes(demo13: Workspace, demo13_restored: None) -> None:
    at = open_page("pipeline")
    assert tab_labels(at) == ["Versi berlaku", "Riwayat", "Draf", "Migrasi jamaah"]
    at.button(key="start-draft").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Draf valid."]
    at.toggle(key="draft-preview").set_value(True).run()
    preview = preview_table(at)
    assert preview["Jamaah kini"].sum() == 12  # demo-13: 12 open jamaah
    at.text_input(key=f"draft-note-{editor.open_pipeline_drafts(viewer(demo13))[0].id}-1").input(
        "SLA baru"
    ).run()
    at.button(key="publish").click().run()
    assert not at.exception
    versions = editor.pipeline_versions(viewer(demo13))
    assert (versions[0].version_no, versions[0].note) == (2, "SLA baru")
    # history: compare 1 → 2 (no change), then roll back to 1 as version 3
    assert (at.selectbox(key="compare-old-2").value, at.selectbox(key="compare-new-2").value) == (1, 2)
    at.selectbox(key="compare-old-2").set_value(1).run()
    at.button(key="rollback").click().run()
    assert editor.pipeline_versions(viewer(demo13))[0].source == "rollback"


def test_a_manager_migrates_jamaah_to_the_newest_version(demo13: Workspace, demo13_restored: None) -> None:
    manager = viewer(demo13)
    draft = editor.start_pipeline_draft(manager)
    editor.publish_pipeline_draft(manager, draft.id, 1)
    at = open_page("pipeline")
    assert at.selectbox(key="migrate-from").value == 1
    assert preview_table(at)["Jamaah kini"].sum() == 12
    # the mapping offers each stage holding jamaah its own code; nothing to choose
    mapped = {box.key: box.value for box in at.selectbox if str(box.key).startswith("map-1-2-")}
    assert mapped and all(key == f"map-1-2-{code}" for key, code in mapped.items())
    assert not at.button(key="migrate").disabled
    at.button(key="migrate").click().run()
    assert not at.exception
    versions = editor.pipeline_versions(manager)
    assert [(v.version_no, v.open_jamaah) for v in versions] == [(2, 12), (1, 0)]
    assert "Semua jamaah" in at.info[0].value
    # the result stays on the tab: jamaah moved, their open tasks carried onto the new stages
    assert [s.value for s in at.success] == [
        "12 jamaah dipindahkan dari versi 1 ke versi 2 dalam 1 batch. Tugas terbuka: 12 dipindahkan "
        "ke tahap baru, 0 dibuat, 0 ditutup."
    ]


def test_a_version_published_meanwhile_stops_the_migration_before_it_moves_anyone(
    demo13: Workspace, demo13_restored: None
) -> None:
    manager = viewer(demo13)
    draft = editor.start_pipeline_draft(manager)
    editor.publish_pipeline_draft(manager, draft.id, 1)
    at = open_page("pipeline")
    assert at.button(key="migrate").label == "Migrasikan ke versi 2"
    again = editor.start_pipeline_draft(viewer(demo13, Role.SUPER_ADMIN))
    editor.publish_pipeline_draft(viewer(demo13, Role.SUPER_ADMIN), again.id, 2)
    at.button(key="migrate").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Versi 3 terbit sementara Anda melihat pemetaan ke versi 2")
    assert [(v.version_no, v.open_jamaah) for v in editor.pipeline_versions(manager)] == [
        (3, 0),
        (2, 0),
        (1, 12),
    ]
    assert at.button(key="migrate").label == "Migrasikan ke versi 3"
    at.button(key="migrate").click().run()
    assert not at.error and "12 jamaah dipindahkan dari versi 1 ke versi 3" in at.success[0].value


def open_task_of(workspace: Workspace, full_name: str) -> tuple[int, int]:
    """(id, version) of the open task of the demo jamaah named `full_name`."""
    with db.read_session() as session:
        row = session.execute(
            select(t.PipelineTask.id, t.PipelineTask.version)
            .join(t.Jamaah, t.Jamaah.id == t.PipelineTask.jamaah_id)
            .where(
                t.Jamaah.workspace_id == workspace.id,
                t.Jamaah.full_name == full_name,
                t.PipelineTask.status != "completed",
            )
        ).one()
    return row.id, row.version


def test_a_stage_the_new_version_lacks_must_be_mapped_before_migrating(
    demo13: Workspace, demo13_restored: None
) -> None:
    manager = viewer(demo13)
    draft = editor.start_pipeline_draft(manager)
    rows = [row for row in draft.rows if row["code"] != "flight-booking"]  # nobody is in it yet
    saved = editor.save_pipeline_draft(manager, draft.id, draft.revision, rows)
    editor.publish_pipeline_draft(manager, saved.id, 1)
    # Agus, still on version 1, finishes his equipment: he enters version 1's flight booking
    actions.complete_task(manager, *open_task_of(demo13, "Agus Salim"))
    at = open_page("pipeline")
    gone = at.selectbox(key="map-1-2-flight-booking")
    assert gone.value is None and "tidak ada lagi di versi baru" in gone.label
    assert "Booking Penerbangan" in at.warning[-1].value and "versi 2" in at.warning[-1].value
    assert at.button(key="migrate").disabled
    gone.set_value("departure-ready").run()
    assert not at.exception and not at.button(key="migrate").disabled
    at.button(key="migrate").click().run()
    assert not at.exception
    assert [(v.version_no, v.open_jamaah) for v in editor.pipeline_versions(manager)] == [(2, 12), (1, 0)]
    assert "1 dibuat, 1 ditutup" in at.success[0].value  # Agus: a new task on Ready to depart


def test_an_admin_cannot_start_a_draft(demo13: Workspace) -> None:
    import pytest

    from pipeline_core.domain import PermissionDenied

    with pytest.raises(PermissionDenied):
        editor.start_pipeline_draft(viewer(demo13, Role.VISA_ADMIN))


def test_a_second_editor_sees_what_the_first_published_and_keeps_their_draft(
    demo13: Workspace, demo13_restored: None
) -> None:
    mine, other = viewer(demo13), viewer(demo13, Role.SUPER_ADMIN)
    at = open_page("pipeline")
    at.button(key="start-draft").click().run()
    draft = editor.open_pipeline_drafts(mine)[0]
    rows = [r | {"sla_hours": 24} if r["code"] == "siskopatuh-approval" else r for r in draft.rows]
    editor.save_pipeline_draft(mine, draft.id, draft.revision, rows, "SLA persetujuan 24 jam")
    # meanwhile the super-admin drafts and publishes another change first
    theirs = editor.start_pipeline_draft(other)
    changed = [r | {"sla_hours": 48} if r["code"] == "hotel-booking" else r for r in theirs.rows]
    saved = editor.save_pipeline_draft(other, theirs.id, theirs.revision, changed)
    at.run()  # the manager's page still shows the manager's own draft, not the newer one
    assert at.text_input(key=f"draft-note-{draft.id}-2").value == "SLA persetujuan 24 jam"
    assert any(f"(#{theirs.id})" in i.value for i in at.info)  # and names the other one
    first = editor.publish_pipeline_draft(other, saved.id, 1, "hotel 48 jam")
    at.button(key="publish").click().run()
    assert not at.exception
    assert at.error[0].value == (
        f"{first.created_by} menerbitkan versi 2 lebih dulu. Draf Anda tetap tersimpan; lihat "
        "perubahannya lalu terbitkan lagi."
    )
    conflict = next(
        frame.value for frame in at.dataframe if "Rincian" in frame.value.columns and len(frame.value) == 1
    )
    assert conflict["Kode"].tolist() == ["hotel-booking"] and "96 → 48" in conflict["Rincian"][0]
    kept = editor.open_pipeline_drafts(mine)
    assert [d.id for d in kept] == [draft.id] and kept[0].rows == rows  # nothing of it lost
    at.button(key="publish").click().run()  # seen: publish on top of version 2
    assert not at.exception and not at.error
    head = editor.pipeline_versions(mine)[0]
    assert (head.version_no, head.note) == (3, "SLA persetujuan 24 jam")


def test_an_editor_without_a_draft_starts_their_own_beside_anothers(
    demo13: Workspace, demo13_restored: None
) -> None:
    theirs = editor.start_pipeline_draft(viewer(demo13, Role.SUPER_ADMIN))
    at = open_page("pipeline")
    assert any(f"(#{theirs.id})" in i.value for i in at.info)
    at.button(key="start-draft").click().run()
    assert not at.exception
    drafts = editor.open_pipeline_drafts(viewer(demo13))
    assert len(drafts) == 2 and drafts[0].id != theirs.id
    assert any(c.value.startswith(f"Draf #{drafts[0].id} oleh") for c in at.caption)


def test_an_imported_file_is_checked_and_its_problems_named_per_field(
    demo13: Workspace, demo13_restored: None
) -> None:
    at = open_page("pipeline")
    at.file_uploader(key="draft-import").set_value(("pipeline.json", b"{not json", "application/json")).run()
    assert not at.exception
    assert (
        at.error[0].value == "Berkas bukan JSON; ekspor sebuah pipeline untuk melihat bentuk yang diharapkan."
    )
    assert editor.open_pipeline_drafts(viewer(demo13)) == []
    document = json.loads(editor.export_pipeline_version(viewer(demo13), 1))
    document["stages"][1] |= {"sla_hours": 0}
    document["stages"][2] |= {"code": "document-collection"}
    at.file_uploader(key="draft-import").set_value(
        ("pipeline.json", json.dumps(document).encode(), "application/json")
    ).run()
    assert not at.exception
    problems = at.error[0].value
    assert "Baris 2, SLA (jam): SLA harus lebih dari 0" in problems
    assert "Baris 3, Kode: Kode 'document-collection' juga dipakai" in problems
    assert editor.open_pipeline_drafts(viewer(demo13))[0].source == "import"
