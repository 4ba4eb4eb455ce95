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
import streamlit as st

from api import assets
from ui_kit.i18n import lang, t

#: The trace types plotly-basic draws.
BASIC_TRACES = frozenset({"bar", "scatter", "pie"})

_HTML = '<div class="umrah-figure" role="img"></div><p class="umrah-figure-failed" hidden></p>'

_CSS = """
.umrah-figure { width: 100%; }
.umrah-figure-failed { color: var(--st-text-color); opacity: .7; font-size: .9rem; margin: 0; }
"""

_JS = """
const LOCALES = {
  id: {moduleType: 'locale', name: 'id', dictionary: {}, format: {
    days: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
    shortDays: ['Min', 'Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab'],
    months: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
             'September', 'Oktober', 'November', 'Desember'],
    shortMonths: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
    date: '%d/%m/%Y', decimal: ',', thousands: '.'}},
};

function plotly(src) {
  // One <script> per tab, shared by every chart and every rerun.
  if (!window.umrahPlotly) {
    window.umrahPlotly = new Promise((resolve, reject) => {
      if (window.Plotly) { resolve(window.Plotly); return; }
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = () => {
        Object.values(LOCALES).forEach(locale => window.Plotly.register(locale));
        resolve(window.Plotly);
      };
      script.onerror = () => { window.umrahPlotly = null; reject(new Error('plotly.js did not load')); };
      document.head.appendChild(script);
    });
  }
  return window.umrahPlotly;
}

function themed(layout, root) {
  const css = getComputedStyle(root);
  const value = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const color = value('--st-text-color', '#31333F');
  const family = value('--st-font', 'sans-serif');
  const grid = value('--st-border-color-light', value('--st-border-color', '#E6EAF1'));
  const axis = (given) => Object.assign(
    {automargin: true, gridcolor: grid, linecolor: grid, zerolinecolor: grid}, given || {});
  return Object.assign({}, layout, {
    autosize: true,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: Object.assign({family: family, color: color, size: 13}, layout.font || {}),
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
    hoverlabel: Object.assign({font: {family: family}}, layout.hoverlabel || {}),
  });
}

export default function (component) {
  const { data, parentElement } = component;
  const box = parentElement.querySelector('.umrah-figure');
  const failed = parentElement.querySelector('.umrah-figure-failed');
  const figure = JSON.parse(data.figure);
  box.setAttribute('aria-label', data.alt);
  box.style.minHeight = (figure.layout.height || 320) + 'px';  // no jump when the chart arrives
  plotly(data.src).then(Plotly => {
    failed.hidden = true;
    const config = {responsive: true, displaylogo: false, locale: data.locale,
                    modeBarButtonsToRemove: ['select2d', 'lasso2d']};
    return Plotly.react(box, figure.data, themed(figure.layout, parentElement), config);
  }).catch(() => {
    failed.textContent = data.failed;
    failed.hidden = false;
  });
  return () => { if (window.Plotly) window.Plotly.purge(box); };
}
"""

# isolate_styles=False: plotly.js styles its hover labels and modebar with rules it adds to the
# document's <head>, which a shadow root would not see.
_FIGURE = st.components.v2.component(
    "umrah_plotly_figure", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


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
