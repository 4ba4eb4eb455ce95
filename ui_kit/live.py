"""Live updates in a page: `live_listener`, a small `st.components.v2` component, and `listen`, the
same for a page's viewer in the current language (what the pages call).

API
---
    live_listener(
        *, key: str, views: Iterable[str], workspace_id: int | None = None,
        include_own: bool = False, show_status: bool = True, lang: str = "id",
    ) -> LiveEvent | None

Mount it at the top of the `@st.fragment` that draws `views` (names of `pipeline_core.domain.View`:
"queue", "stages", "health", "bottlenecks", "departures"; "*" for every change), with a key
stable across reruns and unique in the page:

    @st.fragment
    def kanban(workspace: Workspace, user: CurrentUser) -> None:
        change = live_listener(key="live-queue", views=["queue"], workspace_id=user.workspace_id)
        if change is not None and change.summary():
            st.toast(change.summary())
        ...draw the kanban from fresh reads...

When a change event touching one of `views` arrives, the component reruns **only that fragment**
and `live_listener` returns it (`LiveEvent`: type, sequence, actor, actor_id, jamaah_id, task_id,
jamaah_name, task_title, views, roles, count = how many changes this rerun covers); on every
other run it returns None. `LiveEvent.resync` is True when the page missed changes it cannot be
told about one by one (redraw everything the fragment shows). Changes made in this very tab are
dropped unless `include_own=True` (the tab redrew from its action's answer already); the same
user's other tabs do get them. `workspace_id` lets the listener
ask, on its first connection, for every change since the page was drawn
(`pipeline_core.app.live.current_sequence`). The indicator's words and a change's summary are
`i18n.TEXT`'s ("live.status.*", "live.did.*"), in `lang`.

In the browser (one tab) — ui_kit/components/live_listener/listener.js, a file the tab loads once
(ui_kit/component_files.py); each element carries only its data (~0.3 KB; the indicator's words
only in the listener that shows it):
- one `EventSource` to `/live/events` per tab, shared by every listener of the page (a global
  registry keyed by each listener's element), so reruns and several fragments never open more;
  it is closed a few seconds after the last listener is gone (a page switch reuses it);
- triggers are throttled per listener: the first change at once, then at most one more per
  `THROTTLE_MS` (250 ms) carrying the newest change (`count` says how many it stands for);
- the tab sends one trigger at a time, the next once the previous listener's fragment has run
  (or after 1.5 s): Streamlit flushes one fragment's trigger per batch of widget updates, so
  several listeners firing together would otherwise lose all reruns but one;
- a hidden tab (`document.hidden`: in the background, minimised) holds its triggers, one per
  listener with the newest change and the count, and sends them when it is shown: no script run
  for a page nobody looks at;
- an indicator (when `show_status`): live / reconnecting / offline (after 8 s without the
  server); offline adds "the data may be stale" and a Reload button. Mount it with
  `show_status=True` once per page; with `show_status=False` the element is empty (it still takes
  the page's gap between elements);
- after a server restart (the stream's `hello` names another process) the fragment no longer
  exists on the server: the listener asks for a full rerun (`st.rerun(scope="app")`) until a run
  arrives, and falls back to `location.reload()` after ~12 s.

Inside `st.form` triggers are ignored: mount the listener outside forms.

Which tab made a change: each Streamlit session (one per browser tab) draws a random id once
(`tab_id`, kept in its session state); importing this module registers `tab_id` as the process's
origin source (`pipeline_core.app.live.set_origin_source`), so every event a command builds while
a tab's script or callback runs carries that id as `origin`, and the listeners get it as `tab`. A
random id rather than Streamlit's session id: every tab of the workspace receives the events, and
a session id is what a browser presents to take over a session on reconnect.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pipeline_core import app as core
from pipeline_core.app.live import current_sequence, set_origin_source
from ui_kit import i18n
from ui_kit.component_files import FileComponent

__all__ = ["LiveEvent", "listen", "live_listener", "tab_id"]

#: A listener reruns its fragment for the first change at once, then at most once per this many ms
#: (listener.js's `THROTTLE`, which a test holds equal).
THROTTLE_MS = 250

#: The indicator; its style and the listener's script are files of ui_kit/components/live_listener/
#: (`listener.css`, `listener.js`), fetched once per tab (ui_kit/component_files.py).
_HTML = (
    '<div class="live" data-status="connecting"><span class="dot"></span><span class="label"></span>'
    '<span class="stale"></span><button class="reload" type="button"></button></div>'
)

_LISTENER = FileComponent("live_listener", html=_HTML, css="listener.css", js="listener.js")

#: The indicator's states, each with its words in `i18n.TEXT` ("live.status.<state>").
_STATUSES = ("live", "reconnecting", "connecting", "offline", "stale", "reload")


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """The newest change that reran the fragment (`count` changes in all), or a resync."""

    type: str
    sequence: int | None = None
    actor: str | None = None
    actor_id: int | None = None
    jamaah_id: int | None = None
    task_id: int | None = None
    jamaah_name: str | None = None
    task_title: str | None = None
    views: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    count: int = 1

    @property
    def resync(self) -> bool:
        return self.type == "resync"

    @classmethod
    def from_trigger(cls, value: dict[str, Any]) -> LiveEvent:
        body = value.get("event") or {}
        count = int(value.get("count") or 1)
        if value.get("kind") == "resync":
            return cls(type="resync", sequence=body.get("sequence"), count=count)
        return cls(
            type=str(body.get("type", "")),
            sequence=body.get("sequence"),
            actor=body.get("actor"),
            actor_id=body.get("actor_id"),
            jamaah_id=body.get("jamaah_id"),
            task_id=body.get("task_id"),
            jamaah_name=body.get("jamaah_name"),
            task_title=body.get("task_title"),
            views=tuple(body.get("views") or ()),
            roles=tuple(body.get("roles") or ()),
            count=count,
        )

    def summary(self, lang: str = "id") -> str | None:
        """A toast line such as "Rina menyelesaikan Pengajuan Visa — Ahmad Hidayat"; None for a
        resync or an unknown type."""
        did = f"live.did.{self.type}"
        if did not in i18n.TEXT or not self.actor:
            return None
        verb = i18n.text_in(lang, did)
        what = self.task_title or i18n.text_in(lang, "live.a_task")
        line = f"{self.actor} {verb} {what}"
        if self.jamaah_name:
            line += f" — {self.jamaah_name}"
        if self.count > 1:
            line += f" (+{self.count - 1})"
        return line


_TAB = "_live_tab_id"


def tab_id() -> str | None:
    """This browser tab's id (its Streamlit session's, drawn once); None outside a script run or
    callback of a session (an API request, the command line, a worker thread)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    tab = st.session_state.get(_TAB)
    if not isinstance(tab, str):
        tab = st.session_state[_TAB] = secrets.token_urlsafe(12)
    return tab


