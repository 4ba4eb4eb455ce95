"""The kanban's task cards: who, what, how urgent, how to reach the jamaah, and the actions
Selesai / Blokir (a reason is asked in a dialog) / Lanjutkan / Buka jamaah. Each action is one
command. The whole board — four columns of up to 100 cards — is one element (ui_kit/tasks/board.py).

An action reruns only the kanban's fragment (the trigger comes from inside it): the counts and
cards it may change are all there, and the page's filters, sidebar and navigation stay as they
were. Its toast is shown by that fragment (`show_flash`).
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
from pipeline_core.domain import (
    Action,
    Conflict,
    InvalidInput,
    KanbanColumn,
    PermissionDenied,
    Priority,
    WorkStatus,
    rules,
)
from pipeline_core.domain.documents import DocumentsNotReady
from pipeline_core.domain.formatting import tel_link, whatsapp_link
from ui_kit import registry
from ui_kit.cards import PRIORITY_COLOR, plain, task_title
from ui_kit.documents import DOC_STAGES, card_line, refusal
from ui_kit.i18n import column_label, lang, num, priority_label, t, text_in
from ui_kit.stage_labels import row_stage_label
from ui_kit.tasks.board import action_of, page_of, task_board
from ui_kit.widgets import flash

BLOCKING = "blocking"  # the task whose block reason the dialog asks for
PROBLEMS = "card-problems"  # task id -> why the last action on its card was refused


def kanban_board(
    key: str,
    columns: list[tuple[KanbanColumn, core.TaskPage]],
    viewer: Viewer,
    on_page: Callable[[str, int], None],
) -> None:
    """The board: each column's heading and count, its page of cards and its pager, as one element
    (ui_kit/tasks/board.py). The document checklists of every card at a document stage come from
    one read. A click runs `_on_action` with the tasks as drawn: an action carries the version the
    card showed, so a task changed by someone else in the meantime is refused with a Conflict, not
    overwritten."""
    tasks = [task for _, page in columns for task in page.items]
    at_desk = [task.jamaah_id for task in tasks if task.stage_code in DOC_STAGES]
    checklists = document_checklists(viewer, at_desk) if at_desk else {}
    words = _Words(viewer)
    task_board(
        key=key,
        columns=[
            {
                "key": column.value,
                "label": column_label(column),
                "count": num(page.total),
                "cards": [card(task, viewer, checklists.get(task.jamaah_id), words) for task in page.items],
                "empty": t("queue.column.empty"),
                "pager": _pager(page),
            }
            for column, page in columns
        ],
        labels={
            "complete": t("task.complete"),
            "block": t("task.block"),
            "unblock": t("task.unblock"),
            "open": t("open_jamaah"),
            "call": t("task.call"),
            "whatsapp": t("task.whatsapp"),
            "prev": t("pager.prev"),
            "next": t("pager.next"),
            "pages": t("pager.page"),
            "board": t("queue.title"),
        },
        keep=registry.ENTRY_PARAMS,
        on_action=partial(_on_action, key, {task.id: task for task in tasks}, viewer),
        on_page=partial(_on_page, key, on_page),
    )


def _pager(page: core.TaskPage) -> dict[str, Any] | None:
    """As `widgets.pager`: nothing when everything fits on one page."""
    if page.pages <= 1 and page.page <= 1:
        return None
    status = t("pager.status", page=num(page.page), pages=num(page.pages), total=num(page.total))
    return {"page": page.page, "pages": page.pages, "status": status}


class _Words:
    """What every card of one run shares, looked up once (a board draws up to 400 cards)."""

    def __init__(self, viewer: Viewer) -> None:
        self.now = datetime.now(UTC)
        self.lang = lang()
        self.tz = viewer.workspace.timezone
        self.priority = {p: {"label": priority_label(p), "color": PRIORITY_COLOR[p]} for p in Priority}
        self.unblock = ["unblock"] if viewer.may(Action.UNBLOCK_TASK) else []  # a manager lifts blocks
        self._docs: dict[tuple[object, ...], str] = {}
        self.problems: dict[int, str] = st.session_state.pop(PROBLEMS, {})  # shown once each

    def docs(self, documents: list[DocumentRow], stage_code: str) -> str:
        """The checklist line of a document stage's card; cards with the same open documents share
        one (a column of document tasks repeats a handful of lines)."""
        key = (stage_code, *((row.kind, row.status, row.required) for row in documents))
        if key not in self._docs:
            self._docs[key] = card_line(documents, stage_code)
        return self._docs[key]

    def assignee(self, name: str | None) -> str | None:
        return text_in(self.lang, "task.assignee", name=name) if name else None


def card(
    task: TaskCard, viewer: Viewer, documents: list[DocumentRow] | None = None, words: _Words | None = None
) -> dict[str, Any]:
    """What one card shows, in the shape `task_board` draws; a document stage's card lists the
    documents still holding it (`documents`: the jamaah's checklist)."""
    words = words or _Words(viewer)
    stage = row_stage_label(task)  # the jamaah's own version's words, marked if not the newest
    title = task_title(task.title, task.jamaah_name)
    due = rules.due_in_words(due_at=task.due_at, now=words.now, tz=words.tz, lang=words.lang)
    note = None
    if task.block_reason:
        note = {"kind": "blocked", "text": task.block_reason}
    elif task.notes:
        note = {"kind": "note", "text": task.notes}
    return {
        "id": task.id,
        "name": task.jamaah_name,
        "what": stage if title == task.stage_name_id else f"{title} · {stage}",
        "priority": words.priority[task.priority],
        "due": {"text": due, "late": task.due_at < words.now},
        "note": note,
        "assignee": words.assignee(task.assignee_name),
        "docs": words.docs(documents, task.stage_code) if documents is not None else None,
        "call": tel_link(task.phone),
        "whatsapp": whatsapp_link(task.phone),
        "problem": words.problems.pop(task.id, None),
        "actions": words.unblock if task.status is WorkStatus.BLOCKED else ["complete", "block"],
        "jamaah": registry.JAMAAH.href(jamaah=task.jamaah_id),
    }


def _on_page(key: str, on_page: Callable[[str, int], None]) -> None:
    asked = page_of(key)
    if asked is not None:
        on_page(str(asked["column"]), int(asked["page"]))


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
                **name,
            }


def block_dialog_if_asked(viewer: Viewer) -> None:
    """Open the reason dialog when a card asked for it (one dialog per run)."""
    asked = st.session_state.get(BLOCKING)
    if asked:
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
    st.rerun()  # the whole page: the dialog closes, the card shows the outcome


def _attempt(task_id: int, action: Callable[[], object], success: str) -> None:
    """Run one command; on success say so (the kanban's fragment reruns: every count it shows may
    change), otherwise leave the reason on the card."""
    problems = st.session_state.setdefault(PROBLEMS, {})
    try:
        action()
    except Conflict:
        problems[task_id] = t("task.conflict")
    except PermissionDenied:
        problems[task_id] = t("task.denied")
    except DocumentsNotReady as error:  # issue 19: the card says which documents hold the stage
        problems[task_id] = refusal(error)
    except InvalidInput as error:
        problems[task_id] = t("task.failed", error=error.message)
    else:
        flash(success)
