"""Document scans: upload and (logged) view times, the space a scan takes, and re-sealing speed.

Loads `demo-13` (reset), uploads `--scans` scans of `--mb` MB each (a PDF header and random bytes:
like a real scan, it does not compress) spread over its jamaah and documents, opens each once as a
manager, then re-seals them all under a new key as a key rotation would (`reencrypt_scans`, batches
of 20, one transaction each). Prints figures; never asserts on time. The scans are removed again
at the end (demo-13 is reloaded).

    PIPELINE_DATA_DIR=/tmp/bench-data .venv/bin/python benchmarks/document_scans.py
    .venv/bin/python benchmarks/document_scans.py --scans 60 --mb 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from pipeline_core.app import dashboard, scans
from pipeline_core.app.documents import document_checklists
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain.model import Role
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import db, pii_crypto
from pipeline_core.store import scans as scan_store
from pipeline_core.store.config import get_settings


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=40, help="how many scans (default 40)")
    parser.add_argument("--mb", type=float, default=1.0, help="size of each scan in MB (default 1)")
    args = parser.parse_args()

    settings = get_settings()
    bootstrap.prepare(seed_demo=False)
    datasets.load_dataset("demo-13", reset=True)
    workspace = dashboard.workspace("demo-13")
    desk = system_viewer(workspace, Role.DOCUMENT_ADMIN)
    manager = system_viewer(workspace, Role.MANAGER)
    jamaah = sorted({task.jamaah_id for task in dashboard.task_queue_page(manager).items})
    lists = document_checklists(manager, jamaah)
    slots = [(j, row.kind.value) for j, rows in lists.items() for row in rows][: args.scans]
    size = int(args.mb * 1024 * 1024)
    mode = "embedded" if settings.embedded_database else "external (DATABASE_URL)"
    print(f"PostgreSQL: {mode}; {os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}")
    print(f"{len(slots)} scans of {size:,} bytes\n")

    uploads, views = [], []
    for jamaah_id, kind in slots:
        content = b"%PDF-1.7\n" + os.urandom(size - 9)
        started = time.perf_counter()
        scans.upload_document_scan(desk, jamaah_id, kind, content, f"{kind}.pdf")
        uploads.append(time.perf_counter() - started)
    for jamaah_id, kind in slots:
        started = time.perf_counter()
        scans.open_document_scan(manager, jamaah_id, kind)
        views.append(time.perf_counter() - started)
    print(f"upload (check, seal, store, log): {_ms(uploads)}")
    print(f"view (read, open, log):           {_ms(views)}")

    with db.read_session() as session:
        stored = scan_store.scan_storage(session)
    per_scan = stored.table_bytes / max(stored.scans, 1)
    print(
        f"on disk: {stored.table_bytes:,} bytes for {stored.scans} scans holding {stored.file_bytes:,} bytes "
        f"of files ({per_scan:,.0f} bytes a scan, {stored.table_bytes / max(stored.file_bytes, 1):.3f}×)"
    )

    old = pii_crypto.get_keyring()
    rotated = pii_crypto.Keyring(pii_crypto.parse_key(pii_crypto.new_key_text()), (old.current,))
    started, resealed = time.perf_counter(), 0
    while True:
        with db.transaction() as session:
            done = scan_store.reencrypt_scans(session, rotated, batch=20)
            session.commit()
        resealed += done
        if not done:
            break
    seconds = time.perf_counter() - started
    megabytes = resealed * size / (1024 * 1024)
    print(
        f"re-sealed {resealed} scans ({megabytes:.0f} MB) in {seconds:.2f} s: {megabytes / seconds:.0f} MB/s"
    )

    datasets.load_dataset("demo-13", reset=True)  # the scans go with the workspace's jamaah
    bootstrap.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