set_origin_source(tab_id)


def live_listener(
    *,
    key: str,
    views: Iterable[str],
    workspace_id: int | None = None,
    include_own: bool = False,
    show_status: bool = True,
    lang: str = "id",
) -> LiveEvent | None:
    """Listen for changes touching `views`; rerun the enclosing fragment when one arrives.

    Returns the change that caused this run (see the module docstring), else None.
    """
    since = current_sequence(workspace_id) if workspace_id is not None else None
    data: dict[str, Any] = {
        "views": sorted(set(views)),
        "tab": tab_id(),
        "include_own": include_own,
        "show_status": show_status,
        "since": since,
        "run": time.time_ns(),  # a new value each run: the browser can tell a run arrived
    }
    if show_status:  # the indicator's words, only where it is drawn
        data["words"] = {status: i18n.text_in(lang, f"live.status.{status}") for status in _STATUSES}
    result = _LISTENER(
        key=key,
        data=data,
        height="content",  # hidden by CSS when show_status is False
        on_event_change=lambda: None,
    )
    value = getattr(result, "event", None)
    if not isinstance(value, dict):
        return None
    if value.get("kind") == "restart":
        st.rerun(scope="app")
    return LiveEvent.from_trigger(value)


def listen(
    key: str, views: Iterable[str], viewer: core.Viewer, *, announce: bool = False, show_status: bool = False
) -> LiveEvent | None:
    """`live_listener` for a page's viewer, at the top of a fragment: a change made anywhere but in
    this tab touching `views` reruns that fragment only. `announce`: say who changed what in a toast
    (one listener per page does). `show_status`: draw the live / reconnecting / offline line here
    (once per page). Returns the change that caused this run, else None."""
    change = live_listener(
        key=key,
        views=views,
        workspace_id=viewer.workspace.id,
        show_status=show_status,
        lang=i18n.lang(),
    )
    if announce and change is not None and (line := change.summary(i18n.lang())):
        st.toast(line, icon=":material/sync:")
    return change
