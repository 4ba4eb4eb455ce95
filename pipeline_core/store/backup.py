"""Backups: a consistent `pg_dump` archive with a manifest, and a checked restore.

- **Backup** (`backup`): one REPEATABLE READ transaction exports its snapshot; `pg_dump
  --format=custom --snapshot=…` dumps exactly that snapshot while the same transaction counts the
  rows of every table and takes an order-free checksum of each (a sum of 64-bit row hashes). The
  manifest (`<archive>.json`) holds the schema revision, the counts, the checksums and the
  archive's SHA-256. Nothing is written half: both files appear under their names only when complete.
- **Restore** (`restore`): checks the archive against its manifest, refuses a schema revision this
  code does not know (a newer release made it) and a target database that already holds tables
  (unless `replace=True`, which drops them first), restores in one transaction (`pg_restore
  --single-transaction --exit-on-error`), then counts and checksums every table again and refuses
  to call it done unless all match. The cache is emptied afterwards: it described the old data.
- **Binaries**: the `pg_dump`/`pg_restore` shipped with pgserver (PostgreSQL 16), which read and
  write servers of version 10–16; `PIPELINE_PG_BIN` names another folder (a newer server needs its
  own tools).
- **Daily**: `daily_backup` takes one when the newest is older than a day and deletes those older
  than the retention; the embedded default runs it in the background (bootstrap).

The password of an external database goes to the tools through `PGPASSWORD`, never the command
line (where `ps` would show it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, make_url, text

from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import InvalidInput, PipelineError
from pipeline_core.store import cache, migrate

__all__ = [
    "BackupFailed",
    "Manifest",
    "backup",
    "daily_backup",
    "read_manifest",
    "restore",
    "table_figures",
]

log = logging.getLogger(__name__)

FORMAT = 1
_PREFIX = "umrah-"
_SUFFIX = ".dump"


class BackupFailed(PipelineError):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Manifest:
    created_at: datetime
    revision: str | None
    archive: str  # the archive's file name, beside the manifest
    sha256: str
    size: int
    tables: dict[str, dict[str, Any]]  # {table: {"rows": n, "checksum": "…"}}

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "revision": self.revision,
            "archive": self.archive,
            "sha256": self.sha256,
            "size": self.size,
            "tables": self.tables,
        }
        return json.dumps(body, indent=2, sort_keys=True)


def _binaries() -> Path:
    chosen = os.environ.get("PIPELINE_PG_BIN")
    if chosen:
        return Path(chosen)
    from pgserver import _commands

    return Path(_commands.POSTGRES_BIN_PATH)


def _tool(engine: Engine, name: str) -> tuple[list[str], dict[str, str]]:
    """The tool's path and its connection arguments (libpq URI) plus environment (password)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [str(_binaries() / name), f"--dbname={libpq}"], env


def _tables(connection: Connection) -> list[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    )
    return [name for (name,) in rows]


def table_figures(connection: Connection) -> dict[str, dict[str, Any]]:
    """Rows and an order-free checksum of every table of the public schema, in the connection's
    snapshot. The checksum is the sum of the first 64 bits of each row's MD5 (text form)."""
    figures: dict[str, dict[str, Any]] = {}
    for table in _tables(connection):
        quoted = '"' + table.replace('"', '""') + '"'
        rows, checksum = connection.execute(
            text(
                f"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint), 0)"
                f" FROM {quoted} t"
            )
        ).one()
        figures[table] = {"rows": int(rows), "checksum": str(checksum)}
    return figures


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log.error("%s failed (exit %d): %s", what, done.returncode, done.stderr.strip()[-2000:])
        raise BackupFailed(f"{what} failed (exit {done.returncode}); the log has PostgreSQL's message.")


