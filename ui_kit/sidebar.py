"""The sidebar: the language switch, who is signed in (with sign out) and, in a demo or scale
dataset, the switch between the datasets."""

from __future__ import annotations

import html
import logging

import streamlit as st

from pipeline_core import app as core
from pipeline_core.app import sessions
from pipeline_core.domain import PipelineError, WorkspaceKind
from ui_kit import session
from ui_kit.i18n import LANGUAGES, TEXT, lang, num, role_title, t
from ui_kit.session import sso_email, sso_sign_out
from ui_kit.tasks.queue import home_role

log = logging.getLogger(__name__)


#: Widgets kept in the URL whose option labels are words of the current language.
TRANSLATED_URL_KEYS = ("role", "view", "col", "severity", "what")


def language_switch() -> None:
    st.segmented_control(
        TEXT["lang.label"][0],
        list(LANGUAGES),
        default="id",
        required=True,
        key="lang",
        bind="query-params",
        format_func=LANGUAGES.__getitem__,
        on_change=_relabel_url,
    )


def _relabel_url() -> None:
    """A bound widget stores its option *label* in the URL (?role=Admin+Dokumen): after a language
    switch, set each one again so the URL carries the label in the new language and a reload or a
    shared link still shows the same view."""
    for key in TRANSLATED_URL_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


# --- who is signed in ---------------------------------------------------------------------------


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


def account_panel(viewer: core.Viewer) -> None:
    """ "Signed in as … (role)", the workspace, and sign out."""
    st.markdown(t("account.signed_in", name=viewer.actor.name, role=role_title(viewer.role)))
    if viewer.workspace.kind is WorkspaceKind.AGENCY:
        st.caption(t("account.workspace", name=viewer.workspace.name))
    if sso_email() is not None:
        if st.button(t("account.sign_out"), key="sso-sign-out", icon=":material/logout:"):
            sso_sign_out()
    else:
        sign_out_form()


# --- the demo dataset switch ------------------------------------------------------------------


@st.cache_data(ttl=30, show_spinner=False)
def _dataset_choices() -> list[core.WorkspaceChoice]:
    return core.workspace_choices()


def workspace_switcher(viewer: core.Viewer) -> None:
    """In a demo or scale dataset: the toggle between the datasets, with a badge. Switching moves
    this session to the same role's demo account in the chosen dataset
    (`sessions.switch_demo_workspace`); an agency's workspace has no switch.

    The switch happens only when the person clicks the toggle (its `on_change`, which arrives over
    the page's own connection): a link such as `/?dataset=demo-2000`, from another site too, changes
    nothing — a GET never changes state (docs/decisions.md)."""
    if viewer.workspace.kind is WorkspaceKind.AGENCY:
        return
    choices = {choice.slug: choice for choice in _dataset_choices()}
    if viewer.workspace.slug not in choices:
        return
    st.session_state["dataset"] = viewer.workspace.slug  # what the session is in, whatever was asked
    st.segmented_control(
        t("dataset.label"),
        list(choices),
        required=True,
        key="dataset",
        help=t("dataset.help"),
        on_change=_switch_dataset,
        args=(viewer,),
    )
    if st.session_state.pop("dataset_refused", False):
        st.warning(t("dataset.refused", name=viewer.workspace.slug), icon=":material/block:")
    st.badge(
        t("dataset.badge", n=num(choices[viewer.workspace.slug].jamaah)),
        icon=":material/science:",
        color="orange",
    )


def _switch_dataset(viewer: core.Viewer) -> None:
    """The toggle was clicked: move the session to the chosen dataset (the script reruns after)."""
    wanted = st.session_state.get("dataset")
    if not wanted or wanted == viewer.workspace.slug:
        return
    try:
        sessions.switch_demo_workspace(session.session_token(), wanted)
    except PipelineError as error:  # the session stays where it is; the sidebar says so
        log.warning("dataset switch refused: %s", error)
        st.session_state["dataset_refused"] = True
        return
    st.session_state["role"] = home_role(viewer)  # the queue opens on the role's own tab again
    _forget_paging()


def _forget_paging() -> None:
    for key in ("page", "col"):
        st.session_state.pop(key, None)
