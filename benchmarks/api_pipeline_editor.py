"""The pipeline editor through the HTTP API at scale: the same walk as `pipeline_editor.py`, as a
program makes it — a draft, one SLA cut, the preview, the publish (If-Match), the migration's
preview and the migration of every open jamaah, then the version list — each call timed end to end
(routing, the token's check, validation, the core, serialisation), in process (the ASGI app of
`api.v1`, no network). Prints figures; never asserts on time. The dataset is changed: load it again
before other benchmarks.

    PIPELINE_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/api_pipeline_editor.py --dataset scale-100k
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from api.v1 import create_api
from api.v1.auth import Limits
from pipeline_core.app import Viewer, dashboard, sessions
from pipeline_core.app.api_access import create_token
from pipeline_core.domain.model import Role
from pipeline_core.seed import bootstrap, datasets

UNLIMITED = Limits(per_caller=1_000_000, per_address=1_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="scale-100k", choices=list(datasets.DATASETS))
    args = parser.parse_args()
    bootstrap.prepare(seed_demo=False)
    try:
        started = time.perf_counter()
        datasets.load_dataset(args.dataset, reset=True, demo_accounts=True)
        print(f"load {args.dataset}: {time.perf_counter() - started:.1f} s")
        run(args.dataset)
    finally:
        bootstrap.shutdown()


def token_of_manager(slug: str) -> str:
    workspace = dashboard.workspace(slug)
    name = sessions.demo_username(Role.MANAGER, slug)
    user = sessions.sign_in(username=name, password=sessions.DEMO_PASSWORD).user
    return create_token(Viewer(workspace=workspace, actor=user.actor), "benchmark").token


def timed(client: TestClient, label: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    started = time.perf_counter()
    answer = client.request(method, f"/api/v1/pipeline{path}", **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<34} {answer.status_code}  {seconds:6.2f} s")
    if answer.status_code >= 300:
        raise SystemExit(f"{label}: {answer.text[:500]}")
    return answer


def run(slug: str) -> None:
    site = Starlette(routes=[Mount("/api", app=create_api(UNLIMITED))])
    auth = {"Authorization": f"Bearer {token_of_manager(slug)}"}
    with TestClient(site, base_url="http://testserver") as client:
        head = timed(client, "GET versions", "GET", "/versions", headers=auth).json()["head"]
        draft = timed(client, "POST drafts (from the head)", "POST", "/drafts", headers=auth, json={}).json()
        rows = [{k: v for k, v in s.items() if k != "position"} for s in draft["stages"]]
        rows = [r | {"sla_hours": 24} if r["code"] == "document-collection" else r for r in rows]
        path = f"/drafts/{draft['id']}"
        timed(client, "PATCH draft (one SLA cut)", "PATCH", path, headers=auth, json={"stages": rows})
        for attempt in (1, 2, 3):
            figures = timed(
                client, f"POST preview (run {attempt})", "POST", f"{path}/preview", headers=auth
            ).json()
        print(f"  {figures['jamaah']:,} open jamaah, {figures['changed']:,} would change status")
        publish_headers = {**auth, "If-Match": f'"v{head}"'}
        timed(client, "POST publish", "POST", f"{path}/publish", headers=publish_headers)
        body = {"from_version_no": head}
        timed(client, "POST migrations/preview", "POST", "/migrations/preview", headers=auth, json=body)
        started = time.perf_counter()
        moved = timed(
            client, "POST migrations (all, sync)", "POST", "/migrations", headers=auth, json=body
        ).json()
        seconds = time.perf_counter() - started
        print(
            f"  moved {moved['moved']:,} ({moved['moved'] / seconds:,.0f}/s), remaining {moved['remaining']}"
        )
        lines = timed(client, "GET versions", "GET", "/versions", headers=auth).json()["items"]
        print(
            "  open jamaah per version: "
            + ", ".join(f"v{v['version_no']} {v['open_jamaah']:,}" for v in lines)
        )


if __name__ == "__main__":
    main()
