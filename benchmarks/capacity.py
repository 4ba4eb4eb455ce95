"""Capacity: N signed-in users over Streamlit's own websocket protocol, on 1 or 2 app processes.

    .venv/bin/python benchmarks/capacity.py --processes 1 --users 100
    .venv/bin/python benchmarks/capacity.py --processes 2 --users 200
    .venv/bin/python benchmarks/capacity.py --users 100 --soak-minutes 60        # RSS per minute
    .venv/bin/python benchmarks/capacity.py --url http://127.0.0.1:8501 --users 50   # running app(s)
    .venv/bin/python benchmarks/capacity.py --server-env STREAMLIT_RUNNER_POST_SCRIPT_GC=false

The mix of issue 21: 3 in 10 users are managers alternating the overview and the bottlenecks, 7
in 10 are staff (the five admin roles in turn) on their task queue; every user asks for a rerun
of its page every `--interval` seconds (5), at a phase of its own, and skips a tick while its
previous run is still going (a person waits for the page). A writer in this process completes
tasks of the dataset (never a document-stage task: the document gate may refuse those) at
`--writes-per-second` through `complete_task`, and `--listeners` managers also hold
`/live/events` open: the time from each completion's commit to its event's arrival is the live
push at that load. The client is benchmarks/capacity_client.py (asyncio, one thread).

Servers: DATABASE_URL / REDIS_URL, else the machine's PostgreSQL and Redis at the defaults of
`--database-url` / `--redis-url` (the database is created and migrated when missing). The
dataset (`--dataset`, scale-100k) is loaded with its demo accounts when missing; the writer's
completions stay in it (`seed <dataset> --reset` lays it out again). Unless `--url` names
running processes, the benchmark starts `--processes` app processes (`streamlit run app.py`,
sharing PostgreSQL and Redis; users spread over them in turn) and stops them at the end.
Without `--redis-url` it starts a `redis-server` of its own, so that nobody else's load (or, before
channels named the database, events) is in its figures (docs/benchmarks.md, "Capacity").

Prints per page p50/p95/max of request → `script_finished`, runs/s served vs asked, errors by
kind, each app process's CPU (% of one core) and RSS, this client's own CPU, the writer's rate and
the live push's latency; with `--soak-minutes` a line per minute (runs, p95, CPU, RSS). First
runs of new sessions (imports, cold caches) are reported apart. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from capacity_client import SimUser, Tally, percentiles, simulate  # noqa: E402

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/capacity_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"  # when no redis-server can be started
#: Pages by URL path as the browser asks for them: the overview is the default page, at the root.
MANAGER_PAGES = ("", "bottlenecks")
STAFF_PAGES = ("task_queue",)
PAGE_LABELS = {"": "overview"}
#: A window at least this long reports its RSS change per hour (shorter ones see the warm-up).
SOAK_SECONDS = 600.0


# --- the app processes ----------------------------------------------------------------------------


@dataclass
class AppProcess:
    """One app process: its URL, and psutil's handle when it runs on this machine."""

    base: str
    process: psutil.Process | None
    cpu_start: float = 0.0
    wall_start: float = 0.0
    rss: list[float] = field(default_factory=list)  # MB, one sample a minute (and at start/end)

    def cpu_seconds(self) -> float:
        if self.process is None:
            return float("nan")
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def rss_mb(self) -> float:
        return float("nan") if self.process is None else self.process.memory_info().rss / 2**20

    def start_clock(self) -> None:
        self.cpu_start, self.wall_start = self.cpu_seconds(), time.monotonic()

    def cpu_percent(self) -> float:
        return (self.cpu_seconds() - self.cpu_start) / (time.monotonic() - self.wall_start) * 100


def listening_process(base: str) -> psutil.Process | None:
    """The local process listening on the URL's port (None: not on this machine)."""
    port = urlsplit(base).port
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port and connection.pid:
            return psutil.Process(connection.pid)
    return None


