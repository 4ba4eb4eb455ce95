"""What the browser tests share: Debian's chromium, the signals that Streamlit has finished
drawing, and `Walk`, a tab with the gestures and readings the tests need."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright import sync_api as playwright

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.model import KanbanColumn, Role, Workspace
from ui_kit.i18n import TEXT

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTH, HEIGHT = 1440, 1000
#: The label of a page link (its icon is a ligature: "person" would be part of its inner text).
LINK_TEXT = "[data-testid=stPageLink] [data-testid=stMarkdownContainer]"
COLUMNS = (KanbanColumn.URGENT, KanbanColumn.TODAY, KanbanColumn.UPCOMING, KanbanColumn.BLOCKED)
ID, EN = 0, 1  # the two languages of ui_kit.i18n.TEXT

#: Streamlit 1.67 has finished drawing: the script is not running (the `stApp` root says so), the
#: status widget is gone, no element is stale or still a lazy-loading skeleton, no spinner, and each
#: Plotly chart has drawn its SVG. (benchmarks/render_pages.py measures against the same signal.)
RENDERED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (app.dataset.testConnectionState !== 'CONNECTED') return false;
  const busy = '[data-testid=stStatusWidget], [data-stale=true], [data-testid=stSkeleton],'
    + ' [data-testid=stSpinner]';
  if (document.querySelector(busy)) return false;
  const charts = [...document.querySelectorAll('.umrah-figure')];
  return charts.every(chart => chart.querySelector('.main-svg'));
}"""
#: Column title → (count in its badge, task ids of its cards in order), as the kanban draws them.
KANBAN = """() => [...document.querySelectorAll('[data-testid=stMain] [data-column]')].map(c => [
  c.querySelector('h3').innerText.trim(),
  [...c.querySelectorAll('[data-task]')].map(e => e.dataset.task),
])"""
#: Counts the script runs the page has seen end (full or fragment) and notes when the script state
#: last changed: an action waits for the next run, then for the state to rest (a callback's
#: `st.rerun()` starts a second run a few milliseconds after the first ends).
#: A run is counted from the websocket: each `ForwardMsg` whose field 6 (`script_finished`) is set,
#: read by walking the message's top-level protobuf fields, except a run that ended early because
#: another was asked for (status 2, FINISHED_EARLY_FOR_RERUN: the next one is counted). Not from
#: the DOM: on a busy machine both of a quick run's messages can arrive in one read and React
#: renders them in one batch, so `data-test-script-state` never shows "running" and such a run
#: went uncounted (a walk then waited 30 s for a run that had already happened: 2 of 4 walks
#: failed so on a loaded machine, 0 of 5 with this counter).
COUNT_RUNS = """window.scriptRuns = 0;
window.scriptStateAt = performance.now();
const finishesRun = bytes => {
  let at = 0;
  const varint = () => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
    if (wire === 0) { const value = varint(); if (field === 6) return value !== 2; }  // 2: early
    else if (wire === 2) { const length = varint(); at += length; }  // `at += varint()` reads `at` first
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else return false;
  }
  return false;
};
const heard = data => {
  if (data instanceof Blob) return data.arrayBuffer().then(heard);
  if (data instanceof ArrayBuffer && finishesRun(new Uint8Array(data))) {
    window.scriptRuns++;
    window.scriptStateAt = performance.now();
  }
};
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', event => heard(event.data));
  }
};
new MutationObserver(changes => changes.forEach(() => { window.scriptStateAt = performance.now(); }))
  .observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});"""
