"""Two signed-in people on two app processes (issue 6): what A does reaches B's open pages, pushed,
without any gesture in B.

A (the manager, on process 1) completes an overdue task and blocks another from the task queue.
B (the super-admin, on process 2, sharing PostgreSQL and Redis) has the task queue open in one tab
and the overview in another; both are redrawn by the live push until they equal what
`pipeline_core` says, and the queue tab names A's change in a toast. The test asserts states (with
generous waits), never durations: benchmarks/live_push.py measures those.
"""

from __future__ import annotations

import pytest
from playwright import sync_api as playwright

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import formatting
from pipeline_core.domain.model import KanbanColumn, Workspace
from tests.ui.browser import COUNT_RUNS, HEIGHT, PUSH_WAIT, WIDTH, Walk, eventually, expected_kanban, text

pytestmark = [pytest.mark.browser]

WAIT = PUSH_WAIT


def tab(browser: playwright.Browser, base: str, username: str) -> Walk:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_init_script(COUNT_RUNS)
    walk = Walk(context.new_page(), base)
    walk.sign_in(username)
    return walk


def kpis(walk: Walk) -> list[tuple[str, str]]:
    return walk.metrics()[:5]


def expected_kpis(ws: Workspace) -> list[tuple[str, str]]:
    health = dashboard.pipeline_health(system_viewer(ws))
    return [
        (text("kpi.total"), formatting.number(health.total)),
        (text("kpi.on_track"), formatting.number(health.on_track)),
        (text("kpi.at_risk"), formatting.number(health.at_risk)),
        (text("kpi.overdue"), formatting.number(health.overdue)),
        (text("kpi.health"), formatting.percent(health.health_score)),
    ]


@pytest.mark.usefixtures("demo13_restored")
def test_a_change_on_one_process_reaches_open_pages_on_the_other(
    app_server: str, second_app_server: str, demo: dict[str, Workspace], browser: playwright.Browser
) -> None:
    ws = dashboard.workspace("demo-13")
    a = tab(browser, app_server, "manager@demo-13")
    b_queue = tab(browser, second_app_server, "super-admin@demo-13")
    b_overview = Walk(b_queue.page.context.new_page(), second_app_server)
    b_overview.open("/")
    a.open("/task_queue")
    b_queue.open("/task_queue")
    for walk in (b_queue, b_overview):
        walk.page.locator(".live[data-status=live]").first.wait_for(timeout=WAIT * 1000)
    assert b_queue.kanban() == expected_kanban(ws)
    assert kpis(b_overview) == expected_kpis(ws)
    before = expected_kpis(ws)

    # A completes the first overdue (urgent) task: the jamaah moves on, the overdue count drops.
    urgent = text(f"column.{KanbanColumn.URGENT.value}")
    first = a.kanban()[urgent][1][0]
    a.act(a.page.locator(f"[data-task='{first}'] button[data-action=complete]").click)
    assert expected_kpis(ws) != before, "completing an overdue task changes the KPIs"
    eventually(b_queue.kanban, lambda: expected_kanban(ws), "B's kanban after A completed a task")
    eventually(lambda: kpis(b_overview), lambda: expected_kpis(ws), "B's KPIs after A completed a task")
    b_queue.page.locator("[data-testid=stToast]", has_text="Rahmat Hidayat").first.wait_for(
        timeout=WAIT * 1000
    )

    # A blocks a task of the "today" or "upcoming" column: it lands in B's Blocked column.
    blocked = text(f"column.{KanbanColumn.BLOCKED.value}")
    shown = a.kanban()
    column = next(
        c for c in (KanbanColumn.TODAY, KanbanColumn.UPCOMING) if shown[text(f"column.{c.value}")][1]
    )
    target = shown[text(f"column.{column.value}")][1][0]
    a.act(a.page.locator(f"[data-task='{target}'] button[data-action=block]").click)
    a.page.get_by_label(text("task.block.reason")).fill("Menunggu scan paspor")
    a.act(a.page.get_by_role("button", name=text("task.block.submit")).click)
    eventually(
        # While the push redraws B's kanban, a column's header shows its count only once the
        # column's page is read (ui_kit/tasks/queue.py): a moment without it is "not yet".
        lambda: b_queue.kanban().get(blocked, (None, []))[0],
        lambda: expected_kanban(ws)[blocked][0],
        "B's Blocked count",
    )
    eventually(b_queue.kanban, lambda: expected_kanban(ws), "B's kanban after A blocked a task")
    assert target in b_queue.kanban()[blocked][1]

    # Our components' scripts are files (ui_kit/component_files.py) a tab fetched once, however
    # many runs redrew the listeners and the board, under the app's Content-Security-Policy.
    assert fetched(b_queue, "listener.js") == fetched(b_queue, "board.js") == 1
    assert fetched(b_overview, "listener.js") == fetched(b_overview, "figure.js") == 1


def fetched(walk: Walk, file: str) -> int:
    """How many times this tab's document fetched `file` (from the network or its cache)."""
    return int(
        walk.page.evaluate(
            "file => performance.getEntriesByType('resource')"
            ".filter(e => new URL(e.name).pathname.endsWith('/' + file)).length",
            file,
        )
    )