@contextlib.contextmanager
def app_processes(count: int, urls: list[str], env: dict[str, str]) -> Iterator[list[AppProcess]]:
    """`urls` when given (running processes), else `count` processes of our own."""
    if urls:
        yield [AppProcess(url.rstrip("/"), listening_process(url)) for url in urls]
        return
    from tests.conftest import start_app  # the tests' way to run the real app

    logs = Path(tempfile.mkdtemp(prefix="capacity-"))
    started: list[subprocess.Popen[str]] = []
    try:
        apps = []
        for n in range(count):
            process, base = start_app(logs / f"app-{n}.log", **env)
            started.append(process)
            apps.append(AppProcess(base, psutil.Process(process.pid)))
        print(f"{count} app process(es) started, logs in {logs}", flush=True)
        yield apps
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


# --- data and sign-ins ----------------------------------------------------------------------------


def prepare_servers(database_url: str, dataset: str) -> Any:
    """The database (created and migrated when missing), Redis, the dataset and its demo accounts.
    Returns the dataset's workspace."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from pipeline_core.commands import accounts
    from pipeline_core.seed import bootstrap, datasets
    from pipeline_core.store import db, migrate
    from pipeline_core.store.workspaces import get_workspace

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    admin = create_engine(
        url._replace(scheme="postgresql+psycopg", path="/postgres").geturl(), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        if (
            connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            is None
        ):
            print(f"creating database {name} …", flush=True)
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            migrate.upgrade(db.get_engine())
    admin.dispose()
    bootstrap.prepare(seed_demo=False)
    if not datasets.dataset_exists(dataset):
        print(f"loading {dataset} …", flush=True)
        datasets.load_dataset(dataset, demo_accounts=True)
    with Session(db.get_engine(), expire_on_commit=False) as s:
        workspace = get_workspace(s, dataset)
        accounts.ensure_demo_accounts(s, workspace.id, dataset)
        s.commit()
    return workspace


def roles_of(users: int) -> list[Any]:
    """3 in 10 managers, the other 7 the five admin roles in turn."""
    from pipeline_core.domain.model import ADMIN_ROLES, Role

    staff = iter(ADMIN_ROLES * users)
    return [Role.MANAGER if n % 10 < 3 else next(staff) for n in range(users)]


def sign_in_all(roles: list[Any], dataset: str) -> list[str]:
    """A session of its own for every simulated user (a real password sign-in each)."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline_core.commands import auth
    from pipeline_core.commands.accounts import DEMO_PASSWORD, demo_username

    def one(role: Any) -> str:
        username = demo_username(role, dataset)
        return auth.sign_in(username=username, password=DEMO_PASSWORD, client="capacity benchmark").token

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, roles))


def sign_out_all(tokens: list[str]) -> None:
    from pipeline_core.commands import auth

    for token in tokens:
        auth.sign_out(token)


def make_users(apps: list[AppProcess], roles: list[Any], tokens: list[str], listeners: int) -> list[SimUser]:
    from pipeline_core.domain.model import Role

    users, listening = [], 0
    for n, (role, token) in enumerate(zip(roles, tokens, strict=True)):
        manager = role is Role.MANAGER
        listens = manager and listening < listeners
        listening += listens
        pages = MANAGER_PAGES[n % 2 :] + MANAGER_PAGES[: n % 2] if manager else STAFF_PAGES
        users.append(SimUser(apps[n % len(apps)].base, token, pages, listens))
    return users


# --- the writer -----------------------------------------------------------------------------------


