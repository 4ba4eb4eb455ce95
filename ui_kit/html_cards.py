"""The bottleneck alert card (the bottlenecks page) and the departure group card (the departures
page), each drawn as one escaped HTML element instead of a handful of Streamlit elements.

Why: as elements an alert card was ~10 deltas a run (a bordered container, two rows, a badge,
Markdown, three metrics, captions) and a group card ~6; every delta costs the server's CPU on each
script run (issue 21: serialised, hashed, one config lock and one event-loop wake-up each). The
card's widgets — the stuck list's and roster's toggles, their pagers, the CSV download — stay
Streamlit widgets below the HTML, inside the page's bordered container.

Accessibility: each card is an `article` named by its `h3` heading; figures are a description
list (`dl`: what, then how many), the readiness bar a `progressbar` with its value, icons are
hidden from screen readers (the text beside them says it all). Every piece of text is
`html.escape`d: stage names, group names and reasons are people's words, never markup.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import streamlit as st

from pipeline_core.app import Bottleneck, DepartureGroup
from pipeline_core.domain import Workspace, rules
from ui_kit.cards import SEVERITY_COLOR, days_to_go
from ui_kit.i18n import day, dec, num, role_title, severity_label, t
from ui_kit.stage_labels import stage_label, variants_note

# `.stHtml ul|dl` (Streamlit's own list indent) is more specific than one class: hence `.stHtml`.
CSS = """<style>
.stHtml .umrah-card { display: flex; flex-direction: column; gap: .35rem; }
.stHtml .umrah-card h3 { font-size: 1rem; font-weight: 600; margin: 0; padding: 0; line-height: 1.5; }
.stHtml .umrah-card p { margin: 0; }
.stHtml .umrah-card .head { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .6rem; }
.stHtml .umrah-card .muted { opacity: .65; }
.stHtml .umrah-card .small { font-size: .875rem; }
.stHtml .umrah-card .badge { display: inline-flex; align-items: center; gap: .2rem; padding: 0 .4rem;
  border-radius: .25rem; font-size: .875rem; white-space: nowrap; line-height: 1.6; }
.stHtml .umrah-card .icon { font-family: 'Material Symbols Rounded'; font-weight: normal; font-style: normal;
  font-size: 1.05em; line-height: 1; letter-spacing: normal; text-transform: none; white-space: nowrap;
  font-feature-settings: 'liga'; -webkit-font-smoothing: antialiased; user-select: none; }
.stHtml .umrah-card .red { background: rgba(255, 75, 75, .12); color: rgb(189, 64, 67); }
.stHtml .umrah-card .orange { background: rgba(255, 164, 33, .15); color: rgb(180, 90, 0); }
.stHtml .umrah-card .yellow { background: rgba(255, 214, 0, .18); color: rgb(130, 105, 0); }
.stHtml .umrah-card .blue { background: rgba(28, 131, 225, .12); color: rgb(0, 84, 163); }
.stHtml .umrah-card .green { background: rgba(33, 195, 84, .12); color: rgb(23, 114, 51); }
.stHtml .umrah-card .gray { background: rgba(128, 132, 149, .15); }
.stHtml dl.umrah-figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: .5rem 1rem; margin: .35rem 0; padding: 0; }
.stHtml dl.umrah-figures dt { font-size: .875rem; font-weight: 400; }
.stHtml dl.umrah-figures dd { margin: 0; }
.stHtml dl.umrah-figures .value { font-size: 1.75rem; line-height: 1.3; }
.stHtml .umrah-card .help { cursor: help; opacity: .65; vertical-align: middle; }
.stHtml .umrah-card .bar { height: .5rem; border-radius: .25rem; background: rgba(128, 132, 149, .2);
  overflow: hidden; margin: .35rem 0; }
