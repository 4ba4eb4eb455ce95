"""Streamlit helpers shared by the pages: start-up guard, who is signed in (`current_viewer`), the
sidebar (account, demo dataset switch), the error boundary `section`, pagers, links to a jamaah and
one-off messages. How domain things are drawn (alerts, departure tables, jamaah rows) lives in
`cards.py`.

UI only: every figure comes from `pipeline_core.app.dashboard` or `pipeline_core.app.actions`.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from pipeline_core.app import actions, dashboard
from pipeline_core.app.actions import StaffMember
from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import auth
from pipeline_core.commands.auth import SESSION_COOKIE, CurrentUser, SignInRefused
from pipeline_core.domain import privacy
from pipeline_core.domain.errors import PipelineError
from pipeline_core.domain.model import Workspace, WorkspaceKind
from pipeline_core.domain.permissions import Action
from pipeline_core.seed import bootstrap
from ui_kit.i18n import (
    lang,
    num,
    role_title,
    t,
)
from ui_kit.live import LiveEvent, live_listener
from ui_kit.redirect import go_to

log = logging.getLogger(__name__)

ALL = "all"


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def ensure_ready() -> bool:
    """Servers up, schema current, demo data present: once per process (the lifespan did it already
    when served by app.py; AppTest and `streamlit run ui.py` come through here)."""
    bootstrap.prepare()
    return True


# --- who is signed in ---------------------------------------------------------------------------


def session_token() -> str | None:
    """This browser's session cookie (HttpOnly: set by POST /auth/login, read here server-side).
    The one seam for tests: AppTest sends no cookies, so they replace this function."""
    return st.context.cookies.get(SESSION_COOKIE)


def current_user() -> CurrentUser | None:
    """The signed-in user, resolved from the session on every run (a revoked, expired or
    deactivated session is gone at the next click): the session cookie of a password sign-in, else
    a single sign-on through `st.login` when configured (docs/accounts.md)."""
    user = auth.resolve_session(session_token())
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
    user = auth.resolve_session(st.session_state.get(SSO_TOKEN))
    if user is not None:
        return user
    try:
        signed_in = auth.sign_in_sso(email)
    except SignInRefused:
        return None
    st.session_state[SSO_TOKEN] = signed_in.token  # until the browser carries the cookie
    ticket = auth.issue_ticket(signed_in.token)
    if ticket is not None:  # the browser trades it for the HttpOnly cookie (api/auth.py), once
        go_to(f"/auth/sso-session?ticket={ticket}")
    return signed_in.user


def sso_sign_out() -> None:
    """End the single sign-on: our session on the server, then Streamlit's identity cookie (else
    the next run would sign the person in again)."""
    auth.sign_out(session_token())
    auth.sign_out(st.session_state.pop(SSO_TOKEN, None))
    st.logout()


@st.cache_data(ttl=30, show_spinner=False)
def _workspace(slug: str) -> Workspace:
    return dashboard.workspace(slug)


def viewer_of(user: CurrentUser) -> Viewer:
    """The user in their own workspace (the session decided both)."""
    workspace = _workspace(user.workspace_slug)
    if workspace.id != user.workspace_id:  # a workspace renamed since the cache entry
        _workspace.clear()
        workspace = _workspace(user.workspace_slug)
    return Viewer(workspace=workspace, actor=user.actor)


#: The viewer the router (ui.py) resolved for this script run: one session look-up per run.
_RUN_VIEWER = "_viewer_of_this_run"


def start_run() -> Viewer | None:
    """The router's first step: who is signed in (None: nobody), kept for the page of this run."""
    user = current_user()
    viewer = None if user is None else viewer_of(user)
    st.session_state[_RUN_VIEWER] = viewer
    return viewer


def current_viewer() -> Viewer:
    """The signed-in user in their own workspace, for every read and action of a page, as the
    router resolved them at the start of this run. Without one the page stops with a message and
    a way back to the sign-in page."""
    viewer = st.session_state.get(_RUN_VIEWER)
    if viewer is None:
        st.warning(t("account.expired"), icon=":material/lock_clock:")
        st.link_button(t("signin.title"), "/", icon=":material/login:")
        st.stop()
    return viewer


def viewer_who_may(action: Action, denied: str) -> Viewer:
    """`current_viewer()` on a page that needs `action`: the router does not offer the page to other
    roles, and someone typing its URL gets the `denied` words instead of its content."""
    viewer = current_viewer()
    if not viewer.may(action):
        st.warning(t(denied), icon=":material/lock:")
        st.stop()
    return viewer


def sign_out_form() -> None:
    """Sign out: a plain form posting to /auth/logout (the route ends the session server-side and
    clears the cookie)."""
    st.html(
        '<form method="post" action="/auth/logout" style="margin:0">'
        f'<input type="hidden" name="lang" value="{html.escape(lang())}">'
        f'<button type="submit" class="umrah-signout">{html.escape(t("account.sign_out"))}</button></form>'
        "<style>.umrah-signout{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;background:none;"
        "padding:.25rem .75rem;cursor:pointer;font:inherit}"
        ".umrah-signout:hover{border-color:#0F766E;color:#0F766E}</style>"
    )


def account_panel(viewer: Viewer) -> None:
    """ "Signed in as … (role)", the workspace, and sign out."""
    st.markdown(t("account.signed_in", name=viewer.actor.name, role=role_title(viewer.role)))
    if viewer.workspace.kind is WorkspaceKind.AGENCY:
        st.caption(t("account.workspace", name=viewer.workspace.name))
    if sso_email() is not None:
        if st.button(t("account.sign_out"), key="sso-sign-out", icon=":material/logout:"):
            sso_sign_out()
    else:
        sign_out_form()


