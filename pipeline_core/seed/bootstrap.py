"""Start-up: servers, schema and demo data, in that order; and the readiness check.

Called once per process by the app's lifespan, the CLI and the test fixtures. Embedded mode
upgrades the schema itself; external mode refuses an out-of-date schema (an operator upgrades it).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import redis
from sqlalchemy import exc, text

from pipeline_core.domain.errors import ServerUnavailable
from pipeline_core.store import backup, cache, db, migrate, pii_crypto
from pipeline_core.store.config import get_settings

log = logging.getLogger(__name__)


def prepare(*, seed_demo: bool | None = None) -> None:
    """Make the database and Redis usable: start/attach servers, migrate or check, seed demos."""
    settings = get_settings()
    pii_crypto.get_keyring()  # no key for the personal data at rest: stop here (ConfigError)
    engine = db.get_engine()
    with db.translate_errors():
        if settings.embedded_database:
            migrate.upgrade(engine)
        else:
            migrate.require_current_schema(engine)
    try:
        cache.get_redis().ping()
    except redis.RedisError as error:
        raise ServerUnavailable(f"Redis cannot be reached ({error}); check REDIS_URL.") from error
    if settings.pipeline_seed_demo if seed_demo is None else seed_demo:
        from pipeline_core.seed import datasets

        datasets.ensure_demo_datasets()
    log.info(
        "ready: database %s, cache %s",
        "embedded" if settings.embedded_database else "external",
        "embedded" if settings.embedded_redis else "external",
    )


def warn_without_autovacuum() -> bool:
    """In the app process, after `prepare`: log a warning when the server runs with
    `autovacuum = off` (some packaged servers do). The queue's counts are index-only scans that
    slow down as completions leave dead rows behind (docs/operations.md, revision 0013). True when
    it warned; the CLI does not ask (its refusals are one line)."""
    try:
        with db.get_engine().connect() as connection:
            setting = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
    except exc.SQLAlchemyError:
        log.debug("autovacuum setting not read", exc_info=True)
        return False
    if setting == "on":
        return False
    log.warning(
        "PostgreSQL runs with autovacuum = %s: the task queue and dashboards slow down as dead rows"
        " pile up; turn it on (docs/operations.md, 'Migrations', revision 0013)",
        setting,
    )
    return True


#: Any constant: one process of several takes the day's backup.
_BACKUP_LOCK = 7_205_2027
_backups_stop = threading.Event()
_BACKUP_CHECK_S = 3600.0


def start_daily_backups() -> bool:
    """In the app process: a background thread that takes a backup when the newest is a day old
    (at start-up, then checked hourly) and prunes old ones, if the settings ask for it (by default
    with the embedded database). Never blocks a request; a failure is logged and retried next hour."""
    settings = get_settings()
    if not settings.daily_backup:
        return False
    _backups_stop.clear()
    threading.Thread(target=_backup_loop, name="daily-backup", daemon=True).start()
    return True


def _backup_loop() -> None:
    while not _backups_stop.is_set():
        try:
            _backup_once()
        except Exception:  # the loop must survive an outage; the next hour retries
            log.exception("daily backup failed")
        _backups_stop.wait(_BACKUP_CHECK_S)


def _backup_once() -> None:
    settings, engine = get_settings(), db.get_engine()
    with engine.connect() as connection:
        if not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _BACKUP_LOCK}).scalar():
            return  # another process is at it
        try:
            backup.daily_backup(engine, settings.backup_dir, keep_days=settings.pipeline_backup_keep_days)
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _BACKUP_LOCK})


def shutdown() -> None:
    _backups_stop.set()
    cache.close_redis()
    db.reset_engine()
    from pipeline_core.store import servers

    servers.stop_embedded()


@dataclass(frozen=True, slots=True)
class Readiness:
    database: bool
    redis: bool
    schema_current: bool

    @property
    def ready(self) -> bool:
        return self.database and self.redis and self.schema_current


def readiness() -> Readiness:
    """What /readyz reports: each dependency checked, failures logged, never raised."""
    database = schema_current = redis_ok = False
    try:
        engine = db.get_engine()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = True
        schema_current = migrate.schema_is_current(engine)
    except Exception:
        log.warning("readiness: database unreachable", exc_info=True)
    try:
        redis_ok = bool(cache.get_redis().ping())
    except Exception:
        log.warning("readiness: redis unreachable", exc_info=True)
    return Readiness(database=database, redis=redis_ok, schema_current=schema_current)