.stHtml .umrah-card .bar > div { height: 100%; background: rgb(0, 114, 110); }
.stHtml ul.umrah-stages-left { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: .35rem; }
.stHtml .umrah-card .ready { border-radius: .5rem; padding: .75rem 1rem; }
</style>"""


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _icon(name: str) -> str:
    return f'<span class="icon" aria-hidden="true">{name}</span>'


def _bold(words: str) -> str:
    """Our own words with `**…**` (i18n's Markdown), escaped, the bold as `strong`."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _text(words))


def draw(card: str, *, styled: bool) -> None:
    """One card as an element; `styled` carries the stylesheet (the first card a run draws)."""
    st.html((CSS if styled else "") + card)


def _trend(change: int | None) -> str:
    """The stuck count against 7 days ago: more is bad (red ▲), fewer good (green ▼)."""
    if change is None:
        return f'<dd class="small muted">{_text(t("alert.trend_none"))}</dd>'
    color, arrow = ("red", "▲") if change > 0 else ("green", "▼") if change < 0 else ("gray", "▬")
    return (
        f'<dd class="small"><span class="badge {color}">{arrow} {_text(num(abs(change)))}</span> '
        f'<span class="muted">{_text(t("alert.trend"))}</span></dd>'
    )


def alert_card(alert: Bottleneck) -> str:
    """A bottleneck alert: severity, stage (in each version's words), stuck count with its 7-day
    trend, average delay, departure impact, the most common reason and the responsible role."""
    name = stage_label(alert)
    impact_help = _text(t("alert.impact.help"))
    parts = [
        f'<article class="umrah-card" aria-label="{_text(name)}" data-stage="{_text(alert.code)}">',
        f'<div class="head"><span class="badge {SEVERITY_COLOR[alert.severity]}">{_icon("warning")}'
        f"{_text(severity_label(alert.severity))}</span><h3>{_text(name)}</h3></div>",
    ]
    if note := variants_note(alert):  # stuck jamaah of two versions, each in its words
        parts.append(f'<p class="small muted" title="{_text(t("stage.variants.help"))}">{_text(note)}</p>')
    reason = t("alert.reason", reason=alert.top_reason) if alert.top_reason else t("alert.reason_none")
    parts += [
        '<dl class="umrah-figures">',
        f'<div><dt>{_text(t("alert.stuck"))}</dt><dd class="value">{_text(num(alert.stuck))}</dd>'
        f"{_trend(alert.trend)}</div>",
        f"<div><dt>{_text(t('alert.delay'))}</dt>"
        f'<dd class="value">{_text(t("days", n=dec(alert.avg_delay_days)))}</dd></div>',
        f'<div><dt>{_text(t("alert.impact"))} <span class="icon help" role="img" aria-label="{impact_help}" '
        f'title="{impact_help}">help</span></dt>'
        f'<dd class="value">{_text(num(alert.departure_impact))}</dd></div>',
        "</dl>",
        f'<p class="small muted">{_text(reason)} · '
        f"{_text(t('alert.role', role=role_title(alert.responsible_role)))}</p></article>",
    ]
    return "".join(parts)


def days_to_go_color(group: DepartureGroup, workspace: Workspace, now: datetime) -> str:
    """Red within a week, orange within two, blue later: how close the departure is."""
    days = rules.days_until_departure(departure_date=group.departure_date, now=now, tz=workspace.timezone)
    return "red" if days <= 7 else "orange" if days <= 14 else "blue"


def group_card(group: DepartureGroup, workspace: Workspace, now: datetime | None = None) -> str:
    """A departure group: name, date and days to go, flight and return, how many jamaah are ready
    (counts and a bar) and, for the others, at which stage they are."""
    at = now or datetime.now(UTC)
    ready = round(100 * group.ready / group.jamaah) if group.jamaah else 0
    flight = t("departures.airline", airline=group.airline, back=day(group.return_date))
    counts = t(
        "departures.counts", jamaah=num(group.jamaah), ready=num(group.ready), not_ready=num(group.not_ready)
    )
    parts = [
        f'<article class="umrah-card" aria-label="{_text(group.name)}" data-group="{group.package_id}">',
        f'<div class="head"><h3>{_text(group.name)}</h3><span>{_text(day(group.departure_date))}</span>'
        f'<span class="badge {days_to_go_color(group, workspace, at)}">{_icon("flight_takeoff")}'
        f"{_text(days_to_go(group, workspace, at))}</span></div>",
        f'<p class="small muted">{_text(flight)}</p>',
        f"<p>{_bold(counts)}</p>",
        f'<div class="bar" role="progressbar" aria-label="{_text(t("departures.readiness"))}" '
        f'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{ready}">'
        f'<div style="width: {ready}%"></div></div>',
    ]
    if not group.not_ready:
        parts.append(f'<p class="ready green">{_icon("check_circle")} {_text(t("departures.all_ready"))}</p>')
    else:
        stages = "".join(
            f'<li class="badge orange">{_text(stage_label(s))} · {_text(num(s.jamaah))}</li>'
            for s in group.not_ready_by_stage
        )
        label = _text(t("departures.stages"))
        parts.append(f'<ul class="umrah-stages-left" aria-label="{label}">{stages}</ul>')
    parts.append("</article>")
    return "".join(parts)
