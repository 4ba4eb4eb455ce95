"""The Streamlit router: page setup, the sidebar (dataset switch) and navigation. No queries here.

AppTest loads this file (app.py is the ASGI wrapper around it).
"""

import streamlit as st

from pages.common import ensure_ready, workspace_switcher

st.set_page_config(page_title="Umrah Pipeline", page_icon=":material/mosque:", layout="wide")
ensure_ready()

with st.sidebar:
    workspace_switcher()

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Ringkasan pipeline", icon=":material/dashboard:", default=True),
        st.Page("pages/task_queue.py", title="Antrean tugas", icon=":material/view_kanban:"),
        st.Page("pages/departures.py", title="Keberangkatan", icon=":material/flight_takeoff:"),
        st.Page("pages/bottlenecks.py", title="Hambatan", icon=":material/warning:"),
    ]
)
navigation.run()
