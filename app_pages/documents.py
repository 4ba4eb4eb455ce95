"""Dokumen jamaah: the document desk's table editor (issue 19) — many jamaah's checklists at once.

One row per jamaah and document; the status is a dropdown, the reason a text cell (needed for a
rejection). "Save" sends every changed row to the core in one transaction (`app.documents`): each
change is an activity entry, and a live event after the commit updates other open pages (the
task cards show the checklist). Everyone may read the table; only the document desk (document
admins), managers and super admins edit it. A change by someone else reruns the table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from pipeline_core.app import intake
from pipeline_core.app.documents import (
    DeskLine,
    DocumentChange,
    document_desk,
    required_documents,
    set_required_documents,
    update_documents,
)
from pipeline_core.domain import Action, InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.documents import DocStatus, DocumentKind
from ui_kit.documents import kind_label, status_label
from ui_kit.i18n import t
from ui_kit.live import listen
from ui_kit.session import current_viewer
from ui_kit.widgets import flash, show_flash

EDITOR = "docs-editor"
COLUMNS = ("jamaah_id", "kind", "name", "stage", "document", "status", "reason", "updated")

viewer = current_viewer()
show_flash()
st.title(t("docs.title"), anchor=False)
st.caption(t("docs.caption"))
may_edit = viewer.may(Action.UPDATE_DOCUMENTS)
if not may_edit:
    st.info(t("docs.readonly"), icon=":material/lock:")


def settings() -> None:
    """Managers and super admins choose the documents the agency requires (a new jamaah's list;
    the document stages wait for these)."""
    current = [k.value for k in required_documents(viewer)]
    with (
        st.expander(t("docs.settings"), icon=":material/tune:"),
        st.form("docs-settings", enter_to_submit=False),
    ):
        chosen = st.multiselect(
            t("docs.settings.kinds"), [k.value for k in DocumentKind], default=current,
            format_func=kind_label, key="docs-kinds",
        )  # fmt: skip
        st.caption(t("docs.settings.help"))
        if st.form_submit_button(t("docs.settings.save")):
            try:
                set_required_documents(viewer, chosen)
            except (InvalidInput, PermissionDenied) as error:
                st.error(str(getattr(error, "message", error)))
            else:
                flash(t("docs.settings.saved"))
                st.rerun()


if viewer.may(Action.MANAGE_PIPELINE):
    settings()

groups = intake.departure_groups(viewer)
names = {g.id: g.name for g in groups}
left, right = st.columns([2, 3], vertical_alignment="bottom")
group_id = left.selectbox(
    t("docs.group"), [None, *names], key="docs-group",
    format_func=lambda gid: t("docs.all_groups") if gid is None else names[gid],
)  # fmt: skip
desk_only = right.toggle(t("docs.desk_only"), value=True, key="docs-desk-only")


def table(lines: list[DeskLine]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for line in lines:
        for doc in line.documents:
            rows.append(
                {
                    "jamaah_id": line.jamaah_id,
                    "kind": doc.kind.value,
                    "name": line.full_name,
                    "stage": line.stage_code or "",
                    "document": kind_label(doc.kind)
                    + ("" if doc.required else f" ({t('docs.not_required')})"),
                    "status": doc.status.value,
                    "reason": doc.reason or "",
                    "updated": doc.updated_by or "",
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def changes_of(before: pd.DataFrame, after: pd.DataFrame) -> list[DocumentChange]:
    """The rows whose status or reason the user changed (same order, the editor adds no row)."""
    found = []
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        reason = str(new["reason"] or "").strip()
        if (new["status"], reason) != (old["status"], str(old["reason"] or "").strip()):
            kept = reason if new["status"] == DocStatus.REJECTED.value else None
            found.append(DocumentChange(int(new["jamaah_id"]), str(new["kind"]), str(new["status"]), kept))
    return found


def save(before: pd.DataFrame, after: pd.DataFrame) -> None:
    changes = changes_of(before, after)
    if not changes:
        st.info(t("docs.nothing"))
        return
    who = dict(zip(zip(before["jamaah_id"], before["kind"], strict=True), before["name"], strict=True))
    for change in changes:  # name the row before asking the core (it names only the field)
        if change.status == DocStatus.REJECTED.value and not change.reason:
            st.error(t("docs.problem", name=who[(change.jamaah_id, change.kind)],
                       document=kind_label(change.kind), message=t("docs.need_reason")))  # fmt: skip
            return
    try:
        applied = update_documents(viewer, changes)
    except (InvalidInput, NotFound) as error:
        st.error(str(getattr(error, "message", error)))
        return
    except PermissionDenied:
        st.error(t("docs.readonly"))
        return
    st.session_state["docs-round"] = st.session_state.get("docs-round", 0) + 1  # a fresh editor
    flash(t("docs.saved", n=len(applied)))
    st.rerun()


@st.fragment
def desk() -> None:
    listen("live-documents", ["queue"], viewer)
    lines = document_desk(viewer, package_id=group_id, document_stages_only=desk_only)
    if not lines:
        st.info(t("docs.empty"))
        return
    if len(lines) >= 300:
        st.caption(t("docs.limit", n=len(lines)))
    before = table(lines)
    statuses = [s.value for s in DocStatus]
    after = st.data_editor(
        before,
        key=f"{EDITOR}-{st.session_state.get('docs-round', 0)}",
        hide_index=True,
        width="stretch",
        disabled=not may_edit or ["jamaah_id", "kind", "name", "stage", "document", "updated"],
        column_order=("name", "stage", "document", "status", "reason", "updated"),
        column_config={
            "name": st.column_config.TextColumn(t("docs.col.jamaah")),
            "stage": st.column_config.TextColumn(t("docs.col.stage")),
            "document": st.column_config.TextColumn(t("docs.col.document")),
            "status": st.column_config.SelectboxColumn(
                t("docs.col.status"),
                options=statuses,
                required=True,
                format_func=lambda value: status_label(str(value)),
            ),
            "reason": st.column_config.TextColumn(t("docs.col.reason"), max_chars=500),
            "updated": st.column_config.TextColumn(t("docs.col.updated")),
        },
    )
    if may_edit and st.button(t("docs.save"), type="primary", key="docs-save"):
        save(before, after)


desk()