def backup(engine: Engine, folder: Path, *, now: datetime | None = None) -> tuple[Path, Manifest]:
    """A consistent archive of the whole database in `folder`, and its manifest beside it."""
    now = instant(now)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{_PREFIX}{now.astimezone(UTC):%Y%m%d-%H%M%S}{_SUFFIX}"
    archive, partial = folder / name, folder / f".{name}.partial"
    command, env = _tool(engine, "pg_dump")
    with engine.connect() as connection:
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
        _run([*command, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"], env, "pg_dump")
        figures = table_figures(connection)
        connection.rollback()
    manifest = Manifest(now, revision, name, _sha256(partial), partial.stat().st_size, figures)
    partial.replace(archive)
    _write_atomically(_manifest_path(archive), manifest.to_json())
    log.info("backup %s: %d tables, %d bytes", name, len(figures), manifest.size)
    return archive, manifest


def _manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".json")


def _write_atomically(path: Path, body: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(body, encoding="utf-8")
    partial.replace(path)


def read_manifest(archive: Path) -> Manifest:
    """The manifest beside `archive`, checked against it (size and SHA-256)."""
    path = _manifest_path(archive)
    if not archive.is_file():
        raise InvalidInput("file", f"There is no backup archive at {archive.name}.")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(
            created_at=datetime.fromisoformat(body["created_at"]),
            revision=body["revision"],
            archive=body["archive"],
            sha256=body["sha256"],
            size=int(body["size"]),
            tables=dict(body["tables"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InvalidInput(
            "file", f"The manifest {path.name} is missing or unreadable: a backup is the archive plus it."
        ) from error
    if archive.stat().st_size != manifest.size or _sha256(archive) != manifest.sha256:
        raise InvalidInput(
            "file", f"{archive.name} does not match its manifest: the file is damaged or was changed."
        )
    return manifest


def _known_revisions() -> set[str]:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


def restore(engine: Engine, archive: Path, *, replace: bool = False) -> Manifest:
    """Restore `archive` into the engine's database (empty, or emptied when `replace`), checked."""
    manifest = read_manifest(archive)
    if manifest.revision is not None and manifest.revision not in _known_revisions():
        raise InvalidInput(
            "file",
            f"The backup's schema ({manifest.revision}) is newer than this release knows: restore it"
            " with the release that made it.",
        )
    with engine.connect() as connection:
        present = _tables(connection)
        if present and not replace:
            raise InvalidInput(
                "database",
                f"The target database is not empty ({len(present)} tables): restore into an empty"
                " database, or say --replace to drop what is there first.",
            )
        if present:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            connection.commit()
    command, env = _tool(engine, "pg_restore")
    _run(
        [*command, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", str(archive)],
        env,
        "pg_restore",
    )
    with engine.connect() as connection:
        found = table_figures(connection)
    if found != manifest.tables:
        names = set(found) | set(manifest.tables)
        differ = sorted(name for name in names if found.get(name) != manifest.tables.get(name))
        log.error("restore of %s: tables differ from the manifest: %s", archive.name, ", ".join(differ))
        raise BackupFailed(f"The restored data differs from the backup in {len(differ)} tables; see the log.")
    with contextlib.suppress(Exception):  # a cache that cannot be reached holds nothing to forget
        cache.invalidate_cache("pl:*")
    log.info("restored %s (schema %s)", archive.name, manifest.revision)
    return manifest


def daily_backup(engine: Engine, folder: Path, *, keep_days: int, now: datetime | None = None) -> Path | None:
    """Take a backup when the newest in `folder` is a day old or more; delete the ones (and their
    manifests) older than `keep_days`, always keeping the newest. Returns the new archive, if any."""
    now = instant(now)
    archives = sorted(folder.glob(f"{_PREFIX}*{_SUFFIX}")) if folder.is_dir() else []
    made = None
    if not archives or now - _taken_at(archives[-1]) >= timedelta(days=1):
        made, _ = backup(engine, folder, now=now)
        archives.append(made)
    for old in archives[:-1]:
        if now - _taken_at(old) > timedelta(days=keep_days):
            old.unlink(missing_ok=True)
            _manifest_path(old).unlink(missing_ok=True)
    return made


def _taken_at(archive: Path) -> datetime:
    """When an archive was taken: its name's UTC stamp (else its file time)."""
    stamp = archive.name[len(_PREFIX) : -len(_SUFFIX)]
    try:
        return datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(archive.stat().st_mtime, tz=UTC)