class Writer:
    """Completes open tasks of the workspace at a steady rate, in a thread of this process, and
    notes when each completion committed (for the live push's latency)."""

    def __init__(self, workspace: Any, rate: float) -> None:
        self.workspace, self.rate = workspace, rate
        self.committed: dict[int, float] = {}  # task_id -> time.perf_counter() at commit
        self.refused = 0
        self.cpu_seconds = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="capacity-writer", daemon=True)

    def candidates(self, limit: int) -> list[tuple[int, int]]:
        """Open tasks outside the document stages, in random order."""
        from sqlalchemy import text

        from pipeline_core.domain.documents import COLLECTION_STAGE, VERIFICATION_STAGE
        from pipeline_core.store import db

        with db.read_session() as session:
            rows = session.execute(
                text(
                    "SELECT id, version FROM pipeline_tasks WHERE workspace_id = :ws"
                    " AND status IN ('pending', 'in-progress') AND task_type NOT IN (:a, :b)"
                    " ORDER BY random() LIMIT :limit"
                ),
                {"ws": self.workspace.id, "a": COLLECTION_STAGE, "b": VERIFICATION_STAGE, "limit": limit},
            ).all()
        return [(row[0], row[1]) for row in rows]

    def _complete(self, task_id: int, version: int) -> None:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        from pipeline_core.commands.tasks import complete_task
        from pipeline_core.domain.errors import PipelineError
        from pipeline_core.domain.model import Actor, Role
        from pipeline_core.store import db

        actor = Actor(user_id=None, name="Capacity writer", role=Role.MANAGER)
        with Session(db.get_engine()) as session:
            event.listen(
                session, "after_commit", lambda _: self.committed.setdefault(task_id, time.perf_counter())
            )
            try:
                complete_task(
                    session=session, workspace=self.workspace, actor=actor, task_id=task_id, version=version
                )
            except PipelineError:
                self.refused += 1

    def _run(self) -> None:
        started = time.thread_time()
        todo = self.candidates(max(100, int(self.rate * 4000)))
        next_at = time.monotonic()
        while todo and not self.stop.wait(max(0.0, next_at - time.monotonic())):
            self._complete(*todo.pop())
            next_at += 1 / self.rate
        self.cpu_seconds = time.thread_time() - started

    def start(self) -> None:
        if self.rate > 0:
            self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=60)


# --- the run and its report -----------------------------------------------------------------------


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


async def report_periods(apps: list[AppProcess], tally: Tally, every: float, stop: asyncio.Event) -> None:
    """Once the window opens: a line every `every` seconds (runs finished and their p95, CPU and RSS
    per process)."""
    while tally.window == (0.0, 0.0):
        await asyncio.sleep(0.2)
    since = tally.window[0]
    for app in apps:
        app.start_clock()
        app.rss.append(app.rss_mb())
    clocks = [(app.cpu_seconds(), time.monotonic()) for app in apps]
    period = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, since + every - time.monotonic()))
        if stop.is_set():
            break
        period += 1
        runs = tally.finished(since, since + every)
        _, p95, _ = percentiles(run.ms for run in runs)
        now = time.monotonic()
        parts = []
        for n, app in enumerate(apps):
            cpu, wall = clocks[n]
            seconds = app.cpu_seconds()
            clocks[n] = (seconds, now)
            app.rss.append(app.rss_mb())
            parts.append(
                f"p{n + 1} CPU {(seconds - cpu) / (now - wall) * 100:5.1f} % RSS {app.rss[-1]:6.1f} MB"
            )
        print(
            f"  [{period * every / 60:5.1f} min] {len(runs) / every:5.1f} runs/s, p95 {p95:7.0f} ms, "
            f"errors {sum(tally.errors.values())}; " + "; ".join(parts),
            flush=True,
        )
        since += every


def live_latencies(writer: Writer | None, tally: Tally, listeners: int) -> tuple[list[float], int]:
    """Commit → arrival (ms) of every (completion, listening stream) pair, and the pairs missing
    (completions committed inside the window more than 10 s before its end)."""
    if writer is None or listeners == 0:
        return [], 0
    start, end = tally.window
    offset = time.perf_counter() - time.monotonic()  # the window is in monotonic time
    samples: list[float] = []
    missing = 0
    for task_id, committed in list(writer.committed.items()):
        if not start + offset <= committed < end + offset - 10:
            continue
        got = [arrived for arrived in tally.arrivals.get(task_id, {}).values() if arrived >= committed]
        samples.extend((arrived - committed) * 1000 for arrived in got)
        missing += listeners - len(got)
    return samples, missing


