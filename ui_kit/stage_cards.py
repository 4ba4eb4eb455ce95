"""The overview's stage cards — one per active stage: its name (in each version's words), the
responsible role, jamaah in it with how many are overdue, how many are being worked on, and the
average completion against the SLA — drawn as one HTML block.

Why one block: as Streamlit elements the ten cards were ~55 elements and blocks a run (a bordered
container, Markdown, a metric and two or three captions each), more than half of what the overview
sent; each element costs the server's CPU on every run (issue 21) and the browser a few ms of
React work. The block is a list of `article`s (a screen reader announces a list of ten stages, each
named by its heading) and every piece of text in it is escaped: stage names are the agency's own
words (the pipeline editor), never markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui_kit.i18n import dec, num, role_title, t
from ui_kit.stage_labels import stage_label, variants_note

# `.stHtml ul` (Streamlit's indent of an HTML element's lists) beats one class: hence `.stHtml ul.…`.
_CSS = """<style>
.stHtml ul.umrah-stages { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem;
  grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
.umrah-stages article { border: 1px solid rgba(49, 51, 63, .2); border-radius: .5rem; padding: .75rem 1rem;
  height: 100%; box-sizing: border-box; display: flex; flex-direction: column; gap: .1rem; }
.umrah-stages h3 { font-size: 1rem; font-weight: 600; margin: 0; padding: 0; line-height: 1.4; }
.umrah-stages p { margin: 0; font-size: .875rem; }
.umrah-stages .muted { opacity: .65; }
.umrah-stages .count { font-size: 1.75rem; line-height: 1.3; margin-top: .35rem; }
.umrah-stages .count small { font-size: .875rem; opacity: .65; margin-left: .3rem; }
.umrah-stages .late { color: rgb(189, 64, 67); }
.umrah-stages .overdue { display: inline-block; width: fit-content; border-radius: .25rem; padding: 0 .4rem;
  background: rgba(128, 132, 149, .15); }
.umrah-stages .overdue.late { background: rgba(255, 75, 75, .12); }
</style>"""


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def stage_card(stage: Any) -> str:
    """One stage's card as HTML, every value escaped."""
    name = stage_label(stage)
    overdue = t("stages.overdue", n=num(stage.overdue))
    sla = dec(stage.sla_days)
    if stage.avg_completion_days is None:
        average, late = t("stages.avg_none", sla=sla), False
    else:
        average = t("stages.avg", avg=dec(stage.avg_completion_days), sla=sla)
        late = stage.avg_completion_days > stage.sla_days
    parts = [
        f'<article aria-label="{_text(name)}" data-stage="{_text(stage.code)}">',
        f"<h3>{_text(name)}</h3>",
        f'<p class="muted">{_text(role_title(stage.responsible_role))}</p>',
        f'<p class="count">{_text(num(stage.in_stage))}<small>{_text(t("chart.jamaah"))}</small></p>',
        f'<p class="overdue{" late" if stage.overdue else ""}">{_text(overdue)}</p>',
        f'<p class="muted">{_text(t("stages.in_progress", n=num(stage.in_progress)))}</p>',
    ]
    if note := variants_note(stage):  # jamaah of two versions, each in its words
        parts.append(f'<p class="muted" title="{_text(t("stage.variants.help"))}">{_text(note)}</p>')
    parts.append(f'<p class="{"late" if late else "muted"}">{_text(average)}</p></article>')
    return "".join(parts)


def stage_cards(stages: Sequence[Any]) -> None:
    """The cards of `stages` (the core's stage statistics) as one element."""
    items = "".join(f"<li>{stage_card(stage)}</li>" for stage in stages)
    st.html(f'{_CSS}<ul class="umrah-stages" aria-label="{_text(t("stages.title"))}">{items}</ul>')
