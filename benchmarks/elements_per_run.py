"""What one script run of a page sends, and what it costs the server's CPU.

For each page and role (the signed-in demo account of that role, through the UI's one seam for the
session, as benchmarks/script_runs.py does) the whole app (ui.py: sidebar, navigation, the page)
runs in AppTest, once untimed (imports, the session's first run, cache filled), then `--runs`
times. Per run, as the script runner hands them on (`ScriptRunner._enqueue_forward_msg`, the point
where a real server passes each message to the event loop, after Streamlit has serialised and
hashed it):

- **msgs**: ForwardMsgs of the run (deltas, page info, script-finished…);
- **elements** / **blocks**: `new_element` and `add_block` deltas (a container, column, row,
  fragment or form is a block; everything drawn in one is an element);
- **KB**: the bytes of those messages serialised (`ByteSize()`; a browser that already holds a
  large element is sent a reference instead, so this is the upper bound of the wire);
- **CPU ms**: `time.thread_time()` of the script thread for the run (the page's Python, the reads'
  Python, Streamlit's per-message work), p50 of the runs; **wall ms** beside it.

The per-element kinds of the largest page are printed with `--kinds`. Prints figures; never
asserts. The machine's load average is printed with them: CPU ms grow with contention.

    .venv/bin/python benchmarks/elements_per_run.py                         # demo-2000, scale-10k
    .venv/bin/python benchmarks/elements_per_run.py --datasets demo-2000 --runs 5 --kinds
    PIPELINE_DATA_DIR=/tmp/bench-data .venv/bin/python benchmarks/elements_per_run.py

Embedded servers unless DATABASE_URL / REDIS_URL are set; missing datasets are loaded first.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from benchmarks.render_pages import QUIET_IN_APPTEST, ensure_manager  # noqa: E402
from benchmarks.script_runs import signed_in_as  # noqa: E402


@dataclass(frozen=True)
class Case:
    page: str
    role: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.page} · {self.role}" + (f" ({extra})" if extra else "")


CASES = (
    Case("task_queue", "manager"),
    Case("task_queue", "visa-admin"),
    Case("task_queue", "document-admin"),
    Case("overview", "manager"),
    Case("bottlenecks", "manager"),
    Case("departures", "manager"),
    Case("departures", "manager", (("window", "30"),)),
)


@dataclass
class RunCount:
    msgs: int = 0
    elements: int = 0
    blocks: int = 0
    bytes: int = 0
    cpu_ms: float = 0.0
    kinds: collections.Counter[str] = field(default_factory=collections.Counter)


class Counting:
    """Counts what the script runner enqueues and the script thread's CPU, per run."""

    def __init__(self) -> None:
        self.now = RunCount()
        self.lock = threading.Lock()

    def install(self) -> None:
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache
        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
        from streamlit.testing.v1 import app_test, local_script_runner

        # A server compiles each script once (one ScriptCache for the process); AppTest makes a new
        # cache for every run, which would add compiling ui.py and the page to each run measured.
        shared = ScriptCache()
        app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]

        enqueue = ScriptRunner._enqueue_forward_msg
        run_script = ScriptRunner._run_script

        @functools.wraps(enqueue)
        def counted(runner: Any, msg: Any) -> None:
            enqueue(runner, msg)
            with self.lock:
                self.now.msgs += 1
                self.now.bytes += msg.ByteSize()
                if msg.WhichOneof("type") == "delta":
                    kind = msg.delta.WhichOneof("type")
                    if kind == "new_element":
                        self.now.elements += 1
                        self.now.kinds[msg.delta.new_element.WhichOneof("type") or "?"] += 1
                    elif kind == "add_block":
                        self.now.blocks += 1
                        self.now.kinds["block:" + (msg.delta.add_block.WhichOneof("type") or "?")] += 1

        @functools.wraps(run_script)
        def timed(runner: Any, rerun_data: Any) -> None:
            start = time.thread_time()
            try:
                run_script(runner, rerun_data)
            finally:
                with self.lock:
                    self.now.cpu_ms += (time.thread_time() - start) * 1000

        ScriptRunner._enqueue_forward_msg = counted  # type: ignore[method-assign,assignment]
        ScriptRunner._run_script = timed  # type: ignore[method-assign,assignment]

    def take(self) -> RunCount:
        with self.lock:
            taken, self.now = self.now, RunCount()
        return taken


