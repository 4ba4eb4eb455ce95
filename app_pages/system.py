"""Sistem (super-admins): readiness, the last hour's figures of all processes, the plan's five
alerts with their values, the slowest queries. Read once per visit: reload for newer figures
(no timer reruns the script)."""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action
from ui_kit.i18n import num, t
from ui_kit.session import viewer_who_may
from ui_kit.widgets import section

viewer = viewer_who_may(Action.VIEW_SYSTEM, "system.denied")
st.title(t("system.title"), anchor=False)
st.caption(t("system.caption"))


def percent(value: float | None) -> str:
    return t("system.none") if value is None else f"{100 * value:.1f} %"


def seconds(value: float | None) -> str:
    return t("system.none") if value is None else f"≤ {value:g} s"


def shown(alert: core.Alert) -> str:
    if alert.value is None:
        return t("system.none")
    if alert.name in ("error_rate", "cache_hit_rate"):
        return percent(alert.value)
    if alert.name == "live_disconnects":
        return num(int(alert.value))
    return f"{alert.value:.2f} s"


with section("system"):
    status = core.system_status(viewer)
    ready = status.readiness
    cells = st.columns(4)
    cells[0].metric(t("system.database"), t("system.ready") if ready.database else t("system.down"))
    cells[1].metric(t("system.redis"), t("system.ready") if ready.redis else t("system.down"))
    cells[2].metric(t("system.schema"), t("system.ready") if ready.schema_current else t("system.schema.old"))
    hours, rest = divmod(int(status.uptime_s), 3600)
    cells[3].metric(t("system.uptime"), f"{hours} h {rest // 60} min")

    figures = status.figures
    if figures is None:
        st.warning(t("system.no_figures"), icon=":material/cloud_off:")
    else:
        cells = st.columns(4)
        cells[0].metric(t("system.error_rate"), percent(figures.error_rate))
        cells[1].metric(t("system.api_p95"), seconds(figures.api_p95_s))
        cells[2].metric(t("system.hit_rate"), percent(figures.cache_hit_rate))
        cells[3].metric(t("system.streams"), num(status.live_streams))
        st.caption(t("system.requests", n=num(figures.requests)))

        st.subheader(t("system.alerts"), anchor=False)
        for alert in status.alerts:
            label = t(f"system.alert.{alert.name}")
            value = t("system.alert.value", value=shown(alert), threshold=f"{alert.threshold:g}")
            detail = f" — `{alert.detail}`" if alert.detail else ""
            if alert.firing:
                st.error(
                    f"**{t('system.alert.firing')}** · {label} · {value}{detail}",
                    icon=":material/notifications_active:",
                )
            else:
                st.success(f"{t('system.alert.ok')} · {label} · {value}", icon=":material/check_circle:")

    st.subheader(t("system.slowest"), anchor=False)
    if not status.slowest:
        st.caption(t("system.slowest.none"))
    else:
        st.dataframe(
            [{"name": q.name, "seconds": round(q.seconds, 3)} for q in status.slowest],
            hide_index=True,
            column_config={
                "name": st.column_config.TextColumn(t("system.slowest.name")),
                "seconds": st.column_config.NumberColumn(t("system.slowest.seconds"), format="%.3f"),
            },
        )
