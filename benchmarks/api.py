"""The HTTP API under load at scale-100k: a load generator against the real app process.

    .venv/bin/python benchmarks/api.py                                  # scale-100k, fresh data folder
    PIPELINE_DATA_DIR=/tmp/api-bench .venv/bin/python benchmarks/api.py # keeps the loaded dataset
    .venv/bin/python benchmarks/api.py --dataset demo-2000 --clients 1 10 --samples 50
    .venv/bin/python benchmarks/api.py --processes 2 --parts health complete  # both cores

Starts its own `streamlit run app.py` on a free port of 127.0.0.1 (the tests' `start_app`), on the
embedded servers of PIPELINE_DATA_DIR (or DATABASE_URL / REDIS_URL), loads the dataset with its demo
accounts unless it is there already, and makes a personal API token for its manager. The app runs
with the rate limits raised out of the way (PIPELINE_API_*_PER_MINUTE=1000000): this measures the
work of a request, and the limits are counted as usual (two Redis round trips per request).

The generator is a minimal HTTP/1.1 client on asyncio streams in this process (one keep-alive
connection per client; it writes a request and reads the status line, headers and body), not
locust nor httpx: it shares the machine's two cores with the server, and both of those spend
several milliseconds of CPU per request at 50 clients (httpx measured 7.5 ms, more than the app's
own 3 ms), so they would measure themselves. The CPU each side spent per request is printed next
to every figure ("srv cpu": the app processes, "gen cpu": this one). With `--processes 2`, two app
processes share PostgreSQL and Redis and the concurrent clients are spread over them (client i
on process i mod 2, as a load balancer spreads connections); the one-client reads go to the
first. Each figure is:
- **cached** reads: the same URL again and again, one client, after a first request filled the
  Redis cache (the cache key also turns with the minute, so a few samples may be misses);
- **uncached** reads: the workspace's cache cleared before each request (outside the timing), or,
  for the task page, a page number not asked before; the reads that are never cached (one task,
  one jamaah, the activity log, a page by cursor) are listed once;
- **requests/s** of `GET /pipeline/health` (cached) and of `POST /pipeline/tasks/{id}/complete`
  (each request completes another open task, with the If-Match its listing gave) at 1, 10 and 50
  concurrent clients; latency p50/p95 and the errors (any answer not 2xx, any transport error).
Prints figures; asserts nothing. Targets (issue 16): cached reads p95 ≤ 20 ms and ≥ 500
requests/s; task page p95 ≤ 50 ms uncached; complete p95 ≤ 50 ms; 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    os.environ.setdefault("PIPELINE_DATA_DIR", tempfile.mkdtemp(prefix="api-bench-"))
os.environ["PIPELINE_SEED_DEMO"] = "false"
os.environ["PIPELINE_API_RATE_PER_MINUTE"] = "1000000"
os.environ["PIPELINE_API_IP_RATE_PER_MINUTE"] = "1000000"

import httpx  # noqa: E402

from pipeline_core.app import Viewer, dashboard, sessions  # noqa: E402
from pipeline_core.app.api_access import create_token  # noqa: E402
from pipeline_core.domain.documents import COLLECTION_STAGE, VERIFICATION_STAGE  # noqa: E402
from pipeline_core.domain.errors import NotFound  # noqa: E402
from pipeline_core.domain.model import Role  # noqa: E402
from pipeline_core.seed import bootstrap  # noqa: E402
from pipeline_core.seed.datasets import load_dataset  # noqa: E402
from pipeline_core.store import cache  # noqa: E402
from tests.conftest import start_app, stop_app  # noqa: E402  (the tests' way to run the real app)

Request = tuple[str, str, dict[str, str]]  # method, path, headers
DOCUMENT_STAGES = (COLLECTION_STAGE, VERIFICATION_STAGE)


SERVER_PIDS: list[int] = []  # the app processes, for their CPU time


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0  # seconds of the app process's CPU during the run
    client_cpu: float = 0.0  # seconds of this process's CPU (the generator) during the run
    statuses: dict[int | str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")


class Connection:
    """One keep-alive HTTP/1.1 connection: a request at a time, the answer read to its end."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, headers: dict[str, str]) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Content-Length: 0"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = await reader.readuntil(b"\r\n\r\n")
        status, length, chunked = int(head[9:12]), 0, False
        for header in head.split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        elif length:
            await reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def drive(
    base: str | list[str],
    requests: Iterator[Request],
    clients: int,
    before_each: Callable[[], object] | None = None,
) -> Run:
    """`clients` workers, each on its own connection, take the next request until none is left;
    each request is timed on its own. With several app processes (`bases`), client i talks to
    process i mod n, as a load balancer spreading connections would."""
    run = Run()
    bases = [base] if isinstance(base, str) else base
    addresses = [b.removeprefix("http://").split(":") for b in bases]

    async def worker(index: int) -> None:
        host, port = addresses[index % len(addresses)]
        connection = Connection(host, int(port))
        for method, path, headers in requests:
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            status: int | str
            try:
                status = await asyncio.wait_for(connection.request(method, path, headers), 60)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                status = type(error).__name__
                connection.close()
            run.latencies_ms.append((time.perf_counter() - started) * 1000)
            run.statuses[status] = run.statuses.get(status, 0) + 1
            if not (isinstance(status, int) and 200 <= status < 300):
                run.errors += 1
        connection.close()

    started, client_cpu = time.perf_counter(), time.process_time()
    server_cpu = sum(cpu_seconds(pid) for pid in SERVER_PIDS)
    await asyncio.gather(*(worker(index) for index in range(clients)))
    run.seconds = time.perf_counter() - started
    run.client_cpu = time.process_time() - client_cpu
    run.server_cpu = sum(cpu_seconds(pid) for pid in SERVER_PIDS) - server_cpu
    return run


