"""The Streamlit router: page setup, who is signed in, the sidebar (language, account, demo dataset)
and navigation. No queries here.

Without a valid session only the sign-in page exists; with one, the pages the user's role may see
(the activity log for managers, user management for super-admins). The workspace is always the
signed-in user's own.

AppTest loads this file (app.py is the ASGI wrapper around it).
"""

import streamlit as st

from pipeline_core.domain.permissions import Action
from ui_kit.common import account_panel, ensure_ready, start_run, workspace_switcher
from ui_kit.i18n import language_switch, t

st.set_page_config(page_title="Umrah Pipeline", page_icon="🕋", layout="wide")
ensure_ready()
viewer = start_run()

with st.sidebar:
    language_switch()
    if viewer is not None:
        workspace_switcher(viewer)
        account_panel(viewer)

if viewer is None:
    sign_in = st.Page("app_pages/sign_in.py", title=t("signin.title"), icon=":material/login:", default=True)
    st.navigation([sign_in], position="hidden").run()
    st.stop()

pages = [
    st.Page("app_pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", default=True),
    st.Page("app_pages/task_queue.py", title=t("nav.queue"), icon=":material/view_kanban:"),
    st.Page("app_pages/departures.py", title=t("nav.departures"), icon=":material/flight_takeoff:"),
    st.Page("app_pages/bottlenecks.py", title=t("nav.bottlenecks"), icon=":material/warning:"),
    st.Page("app_pages/jamaah.py", title=t("nav.jamaah"), icon=":material/person_search:"),
]
if viewer.may(Action.VIEW_ACTIVITY_LOG):
    pages.append(st.Page("app_pages/activity.py", title=t("nav.activity"), icon=":material/history:"))
if viewer.may(Action.MANAGE_USERS):
    pages.append(st.Page("app_pages/users.py", title=t("nav.users"), icon=":material/manage_accounts:"))
st.navigation(pages).run()
