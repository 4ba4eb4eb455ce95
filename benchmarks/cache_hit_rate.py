"""The dashboard cache under the 100-user mix: hit rate overall and in the worst minute, read p95.

N simulated users are threads calling the app layer directly (`pipeline_core.app.dashboard` /
`actions`, as the pages do — not the websocket): 3 in 10 are managers alternating the overview
(health, stage cards twice, the stage breakdown, bottlenecks, departures) and the bottlenecks page
(alerts, the stuck history); 7 in 10 are admin staff on their own task queue (the four kanban
columns, first page of 20). Each user reads its page every `--interval` seconds (first read at a
random offset). A side writer completes one task every `1 / --writes` seconds, taken from the top
of a random admin role's queue (first page of Urgent, else Today, else Upcoming), as staff work
(not the document desk: its tasks wait for their checklists).

Reads and writes run on the real clock (`now=None`): minute boundaries and TTLs pass as in
production. The first `--warmup` seconds (a cold cache) are left out of the figures.

Hit rate is the app's own counters (`cache.hit_rates()`, all processes' sums in Redis): a lookup
answered from Redis without a query of its own — including a reader that waited for a peer's
recomputation (single flight) — over all lookups. Sampled every 10 s; the worst minute is the
lowest rate over any 60 s window of samples.

    DATABASE_URL=… REDIS_URL=… PYTHONPATH=. .venv/bin/python benchmarks/cache_hit_rate.py \
        --dataset scale-100k --users 100 --seconds 300
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections import defaultdict

from sqlalchemy.orm import Session

from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands.tasks import complete_task
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict
from pipeline_core.domain.model import ADMIN_ROLES, Actor, KanbanColumn, Role, Workspace
from pipeline_core.reads import task_queue
from pipeline_core.seed import datasets
from pipeline_core.store import cache, db

COLUMNS = (KanbanColumn.BLOCKED, KanbanColumn.URGENT, KanbanColumn.TODAY, KanbanColumn.UPCOMING)


class Timings:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, list[float]] = defaultdict(list)
        self.calls: list[float] = []

    def add(self, page: str, page_ms: float, calls: list[float]) -> None:
        with self.lock:
            self.pages[page].append(page_ms)
            self.calls.extend(calls)


def timed_calls(*calls: object) -> tuple[float, list[float]]:
    spent = []
    start = time.perf_counter()
    for call in calls:
        t0 = time.perf_counter()
        call()  # type: ignore[operator]
        spent.append((time.perf_counter() - t0) * 1000)
    return (time.perf_counter() - start) * 1000, spent


def manager(ws: Workspace, turn: int) -> tuple[str, float, list[float]]:
    viewer = system_viewer(ws)
    if turn % 2 == 0:
        page_ms, calls = timed_calls(
            lambda: dashboard.pipeline_health(viewer),
            lambda: dashboard.stage_stats(viewer),
            lambda: dashboard.stage_stats(viewer),
            lambda: actions.stage_breakdown(viewer),
            lambda: dashboard.bottlenecks(viewer),
            lambda: dashboard.upcoming_departures(viewer, days=7, limit=10),
        )
        return "overview", page_ms, calls
    page_ms, calls = timed_calls(
        lambda: dashboard.bottlenecks(viewer, severity=None),
        lambda: dashboard.stuck_history(viewer),
    )
    return "bottlenecks", page_ms, calls[:1]  # the stuck history is not cached: the page only


def staff(ws: Workspace, role: Role) -> tuple[str, float, list[float]]:
    viewer = system_viewer(ws, role=role)
    page_ms, calls = timed_calls(
        *(
            (lambda column=column: dashboard.task_queue_page(viewer, role=role, column=column, limit=20))
            for column in COLUMNS
        )
    )
    return "task queue", page_ms, calls


def user(
    ws: Workspace, role: Role, seed: int, interval: float, stop: float, record_from: float, timings: Timings
) -> None:
    rng = random.Random(seed)
    next_at = time.monotonic() + rng.uniform(0, interval)
    turn = rng.randrange(2)
    while True:
        time.sleep(max(0.0, next_at - time.monotonic()))
        if time.monotonic() >= stop:
            return
        page, page_ms, calls = manager(ws, turn) if role is Role.MANAGER else staff(ws, role)
        turn += 1
        if time.monotonic() >= record_from:
            timings.add(page, page_ms, calls)
        next_at += interval


def writer(ws: Workspace, per_second: float, stop: float, done: list[int]) -> None:
    """Complete tasks from the top of a random admin role's queue (read straight from PostgreSQL,
    so the writer's own reads do not count as cache lookups)."""
    rng = random.Random(11)
    roles = [role for role in ADMIN_ROLES if role is not Role.DOCUMENT_ADMIN]  # gated by checklists
    actor = Actor(user_id=None, name="bench-writer", role=Role.MANAGER)
    next_at = time.monotonic()
    while time.monotonic() < stop:
        role = rng.choice(roles)
        with db.read_session() as session:
            for column in (KanbanColumn.URGENT, KanbanColumn.TODAY, KanbanColumn.UPCOMING):
                found = task_queue.task_queue(session, ws, instant(None), role=role, column=column, limit=20)
                if found.items:
                    break
        if found.items:
            card = rng.choice(found.items)
            with Session(db.get_engine()) as session:
                try:
                    complete_task(
                        session=session, workspace=ws, actor=actor, task_id=card.id, version=card.version
                    )
                    done[0] += 1
                except Conflict:
                    done[1] += 1
        next_at += 1 / per_second
        time.sleep(max(0.0, next_at - time.monotonic()))


