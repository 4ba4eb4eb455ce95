"""Every read that shows stages, on a workspace whose jamaah are on two pipeline versions.

Version 2 renames "document-collection", removes "document-verification" and adds a custom
"manasik" stage; one departure group is migrated to it, the other stays on version 1. Each jamaah
shows its own version's stage words; the stage only version 1 has is shown, marked, not dropped.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pipeline_core.commands import pipeline as editor
from pipeline_core.commands.pipeline_migration import migrate_jamaah
from pipeline_core.commands.tasks import complete_task
from pipeline_core.domain.model import Workspace
from pipeline_core.reads import jamaah_lists, queries, task_queue
from pipeline_core.reads.jamaah_detail import jamaah_detail
from pipeline_core.store.repository import Task
from tests.builders import DEPARTURE, MANAGER, NOW, make_jamaah, make_package

LATER = NOW + timedelta(days=5)  # every current stage (SLA 48-72 h, started at NOW) is overdue
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


def complete(session: Session, workspace: Workspace, task: Task | None) -> Task | None:
    assert task is not None
    done = complete_task(
        session=session, workspace=workspace, actor=MANAGER, task_id=task.id, version=task.version, now=NOW
    )
    return done.next_task


def version_2_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rename document-collection, drop document-verification, add manasik after SISKOPATUH."""
    shaped: list[dict[str, Any]] = []
    for row in rows:
        if row["code"] == "document-verification":
            continue
        if row["code"] == "document-collection":
            row = row | {"name_id": "Pengumpulan Berkas", "name_en": "Paperwork collection"}
        shaped.append(row)
        if row["code"] == "siskopatuh-submission":
            shaped.append(dict(MANASIK))
    return shaped


@dataclasses.dataclass
class World:
    workspace: Workspace
    stays: int  # the departure group left on version 1
    moves: int  # the departure group migrated to version 2
    a: int  # v1, in document-verification (the stage version 2 removed)
    c: int  # v1, in document-collection (version 1's name)
    b: int  # migrated, in document-collection (version 2's name)
    d: int  # enrolled on version 2
    e: int  # finished document-verification on v1, then migrated: now in SISKOPATUH submission


@pytest.fixture
def world(session: Session, workspace: Workspace) -> World:
    stays = make_package(session, workspace, name="Umroh Reguler Maret")
    moves = make_package(session, workspace, name="Umroh Plus Maret")
    a = make_jamaah(session, workspace, package_id=stays, full_name="Ahmad Versi Satu")
    c = make_jamaah(session, workspace, package_id=stays, full_name="Citra Versi Satu")
    b = make_jamaah(session, workspace, package_id=moves, full_name="Budi Pindah Versi")
    e = make_jamaah(session, workspace, package_id=moves, full_name="Eka Pindah Versi")
    complete(session, workspace, complete(session, workspace, e.task))  # through document-verification
    draft = editor.start_draft(session=session, workspace=workspace, actor=MANAGER, now=NOW)
    draft = editor.save_draft(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        draft_id=draft.id,
        revision=draft.revision,
        rows=version_2_rows(draft.rows),
        now=NOW,
    )
    assert draft.errors == []
    editor.publish_draft(
        session=session, workspace=workspace, actor=MANAGER, draft_id=draft.id, expected_head=1, now=NOW
    )
    complete(session, workspace, a.task)  # a, still on version 1, moves into the removed stage
    migrate_jamaah(
        session=session, workspace=workspace, actor=MANAGER, from_version_no=1, package_id=moves, now=NOW
    )
    d = make_jamaah(session, workspace, package_id=moves, full_name="Dewi Versi Dua")
    return World(workspace, stays, moves, a.jamaah.id, c.jamaah.id, b.jamaah.id, d.jamaah.id, e.jamaah.id)


def variants(item: Any) -> list[tuple[int, str, int]]:
    return [(v.version_no, v.name_id, v.jamaah) for v in item.variants]


def test_stage_statistics_count_by_code_with_each_versions_words(session: Session, world: World) -> None:
    stats = {s.code: s for s in queries.stage_stats(session, world.workspace, LATER)}
    codes = list(stats)
    # the removed stage stands after its old neighbour, not at the end, and is not dropped
    assert codes[:4] == ["document-collection", "document-verification", "siskopatuh-submission", "manasik"]
    collection = stats["document-collection"]
    assert (collection.name_id, collection.in_head, collection.in_stage, collection.overdue) == (
        "Pengumpulan Berkas",
        True,
        3,
        3,
    )
    assert variants(collection) == [(1, "Pengumpulan Dokumen", 1), (2, "Pengumpulan Berkas", 2)]
    assert collection.completed == 2  # a and e completed it on version 1
    removed = stats["document-verification"]
    assert (removed.name_id, removed.in_head, removed.in_stage, removed.versions) == (
        "Verifikasi Dokumen",
        False,
        1,
        (1,),
    )
    assert removed.completed == 1  # e, before the migration
    added = stats["manasik"]
    assert (added.name_id, added.in_head, added.in_stage, added.versions) == ("Manasik Umrah", True, 0, (2,))
    assert variants(stats["siskopatuh-submission"]) == [(2, "Pengajuan SISKOPATUH", 1)]


def test_the_chart_breakdown_holds_the_removed_stage(session: Session, world: World) -> None:
    parts = {p.code: p for p in jamaah_lists.stage_breakdown(session, world.workspace, LATER)}
    assert parts["document-verification"].overdue == 1
    assert parts["document-collection"].overdue == 3


