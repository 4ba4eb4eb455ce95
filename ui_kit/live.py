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

In the browser (one tab):
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

__all__ = ["LiveEvent", "listen", "live_listener", "tab_id"]

#: A listener reruns its fragment for the first change at once, then at most once per this many ms.
THROTTLE_MS = 250

_HTML = """
<div class="live" data-status="connecting">
  <span class="dot"></span><span class="label"></span>
  <span class="stale"></span><button class="reload" type="button"></button>
</div>
"""

_CSS = """
.live { display: flex; align-items: center; gap: .4rem; font-size: .8rem;
        color: var(--st-text-color); opacity: .85; min-height: 1.2rem; }
.live.hidden { display: none; }
.dot { width: .55rem; height: .55rem; border-radius: 50%; background: #9e9e9e; }
.live[data-status="live"] .dot { background: #2e7d32; }
.live[data-status="reconnecting"] .dot, .live[data-status="connecting"] .dot { background: #f9a825; }
.live[data-status="offline"] .dot { background: #c62828; }
.stale, .reload { display: none; }
.live[data-status="offline"] .stale { display: inline; }
.live[data-status="offline"] .reload { display: inline-block; font: inherit; cursor: pointer;
  border: 1px solid var(--st-border-color, #ccc); border-radius: .3rem; padding: 0 .5rem;
  background: var(--st-secondary-background-color); color: var(--st-text-color); }
"""

