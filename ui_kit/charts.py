"""The Plotly figures of the dashboard: pipeline by stage and status, stuck jamaah over time, and
a jamaah's planned vs actual stage timeline. Drawing only: the figures come in as read models."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import plotly.graph_objects as go

from pipeline_core.app import StageBreakdown, StageStats, StuckDay, TimelineStage
from pipeline_core.domain import rules
from ui_kit.i18n import day, t
from ui_kit.plotly_figure import figure_json
from ui_kit.stage_labels import stage_label

#: Status colours shared by the charts (red = late, orange = blocked, as on the badges).
COLORS = {"in_progress": "#2563EB", "pending": "#94A3B8", "blocked": "#F59E0B", "overdue": "#DC2626"}
STATUS_FIELDS = ("in_progress", "pending", "blocked", "overdue")
_LAYOUT = {
    "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
    "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
}


def _whole_numbers(largest: int) -> dict[str, object]:
    """Axis ticks at whole jamaah only (Plotly would put 0.5 steps on a short axis)."""
    return {"tickformat": ",d", "dtick": 1} if largest <= 8 else {"tickformat": ",d"}


def _counts(part: StageBreakdown) -> tuple[int, ...]:
    return tuple(getattr(part, field) for field in STATUS_FIELDS)


def pipeline_by_stage(stages: Sequence[StageStats], parts: Sequence[StageBreakdown]) -> go.Figure:
    """Stacked bars per stage (in pipeline order): in progress, pending, blocked, overdue."""
    by_code = {part.code: part for part in parts}
    names = [stage_label(stage) for stage in stages]
    largest = max((sum(_counts(by_code[s.code])) for s in stages if s.code in by_code), default=0)
    figure = go.Figure()
    for field in STATUS_FIELDS:
        values = [getattr(by_code[s.code], field) if s.code in by_code else 0 for s in stages]
        figure.add_bar(
            name=t(f"chart.{field}"),
            y=names,
            x=values,
            orientation="h",
            marker_color=COLORS[field],
            hovertemplate="%{y}<br>%{fullData.name}: %{x}<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        height=80 + 30 * len(names),
        xaxis={"title": t("chart.jamaah"), "rangemode": "tozero", **_whole_numbers(largest)},
        yaxis_autorange="reversed",
        legend_traceorder="normal",
        **_LAYOUT,
    )
    return figure


def stuck_over_time(
    history: Sequence[StuckDay], names: dict[str, str], *, now: datetime, tz: str
) -> go.Figure:
    """One line per stage: stuck jamaah per day, over the 30 days up to the agency's today (in its
    time zone `tz`); days without a record stay empty: nobody looked at the bottlenecks that day."""
    return _stuck_figure(history, names, rules.agency_today(now, tz))


@functools.lru_cache(maxsize=64)
def stuck_over_time_json(
    history: tuple[StuckDay, ...], names: tuple[tuple[str, str], ...], today: date, language: str
) -> str:
    """`stuck_over_time` as plotly.js takes it, built once per history, names, day and language
    (`language` must be the reader's: the words come from `t`). Building the figure with
    plotly's validators was ~60 % of the bottlenecks page's CPU on every run (issue 21); the
    history changes at most a few times a day."""
    return figure_json(_stuck_figure(history, dict(names), today), language)


def _stuck_figure(history: Sequence[StuckDay], names: dict[str, str], today: date) -> go.Figure:
    figure = go.Figure()
    for code in dict.fromkeys(point.code for point in history):
        points = [point for point in history if point.code == code]
        figure.add_scatter(
            name=names.get(code, code),
            x=[point.day for point in points],
            y=[point.stuck for point in points],
            mode="lines+markers",
            text=[day(point.day) for point in points],
            hovertemplate="%{text}<br>%{fullData.name}: %{y}<extra></extra>",
        )
    figure.update_layout(
        height=320,
        xaxis={
            "title": t("bottlenecks.day"),
            "range": [today - timedelta(days=30), today + timedelta(days=1)],
        },
        xaxis_tickformat="%d %b",
        yaxis={
            "title": t("alert.stuck"),
            "rangemode": "tozero",
            **_whole_numbers(max((p.stuck for p in history), default=0)),
        },
        **_LAYOUT,
    )
    return figure


def stage_timeline(stages: Sequence[TimelineStage], now: datetime) -> go.Figure:
    """Planned (light) against actual (solid) time of each stage, as horizontal bars."""
    figure = go.Figure()
    names = [stage_label(stage) for stage in stages]
    for label, color, spans in (
        (
            t("timeline.planned"),
            "#CBD5E1",
            [(s.planned_start or s.started_at, s.planned_due or s.due_at) for s in stages],
        ),
        (
            t("timeline.actual"),
            "#0F766E",
            [(s.started_at, s.completed_at or (now if s.started_at else None)) for s in stages],
        ),
    ):
        shown = [(name, start, end) for name, (start, end) in zip(names, spans, strict=True) if start and end]
        figure.add_bar(
            name=label,
            y=[name for name, _, _ in shown],
            base=[start for _, start, _ in shown],
            x=[(end - start).total_seconds() * 1000 for _, start, end in shown],
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}<extra>" + label + "</extra>",
        )
    figure.update_layout(
        barmode="group",
        height=60 + 32 * len(stages),
        xaxis={"type": "date", "tickformat": "%d %b"},
        yaxis_autorange="reversed",
        **_LAYOUT,
    )
    return figure
