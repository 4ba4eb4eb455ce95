"""Antrean tugas: the admin's daily work. Role tabs, search, a kanban of four columns (Urgent,
Hari ini, Mendatang, Diblokir) or an editable table, paged server-side.

Everything that shapes the view lives in the URL (role, q, view, col, page, size; q not when it holds
a NIK, passport or phone number: widgets.search_box), so a reload or
a shared link shows the same tasks. Each column's count comes with its page (one read a column). The
kanban is one fragment drawing one element (ui_kit/tasks/board.py): a colleague's change pushed to
this queue (ui_kit/live.py), or an action on a card, redraws it without rerunning the rest of the
page; the table view only announces such changes (it never redraws under edits).
"""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import IdentitySearchRefused, InvalidInput
from ui_kit.i18n import column_label, role_title, t
from ui_kit.live import listen
from ui_kit.session import current_viewer
from ui_kit.tasks.queue import COLUMNS, kanban, role_choices
from ui_kit.tasks.table import seen_tasks, task_table
from ui_kit.widgets import ALL, pager, search_box, section, show_flash

SIZES = (20, 50, 100)

viewer = current_viewer()
workspace = viewer.workspace
show_flash()
st.title(t("queue.title"), anchor=False)


def first_page() -> None:
    st.session_state["page"] = 1


def go_to(column: str, page: int) -> None:
    """A column's pager: that column becomes the paged one (in the URL) and the page reruns."""
    st.session_state["col"], st.session_state["page"] = column, page
    st.rerun()


role = st.segmented_control(
    t("queue.role"),
    role_choices(viewer),
    key="role",
    bind="query-params",
    required=True,
    format_func=lambda r: t("queue.all_roles") if r == ALL else role_title(r),
    on_change=first_page,
)
with st.container(horizontal=True, vertical_alignment="bottom"):
    search = search_box(t("queue.search"), "q", on_change=first_page)
    view = st.segmented_control(
        t("queue.view"),
        ["kanban", "table"],
        default="kanban",
        required=True,
        key="view",
        bind="query-params",
        format_func=lambda v: t(f"queue.view.{v}"),
    )
    size = st.segmented_control(
        t("pager.size"),
        SIZES,
        default=20,
        required=True,
        key="size",
        bind="query-params",
        on_change=first_page,
    )
role_arg = None if role == ALL else role
size = size if size in SIZES else SIZES[0]

try:  # a search the core cannot read: say what to type (the views below would only fail)
    core.check_search(search, viewer)
except InvalidInput:
    st.warning(t("queue.search.invalid"), icon=":material/search_off:")
    st.stop()
except IdentitySearchRefused:
    st.warning(t("queue.search.identity_refused"), icon=":material/lock:")
    st.stop()

with st.container(horizontal=True, vertical_alignment="bottom"):
    col = st.segmented_control(
        t("queue.column"),
        [ALL, *(c.value for c in COLUMNS)],
        default=ALL,
        required=True,
        key="col",
        bind="query-params",
        format_func=lambda c: t("queue.column.all") if c == ALL else column_label(c),
        on_change=first_page,
    )
    page = int(
        st.number_input(t("pager.page"), min_value=1, step=1, key="page", bind="query-params", width=130)
    )


@st.fragment
def board() -> None:
    """The four columns as one element, redrawn together when a colleague's change reaches this
    queue or a card's action was taken here (the counts and the cards of every column may move):
    one read per column. An action's toast is shown here, as the page's top is not rerun."""
    listen("live-queue", ["queue"], viewer, announce=True, show_status=True)
    show_flash()
    pages = {column: page if col in (ALL, column.value) else 1 for column in COLUMNS}
    kanban(viewer, role=role_arg, search=search, pages=pages, size=size, on_page=go_to)


@st.fragment
def table_news() -> None:
    """In the table view nothing is redrawn under the user's edits: a colleague's change is
    announced, with a pointer to Reload."""
    if listen("live-table", ["queue"], viewer, announce=True, show_status=True) is not None:
        st.info(t("live.table_changed"), icon=":material/sync:")


@st.fragment
def table() -> None:
    with section("queue-table"):
        column = None if col == ALL else col
        view = f"{workspace.slug}|{role}|{col}|{search}|{page}|{size}"
        tasks = seen_tasks(
            view,
            lambda: core.task_queue_page(
                viewer, role=role_arg, column=column, search=search, page=page, limit=size
            ),
        )
        task_table(tasks.items, viewer)
        pager(
            "pager-table",
            page=tasks.page,
            pages=tasks.pages,
            total=tasks.total,
            on_page=lambda n: go_to(col, n),
        )


if view == "table":
    table_news()
    table()
else:
    board()
