"""How the domain is drawn wherever it appears: bottleneck alerts, departure groups, lists of jamaah
(each a link to the detail page) and their CSV, passport and contact lines, a jamaah's timeline and
tasks. Changes in words (activity feed, the log's rows) are activity.py's."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Literal

import streamlit as st

from pipeline_core.app import Bottleneck, DepartureGroup, JamaahLine, TaskLine, TimelineStage
from pipeline_core.domain import JamaahStatus, Priority, Severity, Workspace, rules
from pipeline_core.domain.exports import spreadsheet_row
from pipeline_core.domain.formatting import phone_display, tel_link, whatsapp_link
from ui_kit import registry
from ui_kit.i18n import (
    day,
    day_time,
    dec,
    jamaah_status_label,
    lang,
    num,
    pct,
    priority_label,
    role_title,
    severity_label,
    status_label,
    t,
)
from ui_kit.stage_labels import row_stage_label, stage_label, variants_note

BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]

PRIORITY_COLOR: dict[Priority, BadgeColor] = {
    Priority.URGENT: "red",
    Priority.HIGH: "orange",
    Priority.NORMAL: "blue",
    Priority.LOW: "gray",
}
SEVERITY_COLOR: dict[Severity, BadgeColor] = {
    Severity.CRITICAL: "red",
    Severity.MODERATE: "orange",
    Severity.LOW: "yellow",
}
STATUS_COLOR: dict[JamaahStatus, BadgeColor] = {
    JamaahStatus.ON_TRACK: "green",
    JamaahStatus.AT_RISK: "orange",
    JamaahStatus.OVERDUE: "red",
    JamaahStatus.COMPLETED: "blue",
}


def warn_of_new_critical(alerts: list[Bottleneck], *, live: bool, managing: bool) -> None:
    """A bottleneck that became critical since this page last drew the alerts raises a toast, for
    managers, when the redraw came from a live change (not on the first look)."""
    critical = {alert.code for alert in alerts if alert.severity is Severity.CRITICAL}
    seen = st.session_state.get("_critical_seen")
    st.session_state["_critical_seen"] = critical
    if not (live and managing) or seen is None:
        return
    for alert in alerts:
        if alert.code in critical - seen:
            st.toast(t("alerts.became_critical", stage=stage_label(alert)), icon=":material/priority_high:")


def alert_summaries(alerts: list[Bottleneck]) -> None:
    """Alerts in a narrow column (the overview's): each its severity, stage, stuck count with the
    7-day trend, delay, departure impact, reason and role, all in one Markdown element (the
    bottlenecks page's cards are `html_cards.alert_card`). Stage names and reasons are
    people's words: shown literally (`plain`)."""
    blocks = []
    for alert in alerts:
        severity = severity_label(alert.severity)
        badge = f":{SEVERITY_COLOR[alert.severity]}-badge[:material/warning: {severity}]"
        lines = [f"{badge} **{plain(stage_label(alert))}**"]
        if note := variants_note(alert):  # stuck jamaah of two versions, each in its words
            lines.append(f":small[:gray[{plain(note)}]]")
        lines.append(
            t(
                "alert.summary",
                stuck=num(alert.stuck),
                trend=f"{trend_text(alert.trend)} " if alert.trend else "",
                delay=dec(alert.avg_delay_days),
                impact=num(alert.departure_impact),
            )
        )
        reason = t("alert.reason", reason=alert.top_reason) if alert.top_reason else t("alert.reason_none")
        role = t("alert.role", role=role_title(alert.responsible_role))
        lines.append(f":small[:gray[{plain(reason)} · {plain(role)}]]")
        blocks.append("  \n".join(lines))
    st.markdown("\n\n---\n\n".join(blocks))


def trend_text(change: int | None) -> str:
    """▲ 3 (more stuck than 7 days ago, red) / ▼ 2 (fewer, green) / ▬ 0."""
    if change is None:
        return ""
    if change > 0:
        return f":red[▲ {num(change)}]"
    if change < 0:
        return f":green[▼ {num(-change)}]"
    return ":gray[▬ 0]"


def departures_table(groups: list[DepartureGroup], workspace: Workspace) -> None:
    """Departure groups as a compact table: date and days to go, jamaah, not ready, readiness.
    A Markdown table (at most 10 rows): `st.dataframe` would load its grid (~0.4 s of a first visit
    of the overview, ~0.2 s of a repeat one, docs/benchmarks.md) for a list this short."""
    now = datetime.now(UTC)
    header = (
        f"| {t('departures.title')} | {t('list.departure')} | {t('departures.jamaah')} "
        f"| {t('departures.not_ready')} | {t('departures.readiness')} |\n|---|---|--:|--:|--:|"
    )
    rows = []
    for group in groups:
        readiness = pct(100 * group.ready / group.jamaah if group.jamaah else 0.0)
        rows.append(
            f"| {plain(group.name)} | {day(group.departure_date)} · {days_to_go(group, workspace, now)} "
            f"| {num(group.jamaah)} | {num(group.not_ready)} "
            f"| :{'orange' if group.not_ready else 'green'}-badge[{readiness}] |"
        )
    st.markdown("\n".join([header, *rows]))


def days_to_go(group: DepartureGroup, workspace: Workspace, now: datetime | None = None) -> str:
    """ "H-4" (Indonesian offices count down to departure day H) / "in 4 days" / "Hari ini"."""
    at = now or datetime.now(UTC)
    days = rules.days_until_departure(departure_date=group.departure_date, now=at, tz=workspace.timezone)
    return t("departures.today") if days <= 0 else t("departures.in", n=days)


def jamaah_rows(
    lines: list[JamaahLine], workspace: Workspace, *, show: tuple[str, ...] = ("stage", "due")
) -> None:
    """A short list of jamaah, each name a link to the detail page, with what matters beside it."""
    now = datetime.now(UTC)
    jamaah_page = registry.JAMAAH.page()
    for line in lines:
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.page_link(
                jamaah_page,
                label=line.full_name,
                icon=":material/person:",
                query_params={"jamaah": str(line.id)},
            )
            st.badge(jamaah_status_label(line.status), color=STATUS_COLOR[line.status])
            parts: list[str] = []
            if "stage" in show and line.stage_code:
                parts.append(row_stage_label(line))
            if "due" in show and line.due_at is not None:
                parts.append(
                    rules.due_in_words(due_at=line.due_at, now=now, tz=workspace.timezone, lang=lang())
                )
            if "departure" in show:
                parts.append(f"{t('list.departure')} {day(line.departure_date)}")
            if line.reason:
                parts.append(f"“{line.reason}”")
            st.caption(" · ".join(parts))


def jamaah_csv(lines: list[JamaahLine], workspace: Workspace) -> str:
    """The list as CSV for a spreadsheet; NIK and passport come masked from the core, and no cell can
    start a formula (`spreadsheet_row`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            t(f"list.{c}")
            for c in ("name", "nik", "phone", "package", "departure", "stage", "status", "due", "reason")
        ]
    )
    for line in lines:
        writer.writerow(
            spreadsheet_row(
                [
                    line.full_name,
                    line.nik,
                    phone_display(line.phone),
                    line.package_name,
                    day(line.departure_date),
                    row_stage_label(line) if line.stage_code else "",
                    jamaah_status_label(line.status),
                    day_time(line.due_at, workspace.timezone) if line.due_at else "",
                    line.reason or "",
                ]
            )
        )
    return out.getvalue()


def passport_alert(check: rules.PassportCheck) -> None:
    """Whether the passport is valid long enough for the trip: green, orange (renew soon) or red."""
    alert = {rules.PassportCheck.OK: st.success, rules.PassportCheck.WARNING: st.warning}.get(check, st.error)
    alert(t(f"passport.{check.value}"), icon=":material/badge:")


def contact_links(phone: str, *, show_number: bool = False) -> str:
    """One-tap Call (tel:+62…) and WhatsApp (wa.me/62…) links, as Markdown."""
    call = f"[:material/call: {phone_display(phone) if show_number else t('task.call')}]({tel_link(phone)})"
    return f"{call} · [:material/chat: {t('task.whatsapp')}]({whatsapp_link(phone)})"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def plain(text: str) -> str:
    """Text typed by people (names, notes, reasons) shown literally inside Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def task_title(title: str, jamaah_name: str) -> str:
    """A task's title without the jamaah's name it repeats ("Ajukan visa — Siti Aminah")."""
    return title.removesuffix(f" — {jamaah_name}")


def timeline_table(stages: list[TimelineStage], workspace: Workspace) -> None:
    """Every stage of the jamaah: what happened (started, due, completed) or, ahead, the plan.
    Static tables (`st.table`) here: a few rows each, and `st.dataframe`'s grid costs ~0.4 s of a
    first visit (docs/benchmarks.md)."""

    def shown(at: datetime | None) -> str:
        return day_time(at, workspace.timezone) if at else ""

    st.table(
        [
            {
                t("timeline.stage"): stage_label(stage),
                t("timeline.status"): status_label(stage.status) if stage.status else t("timeline.planned"),
                t("timeline.started"): shown(stage.started_at) or shown(stage.planned_start),
                t("timeline.due"): shown(stage.due_at) or shown(stage.planned_due),
                t("timeline.completed"): shown(stage.completed_at),
            }
            for stage in stages
        ],
        hide_index=True,
        border="horizontal",
        alt=t("timeline.alt"),
    )


def task_lines_table(tasks: list[TaskLine], workspace: Workspace, jamaah_name: str) -> None:
    st.table(
        [
            {
                t("table.task"): task_title(task.title, jamaah_name),
                t("table.status"): status_label(task.status),
                t("table.priority"): priority_label(task.priority),
                t("table.due"): day_time(task.due_at, workspace.timezone),
                t("table.assignee"): task.assignee_name or t("none"),
                t("table.notes"): task.block_reason or task.notes or "",
            }
            for task in tasks
        ],
        hide_index=True,
        border="horizontal",
        alt=t("tasks.title"),
    )
