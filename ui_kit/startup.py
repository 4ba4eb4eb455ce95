"""The start-up guard of a script run: the servers, the schema and the demo data, once per process."""

from __future__ import annotations

import streamlit as st

from pipeline_core.app import runtime


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def ensure_ready() -> bool:
    """Servers up, schema current, demo data present: once per process (the lifespan did it already
    when served by app.py; AppTest and `streamlit run ui.py` come through here)."""
    runtime.prepare()
    return True
