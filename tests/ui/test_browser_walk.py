"""One walk through the real app in Debian's chromium, for what only a browser shows.

The manager's path on demo-13 (issue 4): the overview's KPIs as the browser draws them equal
`pipeline_health`; its link opens the task queue; four columns with their cards and counts; a role
tab and back; "Selesai" on a card, and that column's count drops by one without a page reload.
Then the address bar (bound widgets write it, a deep link or a reload restores the view, links keep
the language), and a full-page screenshot of every page, in both languages, for the user guides
(docs/screenshots/, taken as the walk passes). After a gesture the walk waits for the next script
run to end and the page to be drawn (RENDERED, then 150 ms without a new run); it asserts states,
never durations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright

from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import formatting
from pipeline_core.domain.model import Role, Workspace
from tests.ui.browser import (
    COLUMNS,
    COUNT_RUNS,
    EN,
    HEIGHT,
    ID,
    LINK_TEXT,
    WIDTH,
    Walk,
    expected_kanban,
    text,
)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def walk(app_server: str, demo: dict[str, Workspace], browser: playwright.Browser) -> Iterator[Walk]:
    """A tab in a fresh browser context (no cookies, no cache) on the app with demo-13."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_init_script(COUNT_RUNS)
    walk = Walk(context.new_page(), app_server)
    walk.sign_in("manager@demo-13")
    yield walk
    context.close()


