"""The last hour's figures through Redis (every process's summed), the alerts they fire, and the
webhook that hears about a change — on a local HTTP receiver standing in for the operator's tool."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from pipeline_core.app import system
from pipeline_core.domain.alerts import evaluate
from pipeline_core.store import cache, ops_window

#: A minute of 2030, far from the real clock's keys (the running tests record there too).
AT = 1_900_000_020.0


@pytest.fixture
def clean(servers: None) -> Iterator[None]:
    client = cache.get_redis()
    for key in client.scan_iter("pl:ops:*"):
        client.delete(key)
    yield
    for key in client.scan_iter("pl:ops:*"):
        client.delete(key)


def an_hour_with(errors: int, query_s: float) -> None:
    for n in range(1000):
        ops_window.record_http(
            "/api/v1/pipeline/health", 500 if n < errors else 200, 0.02, at=AT - 60 * (n % 50)
        )
    ops_window.record_query("reads.queries.stage_stats", query_s, at=AT - 600)
    ops_window.record_query("reads.queries.stage_stats", 0.3, at=AT - 300)
    for outcome in ["hit"] * 90 + ["miss"] * 10:
        ops_window.record_cache(outcome, at=AT)
    ops_window.flush(cache.get_redis())


def test_the_hour_sums_the_flushed_figures_and_fires_at_the_thresholds(clean: None) -> None:
    an_hour_with(errors=11, query_s=1.2)
    hour = ops_window.hour_figures(cache.get_redis(), now=AT)
    assert (hour.requests, hour.server_errors, hour.api_requests) == (1000, 11, 1000)
    assert (hour.cache_hits, hour.cache_misses) == (90, 10)
    assert (hour.slowest_query, hour.slowest_query_s) == ("reads.queries.stage_stats", 1.2)
    assert hour.api_p95_s == 0.05  # every answer took 20 ms: the first bucket
    fired = {alert.name: alert for alert in evaluate(hour) if alert.firing}
    assert set(fired) == {"error_rate", "slow_query"}
    assert fired["error_rate"].value == pytest.approx(0.011)


def test_below_the_thresholds_nothing_fires(clean: None) -> None:
    an_hour_with(errors=9, query_s=0.9)
    assert not any(alert.firing for alert in evaluate(ops_window.hour_figures(cache.get_redis(), now=AT)))


def test_two_processes_flushes_add_up(clean: None) -> None:
    client = cache.get_redis()
    ops_window.record_http("/page", 200, 0.01, at=AT)
    ops_window.flush(client)  # one process
    ops_window.record_http("/page", 503, 0.01, at=AT)
    ops_window.flush(client)  # another (the same counters, flushed again)
    hour = ops_window.hour_figures(client, now=AT)
    assert (hour.requests, hour.server_errors, hour.api_requests) == (2, 1, 0)


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, object]]] = []
    fail_first: ClassVar[int] = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Receiver.fail_first > 0:
            Receiver.fail_first -= 1
            self.send_response(503)
        else:
            Receiver.received.append(body)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.fail_first = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_the_webhook_hears_each_change_once_and_a_failed_post_is_retried(clean: None, receiver: str) -> None:
    client = cache.get_redis()
    an_hour_with(errors=11, query_s=1.2)
    Receiver.fail_first = 1  # the operator's tool answers 503 once
    assert system.notify_changes(client, receiver, now=AT) == [
        ("error_rate", "firing"),
        ("slow_query", "firing"),
    ]
    assert [(m["alert"], m["status"]) for m in Receiver.received] == [
        ("error_rate", "firing"),
        ("slow_query", "firing"),
    ]
    assert (
        Receiver.received[1]["detail"] == "reads.queries.stage_stats" and Receiver.received[1]["value"] == 1.2
    )
    assert system.notify_changes(client, receiver, now=AT) == []  # still firing: nothing new to say
    later = AT + 2 * 3600  # the hour has passed: both resolved
    assert system.notify_changes(client, receiver, now=later) == [
        ("error_rate", "resolved"),
        ("slow_query", "resolved"),
    ]
    assert len(Receiver.received) == 4