SETTLED = f"""() => ({RENDERED})() && performance.now() - window.scriptStateAt > 150"""
METRICS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetric]')].map(m => [
  m.querySelector('[data-testid=stMetricLabel]').innerText.trim(),
  m.querySelector('[data-testid=stMetricValue]').innerText.trim(),
])"""


#: Seconds a pushed change may take to show: far above the ~0.1 s a push takes, so a busy machine
#: does not fail a test.
PUSH_WAIT = 20.0


def eventually(read: Callable[[], Any], expected: Callable[[], Any], what: str) -> None:
    """`read()` (the page) comes to equal `expected()` (the core) with no gesture in that tab."""
    deadline = time.monotonic() + PUSH_WAIT
    seen = None
    while time.monotonic() < deadline:
        seen = read()
        if seen == expected():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: the page still shows {seen!r}, the core says {expected()!r}")


def text(key: str, lang: int = ID) -> str:
    return TEXT[key][lang]


class Walk:
    """The browser tab, with the few gestures and readings the walk needs."""

    def __init__(self, page: playwright.Page, base: str) -> None:
        self.page, self.base = page, base

    @property
    def url(self) -> str:
        return str(self.page.evaluate("window.location.href"))

    def rendered(self) -> None:
        self.page.wait_for_function(SETTLED, timeout=30_000, polling=50)

    def ran_since(self, runs: int) -> None:
        """A script run ended after the `runs` counted so far, and the page is drawn."""
        self.page.wait_for_function("runs => window.scriptRuns > runs", arg=runs, timeout=30_000, polling=50)
        self.rendered()

    def act(self, gesture: Callable[[], object]) -> None:
        """A click that makes the app run: wait for that run to end and the page to be drawn."""
        runs = self.page.evaluate("window.scriptRuns")
        gesture()
        self.ran_since(runs)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.ran_since(0)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Through the sign-in page's form (a real POST to /auth/login; the cookie lands in this
        browser context), back on the app signed in."""
        self.open("/")
        self.page.locator("#username").fill(username)
        self.page.locator("#password").fill(password)
        with self.page.expect_navigation():
            self.page.locator(".umrah-primary").click()
        self.ran_since(0)

    def nav(self, label: str) -> None:
        """A page of the sidebar's navigation."""
        self.act(self.page.locator("[data-testid=stSidebarNavLink]", has_text=label).click)
        self.page.locator("[data-testid=stMain] h1", has_text=label).wait_for()

    def choose(self, option: str) -> None:
        """An option of a segmented control (role tab, view, window, language)."""
        button = self.page.locator("[data-testid=stButtonGroup] button").filter(
            has_text=re.compile(f"^{re.escape(option)}$")
        )
        self.act(button.first.click)
        assert button.first.get_attribute("aria-checked") == "true"

    def kanban(self) -> dict[str, tuple[int, list[int]]]:
        columns = {}
        for header, ids in self.page.evaluate(KANBAN):
            if found := re.fullmatch(r"(.+?)\s+([\d.,]+)", header):
                columns[found[1]] = (int(re.sub(r"[.,]", "", found[2])), [int(i) for i in ids])
        return columns

    def metrics(self) -> list[tuple[str, str]]:
        return [(label, value) for label, value in self.page.evaluate(METRICS)]

    def screenshot(self, name: str) -> None:
        """The whole page (Streamlit scrolls inside `stMain`: the window grows to its height)."""
        self.page.locator("[data-testid=stToast]").first.wait_for(state="detached", timeout=15_000)
        self.page.evaluate("document.fonts.ready.then(() => true)")
        main = "document.querySelector('[data-testid=stMain]').scrollHeight"
        height = HEIGHT
        for _ in range(3):  # a taller window can reflow the page once or twice
            wanted = max(HEIGHT, int(self.page.evaluate(main)))
            if wanted == height:
                break
            height = wanted
            self.page.set_viewport_size({"width": WIDTH, "height": height})
            self.rendered()
        self.page.screenshot(path=SCREENSHOTS / name, animations="disabled")
        self.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def expected_kanban(
    ws: Workspace, lang: int = ID, role: Role | None = None
) -> dict[str, tuple[int, list[int]]]:
    """What pipeline_core says the kanban shows: each column's count and first page of cards."""
    counts = dashboard.task_queue_page(system_viewer(ws), role=role).counts
    return {
        text(f"column.{column.value}", lang): (
            counts.of(column),
            [
                task.id
                for task in dashboard.task_queue_page(system_viewer(ws), role=role, column=column).items
            ],
        )
        for column in COLUMNS
    }
