"""Draw a Plotly figure with plotly.js's basic bundle: `plotly_figure(figure, key=..., alt=...)`.

The figures are built with `plotly.graph_objects` (ui_kit/charts.py), as for `st.plotly_chart`;
only the browser side differs. `st.plotly_chart` loads the full plotly.js (4.7 MB) on a page's
first visit, ~1.5 s of main-thread time here; this `st.components.v2` element loads
`plotly-basic` (bar, scatter, pie; served by `api/assets.py`, cached a year) once per tab and calls
`Plotly.react` on it (docs/decisions.md, "Charts: Plotly figures, plotly.js basic bundle").

What the element adds to the figure: the theme's font and text/grid colours (read from the `--st-*`
CSS variables, so a dark theme follows), a transparent background, Indonesian or English month
names and number separators (`2.000`, `58,3`), a width that follows the column, and the modebar
without Plotly's logo. `alt` is the chart's accessible name (`role="img"`). If the bundle cannot
load, the element says so in one line instead of staying blank.

A figure uses only the basic bundle's trace types (`bar`, `scatter`, `pie`): another type raises
ValueError here, not a blank chart in the browser.
"""

from __future__ import annotations

import plotly.graph_objects as go

from api import assets
from ui_kit.component_files import FileComponent
from ui_kit.i18n import lang, t

#: The trace types plotly-basic draws.
BASIC_TRACES = frozenset({"bar", "scatter", "pie"})

_HTML = '<div class="umrah-figure" role="img"></div><p class="umrah-figure-failed" hidden></p>'


# isolate_styles=False: plotly.js styles its hover labels and modebar with rules it adds to the
# document's <head>, which a shadow root would not see.
# The script and style are files of ui_kit/components/plotly_figure/, loaded once per tab
# (ui_kit/component_files.py), not sent inside the element on every run.
_FIGURE = FileComponent("plotly_figure", html=_HTML, css="figure.css", js="figure.js", isolate_styles=False)


def figure_json(figure: go.Figure, language: str) -> str:
    """The figure as plotly.js takes it, without the default template (the element themes it),
    numbers written the `language`'s way ("id": 2.000 and 58,3). Sets both on `figure` itself
    (the charts are built for one drawing; a copy would validate everything again)."""
    unknown = {trace.type for trace in figure.data} - BASIC_TRACES
    if unknown:
        raise ValueError(f"plotly-basic cannot draw {', '.join(sorted(unknown))} traces")
    figure.update_layout(template="none", separators=",." if language == "id" else ".,")
    return str(figure.to_json())


def plotly_figure(figure: go.Figure | str, *, key: str, alt: str) -> None:
    """Draw `figure` (or its `figure_json`, built once and kept) full width; `alt` names it for
    screen readers."""
    data = {
        "figure": figure if isinstance(figure, str) else figure_json(figure, lang()),
        "alt": alt,
        "src": assets.url(assets.PLOTLY_BASIC),
        "locale": lang(),
        "failed": t("chart.failed"),
    }
    _FIGURE(key=key, data=data, width="stretch", height="content")
