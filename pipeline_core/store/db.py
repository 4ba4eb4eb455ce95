"""The PostgreSQL connection: one engine per process, sessions per user action, errors mapped once.

`database_url()` decides the mode: `DATABASE_URL` when set (external), else the embedded pgserver
in the data folder. Every use case opens one `transaction()`: commit on success, rollback on any
error, and SQLAlchemy/psycopg errors leave this module as `pipeline_core.domain.errors` types.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import select
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from pipeline_core.domain.errors import Conflict, InvalidInput, PipelineError, ServerUnavailable
from pipeline_core.store import metrics, servers
from pipeline_core.store.config import get_settings

log = logging.getLogger(__name__)


@functools.cache
def database_url() -> str:
    settings = get_settings()
    if settings.database_url is not None:
        log.info("database: external PostgreSQL (DATABASE_URL)")
        return settings.database_url
    return servers.start_embedded_postgres(settings.data_dir)


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine. Pool sized for a Streamlit process plus its API routes. Every
    statement's time is recorded under the name of the function that ran it (store/metrics.py).

    A pooled connection the server has ended is replaced on checkout (`_still_open`), without the
    round trip of SQLAlchemy's `pool_pre_ping` (a `SELECT 1` per checkout: a sixth of a task
    completion's round trips, issue 21)."""
    engine = create_engine(
        database_url(),
        pool_size=10,
        max_overflow=20,
        pool_recycle=1800,
        hide_parameters=True,  # an error's text never carries the values (names, hashes, NIKs)
        connect_args={"connect_timeout": 5, "application_name": "umrah-pipeline"},
    )
    event.listen(engine, "checkout", _still_open)
    event.listen(engine, "before_cursor_execute", _statement_starts)
    event.listen(engine, "after_cursor_execute", _statement_ends)
    return engine


def engine_started() -> bool:
    return bool(get_engine.cache_info().currsize)


def _still_open(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse (`DisconnectionError`: the pool takes a new one) a pooled connection that is closed
    or has something to read while idle. An idle connection receives nothing unless the server
    ended it: a restart, a failover or `pg_terminate_backend` sends its last message and closes
    the socket. One `poll` of the socket, no round trip."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise exc.DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(dbapi_connection.pgconn.socket, select.POLLIN)
    if poller.poll(0):
        raise exc.DisconnectionError("the server ended the connection while it was idle")


def _statement_starts(connection: Any, *_: Any) -> None:
    connection.info["statement_started"] = time.perf_counter()


def _statement_ends(connection: Any, *_: Any) -> None:
    started = connection.info.pop("statement_started", None)
    if started is not None:
        metrics.observe_query(metrics.query_name(), time.perf_counter() - started)


@functools.cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


def reset_engine() -> None:
    """Forget the engine and URL (tests switch servers; the embedded server may restart)."""
    if engine_started():
        get_engine().dispose()
    get_engine.cache_clear()
    _session_factory.cache_clear()
    database_url.cache_clear()


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """The one place where driver errors become the product's errors."""
    try:
        yield
    except PipelineError:
        raise
    except exc.IntegrityError as error:
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None) or "constraint"
        if constraint.startswith(("uq_", "pk_")):
            raise Conflict(f"This record already exists ({constraint}).") from error
        raise InvalidInput(constraint, "the value breaks a rule of the data") from error
    except exc.OperationalError as error:
        raise ServerUnavailable("The database cannot be reached right now. Please try again.") from error
    except exc.DataError as error:  # a value the column cannot hold: the checks before it missed one
        log.warning("database refused a value: %s", type(error.orig).__name__)
        raise InvalidInput(
            "value", "This value cannot be stored; check it for unusual characters."
        ) from error


@contextlib.contextmanager
def transaction(session: Session | None = None) -> Iterator[Session]:
    """One user action = one transaction. Pass a session to join a caller's (tests, seeding)."""
    if session is not None:
        with translate_errors():
            yield session
        return
    with translate_errors(), _session_factory()() as new_session, new_session.begin():
        yield new_session


@contextlib.contextmanager
def action(session: Session | None) -> Iterator[Session]:
    """One action, committed at the end: in a new transaction, or on the caller's session (which
    this then commits, or rolls back on any error)."""
    if session is None:
        with transaction() as new_session:
            yield new_session
        return
    with translate_errors():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextlib.contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads: no commit needed, errors translated."""
    with translate_errors(), _session_factory()() as session:
        yield session
