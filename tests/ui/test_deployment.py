"""The deployment of docs/deploy.md, on this machine: two app processes behind Debian's nginx, run
with ops/nginx/umrah.conf, sharing the test PostgreSQL and Redis (the machine's services in CI's
second pass). A user signed in through the proxy completes a task on one replica; a second user's
live stream on the other replica receives it; one replica stops and the proxy keeps serving the
signed-in user from the other."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.model import Workspace
from tests.conftest import start_app, stop_app

CONFIG = Path(__file__).resolve().parents[2] / "ops" / "nginx" / "umrah.conf"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def deployment(
    servers: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, subprocess.Popen[str]]]]:
    """nginx on a free port in front of two app processes: (the proxy's address, {port: process})."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: run .ci/install-system-packages (Debian's nginx-light)"
    folder = tmp_path_factory.mktemp("deploy")
    replicas = {}
    for name in ("a", "b"):
        process, base = start_app(folder / f"app-{name}.log", PIPELINE_TRUSTED_PROXIES="127.0.0.1")
        replicas[base.rsplit(":", 1)[1]] = process
    ports, listen = list(replicas), _free_port()
    site = (
        CONFIG.read_text()
        .replace("{{PORT_A}}", ports[0])
        .replace("{{PORT_B}}", ports[1])
        .replace("{{LISTEN}}", f"127.0.0.1:{listen}")
        .replace("{{SERVER_NAME}}", "localhost")
    )
    (folder / "logs").mkdir()
    (folder / "nginx.conf").write_text(
        "worker_processes 1; pid nginx.pid; error_log logs/error.log;\n"
        "events { worker_connections 256; }\n"
        "http { access_log logs/access.log;\n"
        + "".join(
            f"{kind}_temp_path temp/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + site
        + "\n}\n"
    )
    (folder / "temp").mkdir()
    proxy = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", "nginx.conf", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{listen}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        proxy.kill()
        pytest.fail(f"nginx did not start: {proxy.stderr.read() if proxy.stderr else ''}")
    yield base, replicas
    proxy.terminate()
    proxy.wait(timeout=30)
    for process in replicas.values():
        if process.poll() is None:
            stop_app(process)


def sign_in(base: str, username: str) -> tuple[httpx.Client, str]:
    """A browser's cookie jar signed in through the proxy, and the replica port that answered."""
    client = httpx.Client(base_url=base, timeout=15)
    answer = client.post(
        "/auth/login", data={"username": username, "password": DEMO_PASSWORD}, headers={"Origin": base}
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/"), answer.text
    return client, client.get("/auth/me").headers["x-upstream"].rsplit(":", 1)[1]


def test_two_replicas_behind_nginx_share_sign_in_and_live_changes_and_survive_one_stopping(
    deployment: tuple[str, dict[str, subprocess.Popen[str]]], fresh_demo13: Workspace
) -> None:
    base, replicas = deployment
    manager, manager_port = sign_in(base, "manager@demo-13")
    for _ in range(20):  # sticky by session cookie: sign the watcher in until it lands elsewhere
        watcher, watcher_port = sign_in(base, "super-admin@demo-13")
        if watcher_port != manager_port:
            break
    else:
        pytest.fail("every session landed on one replica: the upstream hash is not spreading them")

    task = manager.get("/api/v1/pipeline/tasks", params={"column": "urgent", "limit": 1}).json()["items"][0]
    etag = manager.get(f"/api/v1/pipeline/tasks/{task['id']}").headers["etag"]
    with watcher.stream("GET", "/live/events", timeout=30) as stream:
        assert stream.headers["x-upstream"].endswith(f":{watcher_port}")
        lines = stream.iter_lines()
        next(line for line in lines if line.startswith("event: hello"))
        done = manager.post(
            f"/api/v1/pipeline/tasks/{task['id']}/complete",
            headers={"If-Match": etag, "Origin": base},
            json={},
        )
        assert done.status_code == 200, done.text
        assert done.headers["x-upstream"].endswith(f":{manager_port}")
        seen = []
        for line in lines:
            if line.startswith("data: ") and '"task_id"' in line:
                seen.append(json.loads(line[6:]))
                if any(event.get("task_id") == task["id"] for event in seen):
                    break
        assert any(event.get("task_id") == task["id"] for event in seen)

    stop_app(replicas[manager_port])  # the manager's replica goes away
    answer = manager.get("/api/v1/pipeline/health")
    assert answer.status_code == 200  # still signed in, served by the other replica
    assert answer.headers["x-upstream"].endswith(f":{watcher_port}")
    assert manager.get("/auth/me").json()["username"] == "manager@demo-13"
