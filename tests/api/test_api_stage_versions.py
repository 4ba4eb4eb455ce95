"""/api/v1/pipeline reads on demo-13 with jamaah on two pipeline versions.

Version 2 renames SISKOPATUH approval and removes flight booking; Agus (reguler-14, version 1)
then enters flight booking; the turki-40 group is migrated to version 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pipeline_core.app import actions, dashboard, system_viewer
from pipeline_core.app import pipeline as editor
from tests.api.conftest import World, api_client, make_world
from tests.builders import NOW


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        made = make_world(client)
        manager = system_viewer(made.workspace)
        draft = editor.start_pipeline_draft(manager, now=NOW)
        rows = [
            row | {"name_id": "Persetujuan Kemenag"} if row["code"] == "siskopatuh-approval" else row
            for row in draft.rows
            if row["code"] != "flight-booking"
        ]
        draft = editor.save_pipeline_draft(manager, draft.id, draft.revision, rows, now=NOW)
        editor.publish_pipeline_draft(manager, draft.id, 1, now=NOW)
        (agus,) = actions.find_jamaah(manager, "Agus Salim", now=NOW).items
        (task,) = [t for t in dashboard.jamaah_detail(manager, agus.id, NOW).tasks if t.status != "completed"]
        actions.complete_task(manager, task.id, task.version, now=NOW)
        (turki,) = [g for g in editor.migration_groups(manager, 1) if "Turki" in g.name]
        editor.migrate_pipeline(manager, 1, package_id=turki.package_id, now=NOW)
        yield made


def by_code(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in items}


def test_stages_reflect_both_versions(world: World) -> None:
    response = world.get("/pipeline/stages", limit=100)
    assert response.status_code == 200, response.text
    stages = by_code(response.json()["items"])
    removed = stages["flight-booking"]
    assert (removed["name_id"], removed["in_head"], removed["versions"], removed["in_stage"]) == (
        "Booking Penerbangan",
        False,
        [1],
        1,
    )
    codes = list(stages)
    assert codes.index("flight-booking") == codes.index("equipment-preparation") + 1
    renamed = stages["siskopatuh-approval"]
    assert renamed["name_id"] == "Persetujuan Kemenag" and renamed["in_head"] is True
    assert [(v["version_no"], v["name_id"], v["jamaah"]) for v in renamed["variants"]] == [
        (1, "Persetujuan SISKOPATUH", 2),
        (2, "Persetujuan Kemenag", 1),
    ]


def test_departures_mark_a_stage_only_version_1_has(world: World) -> None:
    groups = world.get("/pipeline/departures", days=30).json()["items"]
    stages = [s for g in groups for s in g["not_ready_by_stage"] if s["code"] == "flight-booking"]
    assert [(s["name_id"], s["in_head"], s["versions"]) for s in stages] == [
        ("Booking Penerbangan", False, [1])
    ]
