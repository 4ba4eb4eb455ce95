"""Streamlit helpers shared by the pages: start-up guard, the sidebar (dataset, acting user), the
error boundary `section`, pagers, links to a jamaah and one-off messages. How domain things are
drawn (alerts, departure tables, jamaah rows) lives in `cards.py`.

UI only: every figure comes from `pipeline_core.dashboard` or `pipeline_core.actions`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import streamlit as st

from app_pages.i18n import (
    num,
    role_title,
    t,
)
from pipeline_core import actions, bootstrap, dashboard
from pipeline_core.actions import StaffMember
from pipeline_core.model import ADMIN_ROLES, Role, Workspace
from pipeline_core.services import Actor

log = logging.getLogger(__name__)

DEFAULT_DATASET = "demo-13"
JAMAAH_PAGE = "app_pages/jamaah.py"
ALL = "all"


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def ensure_ready() -> bool:
    """Servers up, schema current, demo data present: once per process (the lifespan did it already
    when served by app.py; AppTest and `streamlit run ui.py` come through here)."""
    bootstrap.prepare()
    return True


# --- the sidebar: dataset and acting user -------------------------------------------------------


def workspace_switcher() -> None:
    """The sidebar toggle between the demo datasets, kept in the URL (?dataset=…), with a badge."""
    choices = {choice.slug: choice for choice in dashboard.workspace_choices()}
    if not choices:
        st.error(t("dataset.none"))
        st.stop()
    options = list(choices)
    default = DEFAULT_DATASET if DEFAULT_DATASET in choices else options[0]
    slug = st.segmented_control(
        t("dataset.label"),
        options,
        default=default,
        required=True,
        key="dataset",
        bind="query-params",
        help=t("dataset.help"),
        on_change=_forget_paging,
    )
    chosen = choices.get(slug or default, choices[default])
    st.badge(t("dataset.badge", n=num(chosen.jamaah)), icon=":material/science:", color="orange")


def current_workspace() -> Workspace:
    slug = st.session_state.get("dataset") or DEFAULT_DATASET
    return dashboard.workspace(slug)


@st.cache_data(ttl=60, show_spinner=False)
def staff(workspace: Workspace) -> list[StaffMember]:
    return actions.active_users(workspace)


def _default_member(members: list[StaffMember]) -> StaffMember | None:
    return next((m for m in members if m.role is Role.MANAGER), members[0] if members else None)


def actor_switcher() -> None:
    """ "Masuk sebagai (demo)": the workspace's active staff, the manager first. Sign-in replaces it."""
    members = staff(current_workspace())
    default = _default_member(members)
    if default is None:
        st.caption(f":material/person: {t('actor.fallback')}")
        return
    names = {m.id: f"{m.name} · {role_title(m.role)}" for m in members}
    ids = list(names)
    st.selectbox(
        t("actor.label"),
        ids,
        index=ids.index(default.id),
        key="actor",
        format_func=names.__getitem__,
        help=t("actor.help"),
        on_change=_actor_changed,
    )


def current_actor() -> Actor:
    """Who is acting. Today: the sidebar choice; the sign-in issue replaces this body."""
    members = staff(current_workspace())
    chosen = next((m for m in members if m.id == st.session_state.get("actor")), _default_member(members))
    if chosen is None:
        return Actor(user_id=None, name=t("actor.fallback"), role=Role.MANAGER)
    return chosen.as_actor()


def home_role(actor: Actor) -> str:
    """The queue an actor lands on: an admin's own role, everyone else all roles."""
    return actor.role.value if actor.role in ADMIN_ROLES else ALL


def _actor_changed() -> None:
    st.session_state["role"] = home_role(current_actor())
    _forget_paging()


def _forget_paging() -> None:
    for key in ("page", "col"):
        st.session_state.pop(key, None)


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


def link_params(**extra: Any) -> dict[str, str]:
    """Query parameters for a link to another page. Only the page's own: the sidebar's dataset and
    language are bound widgets of the entry script, and Streamlit writes them back after the move."""
    return {key: str(value) for key, value in extra.items()}


def jamaah_link(jamaah_id: int, label: str | None = None, *, key_icon: str = ":material/person:") -> None:
    st.page_link(
        JAMAAH_PAGE,
        label=label or t("open_jamaah"),
        icon=key_icon,
        query_params=link_params(jamaah=jamaah_id),
    )


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
