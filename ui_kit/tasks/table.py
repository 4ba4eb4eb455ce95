"""The task queue as an editable table: status, priority, assignee, due date and notes change in
place; "Simpan perubahan" applies each edited row with the version the user saw.

The table shows the tasks as they were when this view was opened (a snapshot in the session), so
every save carries the version the user actually saw; "Muat ulang" takes a fresh snapshot. A row
someone else changed meanwhile is not overwritten: the command raises `Conflict` with the task as
it is now, and the row waits in a panel showing their value and yours side by side until the user
keeps theirs or applies theirs-plus-mine again on the current version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from pipeline_core import app as core
from pipeline_core.app import Task, TaskCard, TaskPage, Viewer
from pipeline_core.domain import (
    Action,
    Conflict,
    InvalidInput,
    PermissionDenied,
    Priority,
    Workspace,
    WorkStatus,
)
from ui_kit.cards import task_title
from ui_kit.i18n import day_time, priority_label, status_label, t
from ui_kit.stage_labels import row_stage_label
from ui_kit.widgets import flash

#: Table column → task field, in the order the conflict panel lists them.
EDITABLE = {
    "status": "status",
    "priority": "priority",
    "assignee": "assignee_id",
    "due": "due_at",
    "notes": "notes",
}
EDITABLE_STATUSES = [WorkStatus.PENDING.value, WorkStatus.IN_PROGRESS.value, WorkStatus.BLOCKED.value]
CONFLICTS = "queue_conflicts"
SNAPSHOT = "queue_table_snapshot"


def seen_tasks(view: str, load: Callable[[], TaskPage]) -> TaskPage:
    """The page of tasks as first shown in this view (and generation): edits are saved against it."""
    key = f"{view}#{st.session_state.get('editor_generation', 0)}"
    snapshot = st.session_state.get(SNAPSHOT)
    if snapshot is None or snapshot[0] != key:
        snapshot = st.session_state[SNAPSHOT] = (key, load())
    return snapshot[1]


@st.cache_data(ttl=60, show_spinner=False)
def staff(viewer: Viewer) -> list[core.StaffMember]:
    """The workspace's active staff (assignee choices), for a minute."""
    return core.active_users(viewer)


def _next_generation() -> None:
    """Forget the snapshot and the pending edits (after a save, or on "Muat ulang")."""
    st.session_state["editor_generation"] = st.session_state.get("editor_generation", 0) + 1


def task_table(tasks: list[TaskCard], viewer: Viewer) -> None:
    workspace = viewer.workspace
    names = {member.id: member.name for member in staff(viewer)}
    conflicts_panel(viewer, names)
    for message in st.session_state.pop("queue_errors", []):
        st.error(message, icon=":material/error:")
    if not tasks:
        st.info(t("queue.empty"), icon=":material/inbox:")
        return
    frame = _frame(tasks, workspace)
    edited = st.data_editor(
        frame,
        key=f"task-editor-{st.session_state.get('editor_generation', 0)}",
        hide_index=True,
        height="content",
        column_order=["jamaah", "task", *EDITABLE],
        disabled=["jamaah", "task", *_not_editable_by(viewer)],
        placeholder=t("none"),
        column_config=_columns(names, workspace),
        alt=t("table.alt"),
    )
    changes = _changes(frame, edited)
    st.caption(t("table.help"))
    with st.container(horizontal=True):
        save = st.button(
            t("table.save"), key="table-save", type="primary", icon=":material/save:", disabled=not changes
        )
        st.button(t("reload"), key="table-reload", icon=":material/refresh:", on_click=_next_generation)
    if save:
        _save(changes, frame, viewer)


def _not_editable_by(viewer: Viewer) -> list[str]:
    """Columns the actor's role may not change (the permission matrix): priority and due date need
    reprioritise, the assignee needs reassign."""
    locked = []
    if not viewer.may(Action.REPRIORITISE_TASK):
        locked += ["priority", "due"]
    if not viewer.may(Action.REASSIGN):
        locked.append("assignee")
    return locked


def _columns(names: dict[int, str], workspace: Workspace) -> Any:
    """Column set-up of the editor: what is editable, with which choices and formats."""
    return {
        "jamaah": st.column_config.TextColumn(t("table.jamaah"), pinned=True),
        "task": st.column_config.TextColumn(t("table.task")),
        "status": st.column_config.SelectboxColumn(
            t("table.status"),
            options=EDITABLE_STATUSES,
            format_func=lambda s: status_label(str(s)),
            required=True,
        ),
        "priority": st.column_config.SelectboxColumn(
            t("table.priority"),
            options=[p.value for p in Priority],
            format_func=lambda p: priority_label(str(p)),
            required=True,
        ),
        "assignee": st.column_config.SelectboxColumn(
            t("table.assignee"), options=list(names), format_func=lambda i: names.get(int(i), str(i))
        ),
        "due": st.column_config.DatetimeColumn(
            t("table.due"), format="D MMM YYYY HH:mm", timezone=workspace.timezone, required=True
        ),
        "notes": st.column_config.TextColumn(t("table.notes"), max_chars=2000, width="medium"),
    }


