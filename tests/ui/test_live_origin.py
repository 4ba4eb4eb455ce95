"""Which tab a change comes from (issue 21): each tab of one account has its own id, a change made
in a tab carries that id as its `origin`, and only that tab's listener holds it; a change made
outside any tab (the API, the command line) carries none, so every tab takes it.

The browser side of the rule (a listener drops a change whose origin is its own tab, and no other)
is tested in Chromium: tests/ui/test_live_component.py and tests/ui/test_live_two_tabs.py.
"""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from pipeline_core.app import actions, dashboard
from pipeline_core.app.live import current_sequence, replay
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands import auth
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import ROOT, TOKEN_KEY, act_on_card, component_data, components, sign_in


def task_queue(token: str) -> AppTest:
    """The task queue in a tab of the browser holding this session cookie."""
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = token
    at.switch_page("app_pages/task_queue.py")
    at.run()
    assert not at.exception, at.exception
    return at


def tabs_of_listeners(at: AppTest) -> set[str]:
    return {component_data(listener)["tab"] for listener in components(at, "umrah.live_listener")}


def published_since(ws: Workspace, sequence: int | None) -> list[dict[str, Any]]:
    found = replay(ws.id, sequence or 0)
    assert found is not None
    return found


def test_a_change_names_the_tab_it_was_made_in_and_no_other(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    token = sign_in("manager")  # one account, one cookie, two tabs
    me = auth.resolve_session(token)
    assert me is not None
    first, second = task_queue(token), task_queue(token)
    (first_tab,), (second_tab,) = tabs_of_listeners(first), tabs_of_listeners(second)
    assert first_tab and second_tab and first_tab != second_tab

    target = dashboard.task_queue_page(system_viewer(ws)).items[0]
    before = current_sequence(ws.id)
    act_on_card(first, target.id, "complete")
    (completed,) = [e for e in published_since(ws, before) if e["type"] == "task.completed"]
    assert completed["task_id"] == target.id
    assert completed["actor_id"] == me.user_id  # the same user as the second tab's...
    assert completed["origin"] == first_tab  # ...but made in the first tab: only it skips the event
    assert tabs_of_listeners(first) == {first_tab}  # a tab keeps its id across runs

    # Outside any tab (what the API and the command line call): no origin, every tab takes it.
    after = current_sequence(ws.id)
    following = dashboard.task_queue_page(system_viewer(ws)).items[0]
    actions.complete_task(system_viewer(ws), following.id, following.version)
    (outside,) = [e for e in published_since(ws, after) if e["type"] == "task.completed"]
    assert "origin" not in outside