def print_report(
    args: argparse.Namespace, apps: list[AppProcess], tally: Tally, extra: dict[str, Any]
) -> None:
    seconds = tally.window[1] - tally.window[0]
    runs = tally.measured()
    print()
    print("| page | runs | p50 ms | p95 ms | max ms | KB/run | messages/run |")
    print("|---|---|---|---|---|---|---|")
    pages = sorted({run.page for run in runs}, key=lambda page: PAGE_LABELS.get(page, page))
    for page in [*pages, None]:
        chosen = [run for run in runs if page in (None, run.page)]
        p50, p95, most = percentiles(run.ms for run in chosen)
        kb = sum(run.kb for run in chosen) / max(1, len(chosen))
        messages = sum(run.messages for run in chosen) / max(1, len(chosen))
        label = "all" if page is None else PAGE_LABELS.get(page, page)
        print(f"| {label} | {len(chosen)} | {p50:.0f} | {p95:.0f} | {most:.0f} | {kb:.1f} | {messages:.0f} |")
    f50, f95, _ = percentiles(run.ms for run in tally.first_runs)
    print()
    print(
        f"runs/s served {len(runs) / seconds:.1f} (asked {args.users / args.interval:.1f}); "
        f"ticks skipped while a run was going: {tally.skipped}; fragment runs: {tally.fragment_runs}"
    )
    print(f"first runs (new sessions): {len(tally.first_runs)}, p50 {f50:.0f} ms, p95 {f95:.0f} ms")
    errors = sum(tally.errors.values())
    print(
        f"errors: {errors}"
        + ("" if not errors else " — " + ", ".join(f"{k} {v}" for k, v in tally.errors.items()))
    )
    for sample in tally.error_samples:
        print(f"  {sample}")
    print()
    # CPU per run: less at the mercy of other programs on the machine than a run's latency.
    print("| process | runs/s | CPU % of a core | CPU ms/run | RSS start MB | max | end | per hour |")
    print("|---|---|---|---|---|---|---|---|")
    for n, app in enumerate(apps):
        served = sum(1 for run in runs if run.base == app.base) / seconds
        cpu = app.cpu_percent()
        rss = app.rss or [float("nan")]
        hourly = f"{(rss[-1] - rss[0]) / seconds * 3600:+.0f} MB" if seconds >= SOAK_SECONDS else "—"
        print(
            f"| {n + 1} ({app.base}) | {served:.1f} | {cpu:.0f} | {cpu * 10 / max(served, 1e-9):.0f} | "
            f"{rss[0]:.0f} | {max(rss):.0f} | {rss[-1]:.0f} | {hourly} |"
        )
    print()
    print(f"client (this process, one asyncio thread + the writer): CPU {extra['client_cpu']:.0f} % of a core"
          f" (writer thread {extra['writer_cpu']:.1f} %)")  # fmt: skip
    writer: Writer | None = extra["writer"]
    if writer is not None:
        done = len(writer.committed)
        print(
            f"writer: {done} completions ({done / extra['writer_seconds']:.2f}/s, "
            f"asked {args.writes_per_second:.2f}/s), {writer.refused} refused"
        )
    samples, missing = live_latencies(writer, tally, tally.listeners_ready)
    l50, l95, lmax = percentiles(samples)
    print(
        f"live push: {tally.listeners_ready} listening streams, {len(samples)} arrivals, commit → event "
        f"p50 {l50:.0f} ms, p95 {l95:.0f} ms, max {lmax:.0f} ms; {missing} missing; "
        f"{tally.live_reconnects} streams resumed after the server ended them (10-minute maximum age)"
    )
    print(f"machine CPU {extra['machine_cpu']:.0f} % of {psutil.cpu_count()} cores; "
          f"load average before {extra['load_before']}, after {load_average()}")  # fmt: skip


