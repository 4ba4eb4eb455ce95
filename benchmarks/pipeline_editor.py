"""The pipeline editor at scale: the preview of a draft, and migrating every open jamaah.

Loads the dataset (unless `--no-load`: then it must be loaded), starts a draft from the published
version with one SLA cut, times the preview over all open jamaah, publishes it, times the preview
of the migration and the migration of every open jamaah (batches of 2,000, one transaction each),
and checks afterwards that nobody has two open stages or stayed behind. Prints figures; never
asserts on time. The dataset is changed: load it again (`load_datasets.py`) before other benchmarks.

    PIPELINE_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/pipeline_editor.py --dataset scale-100k
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from sqlalchemy import text

from pipeline_core.commands import pipeline as editor
from pipeline_core.commands.pipeline_migration import MigrationBatch, migrate_jamaah
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import Actor, Role
from pipeline_core.reads.pipeline import preview
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import db, pipelines
from pipeline_core.store.workspaces import get_workspace

ACTOR = Actor(user_id=None, name="Benchmark", role=Role.MANAGER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="scale-100k", choices=list(datasets.DATASETS))
    parser.add_argument("--no-load", action="store_true", help="use the dataset as it is loaded")
    args = parser.parse_args()
    bootstrap.prepare(seed_demo=False)
    try:
        if not args.no_load:
            started = time.perf_counter()
            datasets.load_dataset(args.dataset, reset=True)
            print(f"load {args.dataset}: {time.perf_counter() - started:.1f} s")
        run(args.dataset)
    finally:
        bootstrap.shutdown()


def run(slug: str) -> None:
    now = instant(None)
    with db.read_session() as session:
        workspace = get_workspace(session, slug)
        head = pipelines.head(session, workspace.id)
    with db.read_session() as session:
        draft = editor.start_draft(session=session, workspace=workspace, actor=ACTOR, now=now)
        rows = [r | {"sla_hours": 24} if r["code"] == "document-collection" else r for r in draft.rows]
        draft = editor.save_draft(
            session=session, workspace=workspace, actor=ACTOR, draft_id=draft.id, revision=draft.revision,
            rows=rows, now=now,
        )  # fmt: skip
    for attempt in (1, 2, 3):
        with db.read_session() as session:
            started = time.perf_counter()
            shown = preview(session, workspace, draft.stages, now)
            seconds = time.perf_counter() - started
        print(f"preview of the draft (run {attempt}): {seconds:.2f} s, {shown.jamaah:,} open jamaah, "
              f"{shown.changed:,} would change status")  # fmt: skip
    with db.read_session() as session:
        editor.publish_draft(
            session=session, workspace=workspace, actor=ACTOR, draft_id=draft.id,
            expected_head=head.version_no, now=now,
        )  # fmt: skip
    with db.read_session() as session:
        started = time.perf_counter()
        shown = preview(session, workspace, draft.stages, now, from_version_id=head.id)
        print(f"preview of the migration: {time.perf_counter() - started:.2f} s ({shown.jamaah:,} jamaah)")
    told: list[tuple[MigrationBatch, float]] = []  # what the page's progress bar hears, and when
    with db.read_session() as session:
        started = time.perf_counter()
        result = migrate_jamaah(
            session=session, workspace=workspace, actor=ACTOR, from_version_no=head.version_no, now=now,
            on_batch=lambda batch: told.append((batch, time.perf_counter() - started)),
        )  # fmt: skip
        seconds = time.perf_counter() - started
    print(f"migration: {result.moved:,} jamaah in {seconds:.1f} s ({result.moved / seconds:,.0f}/s), "
          f"remaining {result.remaining}")  # fmt: skip
    if told:
        gaps = [b - a for (_, a), (_, b) in pairwise(told)] or [told[0][1]]
        print(f"  {len(told)} batches told (first after {told[0][1]:.1f} s, then every "
              f"{min(gaps):.2f}-{max(gaps):.2f} s); open tasks moved "
              f"{sum(b.tasks_moved for b, _ in told):,}, created {sum(b.tasks_created for b, _ in told):,}, "
              f"closed {sum(b.tasks_closed for b, _ in told):,}")  # fmt: skip
    with db.read_session() as session:
        doubles = session.execute(
            text(
                "SELECT count(*) FROM (SELECT jamaah_id FROM stage_instances WHERE workspace_id = :ws"
                " AND status <> 'completed' GROUP BY jamaah_id HAVING count(*) > 1) x"
            ),
            {"ws": workspace.id},
        ).scalar_one()
    print(f"jamaah with two open stages afterwards: {doubles}")


if __name__ == "__main__":
    main()
