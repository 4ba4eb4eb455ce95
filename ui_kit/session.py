"""Who is signed in: the session behind this browser (a password sign-in's cookie, or a single
sign-on through `st.login`), and the `Viewer` every read and action of a page is made with.

`session_token` is the one seam for tests: AppTest sends no cookies, so they replace it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from pipeline_core import app as core
from pipeline_core.app import sessions
from pipeline_core.app.sessions import SESSION_COOKIE, CurrentUser, SignInRefused
from pipeline_core.domain import Action, Workspace
from ui_kit.i18n import t
from ui_kit.redirect import go_to


def session_token() -> str | None:
    """This browser's session cookie (HttpOnly: set by POST /auth/login, read here server-side).
    The one seam for tests: AppTest sends no cookies, so they replace this function."""
    return st.context.cookies.get(SESSION_COOKIE)


def current_user() -> CurrentUser | None:
    """The signed-in user, resolved from the session on every run (a revoked, expired or
    deactivated session is gone at the next click): the session cookie of a password sign-in, else
    a single sign-on through `st.login` when configured (docs/accounts.md)."""
    user = sessions.resolve_session(session_token())
    if user is None and (email := sso_email()):
        user = _sso_user(email)
    return user


#: The server-side session opened for a single sign-on, held by this Streamlit session until the
#: browser has traded its one-time ticket for the cookie (a script cannot set a cookie).
SSO_TOKEN = "_sso_session_token"


def sso_configured() -> bool:
    """Single sign-on is on when `.streamlit/secrets.toml` has an `[auth]` section."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


def sso_email() -> str | None:
    """The e-mail address the identity provider vouched for in this browser, if any."""
    if not sso_configured() or not st.user.get("is_logged_in"):
        return None
    return str(st.user.get("email") or "") or None


def _sso_user(email: str) -> CurrentUser | None:
    """The local account of a single sign-on: its open session, or a new one (logged, revocable,
    idle expiry like any other); None when no single active account has that e-mail."""
    user = sessions.resolve_session(st.session_state.get(SSO_TOKEN))
    if user is not None:
        return user
    try:
        signed_in = sessions.sign_in_sso(email)
    except SignInRefused:
        return None
    st.session_state[SSO_TOKEN] = signed_in.token  # until the browser carries the cookie
    ticket = sessions.issue_ticket(signed_in.token)
    if ticket is not None:  # the browser trades it for the HttpOnly cookie (api/auth.py), once
        go_to(f"/auth/sso-session?ticket={ticket}")
    return signed_in.user


def sso_sign_out() -> None:
    """End the single sign-on: our session on the server, then Streamlit's identity cookie (else
    the next run would sign the person in again)."""
    sessions.sign_out(session_token())
    sessions.sign_out(st.session_state.pop(SSO_TOKEN, None))
    st.logout()


@st.cache_data(ttl=30, show_spinner=False)
def _workspace(slug: str) -> Workspace:
    return core.workspace(slug)


def viewer_of(user: CurrentUser) -> core.Viewer:
    """The user in their own workspace (the session decided both)."""
    workspace = _workspace(user.workspace_slug)
    if workspace.id != user.workspace_id:  # a workspace renamed since the cache entry
        _workspace.clear()
        workspace = _workspace(user.workspace_slug)
    return core.Viewer(workspace=workspace, actor=user.actor)


#: The viewer the router (ui.py) resolved for this script run: one session look-up per run.
_RUN_VIEWER = "_viewer_of_this_run"


def start_run() -> core.Viewer | None:
    """The router's first step: who is signed in (None: nobody), kept for the page of this run."""
    user = current_user()
    viewer = None if user is None else viewer_of(user)
    st.session_state[_RUN_VIEWER] = viewer
    return viewer


def current_viewer() -> core.Viewer:
    """The signed-in user in their own workspace, for every read and action of a page, as the
    router resolved them at the start of this run. Without one the page stops with a message and
    a way back to the sign-in page."""
    viewer = st.session_state.get(_RUN_VIEWER)
    if viewer is None:
        st.warning(t("account.expired"), icon=":material/lock_clock:")
        st.link_button(t("signin.title"), "/", icon=":material/login:")
        st.stop()
    return viewer


def viewer_who_may(action: Action, denied: str) -> core.Viewer:
    """`current_viewer()` on a page that needs `action`: the router does not offer the page to other
    roles, and someone typing its URL gets the `denied` words instead of its content."""
    viewer = current_viewer()
    if not viewer.may(action):
        st.warning(t(denied), icon=":material/lock:")
        st.stop()
    return viewer
