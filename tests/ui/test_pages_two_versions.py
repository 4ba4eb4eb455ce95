"""The pages on demo-13 with jamaah on two pipeline versions: each shows every jamaah's own words.

Version 2 renames SISKOPATUH approval, removes flight booking (nobody is in it) and adds a custom
"manasik" stage. Agus (reguler-14, still on version 1) then finishes equipment and enters flight
booking, which only version 1 has; the turki-40 group is migrated to version 2, reguler-14 is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core import app as core
from pipeline_core.app import pipeline as editor
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import figures, html_cards, open_page, stage_cards, task_cards, viewer

RENAMED = ("Persetujuan Kemenag", "Ministry approval")
MANASIK = {
    "code": "manasik",
    "name_id": "Manasik Umrah",
    "name_en": "Umrah rehearsal",
    "category": "custom",
    "sla_hours": 48,
    "responsible_role": "travel-admin",
    "done_by_days": None,
    "is_active": True,
}


def version_2_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shaped = []
    for row in rows:
        if row["code"] == "flight-booking":
            continue
        if row["code"] == "siskopatuh-approval":
            row = row | {"name_id": RENAMED[0], "name_en": RENAMED[1]}
        shaped.append(row)
        if row["code"] == "hotel-booking":
            shaped.append(dict(MANASIK))
    return shaped


def jamaah_id(workspace: Workspace, name: str) -> int:
    (line,) = core.find_jamaah(viewer(workspace), name).items
    return line.id


@pytest.fixture
def two_versions(demo13: Workspace, demo13_restored: None) -> Iterator[Workspace]:
    manager = viewer(demo13)
    draft = editor.start_pipeline_draft(manager)
    draft = editor.save_pipeline_draft(manager, draft.id, draft.revision, version_2_rows(draft.rows))
    assert draft.problems == [] or all(p.warning for p in draft.problems)
    editor.publish_pipeline_draft(manager, draft.id, 1)
    agus = core.jamaah_detail(manager, jamaah_id(demo13, "Agus Salim"))
    (task,) = [task for task in agus.tasks if task.status != "completed"]
    core.complete_task(manager, task.id, task.version)  # into flight booking, only version 1 has it
    (turki,) = [g for g in editor.migration_groups(manager, 1) if "Turki" in g.name]
    editor.migrate_pipeline(manager, 1, package_id=turki.package_id)
    yield demo13


def cards_text(at: AppTest) -> str:
    return "\n".join(line for card in stage_cards(at) for line in (card["title"], *card["lines"]))


def test_stage_cards_show_both_versions(two_versions: Workspace) -> None:
    at = open_page("overview")
    titles = [card["title"] for card in stage_cards(at)]
    assert "Booking Penerbangan (hanya v1)" in titles  # not dropped: Agus is in it
    assert RENAMED[0] in titles
    # the renamed stage's card: each version's words and jamaah (Dedi, Yusuf on v1; Wahyuni moved)
    assert f"v1: Persetujuan SISKOPATUH (2) · v2: {RENAMED[0]} (1)" in cards_text(at)
    assert "Manasik Umrah" in titles
    (bars, *_) = figures(at)["pipeline-chart"]["data"]
    labels = list(bars["x"]) + list(bars["y"])
    assert "Booking Penerbangan (hanya v1)" in labels and RENAMED[0] in labels


def test_stage_cards_in_english(two_versions: Workspace) -> None:
    at = open_page("overview", lang="English")
    assert "Flight booking (v1 only)" in [card["title"] for card in stage_cards(at)]
    assert f"v1: SISKOPATUH approval (2) · v2: {RENAMED[1]} (1)" in cards_text(at)


def test_task_cards_name_each_jamaahs_own_stage(two_versions: Workspace) -> None:
    at = open_page("task_queue", size="100")
    what = {card["name"]: card["what"] for card in task_cards(at)}
    assert what["Agus Salim"].endswith("Booking Penerbangan (hanya v1)")
    assert what["Dedi Kurniawan"].endswith("Persetujuan SISKOPATUH (v1)")
    assert what["Wahyuni Lestari"].endswith(RENAMED[0])


def test_departures_show_the_old_only_stage_of_a_group(two_versions: Workspace) -> None:
    at = open_page("departures", window="14")
    shown = "\n".join(card["text"] for card in html_cards(at))
    assert "Booking Penerbangan (hanya v1) · 1" in shown
    assert "Persetujuan SISKOPATUH · 2" in shown


def test_a_bottleneck_lists_the_stuck_of_each_version(two_versions: Workspace) -> None:
    at = open_page("bottlenecks")
    cards = html_cards(at)
    shown = "\n".join(card["text"] for card in cards)
    # Yusuf (version 1) and Wahyuni (migrated) are overdue in SISKOPATUH approval
    assert RENAMED[0] in [card["title"] for card in cards]
    assert f"v1: Persetujuan SISKOPATUH (1) · v2: {RENAMED[0]} (1)" in shown


def test_jamaah_detail_keeps_the_removed_stage_for_a_version_1_jamaah(two_versions: Workspace) -> None:
    at = open_page("jamaah", jamaah=str(jamaah_id(two_versions, "Agus Salim")))
    (table,) = [tbl for tbl in at.table if "Tahap" in str(tbl.value)]
    stages = list(table.value["Tahap"])
    assert "Booking Penerbangan (hanya v1)" in stages and "Persetujuan SISKOPATUH" in stages
    assert "Manasik Umrah" not in stages


def test_jamaah_detail_of_a_migrated_jamaah_has_version_2s_stages(two_versions: Workspace) -> None:
    at = open_page("jamaah", jamaah=str(jamaah_id(two_versions, "Wahyuni Lestari")))
    (table,) = [tbl for tbl in at.table if "Tahap" in str(tbl.value)]
    stages = list(table.value["Tahap"])
    assert RENAMED[0] in stages and "Manasik Umrah" in stages
    assert not any("Booking Penerbangan" in s for s in stages)


def test_the_activity_log_names_a_stage_only_version_1_has(two_versions: Workspace) -> None:
    at = open_page("activity")
    (log,) = [frame.value for frame in at.dataframe if "changes" in frame.value.columns]
    agus = [words for who, words in zip(log["about"], log["changes"], strict=True) if who == "Agus Salim"]
    assert any("Booking Penerbangan (hanya v1)" in words for words in agus), agus
