"""The servers: the mode in use, two processes sharing the embedded ones, start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import NullPool, create_engine, text

from pipeline_core.store import cache, db, pii_crypto
from pipeline_core.store.config import get_settings

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_mode_follows_the_environment(servers: None) -> None:
    settings = get_settings()
    url = db.get_engine().url
    if os.environ.get("DATABASE_URL"):
        assert not settings.embedded_database and url.host == "127.0.0.1"
    else:
        socket_dir = url.query["host"]  # a str here; SQLAlchemy types a repeated key as a tuple
        assert settings.embedded_database and isinstance(socket_dir, str)
        assert socket_dir.startswith(str(settings.data_dir))
    with db.get_engine().connect() as connection:
        version = connection.execute(text("SELECT current_setting('server_version_num')::int")).scalar_one()
    assert version >= 150000
    assert cache.get_redis().ping()


def test_a_pooled_connection_the_server_ended_is_replaced_without_an_error(servers: None) -> None:
    """A restart or failover of PostgreSQL ends the pool's idle connections: the next action gets a
    new one instead of failing (the pool checks the socket on checkout, issue 21)."""
    with db.transaction() as session:
        ended = session.execute(text("SELECT pg_backend_pid()")).scalar_one()  # now idle in the pool
    outside = create_engine(db.get_engine().url, poolclass=NullPool)
    with outside.connect() as killer:
        assert killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended}).scalar_one()
        for _ in range(500):  # until the server has really ended it (bounded: 5 s)
            gone = "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = :pid)"
            if killer.execute(text(gone), {"pid": ended}).scalar_one():
                break
            time.sleep(0.01)
    outside.dispose()
    with db.transaction() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert pid != ended


@pytest.mark.slow
def test_two_processes_share_the_embedded_servers(tmp_path: Path) -> None:
    """A CLI process attaches to the app's PostgreSQL and Redis, and they stay up for the app."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PIPELINE_DATA_DIR=str(tmp_path), PIPELINE_SEED_DEMO="false")
    first = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys
                from sqlalchemy import text
                from pipeline_core.seed import bootstrap
                from pipeline_core.store import cache
                from pipeline_core.store import db
                bootstrap.prepare()
                with db.get_engine().begin() as c:
                    c.execute(text("CREATE TABLE IF NOT EXISTS shared_probe (v text)"))
                    c.execute(text("INSERT INTO shared_probe VALUES ('from first')"))
                cache.get_redis().set("probe", "from first")
                print(db.get_engine().url.query["host"], flush=True)
                sys.stdin.readline()  # stay attached until told to stop
                with db.get_engine().connect() as c:
                    print(c.execute(text("SELECT count(*) FROM shared_probe")).scalar(), flush=True)
                print(cache.get_redis().get("probe"), flush=True)
                bootstrap.shutdown()
                """
            ),
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None and first.stdin is not None
    socket_dir = first.stdout.readline().strip()
    assert socket_dir, first.stderr.read() if first.stderr else ""

    second = _python(
        """
        from sqlalchemy import text
        from pipeline_core.seed import bootstrap
        from pipeline_core.store import cache
        from pipeline_core.store import db
        bootstrap.prepare()
        with db.get_engine().begin() as c:
            print(c.execute(text("SELECT v FROM shared_probe")).scalar())
            c.execute(text("INSERT INTO shared_probe VALUES ('from second')"))
        print(cache.get_redis().get("probe"))
        cache.get_redis().set("probe", "from second")
        print(db.get_engine().url.query["host"])
        bootstrap.shutdown()
        """,
        env,
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["from", "first", "from", "first", socket_dir]

    # The second process detached cleanly: the first still has both servers and sees its writes.
    out, err = first.communicate("\n", timeout=60)
    assert first.returncode == 0, err
    assert out.split() == ["2", "from", "second"]

    # The last process stopped PostgreSQL: no postmaster is left behind in the data folder.
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


@pytest.mark.slow
def test_a_crashed_process_leaves_nothing_that_blocks_the_next_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PIPELINE_DATA_DIR=str(tmp_path), PIPELINE_SEED_DEMO="false")
    crashed = _python(
        """
        import os, signal
        from pipeline_core.seed import bootstrap
        bootstrap.prepare()
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        env,
    )
    assert crashed.returncode == -9
    restarted = _python(
        """
        from sqlalchemy import text
        from pipeline_core.seed import bootstrap
        from pipeline_core.store import db
        from pipeline_core.store import migrate
        bootstrap.prepare()
        print(migrate.schema_is_current(db.get_engine()))
        bootstrap.shutdown()
        """,
        env,
    )
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.strip() == "True"
    handles = (tmp_path / "postgres" / ".handle_pids.json").read_text()
    assert handles.strip() == "[]"


def test_an_unreachable_external_database_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(DATABASE_URL="postgresql://postgres@127.0.0.1:1/none", PIPELINE_SEED_DEMO="false")
    env.setdefault("PII_KEY", pii_crypto.new_key_text())  # an external database needs its key first
    result = _python(
        """
        from pipeline_core.seed import bootstrap
        from pipeline_core.domain.errors import ServerUnavailable
        try:
            bootstrap.prepare()
        except ServerUnavailable as error:
            print("refused:", error)
        """,
        env,
    )
    assert "refused: The database cannot be reached right now" in result.stdout, result.stderr


def test_an_unreachable_external_redis_stops_start_up_with_a_clear_message(servers: None) -> None:
    env = dict(os.environ)
    env.update(REDIS_URL="redis://127.0.0.1:1/0", PIPELINE_SEED_DEMO="false")
    result = _python(
        """
        from pipeline_core.seed import bootstrap
        from pipeline_core.domain.errors import ServerUnavailable
        try:
            bootstrap.prepare()
        except ServerUnavailable as error:
            print("refused:", error)
        bootstrap.shutdown()
        """,
        env,
    )
    assert "refused: Redis cannot be reached" in result.stdout, result.stderr


def test_start_up_warns_when_the_server_runs_without_autovacuum(
    servers: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Some packaged servers ship with autovacuum off (this project's CI machine does); the queue's
    counts then slow down with every completion, so the app's start-up says so (app.py's lifespan;
    not the CLI, whose refusals are one line). The embedded server has it on: the two runs of
    .ci/run see both answers."""
    from pipeline_core.seed import bootstrap

    with db.get_engine().connect() as connection:
        setting = connection.execute(text("SHOW autovacuum")).scalar_one()
    with caplog.at_level("WARNING", logger="pipeline_core.seed.bootstrap"):
        warned = bootstrap.warn_without_autovacuum()
    assert warned is (setting != "on")
    assert ("PostgreSQL runs with autovacuum = off" in caplog.text) is warned
