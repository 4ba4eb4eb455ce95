"""The datasets' public operations: load (or reset) one, delete one, list them, refresh the demos.

One transaction per dataset: `writer.write_dataset` creates the workspace and COPYs every table;
either the whole dataset is there or none of it. Reset deletes only that workspace
(`bulk.clear_workspace`, then `workspaces.delete_workspace`) in the same transaction as the new
load, so a reader sees the old dataset or the new one, never half of either. A transaction-level
advisory lock per dataset name serialises two loads of the same dataset.

Python's cyclic garbage collector is paused while the rows are built and written: ~1.5 million
tuples at scale-100k, none cyclic, that it would otherwise rescan as the heap grows (~2 s).

Demo datasets are re-laid every agency day (`ensure_demo_datasets`): their dates are relative to
today, so a demo seeded last week would show everyone overdue. Changes made in a demo workspace
therefore last until the first start of the next agency day.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pipeline_core.commands.accounts import ensure_demo_accounts
from pipeline_core.domain import rules
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict
from pipeline_core.seed.datasets import bulk, curated, generator
from pipeline_core.seed.datasets.records import GeneratedDataset
from pipeline_core.seed.datasets.registry import DATASETS, DEMO_DATASETS, DatasetSpec, get_spec
from pipeline_core.seed.datasets.writer import write_dataset
from pipeline_core.store import cache, db
from pipeline_core.store import schema as t
from pipeline_core.store.config import get_settings
from pipeline_core.store.workspaces import delete_workspace, load_template

log = logging.getLogger(__name__)

_LOCK_CLASS = 7_205_2027  # advisory lock namespace of the datasets (any constant)
_ENSURE_LOCK = 1


@dataclass(frozen=True, slots=True)
class LoadReport:
    name: str
    workspace_id: int
    jamaah: int
    rows: dict[str, int]
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, for the benchmark

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class DatasetState:
    spec: DatasetSpec
    workspace_id: int | None
    jamaah: int | None
    seeded_on: date | None

    @property
    def loaded(self) -> bool:
        return self.workspace_id is not None


def build_dataset(name: str, *, now: datetime, seed: int | None = None) -> GeneratedDataset:
    """The rows of a dataset, without the database (pure; the unit tests use it)."""
    spec = get_spec(name)
    stages = load_template(spec.template).stages
    if spec.curated is not None:
        return curated.build(spec, stages, now=now, seed=seed)
    return generator.generate(spec, stages, now=now, seed=seed)


def load_dataset(
    name: str,
    *,
    reset: bool = False,
    now: datetime | None = None,
    seed: int | None = None,
    demo_accounts: bool = False,
) -> LoadReport:
    """Load one dataset into its workspace (slug = name); `reset` replaces it if it exists.

    `demo_accounts`: also make one sign-in account per role, `<role>@<name>` with the public demo
    password (`accounts.ensure_demo_accounts`), in the same transaction."""
    spec = get_spec(name)
    now = instant(now)
    if not reset and dataset_exists(name):  # say so before spending seconds generating
        raise _already_loaded(name)
    started = time.perf_counter()
    phases: dict[str, float] = {}
    with _gc_paused():
        clock = time.perf_counter()
        dataset = build_dataset(name, now=now, seed=seed)
        phases["generate"] = time.perf_counter() - clock
        with db.transaction() as session:
            _lock(session, name)
            existing = session.execute(select(t.Workspace.id).where(t.Workspace.slug == name)).scalar()
            if existing is not None and not reset:
                raise _already_loaded(name)
            clock = time.perf_counter()
            if existing is not None:
                bulk.clear_workspace(session, existing)
                delete_workspace(session, name)
            phases["delete"] = time.perf_counter() - clock
            workspace_id, rows = write_dataset(session, spec, dataset, phases)
            if demo_accounts:
                ensure_demo_accounts(session, workspace_id, name)
        clock = time.perf_counter()
        _vacuum(_VACUUMED)
        phases["vacuum"] = time.perf_counter() - clock
    if existing is not None:
        cache.clear_workspace(existing)
    seconds = time.perf_counter() - started
    log.info(
        "dataset %s loaded: %d jamaah, %d rows in %.1f s",
        name,
        len(dataset.jamaah),
        sum(rows.values()),
        seconds,
    )
    return LoadReport(name, workspace_id, len(dataset.jamaah), rows, seconds, phases)


#: Vacuumed after a load: the queue and the dashboards read these through index-only scans, which
#: need the visibility map that a bulk load leaves unset until autovacuum comes by.
_VACUUMED = ("pipeline_tasks", "jamaah_pipeline_status", "stage_instances", "jamaah")


def _vacuum(tables: tuple[str, ...]) -> None:
    try:
        with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.execute(text(f"VACUUM (ANALYZE) {table}"))
    except Exception as error:  # not the owner: autovacuum will do it a little later
        log.warning("VACUUM after the load was refused (%s); autovacuum will follow", error)


def dataset_exists(name: str) -> bool:
    get_spec(name)
    with db.read_session() as session:
        return session.execute(select(t.Workspace.id).where(t.Workspace.slug == name)).first() is not None


def delete_dataset(name: str) -> bool:
    """Delete a dataset's workspace and everything in it; False when it was not loaded."""
    get_spec(name)
    with db.transaction() as session:
        _lock(session, name)
        workspace_id = session.execute(select(t.Workspace.id).where(t.Workspace.slug == name)).scalar()
        if workspace_id is None:
            return False
        bulk.clear_workspace(session, workspace_id)
        return delete_workspace(session, name)


