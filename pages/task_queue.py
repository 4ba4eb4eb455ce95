"""Antrean tugas: the page arrives with the dashboard issue; the navigation and dataset switch work now."""

import streamlit as st

from pages.common import current_workspace

workspace = current_workspace()
st.title("Antrean tugas", anchor=False)
st.caption(workspace.name)
st.info("Halaman ini sedang dibangun.", icon=":material/construction:")
