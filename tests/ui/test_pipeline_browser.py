"""The pipeline editor in a real browser (issue 17): a manager cuts one stage's SLA, previews,
publishes and migrates, while a second signed-in user's open overview (another browser context,
on a second app process) shows the at-risk and overdue counts change with no reload.

The expected counts are computed here from the data: every open jamaah of demo-13 is classified
with `rules.classify_jamaah` under the published stages and under the edited ones (not read from
the preview the page shows, and not written down as numbers). Publishing alone changes nothing —
jamaah stay on their version (DOMAIN.md) — so the overview changes at the migration.

The walk also takes the screenshots of the "Customizing the pipeline" chapters
(docs/screenshots/pipeline-*.png); the English ones come from a second, shorter walk.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright import sync_api as playwright
from sqlalchemy import text as sql

from pipeline_core.app import dashboard
from pipeline_core.app import pipeline as editor
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import formatting, rules
from pipeline_core.domain.model import JamaahStatus, Role, Stage, Workspace
from pipeline_core.domain.pipeline import parse_stages, stage_values
from pipeline_core.store import db
from tests.ui.browser import COUNT_RUNS, EN, HEIGHT, ID, WIDTH, Walk, text

pytestmark = [pytest.mark.browser]

WAIT = 20.0  # seconds: far above the ~0.1 s a push takes, so a busy machine does not fail it
STAGE, NEW_SLA = "siskopatuh-approval", 24  # 168 h → 24 h: a jamaah 48 h into it is now overdue


def tab(browser: playwright.Browser, base: str, username: str) -> Walk:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_init_script(COUNT_RUNS)
    walk = Walk(context.new_page(), base)
    walk.sign_in(username)
    return walk


@pytest.fixture
def walks(
    app_server: str, second_app_server: str, demo: dict[str, Workspace], browser: playwright.Browser
) -> Iterator[tuple[Walk, Walk]]:
    """The manager on process 1, the super-admin on process 2 (each its own browser context)."""
    manager = tab(browser, app_server, "manager@demo-13")
    watcher = tab(browser, second_app_server, "super-admin@demo-13")
    yield manager, watcher
    manager.page.context.close()
    watcher.page.context.close()


# --- what the data says -----------------------------------------------------------------------


def open_jamaah(ws: Workspace) -> list[Any]:
    with db.read_session() as session:
        return list(
            session.execute(
                sql(
                    """
                    SELECT s.jamaah_id, s.departure_date, s.current_started_at, s.current_stage_status,
                           ps.code
                    FROM jamaah_pipeline_status s JOIN pipeline_stages ps ON ps.id = s.current_stage_id
                    WHERE s.workspace_id = :ws AND NOT s.is_completed
                    """
                ),
                {"ws": ws.id},
            ).mappings()
        )


def classify(ws: Workspace, people: Sequence[Any], stages: Sequence[Stage], now: datetime) -> dict[int, str]:
    """Each open jamaah's status (DOMAIN.md) if its current stage had `stages`' SLA and deadline."""
    by_code = {s.code: s for s in stages}
    found = {}
    for person in people:
        stage = by_code[person["code"]]
        due = rules.stage_due_at(
            started_at=person["current_started_at"],
            sla_hours=stage.sla_hours,
            departure_date=person["departure_date"],
            done_by_days=stage.done_by_days,
            tz=ws.timezone,
        )
        found[person["jamaah_id"]] = rules.classify_jamaah(
            now=now,
            departure_date=person["departure_date"],
            current=rules.CurrentStage(due_at=due, blocked=person["current_stage_status"] == "blocked"),
            later_sla_hours=rules.later_sla_hours(stages, stage.position),
            buffer_days=ws.at_risk_buffer_days,
            tz=ws.timezone,
        ).value
    return found


def edited_stages(ws: Workspace) -> tuple[Stage, ...]:
    published = editor.pipeline_version_stages(system_viewer(ws), 1)
    rows = [stage_values(s) | ({"sla_hours": NEW_SLA} if s.code == STAGE else {}) for s in published]
    return parse_stages(rows)[0]


def kpi_values(ws: Workspace, statuses: dict[int, str], completed: int) -> list[tuple[str, str]]:
    """The overview's five KPI cards for these statuses (as `expected_kpis` formats them)."""
    counts = Counter(statuses.values())
    total = len(statuses) + completed
    on_track = counts[JamaahStatus.ON_TRACK.value]
    return [
        (text("kpi.total"), formatting.number(total)),
        (text("kpi.on_track"), formatting.number(on_track)),
        (text("kpi.at_risk"), formatting.number(counts[JamaahStatus.AT_RISK.value])),
        (text("kpi.overdue"), formatting.number(counts[JamaahStatus.OVERDUE.value])),
        (
            text("kpi.health"),
            formatting.percent(rules.health_score(on_track=on_track, total=total, completed=completed)),
        ),
    ]