def dataset_states() -> list[DatasetState]:
    """Every dataset of the registry, loaded or not, with its jamaah count."""
    with db.read_session() as session:
        rows = session.execute(
            text(
                "SELECT w.slug, w.id, w.seeded_on,"
                " (SELECT count(*) FROM jamaah j WHERE j.workspace_id = w.id) AS jamaah"
                " FROM workspaces w WHERE w.slug = ANY(:names)"
            ),
            {"names": list(DATASETS)},
        ).all()
    found = {row.slug: row for row in rows}
    return [
        DatasetState(spec, found[n].id, found[n].jamaah, found[n].seeded_on)
        if n in found
        else DatasetState(spec, None, None, None)
        for n, spec in DATASETS.items()
    ]


def ensure_demo_datasets(*, now: datetime | None = None) -> None:
    """Load each demo dataset that is absent; re-lay one seeded on another agency day.

    A session-level advisory lock makes two processes starting together take turns: the second
    waits, then finds the demos fresh and does nothing.
    """
    now = instant(now)
    with_accounts = get_settings().demo_accounts
    engine = db.get_engine()
    with db.translate_errors(), engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        lock.execute(text("SELECT pg_advisory_lock(:a, :b)"), {"a": _LOCK_CLASS, "b": _ENSURE_LOCK})
        try:
            for name in DEMO_DATASETS:
                spec = DATASETS[name]
                seeded = lock.execute(
                    select(t.Workspace.seeded_on).where(t.Workspace.slug == name)
                ).one_or_none()
                today = rules.agency_today(now, spec.timezone)
                if seeded is None:
                    load_dataset(name, now=now, demo_accounts=with_accounts)
                elif seeded.seeded_on != today:
                    log.info("demo %s was laid out for %s: reloading for %s", name, seeded.seeded_on, today)
                    load_dataset(name, reset=True, now=now, demo_accounts=with_accounts)
                elif with_accounts:
                    with db.transaction() as session:
                        workspace_id = session.execute(
                            select(t.Workspace.id).where(t.Workspace.slug == name)
                        ).scalar_one()
                        ensure_demo_accounts(session, workspace_id, name)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _LOCK_CLASS, "b": _ENSURE_LOCK})


# --- inside the load transaction ---------------------------------------------------------------


def _already_loaded(name: str) -> Conflict:
    return Conflict(f"Dataset {name} is already loaded; pass --reset to replace it (only that workspace).")


def _lock(session: Session, name: str) -> None:
    """One load or delete of a given dataset at a time (released at commit or rollback)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:a, hashtext(:name))"), {"a": _LOCK_CLASS, "name": name}
    )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
