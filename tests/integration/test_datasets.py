"""Datasets on a real PostgreSQL: the mix by SQL, the snapshot against the history, reset scoped to
one workspace, the CLI, and the daily demo refresh (pipeline_core/datasets).

Loading commits (one transaction per dataset), so these tests cannot use the rolled-back `session`
fixture: the module loads demo-13 and demo-2000 into their own workspaces and deletes both at the
end, leaving the database as it found it.

The demos are laid out relative to the instant they are loaded at; every load and read here is at
the builders' NOW, so the figures hold on any day. The CLI test seeds in a child process, on the
real clock: it checks only counts, which do not depend on the day.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session

from pipeline_core.domain import rules
from pipeline_core.domain.errors import Conflict
from pipeline_core.reads import queries
from pipeline_core.seed import datasets
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import get_workspace
from tests.builders import NOW, stored_jamaah

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demos(engine: Engine) -> Iterator[None]:
    for name in datasets.DEMO_DATASETS:
        datasets.load_dataset(name, reset=True, now=NOW)
    yield
    for name in datasets.DEMO_DATASETS:
        datasets.delete_dataset(name)
    assert not any(datasets.dataset_exists(name) for name in datasets.DEMO_DATASETS)


def workspace_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return get_workspace(session, name).id


def health(engine: Engine, name: str) -> queries.PipelineHealth:
    with Session(engine) as session:
        return queries.pipeline_health(session, get_workspace(session, name), NOW)


def fingerprint(engine: Engine, name: str) -> dict[str, tuple[int, str]]:
    """Row count and checksum of a dataset's main tables."""
    checks = {
        "jamaah": "id::text || encode(nik_hash, 'hex') || package_id::text",
        "stage_instances": "id::text || status || due_at::text || coalesce(completed_at::text, '')",
        "pipeline_tasks": "id::text || status || priority || version::text",
        "jamaah_pipeline_status": "jamaah_id::text || coalesce(current_instance_id::text, '-')",
    }
    ws = workspace_id(engine, name)
    with engine.connect() as connection:
        return {
            table: tuple(
                connection.execute(
                    text(
                        f"SELECT count(*), md5(string_agg({row}, ',' ORDER BY 1))"
                        f" FROM {table} WHERE workspace_id = :ws"
                    ),
                    {"ws": ws},
                ).one()
            )
            for table, row in checks.items()
        }


def test_demo13_mix_is_exactly_7_3_2_1(demos: None, engine: Engine) -> None:
    assert health(engine, "demo-13") == queries.PipelineHealth(
        total=13, on_track=7, at_risk=3, overdue=2, completed=1
    )


def test_demo2000_mix_is_within_3_points(demos: None, engine: Engine) -> None:
    mix = health(engine, "demo-2000")
    assert mix.total == 2000
    for count, target in ((mix.on_track, 50), (mix.at_risk, 15), (mix.overdue, 10), (mix.completed, 25)):
        assert abs(100 * count / mix.total - target) <= 3


@pytest.mark.parametrize("name", ["demo-13", "demo-2000"])
def test_snapshot_agrees_with_stage_instances_and_tasks(demos: None, engine: Engine, name: str) -> None:
    ws = workspace_id(engine, name)
    with engine.connect() as connection:
        mismatched = connection.execute(
            text(
                """
                SELECT count(*) FROM jamaah_pipeline_status s
                LEFT JOIN stage_instances si ON si.jamaah_id = s.jamaah_id AND si.status <> 'completed'
                WHERE s.workspace_id = :ws AND (
                  (s.is_completed AND si.id IS NOT NULL)
                  OR (NOT s.is_completed AND (si.id IS DISTINCT FROM s.current_instance_id
                      OR si.stage_id <> s.current_stage_id OR si.status <> s.current_stage_status
                      OR si.due_at <> s.current_due_at OR si.started_at <> s.current_started_at)))
                """
            ),
            {"ws": ws},
        ).scalar_one()
        open_without_one_task = connection.execute(
            text(
                """
                SELECT count(*) FROM stage_instances si
                WHERE si.workspace_id = :ws AND si.status <> 'completed'
                  AND (SELECT count(*) FROM pipeline_tasks pt WHERE pt.stage_instance_id = si.id
                       AND pt.status = si.status AND pt.due_at = si.due_at) <> 1
                """
            ),
            {"ws": ws},
        ).scalar_one()
        counts = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM jamaah WHERE workspace_id = :ws),"
                " (SELECT count(*) FROM jamaah_pipeline_status WHERE workspace_id = :ws),"
                " (SELECT count(*) FROM stage_instances WHERE workspace_id = :ws AND status <> 'completed'),"
                " (SELECT count(*) FROM jamaah_pipeline_status"
                "  WHERE workspace_id = :ws AND NOT is_completed),"
                " (SELECT count(*) FROM stage_instances WHERE workspace_id = :ws),"
                " (SELECT count(*) FROM pipeline_tasks WHERE workspace_id = :ws)"
            ),
            {"ws": ws},
        ).one()
    assert mismatched == 0
    assert open_without_one_task == 0
    jamaah, snapshots, open_instances, open_snapshots, instances, tasks = counts
    assert jamaah == snapshots and open_instances == open_snapshots and instances == tasks


