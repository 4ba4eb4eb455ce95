"""Rombongan: every departure group with its seats; managers and travel-admins create and edit.

A new departure date is previewed first (how many jamaah change status) and applied on a second
click; a group with jamaah is closed rather than deleted. Everything else is the core's
(`pipeline_core.app.intake`): the checks, one transaction, the activity log, the live event.
"""

import streamlit as st

from pipeline_core.app import intake
from pipeline_core.domain import Action, Conflict, InvalidInput, PermissionDenied
from ui_kit.departure_groups import group_fields, group_rows, problem
from ui_kit.i18n import t
from ui_kit.intake_files import export_group_files
from ui_kit.session import current_viewer
from ui_kit.widgets import flash, section, show_flash

viewer = current_viewer()
show_flash()
st.title(t("groups.title"), anchor=False)
st.caption(t("groups.caption", name=viewer.workspace.name))
PENDING = "groups-pending"

groups: list[intake.GroupRecord] = []
with section("groups"):
    groups = intake.departure_groups(viewer)
    if groups:
        st.dataframe(group_rows(groups), hide_index=True, width="stretch")
    else:
        st.info(t("groups.empty"))

if groups and viewer.may(Action.EXPORT_GROUP):
    with st.expander(t("files.export"), icon=":material/download:"):
        export_group_files(viewer, groups)

if not viewer.may(Action.MANAGE_GROUPS):
    st.caption(t("groups.readonly"))
    st.stop()


new_col, edit_col = st.columns(2, gap="large")
with new_col, st.form("new-group", enter_to_submit=False):
    st.subheader(t("groups.new"), anchor=False)
    fresh = group_fields("ng-", None)
    if st.form_submit_button(t("groups.create"), type="primary"):
        try:
            made = intake.create_departure_group(
                viewer, {k: v for k, v in fresh.items() if v not in (None, "")}
            )
            flash(t("groups.created", name=made.name))
            st.rerun()
        except (InvalidInput, PermissionDenied, Conflict) as error:
            problem(error)

with edit_col:
    st.subheader(t("groups.edit"), anchor=False)
    by_id = {g.id: g for g in groups}
    chosen = st.selectbox(
        t("groups.pick"), list(by_id), format_func=lambda i: f"{by_id[i].code} · {by_id[i].name}"
    )
    group = by_id.get(chosen) if chosen is not None else None
    if group is not None:
        with st.form(f"edit-group-{group.id}", enter_to_submit=False):
            edited = group_fields(f"eg{group.id}-", group)
            statuses = ("open", "closed")
            edited["status"] = st.radio(
                t("form.group_status"), statuses, index=statuses.index(group.status), horizontal=True,
                format_func=lambda s: t(f"groups.status.{s}"),
            )  # fmt: skip
            save = st.form_submit_button(t("groups.save"), type="primary")
        changes = {k: v for k, v in edited.items() if v != getattr(group, k) and v is not None}
        if save and changes.get("departure_date"):
            try:
                preview = intake.preview_departure_change(viewer, group.id, changes["departure_date"])
                st.session_state[PENDING] = (group.id, changes, preview)
            except (InvalidInput, PermissionDenied) as error:
                problem(error)
        elif save:
            try:
                intake.update_departure_group(viewer, group.id, changes)
                flash(t("groups.saved", name=group.name))
                st.rerun()
            except (InvalidInput, PermissionDenied, Conflict) as error:
                problem(error)
        pending = st.session_state.get(PENDING)
        if pending and pending[0] == group.id:
            _, waiting, preview = pending
            detail = ", ".join(f"{change}: {count}" for change, count in preview.by_change.items()) or "—"
            st.info(t("groups.preview", moved=preview.deadlines_moved, jamaah=preview.jamaah,
                      changes=preview.status_changes, detail=detail))  # fmt: skip
            if st.button(t("groups.confirm"), type="primary", key="groups-confirm"):
                try:
                    done = intake.update_departure_group(viewer, group.id, waiting)
                    st.session_state.pop(PENDING, None)
                    moved = done.deadlines_moved if done else 0
                    flash(t("groups.moved", moved=moved, changes=done.status_changes if done else 0))
                    st.rerun()
                except (InvalidInput, PermissionDenied, Conflict) as error:
                    problem(error)
        if group.seats_used == 0 and st.button(t("groups.delete"), key=f"delete-{group.id}"):
            intake.delete_departure_group(viewer, group.id)
            flash(t("groups.deleted", name=group.name))
            st.rerun()
        elif group.seats_used:
            st.caption(t("groups.not_empty"))
