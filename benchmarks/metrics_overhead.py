"""What the metrics cost: an API request and a script run with and without them. Prints a table;
asserts nothing. Target (operations issue): ≤ 2 % on a script run and on an API request.

    PIPELINE_DATA_DIR=/tmp/metricsbench .venv/bin/python benchmarks/metrics_overhead.py

In one process, on demo-2000 (loaded if missing): the HTTP API app (api/v1, as mounted by app.py)
driven through Starlette's test client, in alternating rounds with the metrics middleware and the
per-statement SQL timing installed and removed, so both sides see the same machine load. Two
requests: the cached health (the fastest path, where a fixed cost weighs most) and an uncached
task search (SQL statements, each timed and named). For a script run: the cost of the page timer
plus the statements' timing, against the overview's run time measured with AppTest.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from api.metrics import HttpMetrics
from api.v1 import create_api
from pipeline_core.app import api_access, user_admin
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain.model import Role
from pipeline_core.seed import bootstrap
from pipeline_core.store import db, metrics
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import get_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ROUNDS, PER_ROUND = 6, 150


def client(with_metrics: bool, token: str) -> TestClient:
    middleware = [Middleware(HttpMetrics)] if with_metrics else []
    app = Starlette(routes=[Mount("/api", app=create_api())], middleware=middleware)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def sql_timing(on: bool) -> None:
    engine = db.get_engine()
    listeners = (
        ("before_cursor_execute", db._statement_starts),
        ("after_cursor_execute", db._statement_ends),
    )
    for name, listener in listeners:
        present = event.contains(engine, name, listener)
        if on and not present:
            event.listen(engine, name, listener)
        elif not on and present:
            event.remove(engine, name, listener)


def per_request_ms(http: TestClient, path: str) -> float:
    started = time.perf_counter()
    for _ in range(PER_ROUND):
        answer = http.get(path)
        assert answer.status_code == 200, answer.text
    return (time.perf_counter() - started) * 1000 / PER_ROUND


def compare(token: str, path: str) -> tuple[float, float]:
    plain, metered = client(False, token), client(True, token)
    off, on = [], []
    per_request_ms(plain, path)  # warm both
    per_request_ms(metered, path)
    for _ in range(ROUNDS):
        sql_timing(False)
        off.append(per_request_ms(plain, path))
        sql_timing(True)
        on.append(per_request_ms(metered, path))
    return statistics.median(off), statistics.median(on)


def statement_cost_us() -> float:
    """One statement's timing: the two listeners plus naming it by the stack (from a reads frame)."""
    from pipeline_core.reads import queries

    engine = db.get_engine()
    with engine.connect() as connection:
        n = 2000
        started = time.perf_counter()
        for _ in range(n):
            queries.__name__  # noqa: B018 - keep the import
            db._statement_starts(connection)
            db._statement_ends(connection)
        return (time.perf_counter() - started) * 1e6 / n


def page_run() -> tuple[float, int]:
    """The overview's script run (AppTest, signed in as the demo manager) and its statements."""
    from tests.ui.conftest import open_page

    counted = [0]

    def count(*_: object) -> None:
        counted[0] += 1

    engine = db.get_engine()
    open_page("overview", dataset="demo-2000")  # warm caches and imports
    event.listen(engine, "after_cursor_execute", count)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        open_page("overview", dataset="demo-2000")
        runs.append((time.perf_counter() - started) * 1000)
    event.remove(engine, "after_cursor_execute", count)
    return statistics.median(runs), counted[0] // 5


def timer_cost_us() -> float:
    n = 20000
    started = time.perf_counter()
    for _ in range(n):
        with metrics.script_run("overview"):
            pass
    return (time.perf_counter() - started) * 1e6 / n


def main() -> None:
    # thousands of requests a minute from one token: not what the rate limits are for
    os.environ.setdefault("PIPELINE_API_RATE_PER_MINUTE", "1000000")
    os.environ.setdefault("PIPELINE_API_IP_RATE_PER_MINUTE", "1000000")
    bootstrap.prepare(seed_demo=True)  # demo-13 and demo-2000, with their demo accounts
    with db.read_session() as session:
        ws = get_workspace(session, "demo-2000")
        manager_id = session.execute(
            select(t.User.id).where(t.User.workspace_id == ws.id, t.User.username == "manager@demo-2000")
        ).scalar_one()
    boss = system_viewer(ws, Role.SUPER_ADMIN)
    assert any(u.id == manager_id for u in user_admin.users(boss))
    token = api_access.create_token(boss, "metrics benchmark", user_id=manager_id, days=1).token

    print("| request | without metrics | with metrics | overhead |")
    print("|---|---|---|---|")
    for label, path in (
        ("GET /api/v1/pipeline/health (cached)", "/api/v1/pipeline/health"),
        ("GET /api/v1/pipeline/tasks?q=… (uncached, SQL)", "/api/v1/pipeline/tasks?q=Siti&limit=20"),
    ):
        off, on = compare(token, path)
        print(f"| {label} | {off:.2f} ms | {on:.2f} ms | {100 * (on - off) / off:+.1f} % |")

    run_ms, statements = page_run()
    statement_us, timer_us = statement_cost_us(), timer_cost_us()
    added_ms = (statements * statement_us + timer_us) / 1000
    print()
    print(f"overview script run (AppTest, demo-2000): {run_ms:.1f} ms, {statements} SQL statements")
    print(f"  per statement timed and named: {statement_us:.1f} µs; page timer: {timer_us:.1f} µs")
    print(f"  metrics per run: {added_ms:.3f} ms = {100 * added_ms / run_ms:.2f} % of the run")


if __name__ == "__main__":
    main()