def test_summaries_are_filled(demos: None, engine: Engine) -> None:
    ws = workspace_id(engine, "demo-13")
    with engine.connect() as connection:
        completed = connection.execute(
            text("SELECT sum(completed_count) FROM stage_completion_totals WHERE workspace_id = :ws"),
            {"ws": ws},
        ).scalar_one()
        instances = connection.execute(
            text("SELECT count(*) FROM stage_instances WHERE workspace_id = :ws AND status = 'completed'"),
            {"ws": ws},
        ).scalar_one()
        today = rules.agency_today(NOW, "Asia/Jakarta")
        stuck_today = connection.execute(
            text(
                "SELECT s.code, b.stuck_count"
                " FROM bottleneck_daily b JOIN pipeline_stages s ON s.id = b.stage_id"
                " WHERE b.workspace_id = :ws AND b.day = :today AND b.stuck_count > 0"
            ),
            {"ws": ws, "today": today},
        ).all()
        days = connection.execute(
            text("SELECT count(DISTINCT day) FROM bottleneck_daily WHERE workspace_id = :ws"), {"ws": ws}
        ).scalar_one()
    assert completed == instances
    assert stuck_today == [("siskopatuh-approval", 2)]  # with min_stuck 2: the demo's one alert
    assert days == 30


def test_reset_touches_no_other_workspace(demos: None, engine: Engine) -> None:
    before = fingerprint(engine, "demo-2000")
    old_id = workspace_id(engine, "demo-13")
    datasets.load_dataset("demo-13", reset=True, now=NOW)
    assert workspace_id(engine, "demo-13") != old_id
    assert fingerprint(engine, "demo-2000") == before
    assert health(engine, "demo-13").total == 13


def test_loading_an_existing_dataset_without_reset_is_refused(demos: None, engine: Engine) -> None:
    before = fingerprint(engine, "demo-13")
    with pytest.raises(Conflict, match="--reset"):
        datasets.load_dataset("demo-13", now=NOW)
    assert fingerprint(engine, "demo-13") == before


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process with this process's environment (PIPELINE_DATA_DIR or
    DATABASE_URL/REDIS_URL), so it reaches the same servers."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline_core", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_cli_seed_resets_and_reports(demos: None, engine: Engine) -> None:
    old_id = workspace_id(engine, "demo-13")
    result = run_cli("seed", "demo-13", "--reset")
    assert result.returncode == 0, result.stderr
    assert "13 jamaah" in result.stdout
    assert workspace_id(engine, "demo-13") != old_id
    listing = run_cli("datasets")
    assert listing.returncode == 0, listing.stderr
    assert "demo-2000" in listing.stdout and "yes: 2,000 jamaah" in listing.stdout


def test_cli_refuses_an_unknown_dataset_in_one_line() -> None:
    result = run_cli("seed", "demo-99")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "demo-99" in result.stderr and "demo-13" in result.stderr


def test_ensure_demo_datasets_loads_missing_and_refreshes_stale(demos: None, engine: Engine) -> None:
    for name in datasets.DEMO_DATASETS:
        datasets.delete_dataset(name)
    datasets.ensure_demo_datasets(now=NOW)
    assert all(datasets.dataset_exists(name) for name in datasets.DEMO_DATASETS)
    ids = {name: workspace_id(engine, name) for name in datasets.DEMO_DATASETS}

    datasets.ensure_demo_datasets(now=NOW)  # both fresh for today: nothing happens
    assert {name: workspace_id(engine, name) for name in datasets.DEMO_DATASETS} == ids

    with engine.begin() as connection:  # demo-13 laid out yesterday: it is re-laid, demo-2000 kept
        yesterday = rules.agency_today(NOW, "Asia/Jakarta") - timedelta(days=1)
        connection.execute(
            update(t.Workspace).where(t.Workspace.slug == "demo-13").values(seeded_on=yesterday)
        )
    datasets.ensure_demo_datasets(now=NOW)
    assert workspace_id(engine, "demo-13") != ids["demo-13"]
    assert workspace_id(engine, "demo-2000") == ids["demo-2000"]
    assert health(engine, "demo-13").total == 13


@pytest.mark.parametrize("name", ["demo-13", "demo-2000"])
def test_every_generated_jamaah_passes_the_intake_rules(demos: None, engine: Engine, name: str) -> None:
    """Issue 19: the generators fill the SISKOPATUH fields, consistent with the NIK."""
    from pipeline_core.domain import siskopatuh
    from pipeline_core.domain.jamaah_rules import FIELDS, check_jamaah

    ws = workspace_id(engine, name)
    with Session(engine) as session:
        opened = stored_jamaah(session, t.Jamaah.workspace_id == ws)
        records = [{name: getattr(row, name) for name in FIELDS} for row in opened]
    problems = {}
    for record in records:
        checked = check_jamaah(record, departure_date=None, now=NOW)
        if checked.errors:
            problems[record["nik"]] = [(p.field, p.message) for p in checked.errors]
    assert problems == {}
    assert all(r["province"] and r["title"] and r["marital_status"] and r["occupation"] for r in records)
    with_region = [r for r in records if siskopatuh.nik_region(r["nik"])]
    assert all(siskopatuh.nik_region(r["nik"]).province == r["province"] for r in with_region)  # type: ignore[union-attr]
