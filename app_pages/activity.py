"""Log aktivitas (managers and super-admins): every change in the workspace, newest first — who,
when, what, old → new — filtered by person, action and days, paged in SQL.

The filters, the page size and the page live in the URL (who, what, from, to, size, page), so a
reload or a shared link shows the same entries. Days are the agency's (its time zone).
"""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.app import dashboard
from pipeline_core.domain import Action, InvalidInput
from ui_kit.activity import action_label, log_row
from ui_kit.i18n import num, t
from ui_kit.session import viewer_who_may
from ui_kit.stage_labels import stage_label
from ui_kit.widgets import pager, section, show_flash

SIZES = (20, 50, 100)

viewer = viewer_who_may(Action.VIEW_ACTIVITY_LOG, "log.denied")
workspace = viewer.workspace
show_flash()
st.title(t("log.title"), anchor=False)
st.caption(t("log.caption", name=workspace.name))


def first_page() -> None:
    st.session_state["page"] = 1


choices = core.ActivityFilters(actors=[], actions=[])
with section("log-filters"):
    choices = core.activity_filters(viewer)

with st.container(horizontal=True, vertical_alignment="bottom"):
    who = st.selectbox(
        t("log.who"),
        choices.actors,
        index=None,
        placeholder=t("log.who.all"),
        key="who",
        bind="query-params",
        help=t("log.who.help"),
        on_change=first_page,
    )
    what = st.selectbox(
        t("log.what"),
        choices.actions,
        index=None,
        format_func=action_label,
        placeholder=t("log.what.all"),
        key="what",
        bind="query-params",
        help=t("log.what.help"),
        on_change=first_page,
    )
    since = st.date_input(
        t("log.from"),
        value=None,
        format="DD/MM/YYYY",
        key="from",
        bind="query-params",
        help=t("log.from.help", tz=workspace.timezone),
        on_change=first_page,
    )
    until = st.date_input(
        t("log.to"),
        value=None,
        format="DD/MM/YYYY",
        key="to",
        bind="query-params",
        help=t("log.to.help", tz=workspace.timezone),
        on_change=first_page,
    )
with st.container(horizontal=True, vertical_alignment="bottom"):
    size = st.segmented_control(
        t("pager.size"),
        SIZES,
        default=50,
        required=True,
        key="size",
        bind="query-params",
        on_change=first_page,
    )
    page = int(
        st.number_input(t("pager.page"), min_value=1, step=1, key="page", bind="query-params", width=130)
    )
size = size if size in SIZES else 50


def stage_names() -> dict[str, str]:
    """Every version's stage codes (a change may name a stage the newest version has removed)."""
    return {stage.code: stage_label(stage) for stage in dashboard.stage_words(viewer)}


with section("log"):
    try:
        found = core.activity_page(
            viewer,
            actor=who,
            action=what,
            date_from=since if not isinstance(since, tuple) else None,
            date_to=until if not isinstance(until, tuple) else None,
            page=page,
            limit=size,
        )
    except InvalidInput:
        st.warning(t("log.bad_dates"), icon=":material/event_busy:")
        st.stop()
    if not found.total:
        filtered = any(value is not None for value in (who, what, since, until))
        st.info(t("log.empty_filtered" if filtered else "log.empty"), icon=":material/history:")
        st.stop()
    st.caption(t("log.count", n=num(found.total)))
    stages = stage_names()
    st.dataframe(
        [log_row(entry, workspace, stages) for entry in found.items],
        hide_index=True,
        column_config={
            "when": st.column_config.TextColumn(t("log.when"), width="small"),
            "who": st.column_config.TextColumn(t("log.who"), width="small"),
            "what": st.column_config.TextColumn(t("log.what"), width="small"),
            "about": st.column_config.TextColumn(t("log.about"), width="small"),
            "changes": st.column_config.TextColumn(t("log.changes"), width="large"),
            "open": st.column_config.LinkColumn(
                t("log.open"), display_text=":material/open_in_new:", width="small"
            ),
        },
        key="log-table",
        alt=t("log.alt"),
    )
    pager(
        "log",
        page=found.page,
        pages=found.pages,
        total=found.total,
        on_page=lambda n: st.session_state.update(page=n),
    )
