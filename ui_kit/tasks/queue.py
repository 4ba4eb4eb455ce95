"""The task queue's role filter (shared with the sidebar, whose dataset switch lands on it anew) and
its kanban: four columns, each a heading with its count, a page of cards and a pager, from one read
a column, drawn as one element (ui_kit/tasks/board.py)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import ADMIN_ROLES, Action, KanbanColumn
from ui_kit import widgets
from ui_kit.tasks.card import block_dialog_if_asked, kanban_board
from ui_kit.widgets import ALL

COLUMNS = (KanbanColumn.URGENT, KanbanColumn.TODAY, KanbanColumn.UPCOMING, KanbanColumn.BLOCKED)


def home_role(viewer: core.Viewer) -> str:
    """The queue a viewer lands on: managers and super-admins all roles, an admin their own."""
    return ALL if viewer.may(Action.VIEW_QUEUE_ALL) else viewer.role.value


def role_choices(viewer: core.Viewer) -> list[str]:
    """The role filter's options: all roles and each admin role for those who see every queue, an
    admin only their own. A role from the URL that is not among them gives way to `home_role`."""
    roles = [ALL, *(r.value for r in ADMIN_ROLES)]
    if not viewer.may(Action.VIEW_QUEUE_ALL):  # an admin sees their own queue
        roles = [home_role(viewer)]
    if st.session_state.get("role") not in roles:
        st.session_state["role"] = home_role(viewer)
    return roles


def kanban(
    viewer: core.Viewer,
    *,
    role: str | None,
    search: str,
    pages: dict[KanbanColumn, int],
    size: int,
    on_page: Callable[[str, int], None],
) -> None:
    """The four columns from one read each (a column's count is its page's total, so it always
    agrees with the cards drawn), and the block dialog when a card asked for it."""
    with widgets.section("kanban"):
        columns = [
            (column, _column_page(column, viewer, role, search, pages[column], size)) for column in COLUMNS
        ]
        kanban_board("task-board", columns, viewer, on_page)
        block_dialog_if_asked(viewer)


def _column_page(
    column: KanbanColumn, viewer: core.Viewer, role: str | None, search: str, page: int, size: int
) -> core.TaskPage:
    tasks = core.task_queue_page(viewer, role=role, column=column, search=search, page=page, limit=size)
    if tasks.page > tasks.pages:  # past the end (an old link, a column that shrank): the last page
        tasks = core.task_queue_page(
            viewer, role=role, column=column, search=search, page=tasks.pages, limit=size
        )
    return tasks
