"""Live push at the protocol level: SSE sessions (httpx on asyncio, 127.0.0.1) on a real app process.

    .venv/bin/python benchmarks/live_push.py
    .venv/bin/python benchmarks/live_push.py --sessions 1 50 200 --changes 20 --idle-seconds 30

Starts its own `streamlit run app.py` on a free port, on the embedded servers of a fresh data
folder (or DATABASE_URL / REDIS_URL), with a demo workspace of its own. All sessions are the
manager's (every change goes to every session: the widest fan-out). Then, for each number of open
sessions: `--changes` task edits by the core command in this process (which publishes to the Redis
the app shares, as another app process would), and the time from the command's call (its
transaction included) to the event's arrival in each session: p50/p95 over every (change,
session) pair, and the time until the last session had it. With the most sessions open it first
sits idle for `--idle-seconds`: the app process's CPU (% of one core) and RSS, and the RSS added
per open session. Prints figures; asserts nothing. The client shares the machine's two cores with
the server: at 200 sessions a part of the latency is this client parsing 200 streams.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    os.environ.setdefault("PIPELINE_DATA_DIR", tempfile.mkdtemp(prefix="live-bench-"))
os.environ["PIPELINE_SEED_DEMO"] = "false"

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from pipeline_core.commands import accounts  # noqa: E402
from pipeline_core.commands import tasks as services  # noqa: E402
from pipeline_core.commands.auth import SESSION_COOKIE  # noqa: E402
from pipeline_core.domain.model import (  # noqa: E402
    Actor,
    Role,
    Workspace,
    WorkspaceKind,
)
from pipeline_core.seed import bootstrap  # noqa: E402
from pipeline_core.store import db, repository  # noqa: E402
from pipeline_core.store.repository import Task  # noqa: E402
from pipeline_core.store.workspaces import create_workspace, delete_workspace, get_workspace  # noqa: E402
from tests.builders import make_jamaah  # noqa: E402
from tests.conftest import start_app  # noqa: E402  (the tests' way to run the real app)

ACTOR = Actor(user_id=None, name="Benchmark", role=Role.MANAGER)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- the app process ------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- data -----------------------------------------------------------------------------------------


def make_agency() -> tuple[Workspace, list[Task]]:
    slug = f"live-bench-{uuid.uuid4().hex[:6]}"
    with Session(db.get_engine(), expire_on_commit=False) as s:
        create_workspace(s, slug=slug, name="Live Benchmark", kind=WorkspaceKind.DEMO)
        s.commit()
        workspace = get_workspace(s, slug)
        accounts.ensure_demo_accounts(s, workspace.id, slug)
        s.commit()
        tasks = [make_jamaah(s, workspace).task for _ in range(5)]
    return workspace, [task for task in tasks if task is not None]


def edit(workspace: Workspace, task_id: int) -> float:
    """Edit the task's notes through the core command; returns when its transaction committed."""
    committed: list[float] = []
    with db.transaction() as s:
        sa_event.listen(s, "after_commit", lambda _: committed.append(time.perf_counter()))
        task = repository.find_task(s, workspace.id, task_id)
        services.update_task(
            session=s,
            workspace=workspace,
            actor=ACTOR,
            task_id=task_id,
            version=task.version,
            notes=f"bench {uuid.uuid4().hex[:8]}",
        )
    return committed[0]


# --- the sessions ---------------------------------------------------------------------------------


