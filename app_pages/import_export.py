"""Impor & ekspor: a file of jamaah into a group (upload → mapping → dry run → commit) and a
group's files out (SISKOPATUH, manifest, jamaah list). The rules, the transaction, the activity
log and the live event are the core's (`pipeline_core.app.intake_files`)."""

import hashlib

import streamlit as st

from pipeline_core.app import intake_files as files
from pipeline_core.domain import Action, InvalidInput, NotFound, PermissionDenied
from ui_kit.i18n import t
from ui_kit.intake_files import counts, export_buttons, mapping_step, problems
from ui_kit.session import current_viewer
from ui_kit.widgets import flash, show_flash

viewer = current_viewer()
show_flash()
st.title(t("files.title"), anchor=False)
st.caption(t("files.caption"))

if not (viewer.may(Action.IMPORT_JAMAAH) or viewer.may(Action.EXPORT_GROUP)):
    st.caption(t("files.cannot_import"))
    st.stop()
groups = {g.id: g for g in files.departure_group_choices(viewer)}
if not groups:
    st.info(t("files.no_groups"))
    st.stop()
chosen = st.selectbox(
    t("files.group"), list(groups), key="files-group",
    format_func=lambda i: f"{groups[i].code} · {groups[i].name} · {groups[i].departure_date:%d %b %Y} "
    f"({groups[i].enrolled}/{groups[i].quota})",
)  # fmt: skip
group = groups[chosen]

if viewer.may(Action.EXPORT_GROUP):
    st.subheader(t("files.export"), anchor=False)
    export_buttons(viewer, group)

st.subheader(t("files.import"), anchor=False)
if not viewer.may(Action.IMPORT_JAMAAH):
    st.caption(t("files.cannot_import"))
    st.stop()
template = files.blank_template()
st.download_button(
    t("files.template"), template.content, file_name=template.file_name, mime=template.media_type,
    icon=":material/table_view:", on_click="ignore",
)  # fmt: skip
limits = files.IMPORT_LIMITS
uploaded = st.file_uploader(
    t("files.upload"), type=["xlsx", "xlsm", "csv"], key="files-upload",
    max_upload_size=limits.max_bytes // 2**20,
    help=t("files.limits", mb=limits.max_bytes // 2**20, rows=f"{limits.max_rows:,}".replace(",", ".")),
)  # fmt: skip
if uploaded is None:
    st.stop()
data = uploaded.getvalue()
key = f"files-{chosen}-{hashlib.sha256(data).hexdigest()[:16]}"
mapping: dict[str, str] = st.session_state.get(f"{key}-mapping", {})

try:
    report = files.import_file(viewer, chosen, data, uploaded.name, mapping=mapping)
except files.UnknownColumns as unknown:
    chosen_fields = mapping_step(unknown.headers, key)
    if st.button(t("files.check"), type="primary"):
        st.session_state[f"{key}-mapping"] = mapping | chosen_fields
        st.rerun()
    st.stop()
except (InvalidInput, NotFound, PermissionDenied) as refused:
    st.error(getattr(refused, "message", str(refused)))
    st.stop()

counts(report)
problems(report)
valid_only = bool(report.errors) and st.checkbox(t("files.valid_only"), key=f"{key}-valid")
if report.errors and not valid_only:
    st.caption(t("files.all_or_nothing"))
if (report.new or report.updated) and st.button(t("files.commit"), type="primary", key=f"{key}-commit"):
    bar = st.progress(0.0)

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=t("files.progress", done=done, total=total))

    try:
        done = files.import_file(
            viewer, chosen, data, uploaded.name, mapping=mapping, dry_run=False, valid_only=valid_only,
            progress=progress,
        )  # fmt: skip
    except (InvalidInput, NotFound, PermissionDenied) as refused:
        st.error(getattr(refused, "message", str(refused)))
        st.stop()
    if done.committed:
        flash(
            t("files.done", file=uploaded.name, new=done.new, updated=done.updated, unchanged=done.unchanged)
        )
        st.rerun()
    st.error(t("files.refused"))
