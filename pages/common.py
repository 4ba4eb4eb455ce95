"""Streamlit helpers shared by the pages: start-up guard, current workspace, the dataset switch.

UI only: every figure comes from `pipeline_core.dashboard`.
"""

from __future__ import annotations

import streamlit as st

from pipeline_core import bootstrap, dashboard
from pipeline_core.formatting import number
from pipeline_core.model import Workspace

DEFAULT_DATASET = "demo-13"


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def ensure_ready() -> bool:
    """Servers up, schema current, demo data present: once per process (the lifespan did it already
    when served by app.py; AppTest and `streamlit run ui.py` come through here)."""
    bootstrap.prepare()
    return True


def workspace_switcher() -> None:
    """The sidebar toggle between the demo datasets, kept in the URL (?dataset=…), with a badge."""
    choices = {choice.slug: choice for choice in dashboard.workspace_choices()}
    if not choices:
        st.error("Belum ada dataset demo. Jalankan `python -m pipeline_core seed demo-13`.")
        st.stop()
    options = list(choices)
    default = DEFAULT_DATASET if DEFAULT_DATASET in choices else options[0]
    slug = st.segmented_control(
        "Dataset demo",
        options,
        default=default,
        required=True,
        key="dataset",
        bind="query-params",
        format_func=lambda s: f"{number(choices[s].jamaah)} jamaah",
        help="Setiap dataset adalah ruang kerja tersendiri: berpindah tidak mengubah data lain.",
    )
    chosen = choices.get(slug or default, choices[default])
    st.badge(f"Demo: {number(chosen.jamaah)} jamaah", icon=":material/science:", color="orange")


def current_workspace() -> Workspace:
    slug = st.session_state.get("dataset") or DEFAULT_DATASET
    return dashboard.workspace(slug)
