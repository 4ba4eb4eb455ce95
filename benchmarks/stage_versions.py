"""The reads that show stages, on one pipeline version and then on two: uncached p50 / p95.

Loads the dataset (unless `--no-load`), times every stage-showing read on version 1, then
publishes a version 2 (one stage renamed, a custom stage added), migrates half of the open jamaah
(a migration of everyone stopped halfway: jamaah on two versions in every stage) and times the
same reads again; `--reads-only` times them on the data as it is (to compare two checkouts).
Prints figures; never asserts on time. The dataset is changed: load it again
(`load_datasets.py`) before other benchmarks.

    PIPELINE_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/stage_versions.py --dataset scale-100k
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.commands import pipeline as editor
from pipeline_core.commands.pipeline_migration import BATCH_SIZE, run_migration, start_migration
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.reads import jamaah_lists, queries, task_queue
from pipeline_core.reads.jamaah_detail import jamaah_detail
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import db, pipelines
from pipeline_core.store.workspaces import get_workspace

ACTOR = Actor(user_id=None, name="Benchmark", role=Role.MANAGER)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="scale-100k", choices=list(datasets.DATASETS))
    parser.add_argument("--no-load", action="store_true", help="use the dataset as it is loaded")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="only time the reads on the data as it is (implies --no-load)",
    )
    args = parser.parse_args()
    bootstrap.prepare(seed_demo=False)
    try:
        if args.reads_only:
            with db.read_session() as session:
                workspace = get_workspace(session, args.dataset)
            time_reads(workspace, args.repeat, f"{args.dataset} as loaded")
            return
        if not args.no_load:
            started = time.perf_counter()
            datasets.load_dataset(args.dataset, reset=True)
            print(f"load {args.dataset}: {time.perf_counter() - started:.1f} s")
        run(args.dataset, args.repeat)
    finally:
        bootstrap.shutdown()


def reads(session: Session, workspace: Workspace) -> dict[str, Callable[[], object]]:
    now = instant(None)
    package_id, jamaah_id = session.execute(
        text(
            "SELECT package_id, jamaah_id FROM jamaah_pipeline_status WHERE workspace_id = :ws"
            " AND NOT is_completed ORDER BY departure_date, jamaah_id LIMIT 1"
        ),
        {"ws": workspace.id},
    ).one()
    return {
        "stage_stats": lambda: queries.stage_stats(session, workspace, now),
        "stage_breakdown": lambda: jamaah_lists.stage_breakdown(session, workspace, now),
        "bottlenecks": lambda: queries.bottlenecks(session, workspace, now),
        "stuck_history(30)": lambda: queries.stuck_history(session, workspace, now),
        "upcoming_departures(30)": lambda: queries.upcoming_departures(session, workspace, now, days=30),
        "task_queue (all, page 1)": lambda: task_queue.task_queue(session, workspace, now),
        "not_ready_jamaah (page 1)": lambda: jamaah_lists.not_ready_jamaah(
            session, workspace, package_id, now=now
        ),
        "jamaah_detail": lambda: jamaah_detail(session, workspace, jamaah_id, now),
    }


def time_reads(workspace: Workspace, repeat: int, label: str) -> None:
    print(f"\n== {label}\nread                          p50 (ms)   p95 (ms)")
    with db.read_session() as session:
        for name, call in reads(session, workspace).items():
            call()  # warm the plan and the buffers
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            ordered = sorted(samples)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(f"{name:<28} {statistics.median(ordered):>9.1f} {p95:>10.1f}")


def run(slug: str, repeat: int) -> None:
    now = instant(None)
    with db.read_session() as session:
        workspace = get_workspace(session, slug)
        head = pipelines.head(session, workspace.id)
    time_reads(workspace, repeat, f"{slug}: every jamaah on version {head.version_no}")
    with db.read_session() as session:
        draft = editor.start_draft(session=session, workspace=workspace, actor=ACTOR, now=now)
        rows: list[dict[str, object]] = []
        for row in draft.rows:
            if row["code"] == "siskopatuh-approval":
                row = row | {"name_id": "Persetujuan Kemenag", "name_en": "Ministry approval"}
            rows.append(row)
            if row["code"] == "hotel-booking":
                rows.append(dict(MANASIK))
        draft = editor.save_draft(
            session=session, workspace=workspace, actor=ACTOR, draft_id=draft.id, revision=draft.revision,
            rows=rows, now=now,
        )  # fmt: skip
        editor.publish_draft(
            session=session, workspace=workspace, actor=ACTOR, draft_id=draft.id,
            expected_head=head.version_no, now=now,
        )  # fmt: skip
        open_jamaah = session.execute(
            text("SELECT count(*) FROM jamaah_pipeline_status WHERE workspace_id = :ws AND NOT is_completed"),
            {"ws": workspace.id},
        ).scalar_one()
    # half of them, in batches: a migration of everyone, stopped halfway (a retry would go on)
    started = time.perf_counter()
    with db.read_session() as session:
        migration = start_migration(
            session=session, workspace=workspace, actor=ACTOR, from_version_no=head.version_no, now=now
        )
        moved = run_migration(
            session=session, workspace=workspace, actor=ACTOR, migration_id=migration.id,
            max_batches=max(1, open_jamaah // 2 // BATCH_SIZE), now=now,
        ).moved  # fmt: skip
    print(f"\nmigrated {moved:,} of {open_jamaah:,} open jamaah in {time.perf_counter() - started:.1f} s")
    with db.read_session() as session:
        on = session.execute(
            text(
                "SELECT v.version_no, count(*) FROM jamaah_pipeline_status s"
                " JOIN pipeline_versions v ON v.id = s.pipeline_version_id"
                " WHERE s.workspace_id = :ws AND NOT s.is_completed GROUP BY v.version_no ORDER BY 1"
            ),
            {"ws": workspace.id},
        ).all()
    print("open jamaah per version: " + ", ".join(f"v{v}: {n:,}" for v, n in on))
    time_reads(workspace, repeat, f"{slug}: jamaah on two versions")


if __name__ == "__main__":
    main()
