"""`GET /metrics`: off by default (404, never the sign-in page); when enabled, guarded by its token,
every family present and moving after a page run, an API call, a cache miss and hit, a live
connect and disconnect; the business figures equal the overview's; no name in any label."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import route_label
from pipeline_core.app import actions, api_access, dashboard, metrics, user_admin
from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.model import Role, Workspace
from pipeline_core.store import cache
from tests.conftest import start_app, stop_app
from tests.ui.conftest import open_page, viewer

TOKEN = "scrape-secret-for-tests"


@pytest.fixture(scope="module")
def metered_app(servers: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An app with metrics on (and JSON log lines): its address and its log file."""
    log = tmp_path_factory.mktemp("metered") / "app.log"
    process, base = start_app(
        log,
        METRICS_ENABLED="true",
        METRICS_TOKEN=TOKEN,
        PIPELINE_LIVE_HEARTBEAT_SECONDS="0.2",
        LOG_FORMAT="json",
    )
    yield base, log
    stop_app(process)


@pytest.fixture
def metered(metered_app: tuple[str, Path]) -> str:
    return metered_app[0]


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(base: str) -> tuple[str, Samples]:
    answer = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return answer.text, parse(answer.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def test_metrics_are_off_by_default_and_answer_404_not_the_sign_in_page(app_server: str) -> None:
    answer = httpx.get(f"{app_server}/metrics")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_token_guards_the_metrics(metered: str) -> None:
    assert httpx.get(f"{metered}/metrics").status_code == 401
    assert httpx.get(f"{metered}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_every_family_moves_with_the_work_it_counts(metered: str, demo13: Workspace) -> None:
    boss = viewer(demo13, Role.SUPER_ADMIN)
    manager_id = next(p.id for p in user_admin.users(boss) if p.username == "manager@demo-13")
    token = api_access.create_token(boss, "metrics test", user_id=manager_id).token
    cache.clear_workspace(demo13.id)
    _, before = scrape(metered)

    api = httpx.Client(base_url=metered, headers={"Authorization": f"Bearer {token}"})
    for _ in range(2):  # the first computes (a cache miss), the second is served from Redis
        assert api.get("/api/v1/pipeline/health").status_code == 200
    signed_in = httpx.Client(base_url=metered)
    signed_in.post(
        "/auth/login",
        data={"username": "manager@demo-13", "password": DEMO_PASSWORD},
        headers={"Origin": metered},
    )
    with signed_in.stream("GET", "/live/events") as stream:
        next(stream.iter_lines())  # connected: the first frame came
    text, after = scrape(metered)

    route = "/api/v1/pipeline/health"
    assert (
        value(after, "umrah_http_requests_total", route=route, method="GET", status="200")
        == value(before, "umrah_http_requests_total", route=route, method="GET", status="200") + 2
    )
    assert total(after, "umrah_http_request_duration_seconds_count", route=route) >= 2
    assert total(after, "umrah_cache_requests_total", view="health", outcome="miss") > total(
        before, "umrah_cache_requests_total", view="health", outcome="miss"
    )
    assert total(after, "umrah_cache_requests_total", view="health", outcome="hit") > total(
        before, "umrah_cache_requests_total", view="health", outcome="hit"
    )
    assert total(after, "umrah_db_query_duration_seconds_count", query="reads.queries.pipeline_health") > 0
    assert total(after, "umrah_live_connects_total") == total(before, "umrah_live_connects_total") + 1
    # the stream's end is seen at its next write (a keepalive every 0.2 s here)
    for _ in range(50):
        text, after = scrape(metered)
        if total(after, "umrah_live_disconnects_total", reason="client") > total(
            before, "umrah_live_disconnects_total", reason="client"
        ):
            break
    else:
        pytest.fail("the closed stream was never counted as disconnected")
    assert value(after, "umrah_live_streams_open") == 0

    health = dashboard.pipeline_health(viewer(demo13, Role.MANAGER))
    for status, count in (
        ("on-track", health.on_track),
        ("at-risk", health.at_risk),
        ("overdue", health.overdue),
    ):
        assert value(after, "umrah_jamaah", workspace="demo-13", status=status) == count
    assert "umrah_open_tasks" in text and "umrah_db_pool_checked_out" in text
    assert "manager@demo-13" not in text and "Bearer" not in text


def test_a_page_run_is_timed_by_page_and_an_error_counted(demo13: Workspace) -> None:
    def runs() -> float:
        return total(
            parse(metrics.exposition().decode()),
            "umrah_script_run_duration_seconds_count",
            page="bottlenecks",
        )

    before = runs()
    at = open_page("bottlenecks")
    assert not at.exception
    assert runs() == before + 1


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/api/v1/pipeline/tasks/123/complete", "/api/v1/pipeline/tasks/{id}/complete"),
        ("/api/v1/jamaah/98765", "/api/v1/jamaah/{id}"),
        ("/static/js/index.abc123.js", "/static"),
        ("/assets/live.4f2a.js", "/assets"),
        ("/_stcore/host-config", "/_stcore/other"),
        ("/task_queue", "/page"),
        ("/jamaah?q=Siti%20Aminah", "/page"),
        ("/metrics", "/metrics"),
    ],
)
def test_route_labels_are_templates_without_ids_or_searches(path: str, label: str) -> None:
    assert route_label(path) == label


def test_each_request_is_one_json_log_line_with_its_request_id(
    metered_app: tuple[str, Path], demo13: Workspace
) -> None:
    base, log = metered_app
    answer = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "probe-1234abcd"})
    assert answer.headers["x-request-id"] == "probe-1234abcd"
    fresh = httpx.get(f"{base}/readyz").headers["x-request-id"]
    assert len(fresh) == 32 and fresh != "probe-1234abcd"
    boss = viewer(demo13, Role.SUPER_ADMIN)
    manager_id = next(p.id for p in user_admin.users(boss) if p.username == "manager@demo-13")
    token = api_access.create_token(boss, "log test", user_id=manager_id).token
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "probe-api-5678efgh"}
    assert httpx.get(f"{base}/api/v1/pipeline/health", headers=headers).status_code == 200
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    mine = {line["request_id"]: line for line in lines if line.get("logger") == "umrah.access"}
    assert (mine["probe-1234abcd"]["route"], mine["probe-1234abcd"]["status"]) == ("/healthz", 200)
    assert (mine[fresh]["route"], mine[fresh]["status"]) == ("/readyz", 200)
    api = mine["probe-api-5678efgh"]
    assert (api["route"], api["status"], api["user_id"], api["workspace"]) == (
        "/api/v1/pipeline/health",
        200,
        manager_id,
        "demo-13",
    )
    assert api["duration_ms"] >= 0 and token not in log.read_text()


def test_a_committed_change_counts_as_published(fresh_demo13: Workspace) -> None:
    def published() -> float:
        return total(
            parse(metrics.exposition().decode()), "umrah_live_events_published_total", kind="task.completed"
        )

    before = published()
    manager = viewer(fresh_demo13, Role.MANAGER)
    task = dashboard.task_queue_page(manager, limit=1).items[0]
    actions.complete_task(manager, task.id, task.version)
    assert published() == before + 1