def status_moves(before: dict[int, str], after: dict[int, str], lang: int = ID) -> str:
    """The preview's "status changes" sentence for these statuses, largest move first."""
    moves = Counter((before[j], after[j]) for j in before if before[j] != after[j])
    listed = "; ".join(
        f"{text(f'jamaah_status.{old}', lang)} → {text(f'jamaah_status.{new}', lang)}: {n}"
        for (old, new), n in sorted(moves.items(), key=lambda item: -item[1])
    )
    return text("pipe.preview.moves", lang).format(moves=listed)


# --- the page ---------------------------------------------------------------------------------


def kpis(walk: Walk) -> list[tuple[str, str]]:
    return walk.metrics()[:5]


def eventually(read: Callable[[], Any], expected: Any, what: str) -> None:
    """`read()` comes to equal `expected` with no gesture in that tab."""
    deadline = time.monotonic() + WAIT
    seen = None
    while time.monotonic() < deadline:
        seen = read()
        if seen == expected:
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: the page still shows {seen!r}, expected {expected!r}")


def open_tab(walk: Walk, key: str, lang: int = ID) -> None:
    """A tab of the page (switching tabs runs nothing: all tabs are drawn)."""
    chosen = walk.page.get_by_role("tab", name=text(key, lang), exact=True)
    chosen.click()
    walk.page.wait_for_function(
        "name => [...document.querySelectorAll('[role=tab]')].some("
        "t => t.innerText.trim() === name && t.getAttribute('aria-selected') === 'true')",
        arg=text(key, lang),
    )
    walk.rendered()


def edit_cell(walk: Walk, row: int, column: int, value: str) -> None:
    """Type `value` into a cell of the visible data editor: click its first cell, walk there with
    the arrow keys (column widths vary; the keys do not), open the cell's editor, fill, Enter."""
    grid = walk.page.locator("[data-testid=stDataFrame]:visible").first
    grid.scroll_into_view_if_needed()
    grid.click(position={"x": 100, "y": 35 + 17})  # row 0 under the 35 px header; past the row marker
    keys = walk.page.keyboard
    for _ in range(row):
        keys.press("ArrowDown")
    for _ in range(column):
        keys.press("ArrowRight")
    keys.press("Enter")  # opens the cell's editor (an input in the grid's overlay portal)
    editor_input = walk.page.locator("#portal input, #portal textarea").first
    editor_input.fill(value)
    walk.act(lambda: editor_input.press("Enter"))


def visible_text(walk: Walk, words: str) -> str:
    """The visible text (markdown or caption) that holds `words`."""
    shown = "[data-testid=stMarkdownContainer]:visible, [data-testid=stCaptionContainer]:visible"
    found = walk.page.locator(shown, has_text=words).first
    found.wait_for(timeout=WAIT * 1000)
    return found.inner_text().strip()


