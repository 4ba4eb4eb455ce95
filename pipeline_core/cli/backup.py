"""`python -m pipeline_core backup [--to DIR]` and `restore FILE [--replace]` (store/backup.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add(commands: Any) -> None:
    made = commands.add_parser(
        "backup",
        help="write a consistent pg_dump archive of the database, with a manifest",
        description=(
            "Dump the whole database (one snapshot) to DIR/umrah-YYYYmmdd-HHMMSS.dump with a manifest"
            " beside it (schema revision, rows and a checksum per table, the archive's SHA-256)."
        ),
    )
    made.add_argument("--to", type=Path, default=None, help="the folder (default: PIPELINE_BACKUP_DIR)")
    made.set_defaults(handler=run_backup, needs_servers=False)
    back = commands.add_parser(
        "restore",
        help="restore a backup into an empty database, checked against its manifest",
        description=(
            "Restore FILE (a backup archive with its manifest beside it) into the database the app"
            " uses. Refuses a damaged file, a schema newer than this release, and a database that"
            " already holds tables unless --replace. Every table's rows and checksum are compared"
            " with the manifest afterwards."
        ),
    )
    back.add_argument("file", type=Path, help="the .dump archive")
    back.add_argument("--replace", action="store_true", help="drop every table of the target first")
    back.set_defaults(handler=run_restore, needs_servers=False)


def run_backup(args: argparse.Namespace) -> int:
    from pipeline_core.store import backup, db
    from pipeline_core.store.config import get_settings

    folder = args.to or get_settings().backup_dir
    archive, manifest = backup.backup(db.get_engine(), folder)
    rows = sum(figure["rows"] for figure in manifest.tables.values())
    tables = len(manifest.tables)
    print(f"Backup written: {archive} ({manifest.size:,} bytes, {tables} tables, {rows:,} rows).")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from pipeline_core.store import backup, db, migrate

    engine = db.get_engine()
    manifest = backup.restore(engine, args.file, replace=args.replace)
    rows = sum(figure["rows"] for figure in manifest.tables.values())
    tables = len(manifest.tables)
    print(f"Restored {args.file.name}: {tables} tables, {rows:,} rows, every checksum matches.")
    if manifest.revision != migrate.head_revision():
        upgrade = migrate.UPGRADE_COMMAND
        print(f"Its schema is {manifest.revision}; run `{upgrade}` to bring it to this release.")
    return 0
