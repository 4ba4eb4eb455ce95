"""Ringkasan pipeline: the manager's first look — how many jamaah, how healthy."""

import streamlit as st

from pages.common import current_workspace
from pipeline_core import dashboard
from pipeline_core.formatting import number

workspace = current_workspace()
st.title("Ringkasan pipeline", anchor=False)
st.caption(workspace.name)

health = dashboard.pipeline_health(workspace)
with st.container(horizontal=True):
    st.metric("Total jamaah", number(health.total), border=True, help="Semua jamaah di ruang kerja ini.")
    st.metric(
        "Sesuai jadwal",
        number(health.on_track),
        border=True,
        help="Tahap berjalan dan sisa SLA selesai sebelum batas keberangkatan.",
    )
    st.metric(
        "Berisiko",
        number(health.at_risk),
        border=True,
        help="Tahap diblokir, atau sisa SLA melewati H-3 keberangkatan.",
    )
    st.metric(
        "Terlambat",
        number(health.overdue),
        border=True,
        help="Tahap saat ini melewati tenggat, atau tanggal keberangkatan sudah lewat.",
    )
    st.metric(
        "Skor kesehatan",
        f"{health.health_score:.1f}%".replace(".", ","),
        border=True,
        help="Sesuai jadwal ÷ (total − selesai).",
    )

st.page_link("pages/task_queue.py", label="Buka antrean tugas", icon=":material/view_kanban:")
