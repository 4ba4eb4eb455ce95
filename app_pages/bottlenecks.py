"""Hambatan: every bottleneck alert (filter by severity, in the URL), the jamaah stuck in each
stage (longest delay first, paged in SQL), and the stuck count of the last 30 days."""

from datetime import UTC, datetime

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action, Severity, rules
from ui_kit import charts, html_cards
from ui_kit.cards import jamaah_rows, warn_of_new_critical
from ui_kit.i18n import lang, num, severity_label, t
from ui_kit.live import listen
from ui_kit.plotly_figure import plotly_figure
from ui_kit.session import current_viewer
from ui_kit.stage_labels import stage_label
from ui_kit.widgets import ALL, pager, section, show_flash

STUCK_PAGE_SIZE = 10

viewer = current_viewer()
workspace = viewer.workspace
show_flash()
st.title(t("bottlenecks.title"), anchor=False)
st.caption(workspace.name)
severity = st.segmented_control(
    t("bottlenecks.severity"),
    [ALL, *(s.value for s in Severity)],
    default=ALL,
    required=True,
    key="severity",
    bind="query-params",
    format_func=lambda s: t("bottlenecks.all") if s == ALL else severity_label(s),
)


@st.fragment
def stuck_list(alert: core.Bottleneck) -> None:
    label = f"{t('bottlenecks.stuck_list')} ({num(alert.stuck)})"
    if not st.toggle(label, key=f"stuck-{alert.code}"):
        return
    with section(f"stuck-{alert.code}"):
        key = f"stuck-page-{alert.code}"
        stuck = core.stuck_jamaah(
            viewer, alert.code, page=st.session_state.get(key, 1), limit=STUCK_PAGE_SIZE
        )
        jamaah_rows(stuck.items, workspace, show=("due", "departure"))
        pager(
            key,
            page=stuck.page,
            pages=stuck.pages,
            total=stuck.total,
            on_page=lambda n: st.session_state.update({key: n}),
        )


@st.fragment
def alerts() -> None:
    change = listen("live-bottlenecks", ["bottlenecks"], viewer, announce=True, show_status=True)
    with section("alerts"):
        found = core.bottlenecks(viewer, severity=None if severity == ALL else severity)
        managing = viewer.may(Action.VIEW_QUEUE_ALL)
        warn_of_new_critical(found, live=change is not None, managing=managing and severity == ALL)
        if not found:
            if severity == ALL:
                st.success(t("alerts.empty.detail"), title=t("alerts.empty"), icon=":material/check_circle:")
            else:
                st.info(t("bottlenecks.empty_filtered"), icon=":material/filter_alt_off:")
        for index, alert in enumerate(found):  # a card: one HTML element, then its stuck list
            with st.container(border=True, key=f"alert-{alert.code}"):
                html_cards.draw(html_cards.alert_card(alert), styled=index == 0)
                stuck_list(alert)


@st.fragment
def history() -> None:
    st.subheader(t("bottlenecks.history"), anchor=False)
    with section("history"):
        days = core.stuck_history(viewer)
        if not days:
            st.info(t("bottlenecks.history.empty"), icon=":material/timeline:")
            return
        names = {point.code: stage_label(point) for point in days}
        today = rules.agency_today(datetime.now(UTC), workspace.timezone)
        figure = charts.stuck_over_time_json(tuple(days), tuple(names.items()), today, lang())
        plotly_figure(figure, alt=t("bottlenecks.history.alt"), key="stuck-history")


alerts()
history()