def _frame(tasks: list[TaskCard], workspace: Workspace) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "jamaah": [task.jamaah_name for task in tasks],
            "task": [_title(task) for task in tasks],
            "status": [task.status.value for task in tasks],
            "priority": [task.priority.value for task in tasks],
            "assignee": pd.array([task.assignee_id for task in tasks], dtype="Int64"),
            "due": pd.to_datetime([task.due_at for task in tasks], utc=True).tz_convert(workspace.timezone),
            "notes": pd.array([task.notes for task in tasks], dtype="string"),
            "version": [task.version for task in tasks],
        },
        index=pd.Index([task.id for task in tasks], name="id"),
    )


def _title(task: TaskCard) -> str:
    """The task's title; a stage's own task is named after the stage, in the current language."""
    title = task_title(task.title, task.jamaah_name)
    stage = row_stage_label(task)  # the jamaah's own version's words, marked if not the newest
    return stage if title == task.stage_name_id else f"{title} · {stage}"


def _value(column: str, value: Any) -> Any:
    """A cell as the command wants it: None for empty, int ids, aware datetimes, plain strings."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if column == "assignee":
        return int(value)
    if column == "due":
        return pd.Timestamp(value).to_pydatetime()
    text = str(value)
    return None if column == "notes" and not text.strip() else text


def _changes(frame: pd.DataFrame, edited: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """{task id: {task field: new value}} for every row the user changed."""
    changes: dict[int, dict[str, Any]] = {}
    for task_id in frame.index:
        fields = {
            field: _value(column, edited.at[task_id, column])
            for column, field in EDITABLE.items()
            if _value(column, frame.at[task_id, column]) != _value(column, edited.at[task_id, column])
        }
        if fields:
            changes[int(task_id)] = fields
    return changes


def _save(changes: dict[int, dict[str, Any]], frame: pd.DataFrame, viewer: Viewer) -> None:
    saved, errors = 0, []
    conflicts: dict[int, dict[str, Any]] = st.session_state.setdefault(CONFLICTS, {})
    for task_id, fields in changes.items():
        label = {"title": frame.at[task_id, "task"], "name": frame.at[task_id, "jamaah"]}
        try:
            core.update_task(viewer, task_id, int(frame.at[task_id, "version"]), **fields)
            saved += 1
        except Conflict as conflict:
            conflicts[task_id] = {"label": label, "mine": fields, "theirs": conflict.current}
        except (InvalidInput, PermissionDenied) as error:
            message = error.message if isinstance(error, InvalidInput) else t("task.denied")
            errors.append(t("table.row_failed", error=message, **label))
    if saved:
        flash(t("table.saved", n=saved), icon=":material/save:")
    st.session_state["queue_errors"] = errors
    _next_generation()
    st.rerun()


# --- conflicts ------------------------------------------------------------------------------


def conflicts_panel(viewer: Viewer, names: dict[int, str]) -> None:
    workspace = viewer.workspace
    for task_id, conflict in list(st.session_state.get(CONFLICTS, {}).items()):
        theirs: Task | None = conflict["theirs"]
        mine: dict[str, Any] = conflict["mine"]
        with st.container(border=True, key=f"conflict-{task_id}"):
            st.warning(
                t("conflict.body"),
                title=t("conflict.title", **conflict["label"]),
                icon=":material/sync_problem:",
            )
            st.table(
                [
                    {
                        t("conflict.field"): t(f"table.{column}"),
                        t("conflict.theirs"): _shown(field, getattr(theirs, field, None), workspace, names),
                        t("conflict.mine"): _shown(field, mine[field], workspace, names),
                    }
                    for column, field in EDITABLE.items()
                    if field in mine
                ],
                hide_index=True,
            )
            closed = theirs is None or theirs.status is WorkStatus.COMPLETED
            if closed:
                st.caption(t("conflict.closed"))
            with st.container(horizontal=True):
                label = t("conflict.dismiss") if closed else t("conflict.keep_theirs")
                st.button(
                    label, key=f"theirs-{task_id}", icon=":material/undo:", on_click=_drop, args=(task_id,)
                )
                if not closed and st.button(
                    t("conflict.apply_mine"),
                    key=f"mine-{task_id}",
                    type="primary",
                    icon=":material/done_all:",
                ):
                    assert theirs is not None  # not closed
                    _apply_mine(task_id, theirs, mine, viewer)


def _shown(field: str, value: Any, workspace: Workspace, names: dict[int, str]) -> str:
    if value is None or value == "":
        return t("none")
    if field == "priority":
        return priority_label(value)
    if field == "status":
        return status_label(value)
    if field == "assignee_id":
        return names.get(value, str(value))
    if field == "due_at" and isinstance(value, datetime):
        return day_time(value, workspace.timezone)
    return str(value)


def _drop(task_id: int) -> None:
    st.session_state.get(CONFLICTS, {}).pop(task_id, None)


def _apply_mine(task_id: int, theirs: Task, mine: dict[str, Any], viewer: Viewer) -> None:
    """Re-apply my values on the version that is current now (theirs); a new conflict replaces it."""
    try:
        core.update_task(viewer, task_id, theirs.version, **mine)
    except Conflict as conflict:
        st.session_state[CONFLICTS][task_id]["theirs"] = conflict.current
    except (InvalidInput, PermissionDenied) as error:
        st.session_state["queue_errors"] = [
            error.message if isinstance(error, InvalidInput) else t("task.denied")
        ]
        _drop(task_id)
    else:
        _drop(task_id)
        flash(t("table.saved", n=1), icon=":material/save:")
    _next_generation()
    st.rerun()
