"""Ringkasan pipeline: the manager's first look — how many jamaah, how healthy, where it is stuck,
who leaves this week. Each section is a fragment with its own loading state and error boundary,
rerun by the live changes of what it shows. Lists are one element each (the stage cards an HTML
block, the alerts and the departures one Markdown block): every element costs the server's CPU
on every run (issue 21)."""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action
from ui_kit import charts, registry
from ui_kit.cards import alert_summaries, departures_table, warn_of_new_critical
from ui_kit.i18n import num, pct, t
from ui_kit.live import listen
from ui_kit.plotly_figure import plotly_figure
from ui_kit.session import current_viewer
from ui_kit.stage_cards import stage_cards
from ui_kit.widgets import section, show_flash

viewer = current_viewer()
workspace = viewer.workspace
show_flash()
with st.container(horizontal=True, vertical_alignment="bottom"):
    st.title(t("overview.title"), anchor=False)
    st.page_link(registry.TASK_QUEUE.page(), label=t("queue.open"), icon=":material/view_kanban:")
st.caption(workspace.name)

#: What the overview shows; a change touching any of them is announced here.
SHOWN = ("health", "stages", "bottlenecks", "departures")


@st.fragment
def kpis() -> None:
    """The five figures, with the page's live line: live / reconnecting / offline, and a toast
    for each change by someone else to anything the overview shows (the figures are redrawn with
    it: one read from the cache, cheaper than a listener element of their own)."""
    listen("live-overview", SHOWN, viewer, announce=True, show_status=True)
    with section("kpis"):
        health = core.pipeline_health(viewer)
        with st.container(horizontal=True):
            for key, value in (
                ("total", num(health.total)),
                ("on_track", num(health.on_track)),
                ("at_risk", num(health.at_risk)),
                ("overdue", num(health.overdue)),
                ("health", pct(health.health_score)),
            ):
                st.metric(t(f"kpi.{key}"), value, border=True, help=t(f"kpi.{key}.help"))


@st.fragment
def stages() -> None:
    listen("live-stages", ["stages"], viewer)
    st.subheader(t("stages.title"), anchor=False)
    with section("stages"):
        found = core.stage_stats(viewer)
        if not found:
            st.info(t("stages.empty"), icon=":material/info:")
        else:
            stage_cards(found)


@st.fragment
def pipeline_chart() -> None:
    listen("live-chart", ["stages"], viewer)
    st.subheader(t("chart.title"), anchor=False)
    with section("chart"):
        stages = core.stage_stats(viewer)
        parts = core.stage_breakdown(viewer)
        if not parts:
            st.info(t("chart.empty"), icon=":material/info:")
        else:
            plotly_figure(charts.pipeline_by_stage(stages, parts), alt=t("chart.alt"), key="pipeline-chart")


@st.fragment
def alerts() -> None:
    change = listen("live-alerts", ["bottlenecks"], viewer)
    st.subheader(t("alerts.title"), anchor=False)
    with section("alerts"):
        found = core.bottlenecks(viewer)
        warn_of_new_critical(found, live=change is not None, managing=viewer.may(Action.VIEW_QUEUE_ALL))
        if not found:
            st.success(t("alerts.empty.detail"), title=t("alerts.empty"), icon=":material/check_circle:")
        else:
            alert_summaries(found[:4])
            st.page_link(registry.BOTTLENECKS.page(), label=t("alerts.all"), icon=":material/arrow_forward:")


@st.fragment
def departures() -> None:
    listen("live-departures", ["departures"], viewer)
    st.subheader(t("departures.upcoming"), anchor=False)
    with section("departures"):
        upcoming = core.upcoming_departures(viewer, days=7, limit=10)
        if not upcoming.items:
            st.info(t("departures.empty", n=7), icon=":material/event_available:")
        else:
            departures_table(upcoming.items, workspace)
        st.page_link(registry.DEPARTURES.page(), label=t("departures.all"), icon=":material/arrow_forward:")


kpis()
stages()
left, right = st.columns([3, 2], gap="medium")
with left:
    pipeline_chart()
    departures()
with right:
    alerts()
