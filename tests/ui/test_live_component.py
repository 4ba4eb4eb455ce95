"""The live listener in Debian's chromium: what only a browser shows.

A probe app (tests/ui/live_probe_app.py: the product's sign-in and live routes around one page
whose fragment mounts `live_listener(views=["queue"])`) runs in its own process on the test
servers. A change made by a core command in this process reruns the fragment only (the full-run
counter stays), the listener returns the change, the indicator says live; a change made in the tab
itself is dropped, the same user's changes made elsewhere are not; a hidden tab holds its rerun
until it is shown; while the app process is down the indicator goes reconnecting, then offline
with the stale-data line and a Reload button; after the restart the page runs again and changes
flow again. The test asserts states, never durations.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright import sync_api as playwright
from sqlalchemy import Engine

from pipeline_core.commands import auth
from pipeline_core.commands.auth import SESSION_COOKIE
from pipeline_core.domain.model import Role, View
from pipeline_core.store import db, events
from pipeline_core.store.workspaces import delete_workspace
from tests.ui.test_live_stream import Agency, _make_agency, _touch, sign_in

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 30_000  # generous

pytestmark = [
    pytest.mark.browser,
]


class ProbeApp:
    def __init__(self, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.log = log
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", "tests/ui/live_probe_app.py"),
                *("--server.port", str(self.port), "--server.address", "127.0.0.1"),
                *("--server.fileWatcherType", "none", "--server.headless", "true"),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PIPELINE_SEED_DEMO": "false"},
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                raise RuntimeError(f"the probe app exited: {self.log.read_text()[-3000:]}")
        raise RuntimeError("the probe app did not start within 90 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def agency(engine: Engine) -> Iterator[Agency]:
    made = _make_agency(engine)
    yield made
    with db.transaction() as session:  # no stray workspace in the dataset switch of later tests
        delete_workspace(session, made.slug)


@pytest.fixture
def probe(servers: None, tmp_path: Path) -> Iterator[ProbeApp]:
    app = ProbeApp(tmp_path / "probe.log")
    app.start()
    yield app
    app.stop()


@pytest.fixture
def page(probe: ProbeApp, agency: Agency, browser: playwright.Browser) -> Iterator[playwright.Page]:
    with sign_in(probe.base, Role.MANAGER, agency) as client:
        token = client.cookies[SESSION_COOKIE]
    context = browser.new_context()
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": probe.base, "httpOnly": True}])
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.goto(probe.base)
    yield tab
    context.close()


def caption(page: playwright.Page, name: str) -> str:
    for text in page.locator("[data-testid=stCaptionContainer]").all_inner_texts():
        if text.startswith(f"{name}:"):
            return text.removeprefix(f"{name}:")
    return ""


def wait_caption(page: playwright.Page, name: str, pattern: str) -> str:
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        value = caption(page, name)
        if re.fullmatch(pattern, value):
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"{name} never matched {pattern!r} (last {caption(page, name)!r})")


def indicator(page: playwright.Page) -> str:
    return page.locator(".live .label").inner_text()


def test_a_change_reruns_the_fragment_only_and_names_itself(page: playwright.Page, agency: Agency) -> None:
    wait_caption(page, "fragment-runs", "1")
    page.locator(".live[data-status=live]").wait_for()
    assert indicator(page) == "Langsung"

    task_id = _touch(agency, "document")

    last = wait_caption(page, "last", rf"task\.updated\|{task_id}\|\d+\|.*")
    assert last.endswith("|Rina Manajer mengubah Pengumpulan Dokumen — Ahmad Hidayat")  # who, what, whom
    assert caption(page, "full-runs") == "1"
    assert int(caption(page, "fragment-runs")) >= 2


def test_only_the_tab_that_made_a_change_drops_it(page: playwright.Page, agency: Agency) -> None:
    """A change made in this tab (its `origin`) does not rerun it; a change by the same user made
    elsewhere — another tab, the API — does (issue 21: a second tab of one account never updated)."""
    runs = int(wait_caption(page, "fragment-runs", r"\d+"))
    page.locator(".live[data-status=live]").wait_for()
    me = auth.resolve_session(page.context.cookies()[0]["value"])
    assert me is not None
    here = caption(page, "tab")
    assert here and here != "None"

    def change(task_id: int, origin: str | None) -> events.TaskUpdated:
        return events.TaskUpdated(
            workspace_id=agency.workspace.id,
            jamaah_id=1,
            task_id=task_id,
            actor="Someone",
            roles=("document-admin", "manager"),
            occurred_at=datetime.now(UTC),
            views=(View.QUEUE,),
            changed=("notes",),
            actor_id=me.user_id,  # every change is this user's own
            origin=origin,
        )

    events.publish([change(990_001, here)])  # made in this tab: no rerun
    events.publish([change(990_002, "another-tab-of-mine")])
    wait_caption(page, "last", r"task\.updated\|990002\|.*")
    assert int(caption(page, "fragment-runs")) == runs + 1
    events.publish([change(990_003, None)])  # through the API: no tab
    wait_caption(page, "last", r"task\.updated\|990003\|.*")
    assert int(caption(page, "fragment-runs")) == runs + 2
    assert caption(page, "full-runs") == "1"


def test_a_hidden_tab_holds_its_rerun_until_it_is_shown(page: playwright.Page, agency: Agency) -> None:
    """A tab in the background runs nothing for changes; shown again, it reruns once for them all."""
    runs = int(wait_caption(page, "fragment-runs", r"\d+"))
    page.locator(".live[data-status=live]").wait_for()
    taken = page.evaluate("window.__umrahLive.taken")
    page.evaluate(
        """() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
                   document.dispatchEvent(new Event('visibilitychange')); }"""
    )
    _touch(agency, "document")
    second = _touch(agency, "visa")
    page.wait_for_function(  # both taken, waiting as one trigger that was not sent
        """taken => { const hub = window.__umrahLive, queued = hub.outbox;
                      return hub.taken === taken + 2 && queued.length === 1 && queued[0][1].count === 2; }""",
        arg=taken,
    )
    assert int(caption(page, "fragment-runs")) == runs

    page.evaluate("() => { delete document.hidden; document.dispatchEvent(new Event('visibilitychange')); }")
    wait_caption(page, "last", rf"task\.updated\|{second}\|2\|.*")  # the newest, standing for two
    assert int(caption(page, "fragment-runs")) == runs + 1
    assert caption(page, "full-runs") == "1"


def test_after_the_server_restarts_the_page_runs_again_and_changes_flow(
    page: playwright.Page, probe: ProbeApp, agency: Agency
) -> None:
    wait_caption(page, "fragment-runs", "1")
    page.locator(".live[data-status=live]").wait_for()

    page.evaluate("window.beforeRestart = true")
    probe.stop()
    page.locator(".live[data-status=reconnecting]").wait_for()
    page.locator(".live[data-status=offline]").wait_for()  # after a few seconds without the server
    assert indicator(page) == "Offline"
    assert page.locator(".live .stale").inner_text() == "Data mungkin sudah usang."
    assert page.locator(".live .reload").is_visible()
    probe.start()

    # the new process knows nothing of the old fragment: a whole run, or else a reload
    page.wait_for_function(
        """() => !window.beforeRestart || [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
            .some(c => /^full-runs:([2-9]|\\d\\d)/.test(c.innerText))""",
        timeout=60_000,
    )
    page.locator(".live[data-status=live]").wait_for()
    task_id = _touch(agency, "visa")
    wait_caption(page, "last", rf"task\.updated\|{task_id}\|.*")