@dataclass
class Sessions:
    client: httpx.AsyncClient
    arrivals: list[dict[int, float]] = field(default_factory=list)  # per session: task_id -> time
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    ready: list[asyncio.Event] = field(default_factory=list)

    async def open(self, count: int) -> None:
        while len(self.tasks) < count:
            arrivals: dict[int, float] = {}
            ready = asyncio.Event()
            self.arrivals.append(arrivals)
            self.ready.append(ready)
            self.tasks.append(asyncio.create_task(self._listen(arrivals, ready)))
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in self.ready)), 120)

    async def _listen(self, arrivals: dict[int, float], ready: asyncio.Event) -> None:
        async with self.client.stream("GET", "/live/events") as response:
            response.raise_for_status()
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                    if event == "hello":
                        ready.set()
                elif line.startswith("data: ") and event == "change":
                    task_id = int(line.split('"task_id":', 1)[1].split(",", 1)[0])
                    arrivals[task_id] = time.perf_counter()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def measure_latency(
    sessions: Sessions, workspace: Workspace, tasks: list[Task], changes: int
) -> tuple[list[float], list[float], list[float]]:
    """Per change: (commit → arrival in every session, commit → the last session had it, command
    time from call to return)."""
    every: list[float] = []  # ms
    last: list[float] = []
    command: list[float] = []
    for n in range(changes):
        task_id = tasks[n % len(tasks)].id
        for arrivals in sessions.arrivals:
            arrivals.pop(task_id, None)
        called = time.perf_counter()
        started = await asyncio.to_thread(edit, workspace, task_id)
        command.append((time.perf_counter() - called) * 1000)
        deadline = time.monotonic() + 30
        while any(task_id not in a for a in sessions.arrivals) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        got = [(a[task_id] - started) * 1000 for a in sessions.arrivals if task_id in a]
        missing = len(sessions.arrivals) - len(got)
        if missing:
            print(f"  change {n}: {missing} sessions did not get it within 30 s")
        every.extend(got)
        last.append(max(got))
        await asyncio.sleep(0.3)  # let the sessions settle between changes
    return every, last, command


async def run(args: argparse.Namespace) -> None:
    bootstrap.prepare(seed_demo=False)
    workspace, tasks = make_agency()
    log = Path(tempfile.mkdtemp(prefix="live-bench-log-")) / "app.log"
    process, base = start_app(log)
    try:
        limits = httpx.Limits(max_connections=max(args.sessions) + 10, max_keepalive_connections=0)
        timeout = httpx.Timeout(60.0, read=None)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
            answer = await client.post(
                "/auth/login",
                data={
                    "username": accounts.demo_username(Role.MANAGER, workspace.slug),
                    "password": accounts.DEMO_PASSWORD,
                },
                headers={"Origin": base},
            )
            assert answer.status_code == 303 and client.cookies.get(SESSION_COOKIE), answer.text
            sessions = Sessions(client)
            await sessions.open(1)
            await measure_latency(sessions, workspace, tasks, 3)  # warm-up
            rss_before = rss_mb(process.pid)
            print(f"app process RSS with 1 session open: {rss_before:.1f} MB")
            print()
            print(
                "| open sessions | commit → event p50 | p95 | commit → last session p50 | p95 | command p50 |"
            )
            print("|---|---|---|---|---|---|")
            for count in sorted(args.sessions):
                await sessions.open(count)
                if count == max(args.sessions):
                    await asyncio.sleep(2)
                    rss_idle_start = rss_mb(process.pid)
                    cpu_start, wall_start = cpu_seconds(process.pid), time.monotonic()
                    await asyncio.sleep(args.idle_seconds)
                    cpu = (cpu_seconds(process.pid) - cpu_start) / (time.monotonic() - wall_start) * 100
                    idle = (count, cpu, rss_mb(process.pid), rss_idle_start)
                every, last, command = await measure_latency(sessions, workspace, tasks, args.changes)
                p50, p95 = percentiles(every)
                l50, l95 = percentiles(last)
                c50, _ = percentiles(command)
                print(
                    f"| {count} | {p50:.1f} ms | {p95:.1f} ms | {l50:.1f} ms | {l95:.1f} ms | {c50:.1f} ms |"
                )
            count, cpu, rss_after, rss_idle_start = idle
            print()
            print(
                f"{count} idle sessions for {args.idle_seconds:.0f} s: app process CPU {cpu:.2f} % of a core,"
            )
            print(
                f"RSS {rss_after:.1f} MB (with 1 session: {rss_before:.1f} MB): "
                f"{(rss_idle_start - rss_before) / (count - 1) * 1024:.0f} KB per added session"
            )
            await sessions.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        with Session(db.get_engine()) as s:
            delete_workspace(s, workspace.slug)
            s.commit()
        bootstrap.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
