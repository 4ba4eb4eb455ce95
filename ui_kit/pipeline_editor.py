"""Drawing helpers of the Pipeline page: stage tables, the draft editor, problems, the preview,
the comparison, and the button callbacks that call the app interface."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import ADMIN_ROLES, Conflict, InvalidInput, PipelineError, StageCategory
from pipeline_core.domain.pipeline import Problem, StageChange, stage_values
from ui_kit.i18n import TEXT, num, role_title, stage_name, t
from ui_kit.widgets import flash

COLUMNS = (
    "code",
    "name_id",
    "name_en",
    "category",
    "sla_hours",
    "responsible_role",
    "done_by_days",
    "is_active",
)


def column_config(editable: bool) -> dict[str, Any]:
    roles = [r.value for r in ADMIN_ROLES]
    return {
        "code": st.column_config.TextColumn(t("pipe.col.code"), required=editable, max_chars=64),
        "name_id": st.column_config.TextColumn(t("pipe.col.name_id"), required=editable),
        "name_en": st.column_config.TextColumn(t("pipe.col.name_en"), required=editable),
        "category": st.column_config.SelectboxColumn(
            t("pipe.col.category"), options=[c.value for c in StageCategory]
        ),
        "sla_hours": st.column_config.NumberColumn(
            t("pipe.col.sla_hours"), min_value=1, max_value=8760, step=1
        ),
        "responsible_role": st.column_config.SelectboxColumn(
            t("pipe.col.responsible_role"), options=roles, format_func=lambda r: role_title(str(r))
        ),
        "done_by_days": st.column_config.NumberColumn(
            t("pipe.col.done_by_days"), min_value=0, max_value=365, step=1
        ),
        "is_active": st.column_config.CheckboxColumn(t("pipe.col.is_active")),
    }


def stage_table(stages: Sequence[Any]) -> None:
    """A version's stages, in order, read-only."""
    rows = pd.DataFrame([stage_values(s) for s in stages], columns=COLUMNS)
    st.dataframe(rows, column_config=column_config(False), hide_index=False, width="stretch")


def draft_editor(draft: core.Draft) -> list[dict[str, Any]]:
    """The draft's rows in a data editor (add, remove, edit; the row order is the stage order)."""
    frame = pd.DataFrame(draft.rows, columns=COLUMNS)
    edited = st.data_editor(
        frame,
        column_config=column_config(True),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"draft-{draft.id}-{draft.revision}",
    )
    return [
        {name: (None if pd.isna(value) else value) for name, value in row.items()}
        for row in edited.to_dict("records")
    ]


def problem_text(problem: Problem) -> str:
    key = f"pipe.problem.{problem.code}"
    sentence = t(key, **problem.params) if key in TEXT else problem.message
    if problem.row is None:
        return sentence
    return (
        t("pipe.where", row=problem.row + 1, field=t(f"pipe.col.{problem.field}"), message=sentence)
        if (f"pipe.col.{problem.field}" in TEXT)
        else sentence
    )


def show_problems(problems: Sequence[Problem]) -> None:
    errors = [p for p in problems if not p.warning]
    if errors:
        st.error("\n".join(f"- {problem_text(p)}" for p in errors), title=t("pipe.errors", n=len(errors)))
    else:
        st.success(t("pipe.ok"), icon=":material/check_circle:")
    for warning in (p for p in problems if p.warning):
        st.warning(problem_text(warning), icon=":material/info:")


def show_preview(shown: core.PreviewStage) -> None:
    st.caption(
        t(
            "pipe.preview.caption",
            n=num(shown.jamaah),
            changed=num(shown.changed),
            kept=num(shown.tasks_kept),
            moved=num(shown.tasks_moved),
            replaced=num(shown.tasks_replaced),
            closed=num(shown.tasks_closed),
        )
    )
    moves = status_moves(shown.transitions)
    st.markdown(t("pipe.preview.moves", moves=moves) if moves else t("pipe.preview.no_moves"))
    rows = [
        {
            t("pipe.col.code"): s.code,
            t("pipe.col.name"): stage_name(s) + ("" if s.in_draft else f" {t('pipe.pv.removed')}"),
            t("pipe.pv.now"): s.jamaah_now,
            t("pipe.pv.tasks"): s.open_tasks_now,
            t("pipe.pv.after"): s.jamaah_after,
            t("pipe.pv.changes"): s.status_changes,
        }
        for s in shown.stages
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="preview-table")


