"""Pipeline: the published version as an ordered list; for managers and super-admins a draft to
edit, check, preview and publish, the history with comparison and roll back, templates,
JSON export/import, and migrating jamaah to the newest version (ui_kit/pipeline_migration.py).
Other roles read it.
"""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action
from pipeline_core.domain.pipeline import check
from ui_kit.i18n import day, day_time, num, t
from ui_kit.pipeline_editor import (
    attempt,
    draft_editor,
    draft_starter,
    problem,
    show_comparison,
    show_preview,
    show_problems,
    stage_table,
)
from ui_kit.pipeline_migration import migration_tab
from ui_kit.session import current_viewer
from ui_kit.widgets import show_flash

viewer = current_viewer()
editing = viewer.may(Action.MANAGE_PIPELINE)
show_flash()
versions = core.pipeline_versions(viewer)
head = versions[0]
st.title(t("pipe.title"), anchor=False)
st.caption(
    t(
        "pipe.caption",
        n=head.version_no,
        who=head.created_by,
        when=day_time(head.created_at, viewer.workspace.timezone),
    )
)
if not editing:
    st.info(t("pipe.readonly"), icon=":material/lock:")
names = ["pipe.tab.published", "pipe.tab.history"] + (
    ["pipe.tab.draft", "pipe.tab.migrate"] if editing else []
)
tabs = dict(zip(names, st.tabs([t(n) for n in names]), strict=True))

with tabs["pipe.tab.published"]:
    stage_table(core.pipeline_version_stages(viewer, head.version_no))
    st.download_button(
        t("pipe.export"),
        core.export_pipeline_version(viewer, head.version_no),
        file_name=f"pipeline-v{head.version_no}.json",
        mime="application/json",
        icon=":material/download:",
    )

with tabs["pipe.tab.history"]:
    st.dataframe(
        [
            {t("pipe.history.version"): v.version_no, t("pipe.history.by"): v.created_by,
             t("pipe.history.when"): day(v.created_at), t("pipe.history.note"): v.note,
             t("pipe.history.jamaah"): num(v.jamaah)}
            for v in versions
        ],
        hide_index=True,
        key="history-table",
    )  # fmt: skip
    numbers = [v.version_no for v in versions]
    left, right = st.columns(2)
    # keyed by the head: a newly published version resets the comparison to "previous → newest"
    old = left.selectbox(
        t("pipe.compare.old"), numbers, index=min(1, len(numbers) - 1), key=f"compare-old-{head.version_no}"
    )
    new = right.selectbox(t("pipe.compare.new"), numbers, index=0, key=f"compare-new-{head.version_no}")
    show_comparison(core.compare_versions(viewer, old, new), key="compare-table")
    if editing and old != head.version_no:

        def roll_back() -> str:
            done = core.roll_back_pipeline(viewer, old, head.version_no)
            return t("pipe.rolled_back", n=done.version_no, old=old)

        st.button(
            t("pipe.rollback") + f" ({old})", key="rollback", on_click=attempt, args=("rollback", roll_back)
        )
        problem("rollback")

if editing:
    with tabs["pipe.tab.draft"]:
        # two editors: each works on their own draft (the newest of theirs) and sees the others'
        drafts = core.open_pipeline_drafts(viewer)
        mine = [d for d in drafts if d.author == viewer.actor.name]
        others = sorted({f"{d.author} (#{d.id})" for d in drafts if d.author != viewer.actor.name})
        if others:
            st.info(t("pipe.draft.others", who=", ".join(others)), icon=":material/group:")
        if not mine:
            draft_starter(viewer)
        else:
            draft = mine[0]
            st.caption(t("pipe.draft.caption", id=draft.id, who=draft.author, base=draft.base_version_no))
            rows = draft_editor(draft)
            show_problems(check(rows))
            note = st.text_input(
                t("pipe.note"),
                value=draft.note or "",
                max_chars=500,
                key=f"draft-note-{draft.id}-{draft.revision}",
            )
            save_col, publish_col, discard_col = st.columns(3)

            def save() -> str:
                core.save_pipeline_draft(viewer, draft.id, draft.revision, rows, note)
                return t("pipe.saved")

            def publish() -> str:
                saved = core.save_pipeline_draft(viewer, draft.id, draft.revision, rows, note)
                done = core.publish_pipeline_draft(viewer, saved.id, head.version_no, note)
                return t("pipe.published", n=done.version_no)

            def discard() -> str:
                core.discard_pipeline_draft(viewer, draft.id)
                return t("pipe.discarded")

            save_col.button(t("pipe.save"), key="save-draft", on_click=attempt, args=("save", save))
            publish_col.button(
                t("pipe.publish"), key="publish", type="primary", on_click=attempt, args=("publish", publish)
            )
            discard_col.button(t("pipe.discard"), key="discard", on_click=attempt, args=("discard", discard))
            for action in ("save", "publish", "discard"):
                problem(action)
            if st.toggle(t("pipe.preview"), key="draft-preview"):
                show_preview(core.preview_pipeline(viewer, rows))

    with tabs["pipe.tab.migrate"]:
        migration_tab(viewer, versions)
