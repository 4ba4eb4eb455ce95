"""The Streamlit router: page setup, the sidebar (language, dataset, acting user) and navigation.
No queries here.

AppTest loads this file (app.py is the ASGI wrapper around it).
"""

import streamlit as st

from app_pages.common import actor_switcher, ensure_ready, workspace_switcher
from app_pages.i18n import language_switch, t

st.set_page_config(page_title="Umrah Pipeline", page_icon="🕋", layout="wide")
ensure_ready()

with st.sidebar:
    language_switch()
    workspace_switcher()
    actor_switcher()

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", default=True),
        st.Page("app_pages/task_queue.py", title=t("nav.queue"), icon=":material/view_kanban:"),
        st.Page("app_pages/departures.py", title=t("nav.departures"), icon=":material/flight_takeoff:"),
        st.Page("app_pages/bottlenecks.py", title=t("nav.bottlenecks"), icon=":material/warning:"),
        st.Page("app_pages/jamaah.py", title=t("nav.jamaah"), icon=":material/person_search:"),
    ]
)
navigation.run()
