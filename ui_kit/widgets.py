"""The small widgets every page uses: a section with its loading and failure states, a pager, a
search box kept in the URL, and messages that survive the rerun after an action."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pipeline_core.domain import privacy
from ui_kit.i18n import num, t

log = logging.getLogger(__name__)

#: The "every option" choice of a filter kept in the URL (all roles, all columns, all severities).
ALL = "all"


# --- sections: loading, failure, retry ------------------------------------------------------


@contextlib.contextmanager
def section(name: str) -> Iterator[None]:
    """One part of a page: a spinner while it loads the first time; if it fails, a short message
    with a Retry button in its place (the failure is logged with its traceback) and the rest of
    the page carries on. Inside an `st.fragment`, Retry reruns only that fragment.

    The spinner shows only on a section's first draw on this page in this session: then the place
    is empty. Later runs keep the drawn section on screen (Streamlit fades it while the run lasts)
    and a spinner would cost a timer thread and one message per section on every run (issue 21)."""
    holder = st.empty()
    drawn = st.session_state.setdefault("_sections_drawn", set())
    seen = (_page(), name)
    loading = st.spinner(t("loading")) if seen not in drawn else contextlib.nullcontext()
    try:
        with holder.container(), loading:
            yield
        drawn.add(seen)
    except Exception:
        log.exception("section %r failed", name)
        with holder.container(border=True):
            st.warning(t("section.failed"), icon=":material/cloud_off:")
            st.button(t("section.retry"), key=f"retry-{name}", icon=":material/refresh:")


def _page() -> str:
    """The page being run (sections of two pages may share a name)."""
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


# --- paging and searching -----------------------------------------------------------------


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


# --- one-off messages across a rerun --------------------------------------------------------


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """A message to show after the rerun that follows an action (st.toast would be lost)."""
    st.session_state.setdefault("_flash", []).append((message, icon))


def show_flash() -> None:
    for message, icon in st.session_state.pop("_flash", []):
        st.toast(message, icon=icon)
