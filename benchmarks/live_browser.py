"""Live push into a real browser tab: from a commit to the other tab's DOM, with many sessions open.

    .venv/bin/python benchmarks/live_browser.py
    .venv/bin/python benchmarks/live_browser.py --sessions 1 50 200 --changes 15 --idle-tabs 5

Starts its own `streamlit run app.py` (as benchmarks/live_push.py does, whose helpers it uses) with
a demo workspace of its own. One Debian chromium tab is signed in as the manager with the task
queue open (the kanban fragment listens for "queue" changes). For each number of open sessions,
the others are protocol-level SSE listeners of the same manager (idle listeners; the widest
fan-out), then `--changes` task edits by the core command in this process (it publishes to the
Redis the app shares, as another app process would) and, for each, the time from the commit to the
end of the tab's fragment run that drew it (Streamlit marks the end of a run in the DOM; the
kanban is redrawn by then): p50/p95. Before that, `--idle-tabs` more real tabs sit idle on the
queue for `--idle-seconds` while nothing changes: the script runs they saw (the design says none)
and the app process's CPU. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402
import live_push  # noqa: E402  (sets PIPELINE_DATA_DIR before pipeline_core loads)
from playwright import sync_api as playwright  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from pipeline_core.commands import accounts  # noqa: E402
from pipeline_core.commands.auth import SESSION_COOKIE  # noqa: E402
from pipeline_core.domain.model import Role  # noqa: E402
from pipeline_core.seed import bootstrap  # noqa: E402
from pipeline_core.store import db  # noqa: E402
from pipeline_core.store.workspaces import delete_workspace  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.ui.browser import COUNT_RUNS, SETTLED  # noqa: E402


class Listeners:
    """Protocol-level SSE sessions on an event loop of their own (a thread), opened on demand."""

    def __init__(self, base: str, token: str) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=0)
        self.client = self._call(self._client(base, token, limits))
        self.sessions = live_push.Sessions(self.client)

    async def _client(self, base: str, token: str, limits: httpx.Limits) -> httpx.AsyncClient:
        timeout = httpx.Timeout(60.0, read=None)
        return httpx.AsyncClient(
            base_url=base, limits=limits, timeout=timeout, cookies={SESSION_COOKIE: token}
        )

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=300)

    def open(self, count: int) -> None:
        if count > 0:
            self._call(self.sessions.open(count))

    def close(self) -> None:
        self._call(self.sessions.close())
        self._call(self.client.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)


def sign_in(base: str, username: str) -> str:
    answer = httpx.post(
        f"{base}/auth/login",
        data={"username": username, "password": accounts.DEMO_PASSWORD},
        headers={"Origin": base},
    )
    token = answer.cookies.get(SESSION_COOKIE)
    assert answer.status_code == 303 and token, answer.text
    return token


def open_tab(browser: playwright.Browser, base: str, token: str) -> playwright.Page:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base, "httpOnly": True}])
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.goto(f"{base}/task_queue")
    page.wait_for_function(SETTLED, timeout=60_000, polling=50)
    page.locator(".live[data-status=live]").first.wait_for(timeout=60_000)
    return page


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> None:
    bootstrap.prepare(seed_demo=False)
    workspace, tasks = live_push.make_agency()
    log = Path(tempfile.mkdtemp(prefix="live-browser-log-")) / "app.log"
    process, base = live_push.start_app(log)
    manager = accounts.demo_username(Role.MANAGER, workspace.slug)
    listeners = Listeners(base, sign_in(base, manager))
    try:
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            tab = open_tab(browser, base, sign_in(base, manager))
            idle = [open_tab(browser, base, sign_in(base, manager)) for _ in range(args.idle_tabs)]
            time.sleep(2)
            runs_before = [page.evaluate("window.scriptRuns") for page in [tab, *idle]]
            cpu_start, wall_start = live_push.cpu_seconds(process.pid), time.monotonic()
            time.sleep(args.idle_seconds)
            cpu = (live_push.cpu_seconds(process.pid) - cpu_start) / (time.monotonic() - wall_start) * 100
            runs_after = [page.evaluate("window.scriptRuns") for page in [tab, *idle]]
            quiet = sum(after - before for before, after in zip(runs_before, runs_after, strict=True))
            print(
                f"{1 + args.idle_tabs} real tabs idle for {args.idle_seconds:.0f} s: {quiet} script runs, "
                f"app process CPU {cpu:.2f} % of a core"
            )
            for page in idle:
                page.context.close()
            print()
            print("| open sessions (1 browser tab + SSE listeners) | commit → tab's DOM p50 | p95 | missed |")
            print("|---|---|---|---|")
            for count in sorted(args.sessions):
                listeners.open(count - 1)
                time.sleep(1)
                latencies: list[float] = []
                missed = 0
                for n in range(args.changes):
                    runs = tab.evaluate("window.scriptRuns")
                    committed = live_push.edit(workspace, tasks[n % len(tasks)].id)
                    try:
                        tab.wait_for_function(
                            "n => window.scriptRuns > n", arg=runs, timeout=30_000, polling="raf"
                        )
                        latencies.append((time.perf_counter() - committed) * 1000)
                    except playwright.TimeoutError:
                        missed += 1
                    time.sleep(0.6)  # past the listener's 250 ms throttle: each change on its own
                p50, p95 = percentiles(latencies)
                print(f"| {count} | {p50:.0f} ms | {p95:.0f} ms | {missed} |")
            browser.close()
    finally:
        listeners.close()
        process.terminate()
        process.wait(timeout=60)
        with Session(db.get_engine()) as s:
            delete_workspace(s, workspace.slug)
            s.commit()
        bootstrap.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--changes", type=int, default=15)
    parser.add_argument("--idle-tabs", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=20)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
