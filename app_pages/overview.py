"""Ringkasan pipeline: the manager's first look — how many jamaah, how healthy, where it is stuck,
who leaves this week. Each section is a fragment with its own loading state and error boundary."""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action
from ui_kit import charts, registry
from ui_kit.cards import alert_card, departures_table, warn_of_new_critical
from ui_kit.i18n import dec, num, pct, role_title, t
from ui_kit.live import listen
from ui_kit.plotly_figure import plotly_figure
from ui_kit.session import current_viewer
from ui_kit.stage_labels import stage_label, variants_note
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
def live_status() -> None:
    """Live / reconnecting / offline, and a toast for each change by someone else."""
    listen("live-overview", SHOWN, viewer, announce=True, show_status=True)


@st.fragment
def kpis() -> None:
    listen("live-kpis", ["health"], viewer)
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
def stage_cards() -> None:
    listen("live-stages", ["stages"], viewer)
    st.subheader(t("stages.title"), anchor=False)
    with section("stages"):
        stages = core.stage_stats(viewer)
        if not stages:
            st.info(t("stages.empty"), icon=":material/info:")
        with st.grid(5, min_column_width=170, gap="small"):
            for stage in stages:
                with st.container(border=True, height="stretch"):
                    st.markdown(f"**{stage_label(stage)}**  \n:gray[{role_title(stage.responsible_role)}]")
                    st.metric(
                        t("chart.jamaah"),
                        num(stage.in_stage),
                        delta=t("stages.overdue", n=num(stage.overdue)),
                        delta_color="red" if stage.overdue else "gray",
                        delta_arrow="off",
                    )
                    st.caption(t("stages.in_progress", n=num(stage.in_progress)))
                    if note := variants_note(stage):  # jamaah of two versions, each in its words
                        st.caption(note, help=t("stage.variants.help"))
                    sla = dec(stage.sla_days)
                    if stage.avg_completion_days is None:
                        st.caption(t("stages.avg_none", sla=sla))
                    else:
                        late = stage.avg_completion_days > stage.sla_days
                        text = t("stages.avg", avg=dec(stage.avg_completion_days), sla=sla)
                        st.caption(f":red[{text}]" if late else text)


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
        for alert in found[:4]:
            alert_card(alert, compact=True)
        if found:
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


live_status()
kpis()
stage_cards()
left, right = st.columns([3, 2], gap="medium")
with left:
    pipeline_chart()
    departures()
with right:
    alerts()