@dataclass
class Measured:
    runs: list[RunCount]
    wall_ms: list[float]

    def p50(self, pick: Callable[[RunCount], float]) -> float:
        return statistics.median(pick(run) for run in self.runs)


def measure(case: Case, dataset: str, runs: int, counting: Counting) -> Measured:
    from streamlit.testing.v1 import AppTest

    from pipeline_core.commands.auth import demo_username
    from pipeline_core.domain.model import Role

    signed_in_as(demo_username(Role(case.role), dataset))
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=600)
    at.switch_page(f"app_pages/{case.page}.py")
    for key, value in (("dataset", dataset), *case.params):
        at.query_params[key] = value

    def run() -> float:
        start = time.perf_counter()
        at.run()
        took = (time.perf_counter() - start) * 1000
        if at.exception:
            raise RuntimeError(f"{case.title}: {at.exception}")
        return took

    run()  # imports, the session's first run, caches filled
    counting.take()
    found = Measured([], [])
    for _ in range(runs):
        found.wall_ms.append(run())
        found.runs.append(counting.take())
    return found


def report(dataset: str, results: dict[Case, Measured], kinds: bool) -> None:
    load = os.getloadavg()
    print(f"\n{dataset} — load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    header = f"{'page · role':<44} {'msgs':>5} {'elements':>8} {'blocks':>6} {'KB':>7} {'CPU ms':>7}"
    header += f" {'wall ms':>7}"
    print(header)
    print("-" * len(header))
    for case, found in results.items():
        print(
            f"{case.title:<44} {found.p50(lambda r: r.msgs):>5.0f} {found.p50(lambda r: r.elements):>8.0f} "
            f"{found.p50(lambda r: r.blocks):>6.0f} {found.p50(lambda r: r.bytes) / 1024:>7.1f} "
            f"{found.p50(lambda r: r.cpu_ms):>7.1f} {statistics.median(found.wall_ms):>7.1f}"
        )
    if kinds:
        for case, found in results.items():
            last = found.runs[-1].kinds
            print(f"  {case.title}: " + ", ".join(f"{k} {n}" for k, n in last.most_common()))


def main() -> int:
    import logging

    from pipeline_core.seed import bootstrap, datasets
    from pipeline_core.store.config import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(datasets.DATASETS),
        default=["demo-2000", "scale-10k"],
        metavar="NAME",
    )
    parser.add_argument("--pages", nargs="+", choices=sorted({c.page for c in CASES}), metavar="PAGE")
    parser.add_argument("--runs", type=int, default=9, help="measured runs per page and role")
    parser.add_argument("--kinds", action="store_true", help="print the element kinds of each page")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.pages or c.page in args.pages]

    os.environ["PIPELINE_SEED_DEMO"] = "false"
    get_settings.cache_clear()
    settings = get_settings()
    bootstrap.prepare(seed_demo=False)
    print(
        f"PostgreSQL {'embedded' if settings.embedded_database else 'external'}, Redis "
        f"{'embedded' if settings.embedded_redis else 'external'}; {os.cpu_count()} CPU cores; "
        f"{args.runs} runs per page and role (p50)"
    )
    for noisy in QUIET_IN_APPTEST:
        logging.getLogger(noisy).disabled = True
    counting = Counting()
    counting.install()
    try:
        for name in args.datasets:
            if not datasets.dataset_exists(name):
                print(f"loading {name} …", flush=True)
                loaded = datasets.load_dataset(name)
                print(f"  {loaded.jamaah:,} jamaah in {loaded.seconds:.1f} s", flush=True)
            ensure_manager(name)
            results = {case: measure(case, name, args.runs, counting) for case in cases}
            report(name, results, args.kinds)
    finally:
        bootstrap.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
