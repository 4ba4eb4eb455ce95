"""The engine's speed at a dataset size: read models (uncached / cached), complete_task, concurrency,
and the cache hit rate of a mixed workload. Prints tables; asserts nothing.

    .venv/bin/python benchmarks/engine.py --datasets demo-2000 scale-10k scale-100k
    .venv/bin/python benchmarks/engine.py --datasets scale-100k --mixed-seconds 60

Runs on the embedded servers (or DATABASE_URL / REDIS_URL). It loads a dataset that is missing, and
it *writes*: completions and edits change the dataset, so it reloads each dataset at the end
(`--keep` to skip that). `now` is fixed per dataset so cached reads share one minute's keys.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.orm import Session

from benchmarks import writes
from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands.tasks import block_task, complete_task, update_task
from pipeline_core.domain.model import ADMIN_ROLES, Actor, Role, Workspace
from pipeline_core.reads import queries, task_queue
from pipeline_core.reads.jamaah_detail import jamaah_detail
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import cache, db
from pipeline_core.store.workspaces import get_workspace

MANAGER = Actor(user_id=None, name="Benchmark", role=Role.MANAGER)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def read_models(
    ws: Workspace, now: datetime, sample_jamaah: int
) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """name -> (uncached call, cached call)."""

    def uncached(fn: Callable[..., object], *args: object, **kwargs: object) -> Callable[[], object]:
        def call() -> object:
            with db.read_session() as session:
                return fn(session, ws, now, *args, **kwargs)

        return call

    return {
        "pipeline_health": (
            uncached(queries.pipeline_health),
            lambda: dashboard.pipeline_health(system_viewer(ws), now),
        ),
        "stage_stats": (uncached(queries.stage_stats), lambda: dashboard.stage_stats(system_viewer(ws), now)),
        "bottlenecks": (uncached(queries.bottlenecks), lambda: dashboard.bottlenecks(system_viewer(ws), now)),
        "upcoming_departures(7)": (
            uncached(queries.upcoming_departures, days=7),
            lambda: dashboard.upcoming_departures(system_viewer(ws), now, days=7),
        ),
        "task_queue(all, p1)": (
            uncached(task_queue.task_queue),
            lambda: dashboard.task_queue_page(system_viewer(ws), now),
        ),
        "task_queue(visa, urgent)": (
            uncached(task_queue.task_queue, role="visa-admin", column="urgent"),
            lambda: dashboard.task_queue_page(system_viewer(ws), now, role="visa-admin", column="urgent"),
        ),
        "task_queue(all, p200)": (
            uncached(task_queue.task_queue, page=200),
            lambda: dashboard.task_queue_page(system_viewer(ws), now, page=200),
        ),
        "task_queue(search name)": (
            uncached(task_queue.task_queue, search="siti"),
            lambda: dashboard.task_queue_page(system_viewer(ws), now, search="siti"),
        ),
        "jamaah_detail": (
            lambda: _detail(ws, sample_jamaah, now),
            lambda: dashboard.jamaah_detail(system_viewer(ws), sample_jamaah, now),
        ),
    }


def _detail(ws: Workspace, jamaah_id: int, now: datetime) -> object:
    with db.read_session() as session:
        return jamaah_detail(session, ws, jamaah_id, now)


def open_tasks(ws: Workspace, limit: int) -> list[tuple[int, int]]:
    """Open tasks that can be completed (their documents verified first: see writes.py)."""
    return sorted(writes.completable_tasks(ws, limit, seed=0))


@dataclass
class Counter:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: int = 0
    conflicts: int = 0

    def add(self, ok: bool) -> None:
        with self.lock:
            if ok:
                self.done += 1
            else:
                self.conflicts += 1


def _writer_process(
    args: tuple[str, list[tuple[int, int]], float, bool, str],
) -> tuple[int, int, list[int], float, int]:
    """One writer process (a separate app process in production): its own engine and GIL."""
    slug, pool, seconds, contended, now_iso = args
    bootstrap.prepare(seed_demo=False)
    with db.read_session() as session:
        ws = get_workspace(session, slug)
    now = datetime.fromisoformat(now_iso)
    began = time.monotonic()  # after start-up: the rate counts working time only
    stop = began + seconds
    done, conflicts, refused, completed = 0, 0, 0, []
    ids = [task_id for task_id, _ in pool]
    queue = list(reversed(pool))
    while time.monotonic() < stop:
        if contended:
            with db.read_session() as session:
                row = session.execute(
                    text(
                        "SELECT id, version FROM pipeline_tasks WHERE id = ANY(:ids)"
                        " AND status IN ('pending', 'in-progress') ORDER BY id LIMIT 1"
                    ),
                    {"ids": ids},
                ).first()
            task = None if row is None else (row[0], row[1])
        else:
            task = queue.pop() if queue else None
        if task is None:
            break
        outcome = writes.complete_one(ws, task[0], task[1], now)
        if outcome == writes.DONE:
            done += 1
            completed.append(task[0])
        elif outcome == writes.CONFLICT:
            conflicts += 1
        else:  # refused (a document stage not ready) or failed: not a race, counted apart
            refused += 1
            if contended:
                ids.remove(task[0])
    elapsed = time.monotonic() - began
    bootstrap.shutdown()
    return done, conflicts, completed, elapsed, refused


def writers(
    ws: Workspace, now: datetime, pool: list[tuple[int, int]], processes: int, seconds: float, contended: bool
) -> tuple[float, int, int, list[int]]:
    """Completions/s with `processes` writer processes.

    Distinct: the pool is split between the writers. Contended: every writer reads the same
    current task (the lowest id of the pool still open) and all race to complete it.
    Returns the rate, completions, conflicts and the ids of the tasks completed.
    """
    shares = [pool if contended else pool[i::processes] for i in range(processes)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as workers:
        results = workers.map(
            _writer_process, [(ws.slug, share, seconds, contended, now.isoformat()) for share in shares]
        )
    done = sum(r[0] for r in results)
    window = max(r[3] for r in results)  # the slowest writer's working time: a conservative rate
    refused = sum(r[4] for r in results)
    if refused:
        print(f"  ({refused} completions refused: not a race, e.g. a document stage not ready)")
    return done / window, done, sum(r[1] for r in results), [i for r in results for i in r[2]]


def lost_updates(ws: Workspace, completed: list[int]) -> tuple[int, int]:
    """(completed tasks without exactly one completion log entry, jamaah with two open stages)."""
    with db.read_session() as session:
        unlogged = session.execute(
            text(
                """
                SELECT count(*) FROM unnest(CAST(:ids AS bigint[])) AS done(id)
                WHERE (SELECT count(*) FROM activity_log a
                       WHERE a.workspace_id = :ws AND a.entity_type = 'task'
                         AND a.entity_id = done.id AND a.action = 'task.completed') <> 1
                   OR (SELECT status FROM pipeline_tasks t WHERE t.id = done.id) <> 'completed'
                """
            ),
            {"ws": ws.id, "ids": completed},
        ).scalar_one()
        doubled = session.execute(
            text(
                "SELECT count(*) FROM (SELECT jamaah_id FROM stage_instances WHERE workspace_id = :ws"
                " AND status <> 'completed' GROUP BY jamaah_id HAVING count(*) > 1) x"
            ),
            {"ws": ws.id},
        ).scalar_one()
    return unlogged, doubled


def mixed(ws: Workspace, now: datetime, users: int, seconds: float, think_ms: float) -> dict[str, float]:
    """`users` threads: 95% page views, 5% writes, with think time between actions.

    A page view is what a page asks the core: a manager's overview (health, stage cards,
    bottlenecks, departures); an admin's queue (the column counts and first page of their role).
    Writes complete, block or edit a task of the user's role.
    """
    cache.reset_hit_rates()
    stop = time.monotonic() + seconds
    actions = Counter()
    rng_seed = random.Random(7)
    roles = [Role.MANAGER] * max(1, users // 5) + [
        ADMIN_ROLES[i % len(ADMIN_ROLES)] for i in range(users - users // 5)
    ]

    def user(role: Role, seed: int) -> None:
        rng = random.Random(seed)
        actor = Actor(user_id=None, name=f"bench-{seed}", role=role)
        while time.monotonic() < stop:
            if rng.random() < 0.05:
                page = dashboard.task_queue_page(
                    system_viewer(ws),
                    now,
                    role=None if role is Role.MANAGER else role,
                    page=rng.randint(1, 3),
                )
                if page.items:
                    card = rng.choice(page.items)
                    choice = rng.random()
                    with Session(db.get_engine()) as session:
                        try:
                            if choice < 0.6:
                                complete_task(
                                    session=session,
                                    workspace=ws,
                                    actor=actor,
                                    task_id=card.id,
                                    version=card.version,
                                    now=now,
                                )
                            elif choice < 0.8 and card.status.value != "blocked":
                                block_task(
                                    session=session,
                                    workspace=ws,
                                    actor=actor,
                                    task_id=card.id,
                                    version=card.version,
                                    reason="Menunggu dokumen",
                                    now=now,
                                )
                            else:
                                update_task(
                                    session=session,
                                    workspace=ws,
                                    actor=actor,
                                    task_id=card.id,
                                    version=card.version,
                                    notes=f"cek {rng.random():.3f}",
                                    now=now,
                                )
                            actions.add(True)
                        except Exception:
                            actions.add(False)
            elif role is Role.MANAGER:
                dashboard.pipeline_health(system_viewer(ws), now)
                dashboard.stage_stats(system_viewer(ws), now)
                dashboard.bottlenecks(system_viewer(ws), now)
                dashboard.upcoming_departures(system_viewer(ws), now, days=7)
            else:
                dashboard.task_queue_page(system_viewer(ws), now, role=role)
            time.sleep(rng.uniform(0, 2 * think_ms) / 1000)

    threads = [threading.Thread(target=user, args=(role, rng_seed.randint(0, 10**9))) for role in roles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rates = cache.hit_rates()
    hits = sum(h for h, _ in rates.values())
    misses = sum(m for _, m in rates.values())
    result = {f"{family} hit %": 100 * h / max(1, h + m) for family, (h, m) in sorted(rates.items())}
    result["overall hit %"] = 100 * hits / max(1, hits + misses)
    result["lookups"] = hits + misses
    result["writes applied"] = actions.done
    result["writes refused"] = actions.conflicts
    return result


def run(name: str, args: argparse.Namespace) -> None:
    if not datasets.dataset_exists(name):
        print(f"loading {name} …", flush=True)
        datasets.load_dataset(name)
    with db.read_session() as session:
        ws = get_workspace(session, name)
        sample = session.execute(
            text("SELECT min(id) FROM jamaah WHERE workspace_id = :ws"), {"ws": ws.id}
        ).scalar_one()
    now = datetime.now(UTC).replace(second=1, microsecond=0)
    cache.clear_workspace(ws.id)
    print(f"\n== {name}  (now {now:%Y-%m-%d %H:%M} UTC)")
    print(f"{'read model':28} {'uncached p50':>13} {'p95':>8} {'cached p50':>11} {'p95':>8}   (ms)")
    for label, (uncached, cached_call) in read_models(ws, now, sample).items():
        u50, u95 = timed(uncached, args.repeat)
        cached_call()  # warm
        c50, c95 = timed(cached_call, args.repeat)
        print(f"{label:28} {u50:13.2f} {u95:8.2f} {c50:11.3f} {c95:8.3f}")

    tasks = open_tasks(ws, args.repeat + 4000 + 40)
    sequential, distinct, contended = tasks[: args.repeat], tasks[args.repeat : -40], tasks[-40:]
    samples = []
    for task_id, version in sequential:
        started = time.perf_counter()
        writes.complete_one(ws, task_id, version, now)
        samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentiles(samples)
    print(f"{'complete_task':28} {p50:13.2f} {p95:8.2f}   ({len(samples)} sequential completions)")

    rate, done, conflicts, first = writers(ws, now, distinct, 8, args.writer_seconds, contended=False)
    print(f"8 writer processes, distinct:   {rate:8.0f} completions/s  ({done} done, {conflicts} conflicts)")
    rate, done, conflicts, second = writers(ws, now, contended, 8, args.writer_seconds, contended=True)
    print(f"8 writer processes, same task: {rate:8.0f} completions/s  ({done} done, {conflicts} conflicts)")
    unlogged, doubled = lost_updates(ws, first + second)
    print(
        f"lost updates: {unlogged} completions not logged exactly once; {doubled} jamaah with two open stages"
    )

    if args.mixed_seconds > 0:
        result = mixed(ws, now, args.users, args.mixed_seconds, args.think_ms)
        print(
            f"mixed workload: {args.users} users, {args.mixed_seconds:.0f} s,"
            f" think time ~{args.think_ms:.0f} ms"
        )
        for key, value in result.items():
            print(f"  {key:24} {value:10.1f}")

    if not args.keep:
        print(f"reloading {name} …", flush=True)
        datasets.load_dataset(name, reset=True)
        cache.clear_workspace(ws.id)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", nargs="+", default=["demo-2000", "scale-10k", "scale-100k"])
    parser.add_argument("--repeat", type=int, default=100, help="samples per read model / completions")
    parser.add_argument("--writer-seconds", type=float, default=10.0)
    parser.add_argument("--mixed-seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think-ms", type=float, default=250.0, help="mean pause between a user's actions")
    parser.add_argument("--keep", action="store_true", help="do not reload the datasets afterwards")
    args = parser.parse_args()
    bootstrap.prepare(seed_demo=False)
    try:
        for name in args.datasets:
            run(name, args)
    finally:
        bootstrap.shutdown()


if __name__ == "__main__":
    main()
