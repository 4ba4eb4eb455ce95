"""The scans of a jamaah's checklist documents, on the jamaah detail page (issue 19).

Everyone who reads the checklist sees which documents have a scan (type, size, who, when). The
roles that may reveal personal data get a **View** button per scan: the click opens the scan
through the core, which logs the view first, and only then — in that run — the page shows the
image and a download button (a download button's data is sent when it is drawn, so it is drawn
only after the logged click, never on a plain page load). The document desk's roles upload (or
replace) a scan, one document at a time, and remove one after a confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from pipeline_core.app.documents import DocumentRow
from pipeline_core.app.scans import (
    ScanFacts,
    ScanFile,
    ScanRefused,
    document_scans,
    open_document_scan,
    remove_document_scan,
    scan_limit_bytes,
    upload_document_scan,
)
from pipeline_core.app.viewer import Viewer
from pipeline_core.domain import Action, InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.errors import PersonalDataUnreadable
from pipeline_core.domain.scans import size_words
from ui_kit.documents import kind_label
from ui_kit.i18n import day_time, t
from ui_kit.widgets import flash

__all__ = ["scan_panel"]

ROUND = "scan-round"  # a fresh uploader after each upload


def _facts_line(facts: ScanFacts, timezone: str) -> str:
    return t(
        "scans.facts",
        type=facts.scan_type.label,
        size=size_words(facts.size_bytes),
        who=facts.uploaded_by,
        when=day_time(facts.uploaded_at, timezone),
    )


def _show(opened: ScanFile) -> None:
    """The scan just opened (and logged): the image itself, and the file to download."""
    if opened.scan_type.is_image:
        st.image(opened.content, caption=kind_label(opened.kind), width="stretch")
    st.download_button(
        t("scans.download", name=opened.file_name), opened.content, file_name=opened.file_name,
        mime=opened.scan_type.value, on_click="ignore", icon=":material/download:",
        key=f"scan-download-{opened.kind.value}",
    )  # fmt: skip


def _view(viewer: Viewer, jamaah_id: int, facts: ScanFacts) -> None:
    try:
        opened = open_document_scan(viewer, jamaah_id, facts.kind.value)
    except PermissionDenied:
        st.error(t("scans.denied"))
    except NotFound:
        st.warning(t("scans.gone"))
    except PersonalDataUnreadable:
        st.error(t("scans.unreadable"))
    else:
        _show(opened)


def _remove(viewer: Viewer, jamaah_id: int, facts: ScanFacts) -> None:
    with st.popover(t("scans.remove"), icon=":material/delete:"):
        st.caption(t("scans.remove.confirm", document=kind_label(facts.kind)))
        if st.button(t("scans.remove.yes"), key=f"scan-remove-{facts.kind.value}", type="primary"):
            try:
                remove_document_scan(viewer, jamaah_id, facts.kind.value)
            except (PermissionDenied, NotFound):
                st.warning(t("scans.gone"))
                return
            flash(t("scans.removed", document=kind_label(facts.kind)))
            st.rerun()


def _upload(viewer: Viewer, jamaah_id: int, rows: Sequence[DocumentRow]) -> None:
    limit = size_words(scan_limit_bytes())
    with st.form(f"scan-upload-{st.session_state.get(ROUND, 0)}", enter_to_submit=False, border=True):
        kind = st.selectbox(
            t("scans.document"), [r.kind.value for r in rows], format_func=kind_label, key="scan-kind"
        )
        chosen = st.file_uploader(
            t("scans.file"),
            help=t("scans.file.help", limit=limit),
            key=f"scan-file-{st.session_state.get(ROUND, 0)}",
        )
        if not st.form_submit_button(t("scans.upload"), icon=":material/upload:"):
            return
    if chosen is None:
        st.warning(t("scans.pick_file"))
        return
    try:
        upload_document_scan(viewer, jamaah_id, str(kind), chosen.getvalue(), chosen.name)
    except ScanRefused as refused:
        st.error(t(f"scans.refused.{refused.reason}", limit=limit))
        return
    except (InvalidInput, NotFound, PermissionDenied):
        st.error(t("scans.not_saved"))
        return
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    flash(t("scans.saved", document=kind_label(str(kind))))
    st.rerun()


def scan_panel(viewer: Viewer, jamaah_id: int, rows: Sequence[DocumentRow], timezone: str) -> None:
    """The jamaah's scans: what is stored, View (logged) for those who may, upload and remove."""
    st.markdown(f"**{t('scans.title')}**")
    stored = document_scans(viewer, jamaah_id)
    may_view, may_upload = viewer.may(Action.VIEW_DOCUMENT_SCAN), viewer.may(Action.UPLOAD_DOCUMENT_SCAN)
    if not stored:
        st.caption(t("scans.none"))
    for row in rows:
        facts = stored.get(row.kind)
        if facts is None:
            continue
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"{kind_label(row.kind)} · :gray[{_facts_line(facts, timezone)}]")
            viewing = may_view and st.button(
                t("scans.view"), key=f"scan-view-{row.kind.value}", icon=":material/visibility:",
                help=t("scans.view.help"),
            )  # fmt: skip
            if may_upload:
                _remove(viewer, jamaah_id, facts)
        if viewing:
            _view(viewer, jamaah_id, facts)
    if stored and not may_view:
        st.caption(f":material/lock: {t('scans.view_restricted')}")
    if may_upload and rows:
        _upload(viewer, jamaah_id, rows)