_JS = (
    f"const THROTTLE = {THROTTLE_MS};\n"
    + """
const OFFLINE_AFTER = 8000;

function registry() {
  if (!window.__umrahLive) {
    // `tab`: this tab's id (changes whose `origin` it is were made here); `taken` / `own`: changes
    // a listener took / changes dropped as made here (what a test or a curious person can read)
    window.__umrahLive = { source: null, subs: new Map(), status: "connecting", boot: null,
                           tab: null, taken: 0, own: 0,
                           lastId: null, closeTimer: null, offlineTimer: null, renders: 0,
                           rerunTimer: null, reopenTimer: null,
                           outbox: [], inflight: null, releaseTimer: null };
    // a tab in the background holds its triggers (see pump) and sends them once it is shown
    document.addEventListener("visibilitychange", () => pump(window.__umrahLive));
  }
  return window.__umrahLive;
}

function setStatus(hub, status) {
  hub.status = status;
  clearTimeout(hub.offlineTimer);
  if (status === "reconnecting") {
    hub.offlineTimer = setTimeout(() => setStatus(hub, "offline"), OFFLINE_AFTER);
  }
  for (const sub of hub.subs.values()) sub.draw();
}

function toAll(hub, message) {
  for (const sub of hub.subs.values()) sub.send(message);
}

function noteId(hub, e) {
  if (e.lastEventId) hub.lastId = e.lastEventId;
}

function askForFullRerun(hub, tries) {
  // The restarted server forgot this page's fragments: ask for a whole run, else reload.
  clearTimeout(hub.rerunTimer);
  const first = hub.subs.values().next().value;
  if (!first || tries >= 3) { location.reload(); return; }
  const seen = hub.renders;
  first.sendNow({ kind: "restart" });
  hub.rerunTimer = setTimeout(() => {
    if (hub.renders === seen) askForFullRerun(hub, tries + 1);
  }, 4000);
}

function open(hub, since) {
  if (hub.source) return;
  clearTimeout(hub.reopenTimer);
  const query = since != null ? "?since=" + encodeURIComponent(since) : "";
  const source = new EventSource("/live/events" + query, { withCredentials: true });
  hub.source = source;
  source.addEventListener("hello", (e) => {
    noteId(hub, e);
    const hello = JSON.parse(e.data);
    const restarted = hub.boot !== null && hub.boot !== hello.boot;
    hub.boot = hello.boot;
    setStatus(hub, hello.status === "offline" ? "offline" : "live");
    if (restarted) askForFullRerun(hub, 0);
  });
  source.addEventListener("change", (e) => {
    noteId(hub, e);
    const change = JSON.parse(e.data);
    if (change.origin != null && change.origin === hub.tab) hub.own += 1;
    for (const sub of hub.subs.values()) sub.offer(change);
  });
  source.addEventListener("status", (e) => setStatus(hub, JSON.parse(e.data).status));
  source.addEventListener("resync", (e) => {
    noteId(hub, e);
    toAll(hub, { kind: "resync", event: JSON.parse(e.data), count: 1 });
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      // refused (401, 503): the browser will not retry this one; try again, authenticated anew
      source.close();
      hub.source = null;
      setStatus(hub, "offline");
      hub.reopenTimer = setTimeout(() => { if (hub.subs.size) open(hub, hub.lastId); }, 5000);
    } else if (hub.status === "live" || hub.status === "connecting") {
      setStatus(hub, "reconnecting");  // once: each retry errs again, and must not restart the clock
    }
  };
}

// Streamlit flushes the trigger values of one fragment per batch of widget updates: several
// listeners firing in the same moment would lose all but one rerun. So the tab sends one trigger
// at a time and the next once the previous fragment has run (its listener drew a new `run`), or
// after RELEASE_AFTER ms whatever happened.
// A hidden tab (in the background, minimised) sends nothing: its triggers wait in the outbox, one
// per listener carrying the newest change and the count, and go out when the tab is shown. Nobody
// looks at it, and each rerun costs the server a script run (the same account's other tabs take
// every change made in this one).
const RELEASE_AFTER = 1500;

function pump(hub) {
  if (document.hidden || hub.inflight || hub.outbox.length === 0) return;
  const [sub, message] = hub.outbox.shift();
  if (!sub.trigger || !hub.subs.has(sub.element)) { pump(hub); return; }
  hub.inflight = sub;
  sub.trigger("event", message);
  clearTimeout(hub.releaseTimer);
  hub.releaseTimer = setTimeout(() => release(hub, sub), RELEASE_AFTER);
}

function release(hub, sub) {
  if (hub.inflight !== sub) return;
  clearTimeout(hub.releaseTimer);
  hub.inflight = null;
  pump(hub);
}

function enqueue(hub, sub, message) {
  const waiting = hub.outbox.find(([queued]) => queued === sub);
  if (waiting) {  // still queued: the newer change replaces it and adds its count
    message.count = (message.count || 1) + (waiting[1].count || 1);
    waiting[1] = message;
  } else {
    hub.outbox.push([sub, message]);
  }
  pump(hub);
}

function subscriber(hub, element) {
  const sub = { element, views: new Set(), includeOwn: false, showStatus: true,
                words: {}, trigger: null, pending: null, count: 0, lastFire: 0, timer: null,
                run: null };
  sub.relevant = (change) => {
    // made in this tab: it already redrew from the action's answer (other tabs of the user do not)
    if (!sub.includeOwn && change.origin != null && change.origin === hub.tab) return false;
    const views = change.views || [];
    return sub.views.has("*") || views.length === 0 || views.some((v) => sub.views.has(v));
  };
  sub.sendNow = (message) => { if (sub.trigger) sub.trigger("event", message); };
  sub.fire = () => {
    sub.timer = null;
    if (!sub.pending) return;
    const message = sub.pending;
    message.count = sub.count;
    sub.pending = null;
    sub.count = 0;
    sub.lastFire = Date.now();
    enqueue(hub, sub, message);
  };
  sub.send = (message) => {
    sub.pending = message;
    sub.count += message.count || 1;
    if (sub.timer) return;
    const wait = THROTTLE - (Date.now() - sub.lastFire);
    if (wait <= 0) sub.fire(); else sub.timer = setTimeout(sub.fire, wait);
  };
  sub.offer = (change) => {
    if (!sub.relevant(change)) return;
    hub.taken += 1;
    sub.send({ kind: "change", event: change, count: 1 });
  };
  sub.draw = () => {
    const box = element.querySelector(".live");
    if (!box) return;
    const words = sub.words;
    box.classList.toggle("hidden", !sub.showStatus);
    box.dataset.status = hub.status;
    box.querySelector(".label").textContent = words[hub.status] || hub.status;
    box.querySelector(".stale").textContent = words.stale;
    const reload = box.querySelector(".reload");
    reload.textContent = words.reload;
    reload.onclick = () => location.reload();
  };
  return sub;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const hub = registry();
  hub.renders += 1;
  clearTimeout(hub.closeTimer);
  let sub = hub.subs.get(parentElement);
  if (!sub) {
    sub = subscriber(hub, parentElement);
    hub.subs.set(parentElement, sub);
  }
  sub.views = new Set(data.views || []);
  if (data.tab) hub.tab = data.tab;  // a new session (after a restart) brings a new id
  sub.includeOwn = !!data.include_own;
  sub.showStatus = data.show_status !== false;
  sub.words = data.words || {};
  sub.trigger = setTriggerValue;
  if (sub.run !== data.run) {  // this listener's fragment (or the page) has run
    sub.run = data.run;
    release(hub, sub);
  }
  sub.draw();
  open(hub, hub.lastId != null ? hub.lastId : data.since);
  return () => {
    clearTimeout(sub.timer);
    hub.subs.delete(parentElement);
    hub.outbox = hub.outbox.filter(([queued]) => queued !== sub);
    release(hub, sub);
    if (hub.subs.size === 0) {
      hub.closeTimer = setTimeout(() => {
        if (hub.subs.size === 0 && hub.source) { hub.source.close(); hub.source = null; }
      }, 3000);
    }
  };
}
"""
)

_LISTENER = st.components.v2.component("umrah_live_listener", html=_HTML, css=_CSS, js=_JS)

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
    data = {
        "views": sorted(set(views)),
        "tab": tab_id(),
        "include_own": include_own,
        "show_status": show_status,
        "words": {status: i18n.text_in(lang, f"live.status.{status}") for status in _STATUSES},
        "since": since,
        "run": time.time_ns(),  # a new value each run: the browser can tell a run arrived
    }
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
