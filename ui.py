"""The Streamlit router: page setup, who is signed in, the sidebar (language, account, demo dataset)
and navigation. No queries here.

Without a valid session only the sign-in page exists; with one, the pages the user's role may see
(the activity log for managers, user management for super-admins). Every page is defined once, in
ui_kit/registry.py. The workspace is always the signed-in user's own.

AppTest loads this file (app.py is the ASGI wrapper around it).
"""

import streamlit as st

from pipeline_core.app.metrics import script_run
from ui_kit import registry
from ui_kit.outage import shown_as_outage
from ui_kit.session import start_run
from ui_kit.sidebar import account_panel, language_switch, workspace_switcher
from ui_kit.startup import ensure_ready

st.set_page_config(page_title="Umrah Pipeline", page_icon="🕋", layout="wide")
with shown_as_outage():
    ensure_ready()
    viewer = start_run()

    with st.sidebar:
        language_switch()
        if viewer is not None:
            workspace_switcher(viewer)
            account_panel(viewer)

    if viewer is None:
        with script_run("sign_in"):
            st.navigation([registry.SIGN_IN.page()], position="hidden").run()
        st.stop()

    offered = [page for page in registry.SIGNED_IN if page.needs is None or viewer.may(page.needs)]
    current = st.navigation([page.page() for page in offered])
    home = next(page.url_path for page in offered if page.default)
    who = {"user_id": viewer.actor.user_id, "workspace": viewer.workspace.slug}
    with script_run(current.url_path or home, **who):  # run time, errors, access line per page
        current.run()
