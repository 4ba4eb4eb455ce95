"""Keberangkatan: the departure groups leaving soon (7 / 14 / 30 days, in the URL), soonest first,
how many of each are ready and at which stage the others are; drill down to the jamaah not ready
(paged in SQL) and download them as CSV."""

import streamlit as st

from pipeline_core import app as core
from ui_kit import html_cards
from ui_kit.cards import jamaah_csv, jamaah_rows
from ui_kit.i18n import num, t
from ui_kit.live import listen
from ui_kit.session import current_viewer
from ui_kit.widgets import pager, section, show_flash

WINDOWS = (7, 14, 30)
ROSTER_SIZE = 10

viewer = current_viewer()
workspace = viewer.workspace
show_flash()
st.title(t("departures.title"), anchor=False)
st.caption(workspace.name)
window = st.segmented_control(
    t("departures.window"),
    WINDOWS,
    default=7,
    required=True,
    key="window",
    bind="query-params",
    on_change=lambda: st.session_state.pop("groups_page", None),
)
window = window if window in WINDOWS else WINDOWS[0]


def roster_csv(group: core.DepartureGroup) -> str:
    """Every not-ready jamaah of the group (a group is at most a few busloads), read page by page."""
    lines, page, pages = [], 1, 1
    while page <= pages:
        chunk = core.not_ready_jamaah(viewer, group.package_id, page=page, limit=100)
        lines += chunk.items
        page, pages = page + 1, chunk.pages
    return jamaah_csv(lines, workspace)


@st.fragment
def group_card(group: core.DepartureGroup, *, styled: bool) -> None:
    """The card (one HTML element: every element costs the server on each run, issue 21) and,
    when some jamaah are not ready, the toggle of their roster. A fragment: the toggle and the
    roster's pager rerun this card only."""
    with st.container(border=True, key=f"group-{group.package_id}"):
        html_cards.draw(html_cards.group_card(group, workspace), styled=styled)
        if group.not_ready and st.toggle(t("departures.show"), key=f"roster-{group.package_id}"):
            roster(group)


def roster(group: core.DepartureGroup) -> None:
    with section(f"roster-{group.package_id}"):
        key = f"roster-page-{group.package_id}"
        lines = core.not_ready_jamaah(
            viewer, group.package_id, page=st.session_state.get(key, 1), limit=ROSTER_SIZE
        )
        jamaah_rows(lines.items, workspace)
        pager(
            key,
            page=lines.page,
            pages=lines.pages,
            total=lines.total,
            on_page=lambda n: st.session_state.update({key: n}),
        )
        st.download_button(
            t("departures.csv"),
            data=lambda: roster_csv(group),
            file_name=f"belum-siap-{group.code}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=f"csv-{group.package_id}",
        )


@st.fragment
def groups() -> None:
    listen("live-departures", ["departures"], viewer, announce=True, show_status=True)
    with section("departures"):
        found = core.upcoming_departures(viewer, days=window, page=st.session_state.get("groups_page", 1))
        if not found.items:
            st.info(t("departures.empty", n=window), icon=":material/event_available:")
            return
        st.caption(t("departures.count", n=num(found.total), days=window))
        with st.grid(2, min_column_width=420, gap="small"):
            for index, group in enumerate(found.items):
                group_card(group, styled=index == 0)
        pager(
            "groups",
            page=found.page,
            pages=found.pages,
            total=found.total,
            on_page=lambda n: st.session_state.update(groups_page=n),
        )


groups()
