"""A task card of the kanban: who, what, how urgent, how to reach the jamaah, and the actions
Selesai / Blokir (a reason is asked in a dialog) / Lanjutkan / Buka jamaah. Each action is one
command. A card is kept to a handful of elements (its text is one Markdown block): a column may
show 100 of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import streamlit as st

from app_pages.cards import PRIORITY_COLOR, contact_links, plain, task_title
from app_pages.common import flash, jamaah_link
from app_pages.i18n import lang, priority_label, t
from pipeline_core import actions, rules
from pipeline_core.access import Viewer
from pipeline_core.errors import Conflict, InvalidInput, PermissionDenied
from pipeline_core.model import Workspace, WorkStatus
from pipeline_core.permissions import Action
from pipeline_core.task_queue import TaskCard

BLOCKING = "blocking"  # the task whose block reason the dialog asks for


def task_card(task: TaskCard, viewer: Viewer) -> None:
    with st.container(border=True, key=f"card-{task.id}"):
        st.markdown(card_text(task, viewer.workspace))
        problem = st.session_state.pop(f"card-problem-{task.id}", None)
        if problem:
            st.error(problem, icon=":material/error:")
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            _actions(task, viewer)
            jamaah_link(task.jamaah_id)


def card_text(task: TaskCard, workspace: Workspace) -> str:
    now = datetime.now(UTC)
    stage = task.stage_name_en if lang() == "en" else task.stage_name_id
    title = task_title(task.title, task.jamaah_name)
    due = rules.due_in_words(due_at=task.due_at, now=now, tz=workspace.timezone, lang=lang())
    lines = [
        f"**{plain(task.jamaah_name)}**",
        f":small[:gray[{plain(stage if title == task.stage_name_id else f'{title} · {stage}')}]]",
        f":{PRIORITY_COLOR[task.priority]}-badge[:material/flag: {priority_label(task.priority)}] "
        f":{'red' if task.due_at < now else 'gray'}-badge[:material/schedule: {due}]",
    ]
    if task.block_reason:
        lines.append(f":small[:red[:material/block: {plain(task.block_reason)}]]")
    elif task.notes:
        lines.append(f":small[:gray[:material/sticky_note_2: {plain(task.notes)}]]")
    if task.assignee_name:
        lines.append(f":small[:gray[{t('task.assignee', name=plain(task.assignee_name))}]]")
    lines.append(f":small[{contact_links(task.phone)}]")
    return "  \n".join(lines)


def _actions(task: TaskCard, viewer: Viewer) -> None:
    """The buttons carry the version the card showed (callback args are fixed when drawn), so a
    task changed by someone else in the meantime is refused with a Conflict, not overwritten."""
    name = {"title": task_title(task.title, task.jamaah_name), "name": task.jamaah_name}
    if task.status is WorkStatus.BLOCKED:
        if not viewer.may(Action.UNBLOCK_TASK):  # a manager lifts blocks
            return
        unblock = partial(actions.unblock, viewer, task.id, task.version)
        st.button(
            t("task.unblock"),
            key=f"unblock-{task.id}",
            icon=":material/play_arrow:",
            on_click=_attempt,
            args=(task.id, unblock, t("task.unblocked", **name)),
        )
        return
    complete = partial(actions.complete, viewer, task.id, task.version)
    st.button(
        t("task.complete"),
        key=f"done-{task.id}",
        icon=":material/check:",
        type="primary",
        on_click=_attempt,
        args=(task.id, complete, t("task.completed", **name)),
    )
    asked = {"id": task.id, "version": task.version, "column": task.column.value, **name}
    st.button(
        t("task.block"),
        key=f"block-{task.id}",
        icon=":material/block:",
        on_click=st.session_state.__setitem__,
        args=(BLOCKING, asked),
    )


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
    block = partial(actions.block, viewer, asked["id"], asked["version"], reason)
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
    except InvalidInput as error:
        st.session_state[f"card-problem-{task_id}"] = t("task.failed", error=error.message)
    else:
        flash(success)
        st.rerun()
