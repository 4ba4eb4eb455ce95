"""Document scans on the jamaah detail page: the desk uploads; only a manager has View, and nothing of
the file reaches the page before that logged click."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pipeline_core.app import dashboard
from pipeline_core.app.scans import document_scans, upload_document_scan
from pipeline_core.domain.documents import DocumentKind
from pipeline_core.domain.model import Role, Workspace
from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.ui.conftest import open_page, viewer


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (0, 90, 60)).save(out, "PNG")
    return out.getvalue()


def a_jamaah(workspace: Workspace) -> int:
    return dashboard.task_queue_page(viewer(workspace)).items[0].jamaah_id


def views_logged(workspace: Workspace, jamaah_id: int) -> int:
    with db.read_session() as session:
        return len(
            session.scalars(
                select(t.ActivityLog.id).where(
                    t.ActivityLog.workspace_id == workspace.id,
                    t.ActivityLog.jamaah_id == jamaah_id,
                    t.ActivityLog.action == "document.scan_viewed",
                )
            ).all()
        )


def upload_on_page(at: AppTest, kind: str, name: str, content: bytes, round_: int = 0) -> AppTest:
    at.selectbox(key="scan-kind").set_value(kind)
    at.file_uploader(key=f"scan-file-{round_}").upload(name, content, "application/pdf")
    next(b for b in at.button if b.label == "Unggah pindaian").click()
    return at.run()


def test_the_desk_uploads_and_cannot_open_the_scan(fresh_demo13: Workspace) -> None:
    jamaah_id = a_jamaah(fresh_demo13)
    at = open_page("jamaah", user="document-admin", jamaah=str(jamaah_id))
    upload_on_page(at, "passport", "paspor.pdf", png())
    assert not at.exception, at.exception
    assert [toast.value for toast in at.toast] == ["Pindaian Paspor disimpan."]
    stored = document_scans(viewer(fresh_demo13), jamaah_id)
    assert stored[DocumentKind.PASSPORT].scan_type.value == "image/png"
    assert not [b for b in at.button if b.key and b.key.startswith("scan-view")]  # no view control
    assert any("hanya dapat dibuka" in c.value for c in at.caption)

    upload_on_page(at, "ktp", "ktp.pdf", b"MZ\x90\x00" + b"\x00" * 300, round_=1)  # a program renamed .pdf
    assert [e.value for e in at.error] == [
        "Berkas bukan PDF, JPEG atau PNG (isi berkas yang diperiksa, bukan namanya). Simpan pindaian "
        "dalam salah satu format itu."
    ]
    assert DocumentKind.KTP not in document_scans(viewer(fresh_demo13), jamaah_id)


def test_a_manager_sees_the_scan_only_after_the_logged_click(fresh_demo13: Workspace) -> None:
    jamaah_id = a_jamaah(fresh_demo13)
    desk = viewer(fresh_demo13, Role.DOCUMENT_ADMIN)
    upload_document_scan(desk, jamaah_id, "kk", png(), "kk.png")
    at = open_page("jamaah", user="manager", jamaah=str(jamaah_id))
    assert not at.get("image") and not at.get("download_button")  # nothing sent on a plain load
    assert views_logged(fresh_demo13, jamaah_id) == 0

    at.button(key="scan-view-kk").click().run()
    assert not at.exception, at.exception
    assert len(at.get("image")) == 1 and len(at.get("download_button")) == 1
    assert views_logged(fresh_demo13, jamaah_id) == 1
    at.run()  # another run (any click elsewhere) hides it again
    assert not at.get("image") and not at.get("download_button")
    assert views_logged(fresh_demo13, jamaah_id) == 1