def p95(sorted_ms: list[float]) -> float:
    return sorted_ms[int(0.95 * (len(sorted_ms) - 1))]


def totals() -> tuple[int, int]:
    rates = cache.hit_rates()
    return sum(h for h, _ in rates.values()), sum(m for _, m in rates.values())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="scale-100k")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--writes", type=float, default=1.0, help="completions per second")
    args = parser.parse_args()

    if not datasets.dataset_exists(args.dataset):
        print(f"loading {args.dataset} …", flush=True)
        datasets.load_dataset(args.dataset)
    ws = dashboard.workspace(args.dataset)
    cache.clear_workspace(ws.id)
    cache.reset_hit_rates()

    managers = max(1, round(args.users * 0.3))
    roles = [Role.MANAGER] * managers + [
        ADMIN_ROLES[i % len(ADMIN_ROLES)] for i in range(args.users - managers)
    ]
    start = time.monotonic()
    record_from, stop = start + args.warmup, start + args.warmup + args.seconds
    timings, done = Timings(), [0, 0]
    threads = [
        threading.Thread(
            target=user, args=(ws, role, i, args.interval, stop, record_from, timings), daemon=True
        )
        for i, role in enumerate(roles)
    ]
    threads.append(threading.Thread(target=writer, args=(ws, args.writes, stop, done), daemon=True))
    for thread in threads:
        thread.start()

    time.sleep(max(0.0, record_from - time.monotonic()))
    samples = [totals()]
    while time.monotonic() < stop:
        time.sleep(min(10.0, max(0.0, stop - time.monotonic())))
        samples.append(totals())
    for thread in threads:
        thread.join(timeout=30)

    def rate(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, int]:
        hits, misses = b[0] - a[0], b[1] - a[1]
        return 100 * hits / max(1, hits + misses), hits + misses

    overall, lookups = rate(samples[0], samples[-1])
    minutes = [rate(samples[i], samples[i + 6])[0] for i in range(len(samples) - 6)] or [overall]
    per_family = {family: 100 * h / max(1, h + m) for family, (h, m) in sorted(cache.hit_rates().items())}
    with open("/proc/loadavg") as load:
        loadavg = " ".join(load.read().split()[:3])

    print(
        f"{args.dataset}: {args.users} users ({managers} managers), every {args.interval:g} s, "
        f"writer {args.writes:g} completions/s, {args.seconds:g} s after {args.warmup:g} s warm-up"
    )
    print(f"hit rate overall          {overall:5.1f} %  ({lookups} lookups)")
    print(f"hit rate worst minute     {min(minutes):5.1f} %")
    print(
        "hit rate per view         "
        + ", ".join(f"{f} {r:.1f} %" for f, r in per_family.items())
        + "  (incl. warm-up)"
    )
    calls = sorted(timings.calls)
    print(
        f"one cached read  p50 {statistics.median(calls):6.1f} ms  "
        f"p95 {p95(calls):6.1f} ms  ({len(calls)} calls)"
    )
    for page, spent in sorted(timings.pages.items()):
        spent.sort()
        print(
            f"page {page:<20} p50 {statistics.median(spent):6.1f} ms"
            f"  p95 {p95(spent):6.1f} ms  ({len(spent)} views)"
        )
    print(f"writes: {done[0]} completed, {done[1]} conflicts; load average {loadavg}")


if __name__ == "__main__":
    main()