def line(name: str, run: Run) -> str:
    per = 1000 / run.count if run.count else float("nan")
    return (
        f"{name:<44} {run.count:>6} {run.p(0.5):>8.1f} {run.p(0.95):>8.1f} {run.per_second:>9.0f}"
        f" {run.errors:>7} {run.server_cpu * per:>9.2f} {run.client_cpu * per:>9.2f}"
    )


HEADER = (
    f"{'':<44} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>9} {'errors':>7}"
    f" {'srv cpu':>9} {'gen cpu':>9}   (cpu: ms per request)"
)


# --- the world --------------------------------------------------------------------------------


def prepare(dataset: str) -> tuple[int, str]:
    """The dataset (loaded if missing) and a fresh token of its demo manager: (workspace id, token)."""
    bootstrap.prepare(seed_demo=False)
    try:
        workspace = dashboard.workspace(dataset)
    except NotFound:
        started = time.perf_counter()
        load_dataset(dataset, reset=True, demo_accounts=True)
        print(f"loaded {dataset} in {time.perf_counter() - started:.0f} s")
        workspace = dashboard.workspace(dataset)
    signed_in = sessions.sign_in(
        username=sessions.demo_username(Role.MANAGER, dataset), password=sessions.DEMO_PASSWORD
    )
    viewer = Viewer(workspace=workspace, actor=signed_in.user.actor)
    return workspace.id, create_token(viewer, "benchmarks/api.py", days=1).token


async def open_tasks(
    client: httpx.AsyncClient, auth: dict[str, str], wanted: int
) -> list[tuple[int, int, int]]:
    """(task id, version, jamaah id) of `wanted` open tasks, walked by cursor (upcoming column: the
    tasks nobody is about to touch), none of a document stage: the document checklist may rightly
    refuse completing those (422, issue 19), which would count as errors here."""
    found: list[tuple[int, int, int]] = []
    params: dict[str, str | int] = {"limit": 100, "column": "upcoming"}
    while len(found) < wanted:
        body = (await client.get("/api/v1/pipeline/tasks", params=params, headers=auth)).json()
        found += [
            (item["id"], item["version"], item["jamaah_id"])
            for item in body["items"]
            if item["stage_code"] not in DOCUMENT_STAGES
        ]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    return found[:wanted]


async def deep_cursor(client: httpx.AsyncClient, auth: dict[str, str], pages: int) -> str:
    """The cursor `pages` pages of 100 into the manager's queue."""
    params: dict[str, str | int] = {"limit": 100}
    for _ in range(pages):
        body = (await client.get("/api/v1/pipeline/tasks", params=params, headers=auth)).json()
        params["cursor"] = body["next_cursor"]
    return str(params["cursor"])