@pytest.mark.usefixtures("demo13_restored")
def test_an_sla_cut_previewed_published_and_migrated_reaches_an_open_overview(
    walks: tuple[Walk, Walk],
) -> None:
    manager, watcher = walks
    ws = dashboard.workspace("demo-13")
    watcher.open("/")
    watcher.page.locator(".live[data-status=live]").first.wait_for(timeout=WAIT * 1000)

    # What the data says: each open jamaah's status now and under the cut SLA.
    people = open_jamaah(ws)
    completed = dashboard.pipeline_health(system_viewer(ws)).completed
    now = datetime.now(UTC)  # the app reads the real clock (docs/decisions.md, "Time in tests")
    published = editor.pipeline_version_stages(system_viewer(ws), 1)
    before, after = classify(ws, people, published, now), classify(ws, people, edited_stages(ws), now)
    expected_before, expected_after = kpi_values(ws, before, completed), kpi_values(ws, after, completed)
    assert expected_before[2:4] != expected_after[2:4], "the cut changes the at-risk and overdue counts"
    assert kpis(watcher) == expected_before

    # The manager starts a draft from the published version and cuts one SLA in the table.
    manager.open("/pipeline")
    open_tab(manager, "pipe.tab.draft")
    manager.act(manager.page.get_by_role("button", name=text("pipe.start.button")).click)
    codes = [s.code for s in sorted(published, key=lambda s: s.position)]
    edit_cell(manager, codes.index(STAGE), 4, str(NEW_SLA))  # column 4: SLA (hours)
    manager.page.get_by_text(text("pipe.ok")).wait_for()
    manager.screenshot("pipeline-draft.png")

    # The preview names the status changes the data predicts.
    manager.act(manager.page.get_by_text(text("pipe.preview"), exact=True).click)
    assert visible_text(manager, text("pipe.preview.moves").split(":")[0]) == status_moves(before, after)
    changed = sum(1 for j in before if before[j] != after[j])
    caption = text("pipe.preview.caption").split("{changed}")[0].format(n=formatting.number(len(people)))
    assert f"{formatting.number(changed)} berubah status" in visible_text(manager, caption)
    manager.screenshot("pipeline-preview.png")

    # Publish: version 2 exists, but every jamaah is still on version 1, so nothing moves yet.
    note = manager.page.get_by_label(text("pipe.note"))
    note.fill(f"SLA {STAGE} {NEW_SLA} jam")
    manager.act(lambda: note.press("Tab"))
    manager.act(manager.page.get_by_role("button", name=text("pipe.publish"), exact=True).click)
    head = editor.pipeline_versions(system_viewer(ws))[0]
    assert head.version_no == 2 and head.open_jamaah == 0
    stages = {s.code: s for s in editor.pipeline_version_stages(system_viewer(ws), 2)}
    assert stages[STAGE].sla_hours == NEW_SLA
    assert kpis(watcher) == expected_before

    # History: version 1 against version 2.
    open_tab(manager, "pipe.tab.history")
    manager.screenshot("pipeline-history.png")

    # Migrate everyone: the mapping keeps every stage by its code; the result is shown.
    open_tab(manager, "pipe.tab.migrate")
    manager.page.get_by_text(text("pipe.map.title")).wait_for()
    manager.screenshot("pipeline-migration.png")
    manager.act(manager.page.get_by_role("button", name=text("pipe.migrate.button").format(n=2)).click)
    result = text("pipe.migrate.result").split("{old}")[0].format(n=formatting.number(len(people)))
    manager.page.get_by_text(result).first.wait_for(timeout=WAIT * 1000)
    assert [(v.version_no, v.open_jamaah) for v in editor.pipeline_versions(system_viewer(ws))] == [
        (2, len(people)),
        (1, 0),
    ]

    # The watcher's overview, never reloaded, shows the counts the data predicted.
    eventually(lambda: kpis(watcher), expected_after, "the watcher's KPIs after the migration")
    assert kpis(watcher) != expected_before


@pytest.mark.usefixtures("demo13_restored")
def test_the_english_screens_of_the_pipeline_chapter(
    app_server: str, demo: dict[str, Workspace], browser: playwright.Browser
) -> None:
    """The same four screens in English, the state laid out through the core (the walk above
    checks the gestures): a draft with the cut SLA (the demo manager's, so the page shows it as
    theirs), its preview, history, migration."""
    ws = dashboard.workspace("demo-13")
    manager = system_viewer(ws, Role.MANAGER, name="Rahmat Hidayat")  # the page shows its own drafts
    draft = editor.start_pipeline_draft(manager)
    rows = [r | ({"sla_hours": NEW_SLA} if r["code"] == STAGE else {}) for r in draft.rows]
    editor.save_pipeline_draft(manager, draft.id, draft.revision, rows, f"SLA {STAGE} {NEW_SLA} h")
    walk = tab(browser, app_server, "manager@demo-13")
    walk.open("/pipeline?lang=English")
    open_tab(walk, "pipe.tab.draft", EN)
    walk.page.get_by_text(text("pipe.ok", EN)).wait_for()
    walk.screenshot("pipeline-draft-en.png")
    walk.act(walk.page.get_by_text(text("pipe.preview", EN), exact=True).click)
    walk.page.get_by_text(text("pipe.preview.moves", EN).split(":")[0]).first.wait_for()
    walk.screenshot("pipeline-preview-en.png")
    walk.act(walk.page.get_by_role("button", name=text("pipe.publish", EN), exact=True).click)
    open_tab(walk, "pipe.tab.history", EN)
    walk.screenshot("pipeline-history-en.png")
    open_tab(walk, "pipe.tab.migrate", EN)
    walk.page.get_by_text(text("pipe.map.title", EN)).wait_for()
    walk.screenshot("pipeline-migration-en.png")
    walk.page.context.close()
