"""Two tabs of one account (issue 21): a task completed in one tab shows in the other, pushed, with
no gesture and no reload there; the tab that acted shows it from its action and is not rerun by
the push of its own change.

Both tabs are pages of one browser context (one cookie, one signed-in session) on the task queue.
Before the fix the listener dropped every change whose `actor_id` was the viewer's, so the second
tab never updated. Whether the acting tab was rerun by its own change is read from the listener's
own tally (`window.__umrahLive`: `taken` counts the changes a listener took, `own` those dropped as
made in this tab), not from timing: the stream delivers events in sequence order, so once a later
change by someone else has been taken, the own change has been seen and judged. The test asserts
states, never durations.
"""

from __future__ import annotations

import pytest
from playwright import sync_api as playwright

from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain.model import KanbanColumn, Workspace
from tests.ui.browser import COUNT_RUNS, HEIGHT, PUSH_WAIT, WIDTH, Walk, eventually, expected_kanban, text

pytestmark = [pytest.mark.browser]

WAIT = PUSH_WAIT
TALLY = "() => [window.__umrahLive.taken, window.__umrahLive.own]"


def tally(walk: Walk) -> tuple[int, int]:
    taken, own = walk.page.evaluate(TALLY)
    return int(taken), int(own)


@pytest.mark.usefixtures("demo13_restored")
def test_two_tabs_of_one_account_both_show_a_task_completed_in_one(
    app_server: str, demo: dict[str, Workspace], browser: playwright.Browser
) -> None:
    ws = dashboard.workspace("demo-13")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_init_script(COUNT_RUNS)
    first = Walk(context.new_page(), app_server)
    first.sign_in("manager@demo-13")
    first.open("/task_queue")
    second = Walk(context.new_page(), app_server)  # the same cookie: the same person, another tab
    second.open("/task_queue")
    for walk in (first, second):
        walk.page.locator(".live[data-status=live]").first.wait_for(timeout=WAIT * 1000)
        assert walk.kanban() == expected_kanban(ws)
    second.page.evaluate("window.notReloaded = true")
    first_before, second_before = tally(first), tally(second)

    urgent = text(f"column.{KanbanColumn.URGENT.value}")
    done = first.kanban()[urgent][1][0]
    first.act(first.page.locator(f"[data-task='{done}'] button[data-action=complete]").click)
    # the acting tab draws its action's answer (its own runs, no push taken)
    eventually(first.kanban, lambda: expected_kanban(ws), "the acting tab after its action")
    assert done not in first.kanban()[urgent][1]
    assert tally(first)[0] == first_before[0]

    eventually(second.kanban, lambda: expected_kanban(ws), "the second tab after the first completed a task")
    assert second.page.evaluate("window.notReloaded === true"), "pushed, not reloaded"
    assert tally(second)[0] == second_before[0] + 1  # the second tab took the change...
    assert tally(second)[1] == second_before[1]  # ...as made elsewhere

    # Someone else's change afterwards (through the core: no tab). Once the first tab has taken it,
    # it has also judged its own change, which came before it on the stream.
    task = dashboard.task_queue_page(system_viewer(ws)).items[0]
    actions.update_task(system_viewer(ws), task.id, task.version, notes="Dicek dari kantor cabang")
    first.page.wait_for_function(
        "before => window.__umrahLive.taken > before", arg=first_before[0], timeout=WAIT * 1000
    )
    assert tally(first) == (first_before[0] + 1, first_before[1] + 1), (
        "the first tab took only the other person's change and dropped its own"
    )
    eventually(first.kanban, lambda: expected_kanban(ws), "the first tab after someone else's change")
