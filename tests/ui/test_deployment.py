"""The deployment of docs/deploy.md, on this machine: two app processes behind Debian's nginx, run
with ops/nginx/umrah.conf over TLS and HTTP/2 (tests/nginx.py), sharing the test PostgreSQL and
Redis (the machine's services in CI's second pass). A user signed in through the proxy completes
a task on one replica; a second user's live stream on the other replica receives it; one replica
stops and the proxy keeps serving the signed-in user from the other."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.model import Workspace
from tests.conftest import start_app, stop_app
from tests.nginx import Proxy, nginx

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def deployment(
    servers: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proxy, dict[str, subprocess.Popen[str]]]]:
    """nginx (TLS, HTTP/2) in front of two app processes: (the proxy, {port: process})."""
    folder = tmp_path_factory.mktemp("deploy")
    replicas = {}
    for name in ("a", "b"):
        process, base = start_app(folder / f"app-{name}.log", PIPELINE_TRUSTED_PROXIES="127.0.0.1")
        replicas[base.rsplit(":", 1)[1]] = process
    try:
        with nginx(folder, list(replicas)) as proxy:
            yield proxy, replicas
    finally:
        for process in replicas.values():
            if process.poll() is None:
                stop_app(process)


def sign_in(proxy: Proxy, username: str) -> tuple[httpx.Client, str]:
    """A browser's cookie jar signed in through the proxy, and the replica port that answered."""
    base = proxy.base
    client = httpx.Client(base_url=base, timeout=15, verify=proxy.trust())
    answer = client.post(
        "/auth/login", data={"username": username, "password": DEMO_PASSWORD}, headers={"Origin": base}
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/"), answer.text
    return client, client.get("/auth/me").headers["x-upstream"].rsplit(":", 1)[1]


def test_two_replicas_behind_nginx_share_sign_in_and_live_changes_and_survive_one_stopping(
    deployment: tuple[Proxy, dict[str, subprocess.Popen[str]]], fresh_demo13: Workspace
) -> None:
    proxy, replicas = deployment
    base = proxy.base
    manager, manager_port = sign_in(proxy, "manager@demo-13")
    for _ in range(20):  # sticky by session cookie: sign the watcher in until it lands elsewhere
        watcher, watcher_port = sign_in(proxy, "super-admin@demo-13")
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


def test_the_proxy_speaks_http2_over_tls_and_sends_plain_http_to_https(
    deployment: tuple[Proxy, dict[str, subprocess.Popen[str]]],
) -> None:
    proxy, _ = deployment
    # A browser offering HTTP/2 gets it: a first visit's ~90 files travel on one connection.
    context = proxy.trust()
    context.set_alpn_protocols(["h2", "http/1.1"])
    host, port = proxy.base.removeprefix("https://").split(":")
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
    answer = httpx.get(f"{proxy.base}/readyz", verify=proxy.trust())
    assert answer.status_code == 200
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert answer.headers["server"] == "nginx"  # server_tokens off: no version
    plain = httpx.get(f"{proxy.plain}/auth/login?next=%2F")
    assert plain.status_code == 301
    assert plain.headers["location"] == "https://127.0.0.1/auth/login?next=%2F"
