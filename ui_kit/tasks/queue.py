"""The task queue's role filter (shared with the sidebar, whose dataset switch lands on it anew) and
its kanban columns: each a header with its count, a page of cards and a pager, from one read."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import ADMIN_ROLES, Action, KanbanColumn
from ui_kit import widgets
from ui_kit.i18n import column_label, num, t
from ui_kit.tasks.card import block_dialog_if_asked, task_cards
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


def kanban_column(
    column: KanbanColumn,
    viewer: core.Viewer,
    *,
    role: str | None,
    search: str,
    page: int,
    size: int,
    on_page: Callable[[int], None],
) -> None:
    """A column's header with its count, its page of cards and its pager, from one read (the count
    is the page's total, so it always agrees with the cards drawn)."""
    header = st.empty()
    header.markdown(f"**{column_label(column)}**")
    with widgets.section(f"column-{column.value}"):
        tasks = core.task_queue_page(viewer, role=role, column=column, search=search, page=page, limit=size)
        if tasks.page > tasks.pages:  # past the end (an old link, a column that shrank): the last page
            tasks = core.task_queue_page(
                viewer, role=role, column=column, search=search, page=tasks.pages, limit=size
            )
        header.markdown(f"**{column_label(column)}** :gray-badge[{num(tasks.total)}]")
        if tasks.items:
            task_cards(f"cards-{column.value}", list(tasks.items), viewer)
        else:
            st.caption(t("queue.column.empty"))
        block_dialog_if_asked(column.value, viewer)
        pager_name = f"pager-{column.value}"
        widgets.pager(pager_name, page=tasks.page, pages=tasks.pages, total=tasks.total, on_page=on_page)
