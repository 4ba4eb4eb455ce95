// The live listener's browser side (ui_kit/live.py says what it does and why). Served as a file
// by Streamlit (/_stcore/bidi-components/umrah.live_listener/listener.js, ui_kit/component_files.py):
// the browser loads it once per tab, and each listener element carries only its data.

// A listener reruns its fragment for the first change at once, then at most once per THROTTLE ms
// (ui_kit/live.py's THROTTLE_MS says the same; a test holds them equal).
const THROTTLE = 250;
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
    box.querySelector(".stale").textContent = words.stale || "";
    const reload = box.querySelector(".reload");
    reload.textContent = words.reload || "";
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
  if (data.words) sub.words = data.words;  // sent only to the listener that shows the indicator
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
