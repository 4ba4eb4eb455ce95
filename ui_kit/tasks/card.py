"""The task cards of a kanban column: who, what, how urgent, how to reach the jamaah, and the
actions Selesai / Blokir (a reason is asked in a dialog) / Lanjutkan / Buka jamaah. Each action is
one command. A column's cards are one element (ui_kit/tasks/column.py): a column may show 100.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import streamlit as st

from pipeline_core import app as core
from pipeline_core.app import TaskCard, Viewer
from pipeline_core.app.documents import DocumentRow, document_checklists
from pipeline_core.domain import Action, Conflict, InvalidInput, PermissionDenied, WorkStatus, rules
from pipeline_core.domain.documents import DocumentsNotReady
from pipeline_core.domain.formatting import tel_link, whatsapp_link
from ui_kit import registry
from ui_kit.cards import PRIORITY_COLOR, plain, task_title
from ui_kit.documents import DOC_STAGES, card_line, refusal
from ui_kit.i18n import lang, priority_label, t
from ui_kit.stage_labels import row_stage_label
from ui_kit.tasks.column import action_of, task_column
from ui_kit.widgets import flash

BLOCKING = "blocking"  # the task whose block reason the dialog asks for


def task_cards(key: str, tasks: list[TaskCard], viewer: Viewer) -> None:
    """A column's cards (one element, ui_kit/tasks/column.py). A click runs `_on_action` with the
    tasks as drawn: an action carries the version the card showed, so a task changed by someone
    else in the meantime is refused with a Conflict, not overwritten."""
    drawn = {task.id: task for task in tasks}
    at_desk = [task.jamaah_id for task in tasks if task.stage_code in DOC_STAGES]
    checklists = document_checklists(viewer, at_desk) if at_desk else {}
    task_column(
        key=key,
        cards=[card(task, viewer, checklists.get(task.jamaah_id)) for task in tasks],
        labels={
            "complete": t("task.complete"),
            "block": t("task.block"),
            "unblock": t("task.unblock"),
            "open": t("open_jamaah"),
            "call": t("task.call"),
            "whatsapp": t("task.whatsapp"),
        },
        keep=registry.ENTRY_PARAMS,
        on_action=partial(_on_action, key, drawn, viewer),
    )


def card(task: TaskCard, viewer: Viewer, documents: list[DocumentRow] | None = None) -> dict[str, Any]:
    """What one card shows, in the shape `task_column` draws; a document stage's card lists the
    documents still holding it (`documents`: the jamaah's checklist)."""
    now = datetime.now(UTC)
    stage = row_stage_label(task)  # the jamaah's own version's words, marked if not the newest
    title = task_title(task.title, task.jamaah_name)
    due = rules.due_in_words(due_at=task.due_at, now=now, tz=viewer.workspace.timezone, lang=lang())
    note = None
    if task.block_reason:
        note = {"kind": "blocked", "text": task.block_reason}
    elif task.notes:
        note = {"kind": "note", "text": task.notes}
    return {
        "id": task.id,
        "name": task.jamaah_name,
        "what": stage if title == task.stage_name_id else f"{title} · {stage}",
        "priority": {"label": priority_label(task.priority), "color": PRIORITY_COLOR[task.priority]},
        "due": {"text": due, "late": task.due_at < now},
        "note": note,
        "assignee": t("task.assignee", name=task.assignee_name) if task.assignee_name else None,
        "docs": card_line(documents, task.stage_code) if documents is not None else None,
        "call": tel_link(task.phone),
        "whatsapp": whatsapp_link(task.phone),
        "problem": st.session_state.pop(f"card-problem-{task.id}", None),
        "actions": _allowed(task, viewer),
        "jamaah": registry.JAMAAH.href(jamaah=task.jamaah_id),
    }


def _allowed(task: TaskCard, viewer: Viewer) -> list[str]:
    if task.status is WorkStatus.BLOCKED:
        return ["unblock"] if viewer.may(Action.UNBLOCK_TASK) else []  # a manager lifts blocks
    return ["complete", "block"]


def _on_action(key: str, drawn: dict[int, TaskCard], viewer: Viewer) -> None:
    asked = action_of(key)
    task = drawn.get(asked["id"]) if asked else None
    if asked is None or task is None:
        return
    name = {"title": task_title(task.title, task.jamaah_name), "name": task.jamaah_name}
    match asked["action"]:
        case "complete":
            complete = partial(core.complete_task, viewer, task.id, task.version)
            _attempt(task.id, complete, t("task.completed", **name))
        case "unblock":
            unblock = partial(core.unblock_task, viewer, task.id, task.version)
            _attempt(task.id, unblock, t("task.unblocked", **name))
        case "block":
            st.session_state[BLOCKING] = {
                "id": task.id,
                "version": task.version,
                "column": task.column.value,
                **name,
            }


def block_dialog_if_asked(column: str, viewer: Viewer) -> None:
    """Open the reason dialog when a card of this column asked for it (one dialog per run)."""
    asked = st.session_state.get(BLOCKING)
    if asked and asked["column"] == column:
        dialog = st.dialog(t("task.block.title"), icon=":material/block:", on_dismiss=_forget_block)
        dialog(_block_form)(asked, viewer)


def _forget_block() -> None:
    st.session_state.pop(BLOCKING, None)


def _block_form(asked: dict[str, Any], viewer: Viewer) -> None:
    st.markdown(f"**{plain(asked['title'])}** — {plain(asked['name'])}")
    problem = st.session_state.pop("block-problem", None)
    if problem:
        st.error(problem, icon=":material/edit_note:")
    with st.form("block-form", border=False):
        st.text_input(
            t("task.block.reason"), key="block-reason", placeholder=t("task.block.placeholder"), max_chars=500
        )
        st.form_submit_button(
            t("task.block.submit"),
            type="primary",
            icon=":material/block:",
            on_click=_block,
            args=(asked, viewer),
        )


def _block(asked: dict[str, Any], viewer: Viewer) -> None:
    reason = st.session_state.get("block-reason") or ""
    if not reason.strip():
        st.session_state["block-problem"] = t("task.block.required")
        return
    st.session_state.pop(BLOCKING, None)
    block = partial(core.block_task, viewer, asked["id"], asked["version"], reason)
    _attempt(asked["id"], block, t("task.blocked", title=asked["title"], name=asked["name"]))


def _attempt(task_id: int, action: Callable[[], object], success: str) -> None:
    """Run one command; on success say so after a full rerun (every count may change), otherwise
    leave the reason on the card."""
    try:
        action()
    except Conflict:
        st.session_state[f"card-problem-{task_id}"] = t("task.conflict")
    except PermissionDenied:
        st.session_state[f"card-problem-{task_id}"] = t("task.denied")
    except DocumentsNotReady as error:  # issue 19: the card says which documents hold the stage
        st.session_state[f"card-problem-{task_id}"] = refusal(error)
    except InvalidInput as error:
        st.session_state[f"card-problem-{task_id}"] = t("task.failed", error=error.message)
    else:
        flash(success)
        st.rerun()
