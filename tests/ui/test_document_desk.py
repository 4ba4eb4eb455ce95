"""Dokumen jamaah: the desk's table editor, the checklist on task cards and on the jamaah detail."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pipeline_core.app.documents import document_checklist, document_desk
from pipeline_core.domain.model import Workspace
from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.ui.conftest import act_on_card, open_page, task_cards, viewer


def _rows(workspace: Workspace) -> list[tuple[int, str, str, str]]:
    """(jamaah id, kind, name, status) of the editor's rows, in its order (the desk's default filter)."""
    lines = document_desk(viewer(workspace))
    return [
        (line.jamaah_id, d.kind.value, line.full_name, d.status.value)
        for line in lines
        for d in line.documents
    ]


def _edit(at: AppTest, rows: dict[int, dict[str, object]]) -> None:
    at.session_state["docs-editor-0"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()


def test_the_desk_saves_many_jamaah_in_one_save(fresh_demo13: Workspace) -> None:
    rows = _rows(fresh_demo13)
    missing = [i for i, row in enumerate(rows) if row[3] == "missing"]
    first = missing[0]
    other = next(i for i, row in enumerate(rows) if row[0] != rows[first][0] and row[3] != "rejected")
    at = open_page("documents", user="document-admin")
    _edit(at, {first: {"status": "received"}, other: {"status": "rejected", "reason": "buram"}})
    at.button(key="docs-save").click().run()
    assert not at.exception, at.exception
    assert [toast.value for toast in at.toast] == ["2 dokumen disimpan."]
    assert {d.kind.value: d.status.value for d in document_checklist(viewer(fresh_demo13), rows[first][0])}[
        rows[first][1]
    ] == "received"
    rejected = {d.kind.value: d for d in document_checklist(viewer(fresh_demo13), rows[other][0])}[
        rows[other][1]
    ]
    assert (rejected.status.value, rejected.reason, rejected.updated_by) == (
        "rejected",
        "buram",
        rejected.updated_by,
    )
    with db.read_session() as session:
        logged = session.scalars(
            select(t.ActivityLog.jamaah_id).where(
                t.ActivityLog.workspace_id == fresh_demo13.id, t.ActivityLog.action == "document.updated"
            )
        ).all()
    assert sorted(j for j in logged if j is not None) == sorted([rows[first][0], rows[other][0]])


def test_a_rejection_without_reason_names_the_jamaah_and_saves_nothing(demo13: Workspace) -> None:
    rows = _rows(demo13)
    at = open_page("documents", user="document-admin")
    _edit(at, {0: {"status": "rejected"}})
    at.button(key="docs-save").click().run()
    assert any(rows[0][2] in e.value and "tulis alasan penolakan" in e.value for e in at.error)
    assert _rows(demo13) == rows


def test_other_roles_read_the_table_without_saving(demo13: Workspace) -> None:
    at = open_page("documents", user="visa-admin")
    assert not at.exception
    assert any("Hanya Admin Dokumen" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "docs-save"]


def test_a_document_stage_card_lists_what_holds_it_and_says_why_it_is_refused(
    fresh_demo13: Workspace,
) -> None:
    at = open_page("task_queue", user="document-admin")
    cards = [c for c in task_cards(at) if c.get("docs")]
    assert cards, "demo-13 has jamaah at the document desk"
    held = next(c for c in cards if c["docs"].startswith("Dokumen: "))
    act_on_card(at, held["id"], "complete")
    refused = next(c for c in task_cards(at) if c["id"] == held["id"])
    assert refused["problem"].startswith(("Pengumpulan dokumen belum bisa", "Verifikasi dokumen belum bisa"))


def test_the_jamaah_detail_shows_the_checklist(demo13: Workspace) -> None:
    line = document_desk(viewer(demo13))[0]
    at = open_page("jamaah", jamaah=str(line.jamaah_id))
    tables = [df.value for df in at.dataframe if "Dokumen" in df.value.columns]
    assert tables
    assert tables[0]["Dokumen"].iloc[0] == "Paspor"


def test_a_manager_chooses_the_required_documents(fresh_demo13: Workspace) -> None:
    from pipeline_core.app.documents import required_documents

    at = open_page("documents", user="manager")
    at.multiselect(key="docs-kinds").set_value(["passport", "ktp", "kk"])
    next(b for b in at.button if b.label == "Simpan dokumen wajib").click()
    at.run()
    assert not at.exception
    assert [k.value for k in required_documents(viewer(fresh_demo13))] == ["passport", "ktp", "kk"]
    assert not [e for e in open_page("documents", user="document-admin").expander if "wajib" in e.label]


def test_the_demo_checklists_follow_each_jamaahs_stage(demo2000: Workspace) -> None:
    lines = document_desk(viewer(demo2000), document_stages_only=False)
    assert lines
    for line in lines:
        statuses = {d.status.value for d in line.documents if d.required}
        if line.stage_code == "document-collection":
            assert "missing" in statuses, line
        elif line.stage_code == "document-verification":
            assert statuses <= {"received", "verified"}, line
        else:  # past the document desk, or completed
            assert statuses == {"verified"}, line
    stages = {line.stage_code for line in lines}
    assert {"document-collection", "document-verification"} <= stages
