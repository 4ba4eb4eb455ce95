"""UI test fixtures: the demo datasets in the test servers, and a page of the real app in AppTest.

The app opens its own sessions, so the data must be committed: the datasets are loaded (with
reset) once per session, and a test that changes data takes `fresh_demo13`, which loads demo-13
again afterwards so the next test sees the story as written.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from playwright import sync_api as playwright
from sqlalchemy import select
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.testing.v1 import AppTest

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import Viewer, system_viewer
from pipeline_core.commands import auth
from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.model import Role, Workspace
from pipeline_core.seed.datasets import load_dataset
from pipeline_core.store import cache, db, jamaah_identity
from pipeline_core.store import schema as t
from tests.chromium import CHROMIUM, CHROMIUM_FLAGS
from ui_kit import session

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> Workspace:
    load_dataset(name, reset=True, demo_accounts=True)
    return dashboard.workspace(name)


@pytest.fixture(scope="session")
def demo(servers: None) -> dict[str, Workspace]:
    return {name: load(name) for name in ("demo-13", "demo-2000")}


@pytest.fixture
def demo13(demo: dict[str, Workspace]) -> Workspace:
    return dashboard.workspace("demo-13")


@pytest.fixture
def demo2000(demo: dict[str, Workspace]) -> Workspace:
    return dashboard.workspace("demo-2000")


@pytest.fixture
def fresh_demo13(demo: dict[str, Workspace]) -> Iterator[Workspace]:
    """demo-13 for a test that changes it; reloaded afterwards."""
    yield dashboard.workspace("demo-13")
    load("demo-13")


#: Where a test's AppTest keeps its session token: AppTest sends no cookies, so `session_token`
#: (the app's one seam for "who is signed in") reads it from the test session's state instead.
TOKEN_KEY = "_test_session_token"


@pytest.fixture(autouse=True)
def _sessions_from_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "session_token", lambda: st.session_state.get(TOKEN_KEY))


def sign_in(role: str = "manager", dataset: str = "demo-13") -> str:
    """A real sign-in (argon2 check, server-side session) with a demo account; its token."""
    username = f"{role}@{dataset}"
    return auth.sign_in(username=username, password=DEMO_PASSWORD, workspace_slug=None, client="test").token


def identity(workspace: Workspace, jamaah_id: int) -> tuple[str, str | None]:
    """A jamaah's real NIK and passport number, straight from the table (the read models mask them)."""
    with db.read_session() as session:
        row = session.execute(
            select(t.Jamaah.nik_encrypted, t.Jamaah.passport_encrypted).where(
                t.Jamaah.workspace_id == workspace.id, t.Jamaah.id == jamaah_id
            )
        ).one()
    return jamaah_identity.open_nik(row.nik_encrypted) or "", jamaah_identity.open_passport(
        row.passport_encrypted
    )


def viewer(workspace: Workspace, role: Role = Role.MANAGER) -> Viewer:
    """What a page of `role`'s demo account reads with (the figures a test compares against)."""
    return system_viewer(workspace, role)