def status_moves(transitions: dict[str, int]) -> str:
    """ "On track → Overdue: **2**; …" for the jamaah whose status would change, largest first."""
    changed = [(move.split("→"), n) for move, n in transitions.items() if len(set(move.split("→"))) == 2]
    return "; ".join(
        f"{t(f'jamaah_status.{before}')} → {t(f'jamaah_status.{after}')}: **{num(n)}**"
        for (before, after), n in sorted(changed, key=lambda item: -item[1])
    )


def show_comparison(changes: Sequence[StageChange], *, key: str) -> None:
    rows = [
        {
            t("pipe.col.code"): c.code,
            t("pipe.col.name"): stage_name(c),
            t("pipe.compare.kind"): t(f"pipe.kind.{c.kind}")
            + (f", {t('pipe.kind.moved')}" if c.moved else ""),
            t("pipe.compare.fields"): "; ".join(
                f"{t(f'pipe.col.{k}')}: {old} → {new}" for k, (old, new) in c.fields.items()
            ),
        }
        for c in changes
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=key)


def attempt(action: str, call: Callable[[], str]) -> None:
    """A button's callback: the call, then a toast, or its problem kept for the next run."""
    st.session_state.pop(f"pipe-problem-{action}", None)
    try:
        done = call()
    except Conflict as error:
        current = error.current
        if isinstance(current, core.PublishConflict):
            st.session_state["pipe-conflict"] = current
            message = t("pipe.conflict", who=current.head.created_by, n=current.head.version_no)
        else:
            message = str(error)
        st.session_state[f"pipe-problem-{action}"] = message
    except InvalidInput as error:
        st.session_state[f"pipe-problem-{action}"] = input_problem(error)
    except PipelineError as error:  # not permitted, gone meanwhile, database unreachable
        st.session_state[f"pipe-problem-{action}"] = str(error)
    else:
        st.session_state.pop("pipe-conflict", None)
        flash(done)


#: The import's problems with the file itself (`pipeline.read_document`), by their English words.
FILE_PROBLEMS = {
    "larger than": "pipe.import.too_large",
    "not JSON": "pipe.import.not_json",
    "no list of stages": "pipe.import.no_stages",
}


def input_problem(error: InvalidInput) -> str:
    """The refusal in the reader's language where we know it (the imported file's shape)."""
    if error.field == "file":
        key = next((k for words, k in FILE_PROBLEMS.items() if words in error.message), None)
        if key is not None:
            return t(key)
    return error.message


def problem(action: str) -> None:
    found = st.session_state.get(f"pipe-problem-{action}")
    if found:
        st.error(found, title=t("pipe.refused"), icon=":material/error:")
    conflict = st.session_state.get("pipe-conflict") if action == "publish" else None
    if conflict is not None:
        st.caption(t("pipe.conflict.changes", n=conflict.head.version_no))
        show_comparison(conflict.changes, key="conflict-table")


def draft_starter(viewer: core.Viewer) -> None:
    """No draft open: start one from the published version or a template, or import a JSON file."""
    starts = ["head", *(f"template:{code}" for code in core.pipeline_templates())]
    words = {s: t("pipe.start.head") if s == "head" else t("pipe.start.template", code=s[9:]) for s in starts}
    start = st.selectbox(t("pipe.start"), starts, format_func=words.__getitem__, key="draft-start")

    def begin() -> str:
        core.start_pipeline_draft(viewer, start)
        return t("pipe.start.button")

    st.button(t("pipe.start.button"), key="start-draft", on_click=attempt, args=("start", begin))
    upload = st.file_uploader(t("pipe.import"), type=["json"], key="draft-import")
    if upload is not None:
        document = upload.getvalue()

        def imported() -> str:
            core.import_pipeline_draft(viewer, document)
            return t("pipe.saved")

        attempt("import", imported)
        if "pipe-problem-import" not in st.session_state:
            st.rerun()  # drawn inline (an upload has no callback): show the new draft and its problems
    problem("start")
    problem("import")
