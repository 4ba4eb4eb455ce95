"""Importing 10,000 jamaah into a departure group at scale: the dry run, the commit, the re-import,
the SISKOPATUH export of the group, and the peak memory.

Loads the dataset if it is missing (`--reload` to lay it out again), adds an empty group (quota
20,000) to its workspace, builds a 10,000-row file on the SISKOPATUH template (openpyxl, in
memory), then times through `pipeline_core.app.intake_files` — what the page, the API and the command
line call: the dry run, the commit (with its progress callback), the same file again (all
unchanged), and the group's SISKOPATUH export. Peak memory: Python's allocations during a second
dry run and a second export (tracemalloc, which slows them, so they are not the timed runs), and the
process's peak resident size. Removes the group and its jamaah at the end. Prints figures; never
asserts on time.

    PIPELINE_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/intake.py --dataset scale-100k
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

import openpyxl
from sqlalchemy import text

from pipeline_core.app import intake_files as intake
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import siskopatuh
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import Role
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import db
from pipeline_core.store.workspaces import get_workspace

T = TypeVar("T")
FIRST = ("Ahmad", "Budi", "Siti", "Dewi", "Rahmat", "Nur", "Agus", "Sri", "Hasan", "Fatimah")
LAST = ("Hidayat", "Santoso", "Aminah", "Lestari", "Wijaya", "Hasanah", "Saputra", "Rahayu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="scale-100k", choices=list(datasets.DATASETS))
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--reload", action="store_true", help="lay the dataset out again first")
    args = parser.parse_args()
    bootstrap.prepare(seed_demo=False)
    try:
        if args.reload or not datasets.dataset_exists(args.dataset):
            started = time.perf_counter()
            datasets.load_dataset(args.dataset, reset=True)
            print(f"load {args.dataset}: {time.perf_counter() - started:.1f} s")
        run(args.dataset, args.rows)
    finally:
        bootstrap.shutdown()


def timed(label: str, call: Callable[[], T]) -> T:
    """Wall time, and this process's CPU time: on a machine shared with other work the wall time
    grows with the load, the CPU time much less (PostgreSQL's own work is not in it)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = call()
    print(
        f"{label}: {time.perf_counter() - started:.2f} s"
        f" (CPU of this process {time.process_time() - cpu:.2f} s)"
    )
    return result


def peak(label: str, call: Callable[[], Any]) -> None:
    tracemalloc.start()
    call()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python memory, {label}: {top / 2**20:.0f} MiB")


def run(slug: str, count: int) -> None:
    now = instant(None)
    with db.read_session() as session:
        workspace = get_workspace(session, slug)
        jamaah = session.execute(
            text("SELECT count(*) FROM jamaah WHERE workspace_id = :ws"), {"ws": workspace.id}
        )
        print(f"{slug}: {jamaah.scalar_one():,} jamaah; {os.cpu_count()} CPU cores")
    group = _new_group(workspace.id, now.date())
    viewer = system_viewer(workspace, Role.DOCUMENT_ADMIN, name="Benchmark")
    data = _file(count)
    print(f"file: {count:,} rows x 32 columns, {len(data) / 2**20:.1f} MB")
    try:
        dry = timed(
            f"dry run of {count:,} rows",
            lambda: intake.import_file(viewer, group, data, "bench.xlsx", now=now),
        )
        print(f"  {dry.counts()}")
        steps: list[float] = []
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            steps.append(time.perf_counter() - started)

        done = timed(
            f"commit of {count:,} rows",
            lambda: intake.import_file(
                viewer, group, data, "bench.xlsx", dry_run=False, progress=progress, now=now
            ),
        )
        print(f"  {done.counts()}; progress called {len(steps)} times, first after {steps[0]:.2f} s")
        again = timed(
            "the same file again (dry run)",
            lambda: intake.import_file(viewer, group, data, "b.xlsx", now=now),
        )
        print(f"  {again.counts()}")
        export = timed(
            "SISKOPATUH export of the group",
            lambda: intake.export_group(system_viewer(workspace), group, "siskopatuh.xlsx", now=now),
        )
        print(
            f"  {export.rows:,} rows, {len(export.content) / 2**20:.1f} MB,"
            f" {len(export.missing):,} lacking a value"
        )
        peak("dry run", lambda: intake.import_file(viewer, group, data, "bench.xlsx", now=now))
        peak(
            "SISKOPATUH export",
            lambda: intake.export_group(system_viewer(workspace), group, "siskopatuh.xlsx", now=now),
        )
        print(
            "peak resident size of the process:"
            f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
    finally:
        _drop_group(workspace.id, group)


def _file(count: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(siskopatuh.HEADERS))
    fields = siskopatuh.HEADER_FIELDS
    for i in range(count):
        female = i % 2 == 1
        born = date(1950, 1, 1) + timedelta(days=(i * 7) % 18000)
        day = born.day + (40 if female else 0)
        row = {
            "title": "NYONYA" if female else "TUAN",
            "full_name": f"{FIRST[i % 10]} {LAST[i % 8]} {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}",
            "father_name": f"{FIRST[(i + 3) % 10]} {LAST[(i + 1) % 8]}",
            "identity_type": "NIK",
            "nik": f"920101{day:02d}{born.month:02d}{born.year % 100:02d}{i % 10000:04d}",
            "passport_number": f"B{i:07d}",
            "passport_issue_date": "2024-01-15",
            "passport_city": "JAKARTA",
            "birth_place": "BOGOR",
            "birth_date": born.isoformat(),
            "address": f"Jl. Melati No. {i % 200 + 1}",
            "province": "JAWA BARAT",
            "regency": "KAB. BOGOR",
            "district": "CIBINONG",
            "village": "PAKANSARI",
            "phone": f"0812{i:08d}",
            "nationality": "WNI",
            "marital_status": "MENIKAH",
            "education": "SMA",
            "occupation": "Wiraswasta",
        }
        sheet.append([row.get(name) for name in fields])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _new_group(workspace_id: int, today: date) -> int:
    with db.transaction() as session:
        return int(
            session.execute(
                text(
                    """INSERT INTO packages (workspace_id, code, name, departure_date, return_date, airline,
                                             quota, price_idr)
                       VALUES (:ws, 'BENCH-IMPORT', 'Benchmark import', :dep, :ret, 'Saudia', 20000, 35000000)
                       RETURNING id"""
                ),
                {"ws": workspace_id, "dep": today + timedelta(days=90), "ret": today + timedelta(days=98)},
            ).scalar_one()
        )


def _drop_group(workspace_id: int, group: int) -> None:
    with db.transaction() as session:
        params = {"ws": workspace_id, "g": group}
        inside = "SELECT id FROM jamaah WHERE workspace_id = :ws AND package_id = :g"
        for table in ("activity_log", "pipeline_tasks", "jamaah_pipeline_status", "stage_instances"):
            session.execute(
                text(f"DELETE FROM {table} WHERE workspace_id = :ws AND jamaah_id IN ({inside})"), params
            )
        session.execute(
            text(
                "DELETE FROM activity_log WHERE workspace_id = :ws"
                " AND entity_type = 'package' AND entity_id = :g"
            ),
            params,
        )
        session.execute(text("DELETE FROM jamaah WHERE workspace_id = :ws AND package_id = :g"), params)
        session.execute(text("DELETE FROM packages WHERE workspace_id = :ws AND id = :g"), params)


if __name__ == "__main__":
    main()
