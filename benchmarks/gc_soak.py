"""Streamlit's garbage collection after every script run, on and off: a short soak of the real app.

    .venv/bin/python benchmarks/gc_soak.py                            # off, then on; 8 sessions, 3 min each
    .venv/bin/python benchmarks/gc_soak.py --gc false --minutes 10 --sessions 20

For each setting of `runner.postScriptGC`, its own `streamlit run app.py --runner.postScriptGC …`
(.streamlit/config.toml sets false; the flag overrides it), then `--sessions` signed-in manager
sessions over Streamlit's own websocket protocol (`BackMsg.rerun_script`, as the browser sends it),
each rerunning the overview and the task queue in turn, one run every `--interval` seconds, for
`--minutes`. Prints, per setting: runs served, script run p50 / p95 (from the rerun request to
`script_finished`, as the client sees it), the server's CPU per run, and its RSS once a minute (the
curve: flat is the point). The capacity benchmark (issue 21) does the full mix and the hour; this is
the setting's own before/after. Prints figures; never asserts on time. The client shares the
machine's cores with the server.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

import httpx  # noqa: E402
import psutil  # noqa: E402

from benchmarks.render_browser import ensure_manager, manager  # noqa: E402
from tests.ports import free_port  # noqa: E402

PAGES = ("", "task_queue")  # the overview (default page), the task queue


def start(python_gc: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)),
            *("--server.address", "127.0.0.1", "--server.headless", "true"),
            *("--runner.postScriptGC", python_gc),
        ],
        cwd=ROOT,
        env={**os.environ, "PIPELINE_SEED_DEMO": "false", "PIPELINE_BACKUP_DAILY": "false"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the app did not start; see {log}")


def sign_in(base: str, user: str) -> str:
    """The `Cookie` header of a signed-in browser (the sign-in form's POST)."""
    from pipeline_core.commands.accounts import DEMO_PASSWORD

    answer = httpx.post(
        f"{base}/auth/login", data={"username": user, "password": DEMO_PASSWORD}, headers={"Origin": base}
    )
    return "; ".join(f"{name}={value}" for name, value in answer.cookies.items())


async def session(
    base: str, cookie: str, dataset: str, until: float, interval: float, runs: list[float]
) -> None:
    """One browser tab: connect, then rerun a page, wait for `script_finished`, pause, repeat."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": cookie, "Origin": base}
    async with connect(url, additional_headers=headers, subprotocols=["streamlit"], max_size=None) as socket_:  # type: ignore[list-item]
        turn = 0
        while time.monotonic() < until:
            page = PAGES[turn % len(PAGES)]
            turn += 1
            asked = time.perf_counter()
            state = ClientState(query_string=f"dataset={dataset}", page_name=page)
            await socket_.send(BackMsg(rerun_script=state).SerializeToString())
            while True:
                message = ForwardMsg()
                message.ParseFromString(await socket_.recv())
                if message.WhichOneof("type") == "script_finished":
                    break
            if turn > 2:  # the first round of each session is its start-up, not the steady state
                runs.append((time.perf_counter() - asked) * 1000)
            await asyncio.sleep(interval)


async def soak(
    base: str,
    cookie: str,
    dataset: str,
    sessions: int,
    minutes: float,
    interval: float,
    server: psutil.Process,
) -> None:
    runs: list[float] = []
    until = time.monotonic() + minutes * 60
    cpu_before = sum(server.cpu_times()[:2])
    tabs = [
        asyncio.create_task(session(base, cookie, dataset, until, interval, runs)) for _ in range(sessions)
    ]
    curve = [server.memory_info().rss / 1e6]
    while not all(tab.done() for tab in tabs):
        await asyncio.sleep(min(60, max(1, until - time.monotonic())))
        curve.append(server.memory_info().rss / 1e6)
    await asyncio.gather(*tabs)
    cpu = sum(server.cpu_times()[:2]) - cpu_before
    quantiles = statistics.quantiles(runs, n=20)
    rate = len(runs) / (minutes * 60)
    print(
        f"  {len(runs)} runs ({rate:.1f}/s); script run p50 {statistics.median(runs):.0f} ms, "
        f"p95 {quantiles[18]:.0f} ms; server CPU {cpu * 1000 / max(1, len(runs)):.0f} ms per run "
        f"({cpu / (minutes * 60) * 100:.0f} % of a core)"
    )
    print("  RSS MB, once a minute: " + " ".join(f"{value:.0f}" for value in curve))


def main() -> int:
    from pipeline_core.seed import bootstrap, datasets
    from pipeline_core.store.config import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gc", nargs="+", default=["false", "true"], choices=["false", "true"])
    parser.add_argument("--dataset", default="demo-2000", choices=list(datasets.DATASETS))
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a session's runs")
    args = parser.parse_args()

    os.environ["PIPELINE_SEED_DEMO"] = "false"
    get_settings.cache_clear()
    bootstrap.prepare(seed_demo=False)
    try:
        if not datasets.dataset_exists(args.dataset):
            datasets.load_dataset(args.dataset)
        ensure_manager(args.dataset)
        print(
            f"{args.dataset}; {args.sessions} sessions, a run each every {args.interval} s; "
            f"{args.minutes} min per setting; load average {os.getloadavg()[0]:.2f}"
        )
        for setting in args.gc:
            with tempfile.TemporaryDirectory(prefix="gc-soak-") as folder:
                process, base = start(setting, Path(folder) / "app.log")
                try:
                    cookie = sign_in(base, manager(args.dataset))
                    print(f"runner.postScriptGC = {setting}")
                    asyncio.run(
                        soak(
                            base,
                            cookie,
                            args.dataset,
                            args.sessions,
                            args.minutes,
                            args.interval,
                            psutil.Process(process.pid),
                        )
                    )
                finally:
                    process.terminate()
                    process.wait(timeout=60)
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        bootstrap.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