async def measure(
    args: argparse.Namespace, apps: list[AppProcess], users: list[SimUser], writer: Writer | None
) -> None:
    tally = Tally()
    stop = asyncio.Event()
    load_before = load_average()
    client = psutil.Process()
    psutil.cpu_percent()  # the machine's counter starts here
    reporter = asyncio.create_task(report_periods(apps, tally, args.report_every, stop))
    simulation = asyncio.create_task(
        simulate(
            users, tally, seconds=args.seconds, interval=args.interval, ramp=args.ramp, timeout=args.timeout
        )
    )
    while tally.window == (0.0, 0.0) and not simulation.done():
        await asyncio.sleep(0.2)
    client_start, writer_start = client.cpu_times(), time.monotonic()
    psutil.cpu_percent()
    if writer is not None:
        writer.start()
    await simulation
    machine_cpu = psutil.cpu_percent()
    if writer is not None:
        writer.finish()
    stop.set()
    await reporter
    for app in apps:
        app.rss.append(app.rss_mb())
    client_end, wall = client.cpu_times(), time.monotonic() - writer_start
    used = (client_end.user + client_end.system) - (client_start.user + client_start.system)
    extra = {
        "client_cpu": used / wall * 100,
        "writer_cpu": (writer.cpu_seconds if writer else 0.0) / wall * 100,
        "writer": writer,
        "writer_seconds": wall,
        "machine_cpu": machine_cpu,
        "load_before": load_before,
    }
    print_report(args, apps, tally, extra)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1, help="app processes to start")
    parser.add_argument(
        "--url", action="append", default=[], help="a running app process (repeatable; on the same servers)"
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured window")
    parser.add_argument(
        "--soak-minutes", type=float, default=0.0, help="a long window instead: a line a minute"
    )
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a user's reruns")
    parser.add_argument("--ramp", type=float, default=None, help="seconds to connect everyone (users / 10)")
    parser.add_argument("--timeout", type=float, default=60.0, help="a run longer than this is an error")
    parser.add_argument("--dataset", default="scale-100k")
    parser.add_argument("--listeners", type=int, default=10, help="managers that also listen to /live/events")
    parser.add_argument("--writes-per-second", type=float, default=1.0)
    parser.add_argument("--report-every", type=float, default=60.0, help="seconds between progress lines")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL"), help="default: a redis-server of the run's own"
    )
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="KEY=VALUE",
        help="environment of the started app processes, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.url and not args.redis_url:
        parser.error("--url needs --redis-url (or REDIS_URL): the Redis those processes use")
    if args.soak_minutes:
        args.seconds = args.soak_minutes * 60
    if args.ramp is None:
        args.ramp = max(2.0, args.users / 10)
    return args


@contextlib.contextmanager
def own_redis() -> Iterator[str]:
    """A redis-server of this run's own on a free port, stopped at the end. Pub/sub channels are
    server-wide (not per database number): on a shared server another deployment's live events
    reach this run's listeners and spoil the push's figures (docs/benchmarks.md, "Capacity")."""
    import redis

    if shutil.which("redis-server") is None:
        print(f"no redis-server on PATH: using {DEFAULT_REDIS}, shared with whatever else uses it")
        yield DEFAULT_REDIS
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    folder = tempfile.mkdtemp(prefix="capacity-redis-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        redis_url = args.redis_url or stack.enter_context(own_redis())
        os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = args.database_url, redis_url
        os.environ["PIPELINE_SEED_DEMO"] = "false"
        run(args)


def run(args: argparse.Namespace) -> None:
    from pipeline_core.seed import bootstrap

    workspace = prepare_servers(args.database_url, args.dataset)
    roles = roles_of(args.users)
    clock = time.perf_counter()
    tokens = sign_in_all(roles, args.dataset)
    print(f"{len(tokens)} sessions signed in ({time.perf_counter() - clock:.1f} s)", flush=True)
    env = dict(item.split("=", 1) for item in args.server_env)
    try:
        with app_processes(args.processes, args.url, env) as apps:
            managers = sum(1 for role in roles if role.value == "manager")
            print(
                f"capacity: {args.users} users ({managers} managers, {args.users - managers} staff) on "
                f"{len(apps)} process(es), {args.dataset}, {args.seconds:.0f} s measured, a rerun every "
                f"{args.interval:g} s each, writer {args.writes_per_second:g}/s"
                + (f", server env {' '.join(args.server_env)}" if args.server_env else ""),
                flush=True,
            )
            users = make_users(apps, roles, tokens, args.listeners)
            writer = Writer(workspace, args.writes_per_second) if args.writes_per_second > 0 else None
            asyncio.run(measure(args, apps, users, writer))
    finally:
        sign_out_all(tokens)
        bootstrap.shutdown()


if __name__ == "__main__":
    random.seed(21)
    main()
