"""The browser side of the rendering benchmarks: Streamlit servers on free ports, the in-page
watcher that says when a page has finished rendering, visits and moves, sign-in.

Shared by benchmarks/render_pages.py (its docstring defines "finished rendering") and
benchmarks/first_visit_network.py.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.render_model import Page
from tests.ports import free_port

STREAMLIT_FLAGS = [
    "--server.address",
    "127.0.0.1",
    "--server.headless",
    "true",
    "--server.fileWatcherType",
    "none",
    "--browser.gatherUsageStats",
    "false",
]
SETTLE_MS = 500


#: Installed in every document before its own scripts: counts finished script runs and notes in
#: `window.renderedAt` the first frame of the current stretch where the page is finished.
WATCH = """(() => {
  window.readySelectors = %s;  // the page's own content; a visit or a move may set another
  let runs = 0;
  window.renderedAt = null;
  window.phases = {connected: null, runStarts: null, runEnds: null};
  const note = (phase) => { if (window.phases[phase] === null) window.phases[phase] = performance.now(); };
  new MutationObserver(changes => changes.forEach(change => {
    const app = change.target.dataset;
    if (app.testConnectionState === 'CONNECTED') note('connected');
    if (app.testScriptState === 'running') note('runStarts');
    if (change.oldValue === 'running' && app.testScriptState === 'notRunning') { runs++; note('runEnds'); }
  })).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
    attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
  const finished = () => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!runs || !app || app.dataset.testScriptState !== 'notRunning') return false;
    if (app.dataset.testConnectionState !== 'CONNECTED') return false;
    const busy = '[data-testid=stStatusWidget], [data-stale=true], [data-testid=stSkeleton],'
      + ' [data-testid=stSpinner]';
    if (document.querySelector(busy)) return false;
    const charts = [...document.querySelectorAll('.umrah-figure')];
    if (!charts.every(chart => chart.querySelector('.main-svg'))) return false;
    return window.readySelectors.every(selector => document.querySelector(selector));
  };
  const watch = () => {
    if (!finished()) window.renderedAt = null;
    else if (window.renderedAt === null) window.renderedAt = performance.now();
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();"""
SETTLED = "settle => window.renderedAt !== null && performance.now() - window.renderedAt >= settle"
#: Click a link the way a person does (React's handler moves within the app); the time of the click.
CLICK = (
    "([selector, ready]) => { const link = document.querySelector(selector);"
    " window.readySelectors = ready; const at = performance.now(); link.click(); return at; }"
)

#: Finished since the click (the page left behind counted as finished until the click's run began).
MOVED = (
    "([since, settle]) => window.renderedAt !== null && window.renderedAt > since"
    " && performance.now() - window.renderedAt >= settle"
)


# --- servers ------------------------------------------------------------------------------------


@contextlib.contextmanager
def served(command: list[str], cwd: Path, log: Path, env: dict[str, str]) -> Iterator[str]:
    """A Streamlit server on a free port until the block ends; its output goes to `log`."""
    import httpx

    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--server.port", str(port), *STREAMLIT_FLAGS],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/_stcore/health", timeout=1).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {log}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the browser ---------------------------------------------------------------------------------


#: What still keeps a page from counting as finished (reported when a visit times out).
UNFINISHED = """(() => {
  const app = document.querySelector('[data-testid=stApp]');
  const count = selector => document.querySelectorAll(selector).length;
  return {script: app && app.dataset.testScriptState, connection: app && app.dataset.testConnectionState,
    statusWidget: count('[data-testid=stStatusWidget]'), stale: count('[data-stale=true]'),
    skeletons: count('[data-testid=stSkeleton]'), spinners: count('[data-testid=stSpinner]'),
    chartsUndrawn: [...document.querySelectorAll('.umrah-figure')]
      .filter(chart => !chart.querySelector('.main-svg')).length,
    text: (document.querySelector('[data-testid=stMain]') || document.body).innerText.slice(0, 300)};
})()"""


def visit(page: Any, url: str, ready: tuple[str, ...] | None = None) -> float:
    """Navigate and wait for the finished page (its content: `ready`, else the selectors WATCH was
    made with); ms from the start of the navigation."""
    from playwright.sync_api import TimeoutError as Timeout

    page.goto(url, wait_until="commit", timeout=120_000)
    if ready is not None:
        page.evaluate("ready => { window.readySelectors = ready; }", list(ready))
    try:
        page.wait_for_function(SETTLED, arg=SETTLE_MS, timeout=180_000, polling=50)
    except Timeout:
        raise RuntimeError(f"{url} never finished rendering: {page.evaluate(UNFINISHED)}") from None
    return float(page.evaluate("window.renderedAt"))


def move(page: Any, target: Page, base: str) -> float:
    """Click the link to `target` and wait for it to finish; ms from the click."""
    from playwright.sync_api import TimeoutError as Timeout

    selector = target.link(base)
    clicked = float(page.evaluate(CLICK, [selector, list(target.ready)]))
    try:
        page.wait_for_function(MOVED, arg=[clicked, SETTLE_MS], timeout=180_000, polling=50)
    except Timeout:
        raise RuntimeError(f"{selector} led to no finished page: {page.evaluate(UNFINISHED)}") from None
    return float(page.evaluate("window.renderedAt")) - clicked


def heap(page: Any, collect: bool) -> float:
    cdp = page.context.new_cdp_session(page)
    try:
        if collect:
            cdp.send("HeapProfiler.collectGarbage")
        return float(cdp.send("Runtime.getHeapUsage")["usedSize"]) / 1e6
    finally:
        cdp.detach()


def new_context(browser: Any, base: str, watch: str, user: str | None) -> Any:
    """A fresh browser context (empty HTTP cache, no cookies), signed in as `user` (untimed). Over
    HTTPS it trusts the benchmark proxy's self-signed certificate (tests/nginx.py)."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, ignore_https_errors=base.startswith("https:")
    )
    context.add_init_script(watch)
    if user is not None:
        sign_in(context, base, user)
    return context


def sign_in(context: Any, base: str, user: str) -> None:
    """Post the sign-in form, as the page does; the session cookie stays in the context."""
    from pipeline_core.commands.accounts import DEMO_PASSWORD
    from pipeline_core.commands.auth import SESSION_COOKIE

    answer = context.request.post(
        f"{base}/auth/login",
        form={"username": user, "password": DEMO_PASSWORD},
        headers={"Origin": base},
        max_redirects=0,
    )
    if not any(cookie["name"] == SESSION_COOKIE for cookie in context.cookies(base)):
        raise RuntimeError(f"sign-in as {user} refused: {answer.status} {answer.headers.get('location')}")


def manager(dataset: str) -> str:
    """The dataset's demo manager account."""
    from pipeline_core.commands.auth import demo_username
    from pipeline_core.domain.model import Role

    return demo_username(Role.MANAGER, dataset)


def ensure_manager(dataset: str) -> None:
    """The demo accounts of a loaded dataset (idempotent: a dataset loaded earlier may lack them)."""
    from pipeline_core.app import dashboard
    from pipeline_core.commands import accounts
    from pipeline_core.store import db

    workspace = dashboard.workspace(dataset)
    with db.transaction() as session:
        accounts.ensure_demo_accounts(session, workspace.id, dataset)
