"""The restore drill: load a dataset, change some tasks, back up, restore into a fresh database,
find every table's rows and checksum identical, and start the app on the restored database to find
the same overview. Plus the refusals (damaged file, newer schema, non-empty target) and the daily
backup's schedule and retention."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select, text

from pipeline_core.app import actions, api_access, dashboard
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import KanbanColumn, Role, Workspace
from pipeline_core.store import backup, db, migrate, pii_crypto
from pipeline_core.store import schema as t
from pipeline_core.store.config import get_settings
from tests.builders import NOW
from tests.conftest import start_app, stop_app
from tests.ui.conftest import viewer


@pytest.fixture
def fresh_database(servers: None) -> Iterator[tuple[str, Engine]]:
    """An empty database on the same server, dropped afterwards: (its URL, an engine on it)."""
    source = db.get_engine()
    name = "restore_drill"
    with source.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = source.url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    yield url, engine
    engine.dispose()
    with source.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def figures(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as connection:
        return backup.table_figures(connection)


def test_the_restore_drill(
    fresh_demo13: Workspace,
    fresh_database: tuple[str, Engine],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    manager = viewer(fresh_demo13, Role.MANAGER)
    for task in dashboard.task_queue_page(manager, column=KanbanColumn.URGENT).items[:2]:
        actions.complete_task(manager, task.id, task.version)
    with db.read_session() as session:
        manager_id = session.execute(
            select(t.User.id).where(
                t.User.workspace_id == fresh_demo13.id, t.User.username == "manager@demo-13"
            )
        ).scalar_one()
    boss = viewer(fresh_demo13, Role.SUPER_ADMIN)
    token = api_access.create_token(boss, "restore drill", user_id=manager_id).token
    before = dashboard.pipeline_health(manager)

    archive, manifest = backup.backup(db.get_engine(), tmp_path)
    assert manifest.tables["jamaah"]["rows"] >= 13 and manifest.revision is not None
    url, restored = fresh_database
    backup.restore(restored, archive)
    assert figures(restored) == manifest.tables == figures(db.get_engine())

    # The restored app needs the personal-data key of the backup's time (docs/operations.md): the
    # embedded default's own key file, or the PII_KEY the external set-up runs with.
    key_file = get_settings().data_dir / pii_crypto.KEY_FILE_NAME
    key = os.environ.get("PII_KEY") or key_file.read_text().split()[0]
    log = tmp_path_factory.mktemp("restored") / "app.log"
    process, base = start_app(log, DATABASE_URL=url, PII_KEY=key)
    try:
        answer = httpx.get(f"{base}/api/v1/pipeline/health", headers={"Authorization": f"Bearer {token}"})
    finally:
        stop_app(process)
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["total"], shown["on_track"], shown["at_risk"], shown["overdue"], shown["completed"]) == (
        before.total,
        before.on_track,
        before.at_risk,
        before.overdue,
        before.completed,
    )


def test_a_restore_refuses_a_damaged_file_a_newer_schema_and_a_full_database(
    demo13: Workspace, fresh_database: tuple[str, Engine], tmp_path: Path
) -> None:
    archive, _ = backup.backup(db.get_engine(), tmp_path, now=NOW)
    with pytest.raises(InvalidInput, match="not empty"):
        backup.restore(db.get_engine(), archive)  # the test database itself holds tables

    manifest_path = archive.with_name(archive.name + ".json")
    body = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**body, "revision": "9999_from_the_future"}))
    _, restored = fresh_database
    with pytest.raises(InvalidInput, match="newer than this release"):
        backup.restore(restored, archive)
    manifest_path.write_text(json.dumps(body))

    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    archive.write_bytes(bytes(damaged))
    with pytest.raises(InvalidInput, match="damaged"):
        backup.restore(restored, archive)
    with restored.connect() as connection:
        assert backup.table_figures(connection) == {}  # nothing was written


def test_the_daily_backup_takes_one_a_day_and_keeps_a_week(demo13: Workspace, tmp_path: Path) -> None:
    engine = db.get_engine()
    first = backup.daily_backup(engine, tmp_path, keep_days=7, now=NOW)
    assert first is not None and first.name == "umrah-20261129-030000.dump"
    assert backup.daily_backup(engine, tmp_path, keep_days=7, now=NOW + timedelta(hours=23)) is None
    for day in range(1, 10):
        backup.daily_backup(engine, tmp_path, keep_days=7, now=NOW + timedelta(days=day))
    kept = sorted(p.name for p in tmp_path.glob("umrah-*.dump"))
    # on 8 Dec the backups of 29 and 30 Nov are more than 7 days old: gone; 1–8 Dec stay
    assert kept == [f"umrah-202612{day:02d}-030000.dump" for day in range(1, 9)]
    assert all(
        archive.with_name(archive.name + ".json").is_file() for archive in tmp_path.glob("umrah-*.dump")
    )


def test_rolling_back_one_revision_keeps_the_data_written_after_it(
    demo13: Workspace, fresh_database: tuple[str, Engine], tmp_path: Path
) -> None:
    """The rollback plan (docs/deploy.md): `migrate --to` the previous revision on a copy of the
    data, every row still there; `migrate` forward again, still there."""
    archive, _ = backup.backup(db.get_engine(), tmp_path)
    url, restored = fresh_database
    backup.restore(restored, archive)
    revisions = migrate.revisions()
    env = {**os.environ, "DATABASE_URL": url}

    def rows() -> dict[str, int]:
        with restored.connect() as connection:
            return {name: figure["rows"] for name, figure in backup.table_figures(connection).items()}

    before = rows()
    down = run_cli("migrate", "--to", revisions[-2], env=env)
    assert down.returncode == 0, down.stderr
    assert down.stdout.strip() == f"Database schema is at revision {revisions[-2]} (was {revisions[-1]})."
    after_down = rows()
    for table in ("jamaah", "pipeline_tasks", "stage_instances", "activity_log", "users", "packages"):
        assert after_down[table] == before[table] > 0, table
    up = run_cli("migrate", env=env)
    assert up.returncode == 0, up.stderr
    assert rows() == before
    refused = run_cli("migrate", "--to", "0042_nothing", env=env)
    assert refused.returncode == 2 and "There is no revision '0042_nothing'" in refused.stderr


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_core", *args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
