"""The probe page: a fragment holding the live listener (queue view), counters of full and fragment
runs, the last change the listener returned and this tab's id (the `origin` of changes made here),
each in a caption a browser test can read."""

from __future__ import annotations

import streamlit as st

from pipeline_core.commands import auth
from pipeline_core.commands.auth import CurrentUser
from ui_kit.live import live_listener, tab_id

user = auth.resolve_session(st.context.cookies.get(auth.SESSION_COOKIE))
st.session_state["full_runs"] = st.session_state.get("full_runs", 0) + 1
st.caption(f"full-runs:{st.session_state['full_runs']}")
st.caption(f"tab:{tab_id()}")
if user is None:
    st.caption("signed-out")
    st.stop()


@st.fragment
def queue(me: CurrentUser) -> None:
    change = live_listener(key="live-queue", views=["queue"], workspace_id=me.workspace_id)
    st.session_state["fragment_runs"] = st.session_state.get("fragment_runs", 0) + 1
    st.caption(f"fragment-runs:{st.session_state['fragment_runs']}")
    if change is not None:
        st.session_state["last"] = f"{change.type}|{change.task_id}|{change.count}|{change.summary()}"
    st.caption(f"last:{st.session_state.get('last', '-')}")


queue(user)