def test_bottlenecks_name_each_stage_and_its_versions(session: Session, world: World) -> None:
    anyone = dataclasses.replace(world.workspace, min_stuck=1)
    alerts = {a.code: a for a in queries.bottlenecks(session, anyone, LATER)}
    collection = alerts["document-collection"]
    assert (collection.stuck, collection.name_id, collection.in_head) == (3, "Pengumpulan Berkas", True)
    assert variants(collection) == [(1, "Pengumpulan Dokumen", 1), (2, "Pengumpulan Berkas", 2)]
    removed = alerts["document-verification"]
    assert (removed.stuck, removed.name_id, removed.in_head, removed.versions) == (
        1,
        "Verifikasi Dokumen",
        False,
        (1,),
    )
    stuck = jamaah_lists.stuck_jamaah(session, world.workspace, "document-collection", now=LATER)
    names = {line.full_name: (line.stage_name_id, line.pipeline_version_no) for line in stuck.items}
    assert names == {
        "Citra Versi Satu": ("Pengumpulan Dokumen", 1),
        "Budi Pindah Versi": ("Pengumpulan Berkas", 2),
        "Dewi Versi Dua": ("Pengumpulan Berkas", 2),
    }


def test_the_stuck_history_names_a_stage_only_an_old_version_has(session: Session, world: World) -> None:
    queries.record_bottleneck_day(session, world.workspace, LATER)
    days = queries.stuck_history(session, world.workspace, LATER)
    removed = [d for d in days if d.code == "document-verification"]
    assert [(d.stuck, d.name_id, d.in_head) for d in removed] == [(1, "Verifikasi Dokumen", False)]
    collection = [d for d in days if d.code == "document-collection"]
    assert [(d.stuck, d.name_id, d.in_head) for d in collection] == [(3, "Pengumpulan Berkas", True)]


def test_task_cards_show_the_jamaahs_own_stage(session: Session, world: World) -> None:
    cards = task_queue.task_queue(session, world.workspace, LATER, limit=100).items
    shown = {
        card.jamaah_id: (
            card.stage_name_id,
            card.pipeline_version_no,
            card.stage_in_head,
            card.on_older_version,
        )
        for card in cards
    }
    assert shown == {
        world.a: ("Verifikasi Dokumen", 1, False, True),
        world.c: ("Pengumpulan Dokumen", 1, True, True),
        world.b: ("Pengumpulan Berkas", 2, True, False),
        world.d: ("Pengumpulan Berkas", 2, True, False),
        world.e: ("Pengajuan SISKOPATUH", 2, True, False),
    }
    assert {card.head_version_no for card in cards} == {2}


def test_departures_count_each_groups_stages_with_their_versions(session: Session, world: World) -> None:
    days = (DEPARTURE - LATER.date()).days + 1
    groups = {
        g.package_id: g for g in queries.upcoming_departures(session, world.workspace, LATER, days=days).items
    }
    stays = groups[world.stays].not_ready_by_stage
    assert [(s.code, s.name_id, s.jamaah, s.in_head, s.versions) for s in stays] == [
        ("document-collection", "Pengumpulan Dokumen", 1, True, (1,)),
        ("document-verification", "Verifikasi Dokumen", 1, False, (1,)),
    ]
    moves = groups[world.moves].not_ready_by_stage
    assert [(s.code, s.name_id, s.jamaah, s.versions) for s in moves] == [
        ("document-collection", "Pengumpulan Berkas", 2, (2,)),
        ("siskopatuh-submission", "Pengajuan SISKOPATUH", 1, (2,)),
    ]
    roster = jamaah_lists.not_ready_jamaah(session, world.workspace, world.stays, now=LATER).items
    assert [(line.full_name, line.stage_name_id, line.stage_in_head) for line in roster] == [
        ("Citra Versi Satu", "Pengumpulan Dokumen", True),
        ("Ahmad Versi Satu", "Verifikasi Dokumen", False),
    ]


def test_a_version_1_jamaahs_detail_keeps_the_removed_stage(session: Session, world: World) -> None:
    detail = jamaah_detail(session, world.workspace, world.c, LATER)
    names = [(s.code, s.name_id, s.version_no, s.in_head) for s in detail.timeline[:3]]
    assert names == [
        ("document-collection", "Pengumpulan Dokumen", 1, True),
        ("document-verification", "Verifikasi Dokumen", 1, False),
        ("siskopatuh-submission", "Pengajuan SISKOPATUH", 1, True),
    ]
    assert "manasik" not in [s.code for s in detail.timeline]
    assert detail.timeline[1].planned_start is not None  # the plan runs through it


def test_a_version_2_jamaahs_detail_has_its_own_stages(session: Session, world: World) -> None:
    detail = jamaah_detail(session, world.workspace, world.d, LATER)
    codes = [s.code for s in detail.timeline]
    assert "document-verification" not in codes and "manasik" in codes
    assert detail.timeline[0].name_id == "Pengumpulan Berkas"


def test_a_migrated_jamaah_still_shows_a_removed_stage_it_did(session: Session, world: World) -> None:
    detail = jamaah_detail(session, world.workspace, world.e, LATER)
    first = [(s.code, s.version_no, s.in_head, s.completed_at is not None) for s in detail.timeline[:4]]
    assert first == [
        ("document-collection", 2, True, True),
        ("document-verification", 1, False, True),  # done on version 1, which alone has it
        ("siskopatuh-submission", 2, True, False),
        ("manasik", 2, True, False),
    ]