@st.cache_data(ttl=60, show_spinner=False)
def staff(viewer: Viewer) -> list[StaffMember]:
    """The workspace's active staff (assignee choices), for a minute."""
    return actions.active_users(viewer)


# --- the sidebar: the demo dataset switch -------------------------------------------------------


@st.cache_data(ttl=30, show_spinner=False)
def _dataset_choices() -> list[dashboard.WorkspaceChoice]:
    return dashboard.workspace_choices()


def workspace_switcher(viewer: Viewer) -> None:
    """In a demo or scale dataset: the toggle between the datasets (kept in the URL, ?dataset=…),
    with a badge. Switching moves this session to the same role's demo account in the chosen
    dataset (`auth.switch_demo_workspace`); an agency's workspace has no switch."""
    if viewer.workspace.kind is WorkspaceKind.AGENCY:
        return
    choices = {choice.slug: choice for choice in _dataset_choices()}
    if viewer.workspace.slug not in choices:
        return
    wanted = st.segmented_control(
        t("dataset.label"),
        list(choices),
        default=viewer.workspace.slug,
        required=True,
        key="dataset",
        bind="query-params",
        help=t("dataset.help"),
        on_change=_forget_paging,
    )
    if wanted and wanted != viewer.workspace.slug and wanted in choices:
        try:
            auth.switch_demo_workspace(session_token(), wanted)
        except PipelineError as error:  # the widget is drawn: say so, the session stays where it is
            log.warning("dataset switch refused: %s", error)
            st.warning(t("dataset.refused", name=viewer.workspace.slug), icon=":material/block:")
        else:
            st.session_state["role"] = home_role(viewer)
            _forget_paging()
            st.rerun()
    st.badge(
        t("dataset.badge", n=num(choices[viewer.workspace.slug].jamaah)),
        icon=":material/science:",
        color="orange",
    )


def home_role(viewer: Viewer) -> str:
    """The queue a viewer lands on: managers and super-admins all roles, an admin their own."""
    return ALL if viewer.may(Action.VIEW_QUEUE_ALL) else viewer.role.value


def _forget_paging() -> None:
    for key in ("page", "col"):
        st.session_state.pop(key, None)


# --- searches in the URL, never a NIK -------------------------------------------------------------


def search_box(label: str, key: str, *, on_change: Any = None) -> str:
    """A search field kept in the URL (`?q=…`), so a link or a reload shows the same view; but a
    NIK, passport or phone number (`privacy.holds_identity_number`) never goes into a URL: such a
    search stays in this browser session only."""
    if key not in st.session_state and (shared := st.query_params.get(key)):
        st.session_state[key] = shared
    value = st.text_input(
        label,
        key=key,
        placeholder=t("queue.search.placeholder"),
        icon=":material/search:",
        on_change=on_change,
    )
    if value and not privacy.holds_identity_number(value):
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]
    return str(value or "")


# --- live updates ------------------------------------------------------------------------------


def listen(
    key: str, views: Iterable[str], viewer: Viewer, *, announce: bool = False, show_status: bool = False
) -> LiveEvent | None:
    """Mount the live listener (ui_kit/live.py) at the top of a fragment: a change by someone
    else touching `views` reruns that fragment only. `announce`: say who changed what in a toast
    (one listener per page does). `show_status`: draw the live / reconnecting / offline line here
    (once per page). Returns the change that caused this run, else None."""
    change = live_listener(
        key=key,
        views=views,
        user_id=viewer.actor.user_id,
        workspace_id=viewer.workspace.id,
        show_status=show_status,
        lang=lang(),
    )
    if announce and change is not None and (line := change.summary(lang())):
        st.toast(line, icon=":material/sync:")
    return change


# --- sections: loading, failure, retry ------------------------------------------------------


@contextlib.contextmanager
def section(name: str) -> Iterator[None]:
    """One part of a page: a spinner while it loads; if it fails, a short message with a Retry
    button in its place (the failure is logged with its traceback) and the rest of the page
    carries on. Inside an `st.fragment`, Retry reruns only that fragment."""
    holder = st.empty()
    try:
        with holder.container(), st.spinner(t("loading")):
            yield
    except Exception:
        log.exception("section %r failed", name)
        with holder.container(border=True):
            st.warning(t("section.failed"), icon=":material/cloud_off:")
            st.button(t("section.retry"), key=f"retry-{name}", icon=":material/refresh:")


# --- navigation helpers ---------------------------------------------------------------------


def pager(name: str, *, page: int, pages: int, total: int, on_page: Any) -> None:
    """Previous / next around "Hal. 2/5 · 87 total"; `on_page(n)` runs as the click's callback.
    Nothing when everything fits on one page."""
    if pages <= 1 and page <= 1:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.button(
            "",
            key=f"{name}-prev",
            icon=":material/chevron_left:",
            disabled=page <= 1,
            help=t("pager.prev"),
            on_click=on_page,
            args=(page - 1,),
        )
        st.caption(t("pager.status", page=num(page), pages=num(pages), total=num(total)), width="content")
        st.button(
            "",
            key=f"{name}-next",
            icon=":material/chevron_right:",
            disabled=page >= pages,
            help=t("pager.next"),
            on_click=on_page,
            args=(page + 1,),
        )


# --- one-off messages across a rerun --------------------------------------------------------


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """A message to show after the rerun that follows an action (st.toast would be lost)."""
    st.session_state.setdefault("_flash", []).append((message, icon))


def show_flash() -> None:
    for message, icon in st.session_state.pop("_flash", []):
        st.toast(message, icon=icon)