def open_page(
    page_script: str, /, *, user: str | None = "manager", dataset: str = "demo-13", **params: str
) -> AppTest:
    """The app (ui.py, sidebar included) on `app_pages/<page>.py`, as a browser signed in as the
    demo account `<user>@<dataset>` (None: not signed in) opening that URL with these query
    parameters."""
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    if user is not None:
        at.session_state[TOKEN_KEY] = sign_in(user, dataset)
    at.switch_page(f"app_pages/{page_script}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> dict[str, dict[str, Any]]:
    """The Plotly figures the page drew (ui_kit/plotly_figure.py), by element key, as plotly.js
    receives them: {"data": [traces], "layout": {...}}. An element's id is "$$ID-<hash>-<key>"."""
    return {
        element.proto.id.split("-", 2)[2]: json.loads(component_data(element)["figure"])
        for element in components(at, "umrah.plotly_figure")
    }


def components(at: AppTest, name: str) -> list[Any]:
    """The page's `st.components.v2` elements of component `name`, in drawing order."""
    return [element for element in at.get("bidi_component") if element.proto.component_name == name]


def component_data(element: Any) -> dict[str, Any]:
    """The `data` a component element was drawn with."""
    return dict(json.loads(element.proto.json))


def fire(at: AppTest, element: Any, event: str, value: object) -> AppTest:
    """Run the app as after the browser's `setTriggerValue(event, value)` in `element`: the same
    widget message (the component's trigger aggregator) a browser sends. AppTest has no gesture for
    custom components, so this builds the message its own `run()` would have sent, plus the
    trigger."""
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = _make_trigger_id(element.proto.id, "events")
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    at._run(states)
    assert not at.exception, at.exception
    return at


def stage_cards(at: AppTest) -> list[dict[str, Any]]:
    """The stage cards as drawn (ui_kit/stage_cards.py): each card's heading and its lines' text."""
    (block,) = [h.proto.body for h in at.get("html") if "umrah-stages" in h.proto.body]
    return [
        {
            "title": html.unescape(title),
            "lines": [html.unescape(p) for p in re.findall(r"<p[^>]*>(.*?)</p>", card)],
        }
        for title, card in re.findall(r"<h3>(.*?)</h3>(.*?)</article>", block)
    ]


def html_cards(at: AppTest) -> list[dict[str, Any]]:
    """The bottleneck alert and departure group cards as drawn (ui_kit/html_cards.py), in order:
    each card's heading, its figures (`dt` → first `dd`), its text as read (icons left out) and
    its HTML, all unescaped but the HTML."""

    def text_of(fragment: str) -> str:
        fragment = re.sub(r'<span class="icon[^"]*"[^>]*>[^<]*</span>', "", fragment)
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    figure = re.compile(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>")
    cards = []
    for element in at.get("html"):
        for card in re.findall(r'<article class="umrah-card".*?</article>', element.proto.body, re.S):
            heading = re.search(r"<h3>(.*?)</h3>", card)
            cards.append(
                {
                    "title": text_of(heading[1]) if heading else "",
                    "figures": {text_of(dt): text_of(dd) for dt, dd in figure.findall(card)},
                    "text": text_of(card),
                    "html": card,
                }
            )
    return cards


def kanban_board(at: AppTest) -> dict[str, Any]:
    """The kanban as drawn (ui_kit/tasks/board.py): its columns, labels, ..."""
    (board,) = components(at, "umrah.task_board")
    return component_data(board)


def task_cards(at: AppTest) -> list[dict[str, Any]]:
    """The kanban's cards as drawn (ui_kit/tasks/board.py), column by column, top to bottom."""
    return [card for column in kanban_board(at)["columns"] for card in column["cards"]]


def act_on_card(at: AppTest, task_id: int, action: str) -> AppTest:
    """Click `action` ("complete", "block" or "unblock") on the card of task `task_id`."""
    assert task_id in [card["id"] for card in task_cards(at)], f"no card of task {task_id}"
    return fire(at, components(at, "umrah.task_board")[0], "action", {"action": action, "id": task_id})


def turn_page(at: AppTest, column: str, page: int) -> AppTest:
    """Click a kanban column's pager towards `page` (column: "urgent", "today", ...)."""
    return fire(at, components(at, "umrah.task_board")[0], "page", {"column": column, "page": page})


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright.Browser]:
    """Debian's chromium for a module of browser tests (tests/ui/browser.py). Per module, not per
    session: Playwright's sync API keeps an event loop running in this thread while it is open."""
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def demo13_restored() -> Iterator[None]:
    """For a test that changes demo-13 through the real app: lay it out again afterwards, with no
    cached view left over."""
    yield
    before = dashboard.workspace("demo-13")
    load("demo-13")
    for workspace_id in {before.id, dashboard.workspace("demo-13").id}:
        cache.clear_workspace(workspace_id)