@pytest.fixture
def guest(app_server: str, demo: dict[str, Workspace], browser: playwright.Browser) -> Iterator[Walk]:
    """A tab in a fresh browser context, not signed in."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_init_script(COUNT_RUNS)
    yield Walk(context.new_page(), app_server)
    context.close()


@pytest.mark.usefixtures("demo13_restored")
def test_the_managers_path(walk: Walk) -> None:
    ws = dashboard.workspace("demo-13")
    page = walk.page

    # A deep link: the entry script (sidebar, signed-in user) runs too.
    walk.open("/task_queue?dataset=demo-13")
    page.get_by_text(text("account.sign_out")).wait_for()
    assert walk.kanban() == expected_kanban(ws)

    # The overview: the KPI cards show pipeline_health, formatted for Indonesia.
    walk.open("/?dataset=demo-13")
    health = dashboard.pipeline_health(system_viewer(ws))
    assert walk.metrics()[:5] == [
        (text("kpi.total"), formatting.number(health.total)),
        (text("kpi.on_track"), formatting.number(health.on_track)),
        (text("kpi.at_risk"), formatting.number(health.at_risk)),
        (text("kpi.overdue"), formatting.number(health.overdue)),
        (text("kpi.health"), formatting.percent(health.health_score)),
    ]
    walk.screenshot("ringkasan-pipeline.png")

    # Its link to the task queue: four columns, each with its count and first page of cards.
    walk.act(page.locator("[data-testid=stPageLink]", has_text=text("queue.open")).click)
    assert "/task_queue" in walk.url
    kanban = walk.kanban()
    assert list(kanban) == [text(f"column.{c.value}") for c in COLUMNS]
    assert kanban == expected_kanban(ws)
    assert sum(len(ids) for _, ids in kanban.values()) > 0
    walk.screenshot("antrean-tugas-kanban.png")

    # A role tab and back: the URL carries it, the columns follow.
    walk.choose(text("role.document-admin"))
    assert "role=Admin+Dokumen" in walk.url
    assert walk.kanban() == expected_kanban(ws, role=Role.DOCUMENT_ADMIN)
    walk.choose(text("queue.all_roles"))
    assert walk.kanban() == expected_kanban(ws)

    walk.choose(text("queue.view.table"))
    assert "view=Tabel" in walk.url
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    walk.screenshot("antrean-tugas-tabel.png")
    walk.choose(text("queue.view.kanban"))

    # "Selesai" on the first card of the first column that has one: that count drops by one, and
    # the page was redrawn in place (a mark left on the window survives: no reload).
    column, (count, ids) = next((title, shown) for title, shown in walk.kanban().items() if shown[1])
    page.evaluate("window.walkMark = 'still here'")
    walk.act(page.locator(f"[data-task='{ids[0]}'] button[data-action=complete]").click)
    # The run walk.act waited for may be another fragment's (a column is its own fragment): under
    # load the clicked column's redraw can end a moment later. Wait for it, then check it.
    deadline = time.monotonic() + 30
    while walk.kanban()[column][0] != count - 1 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert walk.kanban()[column][0] == count - 1
    assert ids[0] not in walk.kanban()[column][1]
    assert walk.kanban() == expected_kanban(ws)
    assert page.evaluate("window.walkMark") == "still here"

    # "Buka jamaah" on a card: that jamaah's page, in the same tab and session (no reload).
    _, ids = next(shown for shown in walk.kanban().values() if shown[1])
    link = page.locator(f"[data-task='{ids[0]}'] a[data-action=open]")
    jamaah_id = int(str(link.get_attribute("href")).rsplit("=", 1)[1])  # jamaah?jamaah=<id>
    jamaah = dashboard.jamaah_detail(system_viewer(ws), jamaah_id)
    walk.act(link.click)
    page.wait_for_url(re.compile(r"/jamaah\?"))
    page.locator("[data-testid=stMain] h1", has_text=jamaah.full_name).wait_for()
    assert f"jamaah={jamaah.id}" in walk.url
    assert page.evaluate("window.walkMark") == "still here"


def test_every_page_in_both_languages(walk: Walk) -> None:
    """Departures, bottlenecks and a jamaah in Indonesian; then English: the bound role is rewritten
    in the new language, a reload restores the view, links keep dataset and language."""
    ws = dashboard.workspace("demo-13")
    page = walk.page

    walk.open("/departures?dataset=demo-13")
    departures(walk, ws, ID)
    walk.screenshot("keberangkatan.png")

    walk.nav(text("nav.bottlenecks"))
    stuck = bottlenecks(walk, ws, ID)
    walk.screenshot("hambatan.png")
    walk.act(page.locator(f"[data-testid=stMain] {LINK_TEXT}", has_text=stuck).first.click)
    assert "/jamaah?" in walk.url and "jamaah=" in walk.url
    page.get_by_text(text("jamaah.profile"), exact=True).wait_for()
    assert page.locator("[data-testid=stMain] h1").inner_text() == stuck
    walk.screenshot("detail-jamaah.png")

    walk.nav(text("nav.queue"))
    walk.choose(text("role.document-admin"))
    walk.choose("English")
    assert "role=Document+admin" in walk.url and "lang=English" in walk.url
    page.reload()
    walk.ran_since(0)
    page.get_by_text(text("queue.title", EN), exact=True).first.wait_for()
    selected = page.locator("[data-testid=stButtonGroup] button[aria-checked=true]")
    assert text("role.document-admin", EN) in selected.all_inner_texts()
    walk.choose(text("queue.all_roles", EN))
    assert walk.kanban() == expected_kanban(ws, EN)
    walk.screenshot("task-queue-kanban-en.png")
    walk.choose(text("queue.view.table", EN))
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    walk.screenshot("task-queue-table-en.png")
    walk.choose(text("queue.view.kanban", EN))

    walk.act(page.get_by_text(text("open_jamaah", EN)).first.click)
    page.wait_for_url(re.compile(r"/jamaah\?"))
    assert "/jamaah?" in walk.url and "jamaah=" in walk.url and "lang=English" in walk.url
    page.get_by_text(text("jamaah.profile", EN), exact=True).wait_for()
    walk.screenshot("jamaah-detail-en.png")

    walk.nav(text("nav.overview", EN))
    assert [label for label, _ in walk.metrics()[:5]] == [
        text(f"kpi.{key}", EN) for key in ("total", "on_track", "at_risk", "overdue", "health")
    ]
    walk.screenshot("overview-en.png")
    walk.nav(text("nav.departures", EN))
    departures(walk, ws, EN)
    walk.screenshot("departures-en.png")
    walk.nav(text("nav.bottlenecks", EN))
    bottlenecks(walk, ws, EN)
    walk.screenshot("bottlenecks-en.png")
    assert "lang=English" in walk.url
    page.get_by_text(text("dataset.badge", EN).format(n=formatting.number(13, "en"))).wait_for()


def departures(walk: Walk, ws: Workspace, lang: int) -> None:
    """The 30-day window and the roster of the first group with jamaah not ready."""
    walk.choose("30")
    assert "window=30" in walk.url
    groups = dashboard.upcoming_departures(system_viewer(ws), days=30).items
    cards = walk.page.locator("[data-testid=stMain] [class*='st-key-group-']")
    assert cards.count() == len(groups)
    group = next(g for g in groups if g.not_ready)
    walk.act(
        walk.page.locator(f".st-key-roster-{group.package_id}")
        .get_by_text(text("departures.show", lang))
        .click
    )
    names = [
        line.full_name
        for line in actions.not_ready_jamaah(system_viewer(ws), group.package_id, limit=10).items
    ]
    links = walk.page.locator(f".st-key-group-{group.package_id} {LINK_TEXT}")
    assert links.all_inner_texts() == names


def bottlenecks(walk: Walk, ws: Workspace, lang: int) -> str:
    """Every alert as a card; the stuck list of the first opened. Returns the first stuck name."""
    alerts = dashboard.bottlenecks(system_viewer(ws))
    cards = walk.page.locator("[data-testid=stMain] [class*='st-key-alert-']")
    assert cards.count() == len(alerts)
    first = alerts[0]
    walk.act(
        walk.page.locator(f".st-key-stuck-{first.code}")
        .get_by_text(text("bottlenecks.stuck_list", lang))
        .click
    )
    names = [line.full_name for line in actions.stuck_jamaah(system_viewer(ws), first.code, limit=10).items]
    links = walk.page.locator(f".st-key-alert-{first.code} {LINK_TEXT}")
    assert links.all_inner_texts() == names
    return names[0]


def test_sign_in_refusal_demo_accounts_and_sign_out(guest: Walk) -> None:
    """The sign-in page: a wrong password gets one message; a demo account signs in with one click
    and sees what its role may (an admin: only their own queue); signing out ends the session on
    the server, so the app asks to sign in again."""
    page = guest.page
    guest.open("/")
    page.get_by_text(text("signin.demo.title"), exact=True).wait_for()
    guest.screenshot("masuk.png")

    guest.page.locator("#username").fill("manager@demo-13")
    guest.page.locator("#password").fill("not-the-password")
    with page.expect_navigation():
        page.locator(".umrah-primary").click()
    guest.ran_since(0)
    assert "login_error=1" in guest.url
    page.get_by_text(text("signin.refused")[:40]).wait_for()

    visa = page.locator(".umrah-signin", has=page.locator("input[value='visa-admin@demo-13']"))
    with page.expect_navigation():
        visa.locator("button").click()
    guest.ran_since(0)
    page.get_by_text(text("account.sign_out")).wait_for()
    guest.nav(text("nav.queue"))
    roles = page.locator("[data-testid=stMain] [data-testid=stButtonGroup]").first
    assert roles.locator("button").all_inner_texts() == [text("role.visa-admin")]

    with page.expect_navigation():
        page.get_by_text(text("account.sign_out")).click()
    guest.ran_since(0)
    page.locator("#username").wait_for()
    guest.open("/task_queue")
    page.locator("#username").wait_for()  # the old cookie's session is gone server-side