async def measure(bases: list[str], workspace_id: int, token: str, args: argparse.Namespace) -> None:
    base = bases[0]
    auth = {"Authorization": f"Bearer {token}"}
    n = args.samples
    limits = httpx.Limits(
        max_connections=max(args.clients) + 5, max_keepalive_connections=max(args.clients) + 5
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        tasks = await open_tasks(client, auth, n + sum(args.complete_requests))
        print(f"{len(tasks)} open tasks listed by cursor for the reads and completions")
        if "reads" in args.parts:
            deep = await deep_cursor(client, auth, args.deep_pages)
            await reads_one_client(base, client, auth, workspace_id, tasks, deep, args)
        if "health" in args.parts:
            print(f"\nGET /pipeline/health (cached) by concurrent clients\n{HEADER}")
            for clients in args.clients:
                requests = iter([("GET", "/api/v1/pipeline/health", auth)] * args.health_requests * clients)
                run = await drive(bases, requests, clients)
                print(line(f"{clients} clients", run) + (f"  statuses {run.statuses}" if run.errors else ""))
        if "complete" in args.parts:
            await completions(bases, auth, tasks[n:], args)


async def reads_one_client(
    base: str,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    workspace_id: int,
    tasks: list[tuple[int, int, int]],
    deep: str,
    args: argparse.Namespace,
) -> None:
    n = args.samples
    reads = {
        "GET /pipeline/health": "/api/v1/pipeline/health",
        "GET /pipeline/stages": "/api/v1/pipeline/stages",
        "GET /pipeline/bottlenecks": "/api/v1/pipeline/bottlenecks",
        "GET /pipeline/departures?days=30": "/api/v1/pipeline/departures?days=30",
        "GET /pipeline/tasks (manager, page 1)": "/api/v1/pipeline/tasks?limit=20",
        "GET /pipeline/tasks?role=visa-admin": "/api/v1/pipeline/tasks?role=visa-admin&limit=20",
    }
    print(f"\nreads, one client\n{HEADER}")
    for name, path in reads.items():
        await client.get(path, headers=auth)  # fill the cache
        run = await drive(base, iter([("GET", path, auth)] * n), 1)
        print(line(f"{name}  cached", run))
    for name, path in reads.items():
        requests = iter([("GET", path, auth)] * max(10, n // 4))
        run = await drive(base, requests, 1, before_each=lambda: cache.clear_workspace(workspace_id))
        print(line(f"{name}  uncached", run))
    pages = iter([("GET", f"/api/v1/pipeline/tasks?limit=20&page={page}", auth) for page in range(2, 2 + n)])
    print(line("GET /pipeline/tasks?page=N  uncached (new N)", await drive(base, pages, 1)))
    cursor = iter([("GET", f"/api/v1/pipeline/tasks?limit=20&cursor={deep}", auth)] * n)
    print(line(f"GET /pipeline/tasks?cursor= ({args.deep_pages}00 deep)", await drive(base, cursor, 1)))
    one = iter([("GET", f"/api/v1/pipeline/tasks/{task_id}", auth) for task_id, _, _ in tasks[:n]])
    print(line("GET /pipeline/tasks/{id}  (never cached)", await drive(base, one, 1)))
    people = iter([("GET", f"/api/v1/jamaah/{jamaah}", auth) for _, _, jamaah in tasks[:n]])
    print(line("GET /jamaah/{id}  (never cached)", await drive(base, people, 1)))
    log = iter([("GET", "/api/v1/activity?limit=50", auth)] * n)
    print(line("GET /activity  (never cached)", await drive(base, log, 1)))


async def completions(
    bases: list[str],
    auth: dict[str, str],
    tasks: list[tuple[int, int, int]],
    args: argparse.Namespace,
) -> None:
    print(f"\nPOST /pipeline/tasks/{{id}}/complete by concurrent clients\n{HEADER}")
    left = iter(tasks)
    for clients, count in zip(args.clients, args.complete_requests, strict=True):
        batch = [next(left) for _ in range(count)]
        requests = iter(
            [
                ("POST", f"/api/v1/pipeline/tasks/{task_id}/complete", {**auth, "If-Match": f'"v{version}"'})
                for task_id, version, _ in batch
            ]
        )
        run = await drive(bases, requests, clients)
        print(line(f"{clients} clients", run) + (f"  statuses {run.statuses}" if run.errors else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="scale-100k")
    parser.add_argument("--samples", type=int, default=200, help="requests per read figure (default 200)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument(
        "--health-requests", type=int, default=40, help="cached health requests per client (default 40)"
    )
    parser.add_argument(
        "--complete-requests", type=int, nargs="+", default=[100, 300, 500], help="completions per level"
    )
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["reads", "health", "complete"],
        default=["reads", "health", "complete"],
        help="what to measure (default: all)",
    )
    parser.add_argument("--deep-pages", type=int, default=200, help="pages of 100 walked for the deep cursor")
    parser.add_argument(
        "--processes",
        type=int,
        choices=(1, 2),
        default=1,
        help="app processes sharing PostgreSQL and Redis; concurrent clients spread over them (default 1)",
    )
    args = parser.parse_args()
    if len(args.complete_requests) != len(args.clients):
        parser.error("give one --complete-requests per --clients")

    workspace_id, token = prepare(args.dataset)
    logs = Path(tempfile.mkdtemp(prefix="api-bench-app-"))
    started = [start_app(logs / f"app-{i}.log") for i in range(args.processes)]
    SERVER_PIDS[:] = [process.pid for process, _ in started]
    bases = [base for _, base in started]
    print(
        f"app on {', '.join(bases)} (logs in {logs}); {os.cpu_count()} CPU cores,"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    try:
        asyncio.run(measure(bases, workspace_id, token, args))
    finally:
        for process, _ in started:
            stop_app(process)
        print(
            f"\nload average at the end {os.getloadavg()[0]:.1f} (other work on the machine shares the cores)"
        )
        bootstrap.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
