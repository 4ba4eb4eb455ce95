"""Token API: personal tokens for programs that call /api/v1 (docs/http-api.md) — make one, see
them, revoke one. Everyone signed in has their own; a super-admin sees everyone's in the workspace.

A new token is shown once, here, and never again (only its SHA-256 is kept). Each button is one
call of the app interface (`core.create_token`, `core.revoke_token`); a refusal says what to fix.
"""

from datetime import UTC, datetime

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action, PipelineError
from ui_kit.i18n import t
from ui_kit.session import current_viewer
from ui_kit.tokens import token_rows
from ui_kit.widgets import flash, show_flash

viewer = current_viewer()
sees_all = viewer.may(Action.MANAGE_USERS)
show_flash()
st.title(t("tokens.title"), anchor=False)
st.caption(t("tokens.caption"))

with st.form("new-token", clear_on_submit=True, border=True):
    st.subheader(t("tokens.new"), anchor=False)
    name = st.text_input(t("tokens.name"), max_chars=100, placeholder=t("tokens.name.example"))
    days = st.number_input(
        t("tokens.days"),
        min_value=1,
        max_value=core.api_access.MAX_DAYS,
        value=core.api_access.DEFAULT_DAYS,
        step=1,
    )
    if st.form_submit_button(t("tokens.create"), icon=":material/key:", type="primary"):
        try:
            issued = core.create_token(viewer, name, days=int(days))
        except PipelineError as refused:
            st.error(t("tokens.refused", why=str(refused)), icon=":material/error:")
        else:
            st.success(t("tokens.shown_once"), icon=":material/visibility:")
            st.code(issued.token, language=None)

now = datetime.now(UTC)
tokens = core.tokens_of(viewer, 0 if sees_all else None)
if not tokens:
    st.info(t("tokens.none"), icon=":material/info:")
    st.stop()
st.table(token_rows(tokens, viewer.workspace, now, show_owner=sees_all))

active = {f"{token.name} ({token.prefix}…)": token for token in tokens if token.active_at(now)}
if active:
    chosen = st.selectbox(t("tokens.revoke.which"), list(active), index=None, key="revoke-which")
    if st.button(t("tokens.revoke"), icon=":material/block:", disabled=chosen is None, key="revoke"):
        assert chosen is not None
        try:
            core.revoke_token(viewer, active[chosen].id)
        except PipelineError as refused:
            st.error(t("tokens.refused", why=str(refused)), icon=":material/error:")
        else:
            flash(t("tokens.revoked", name=chosen))
            st.rerun()
