"""The write rate: `complete_task` from N writer threads in one or more processes (issue 21).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/umrah REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/writes.py --dataset scale-100k --threads 10 --processes 1 2

Each writer completes distinct open tasks (each of another jamaah) through the real command, on
its own session, as fast as it can for `--seconds`. The tasks are completable: before the timed
part, the document checklists of the chosen jamaah are set to verified (a document stage with a
missing document is refused since issue 19; a refusal that still happens is counted apart). Each
configuration is a fresh set of tasks, and starts on vacuumed tables (`vacuum`: what autovacuum
does in production; this machine's server has it off). The processes are separate interpreters (separate GILs,
engines and pools), as two app processes are in production, and start their clocks together.

Printed per configuration: completions/s over the window, the latency of one completion
(p50/p95/p99), the CPU the writer processes used per completion and the CPU their PostgreSQL
backends used per completion ("PG", from `/proc/<backend pid>/stat`: the start of the window, or
a connection's first use in it, to its end; only with the server on this machine; the WAL
writer, checkpointer and autovacuum are not in it), refusals/conflicts/errors, and two checks
in SQL after the run: *lost* (a completion that returned but whose task is not completed, not
logged exactly once, or whose jamaah has neither a next open stage nor a finished snapshot) and
*duplicated* progressions (a jamaah with more than one open stage instance, or a task logged as
completed twice). Load average is printed with every figure; the machine is shared.

It writes: the chosen tasks stay completed (`--reload` loads the dataset again at the end).
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from pipeline_core.commands.tasks import complete_task
from pipeline_core.domain.errors import Conflict, InvalidInput
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import db
from pipeline_core.store.workspaces import get_workspace

MANAGER = Actor(user_id=None, name="Benchmark", role=Role.MANAGER)

#: Outcomes of one completion.
DONE, CONFLICT, REFUSED, ERROR = "done", "conflict", "refused", "error"


def completable_tasks(ws: Workspace, count: int, *, seed: int) -> list[tuple[int, int]]:
    """`count` open tasks of distinct jamaah, in a random order, made completable: their jamaah's
    document checklists are set to verified (committed now, outside any timed part)."""
    with db.transaction() as session:
        rows = session.execute(
            text(
                "SELECT id, version, jamaah_id FROM pipeline_tasks WHERE workspace_id = :ws"
                " AND status IN ('pending', 'in-progress', 'blocked')"
                " ORDER BY hashtext(id::text || :seed) LIMIT :count"
            ),
            {"ws": ws.id, "count": count, "seed": str(seed)},
        ).all()
        verify_documents(session, ws.id, [row.jamaah_id for row in rows])
    return [(row.id, row.version) for row in rows]


def verify_documents(session: Session, workspace_id: int, jamaah_ids: list[int]) -> None:
    """Set these jamaah's document checklists to verified, so that a document stage's task may be
    completed (issue 19's checklist refuses it otherwise)."""
    session.execute(
        text(
            "UPDATE jamaah_documents SET status = 'verified', reason = NULL"
            " WHERE workspace_id = :ws AND jamaah_id = ANY(:ids) AND status <> 'verified'"
        ),
        {"ws": workspace_id, "ids": jamaah_ids},
    )


def complete_one(ws: Workspace, task_id: int, version: int, now: datetime) -> str:
    """One completion on its own session, as a request does; returns its outcome."""
    with Session(db.get_engine()) as session:
        try:
            complete_task(
                session=session, workspace=ws, actor=MANAGER, task_id=task_id, version=version, now=now
            )
        except Conflict:
            return CONFLICT
        except InvalidInput:
            return REFUSED
        except Exception:
            return ERROR
    return DONE


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    completed: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, task_id: int, outcome: str, ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            if outcome == DONE:
                self.completed.append(task_id)


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a PostgreSQL backend of this machine has used; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _writer_process(
    args: tuple[str, list[tuple[int, int]], int, float, float, str],
) -> tuple[list[float], dict[str, int], list[int], float, float | None]:
    """One process: `threads` writers over its share of tasks from `start_at` (wall clock, shared by
    every process) for `seconds`. Returns latencies, outcomes, completed ids, CPU seconds and its
    PostgreSQL backends' CPU seconds (None when a backend is not on this machine)."""
    slug, share, threads, start_at, seconds, now_iso = args
    bootstrap.prepare(seed_demo=False)
    backends: dict[int, float | None] = {}  # pid -> CPU seconds when a writer first took it

    @event.listens_for(db.get_engine(), "checkout")
    def _taken(dbapi_connection: object, _record: object, _proxy: object) -> None:
        pid = dbapi_connection.info.backend_pid  # type: ignore[attr-defined]  # psycopg 3
        if pid not in backends:
            backends[pid] = backend_cpu(pid)

    with db.read_session() as session:
        ws = get_workspace(session, slug)
    now = datetime.fromisoformat(now_iso)
    tally = Tally()
    queues = [share[i::threads] for i in range(threads)]
    for queue in queues:
        queue.reverse()
    time.sleep(max(0.0, start_at - time.time()))
    stop = time.monotonic() + seconds
    cpu_before = time.process_time()
    backends.update({pid: backend_cpu(pid) for pid in backends})  # connections opened before

    def writer(queue: list[tuple[int, int]]) -> None:
        while queue and time.monotonic() < stop:
            task_id, version = queue.pop()
            began = time.perf_counter()
            outcome = complete_one(ws, task_id, version, now)
            tally.add(task_id, outcome, (time.perf_counter() - began) * 1000)

    workers = [threading.Thread(target=writer, args=(queue,)) for queue in queues]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    cpu = time.process_time() - cpu_before
    spent: list[float | None] = []
    for pid, opened in backends.items():
        ended = backend_cpu(pid)
        spent.append(None if ended is None or opened is None else ended - opened)
    pg_cpu = None if None in spent else sum(x for x in spent if x is not None)
    bootstrap.shutdown()
    return tally.latencies_ms, tally.outcomes, tally.completed, cpu, pg_cpu


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def check(ws: Workspace, completed: list[int]) -> tuple[int, int]:
    """(lost, duplicated) progressions among the completed tasks, read in SQL after the run."""
    with db.read_session() as session:
        lost = session.execute(
            text(
                """
                SELECT count(*) FROM pipeline_tasks t
                JOIN jamaah_pipeline_status s ON s.jamaah_id = t.jamaah_id
                WHERE t.workspace_id = :ws AND t.id = ANY(:ids) AND (
                    t.status <> 'completed'
                    OR (SELECT count(*) FROM activity_log a
                        WHERE a.workspace_id = :ws AND a.entity_type = 'task' AND a.entity_id = t.id
                          AND a.action = 'task.completed') <> 1
                    OR NOT (s.is_completed OR EXISTS (
                        SELECT 1 FROM stage_instances i
                        WHERE i.workspace_id = :ws AND i.jamaah_id = t.jamaah_id
                          AND i.status <> 'completed' AND i.id = s.current_instance_id)))
                """
            ),
            {"ws": ws.id, "ids": completed},
        ).scalar_one()
        lost += (
            len(completed)
            - session.execute(
                text("SELECT count(*) FROM pipeline_tasks WHERE id = ANY(:ids)"), {"ids": completed}
            ).scalar_one()
        )
        duplicated = session.execute(
            text(
                """
                SELECT count(*) FROM (
                    SELECT i.jamaah_id FROM stage_instances i
                    JOIN pipeline_tasks t ON t.jamaah_id = i.jamaah_id AND t.id = ANY(:ids)
                    WHERE i.workspace_id = :ws AND i.status <> 'completed'
                    GROUP BY i.jamaah_id HAVING count(*) > 1
                    UNION ALL
                    SELECT a.entity_id FROM activity_log a
                    WHERE a.workspace_id = :ws AND a.entity_type = 'task' AND a.action = 'task.completed'
                      AND a.entity_id = ANY(:ids)
                    GROUP BY a.entity_id HAVING count(*) > 1
                ) x
                """
            ),
            {"ws": ws.id, "ids": completed},
        ).scalar_one()
    return lost, duplicated


#: The tables a completion writes (and the set-up's document rows).
WRITTEN = (
    "pipeline_tasks",
    "stage_instances",
    "jamaah_pipeline_status",
    "stage_completion_totals",
    "activity_log",
    "jamaah_documents",
)


def vacuum() -> None:
    """VACUUM ANALYZE the tables a completion writes, as autovacuum would between runs in
    production (migration 0013 tunes it for these tables). Without it, on a server whose
    autovacuum is off, each run leaves ~5,000 dead rows per table for the next to wade through:
    runs minutes apart on the same code gave 1.46 and 2.00 ms of writer CPU a completion."""
    with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {', '.join(WRITTEN)}"))


def run(ws: Workspace, *, processes: int, threads: int, seconds: float, budget: int, seed: int) -> None:
    pool = completable_tasks(ws, budget * processes, seed=seed)
    vacuum()
    shares = [pool[i::processes] for i in range(processes)]
    now = datetime.now(UTC)
    start_at = time.time() + 3.0 + 1.5 * processes  # every process is up and connected by then
    context = multiprocessing.get_context("spawn")
    before = os.getloadavg()
    with context.Pool(processes) as workers:
        results = workers.map(
            _writer_process,
            [(ws.slug, share, threads, start_at, seconds, now.isoformat()) for share in shares],
        )
    after = os.getloadavg()
    latencies = sorted(ms for r in results for ms in r[0])
    outcomes: dict[str, int] = {}
    for r in results:
        for outcome, n in r[1].items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    completed = [task_id for r in results for task_id in r[2]]
    cpu = sum(r[3] for r in results)
    done = outcomes.get(DONE, 0)
    pg_cpus = [r[4] for r in results if r[4] is not None]
    pg = f"{1000 * sum(pg_cpus) / max(done, 1):5.2f}" if len(pg_cpus) == len(results) else "n/a"
    lost, duplicated = check(ws, completed)
    ran_out = " (ran out of tasks: raise --budget)" if len(latencies) >= len(pool) else ""
    print(
        f"{processes} process(es) x {threads:2d} writers: {done / seconds:7.0f} completions/s"
        f"  p50 {percentile(latencies, 0.5):6.1f}  p95 {percentile(latencies, 0.95):6.1f}"
        f"  p99 {percentile(latencies, 0.99):6.1f} ms  CPU {1000 * cpu / max(done, 1):5.2f} ms/completion"
        f" (PG {pg})"
        f"  | done {done}, refused {outcomes.get(REFUSED, 0)}, conflicts {outcomes.get(CONFLICT, 0)},"
        f" errors {outcomes.get(ERROR, 0)} | lost {lost}, duplicated {duplicated}"
        f" | load {before[0]:.2f} -> {after[0]:.2f}{ran_out}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="scale-100k", choices=list(datasets.DATASETS))
    parser.add_argument("--threads", type=int, nargs="+", default=[10], help="writer threads per process")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--budget", type=int, default=12_000, help="tasks prepared per process")
    parser.add_argument("--reload", action="store_true", help="load the dataset again at the end")
    args = parser.parse_args()
    bootstrap.prepare(seed_demo=False)
    try:
        if not datasets.dataset_exists(args.dataset):
            print(f"loading {args.dataset} …", flush=True)
            datasets.load_dataset(args.dataset)
        with db.read_session() as session:
            ws = get_workspace(session, args.dataset)
        print(
            f"== {args.dataset}, {os.cpu_count()} cores, {args.seconds:.0f} s per configuration", flush=True
        )
        for processes in args.processes:
            for threads in args.threads:
                seed = random.randrange(10**9)
                run(
                    ws,
                    processes=processes,
                    threads=threads,
                    seconds=args.seconds,
                    budget=args.budget,
                    seed=seed,
                )
        if args.reload:
            print(f"reloading {args.dataset} …", flush=True)
            datasets.load_dataset(args.dataset, reset=True)
    finally:
        bootstrap.shutdown()


if __name__ == "__main__":
    main()
