"""The plan's five alerts at their thresholds (domain/alerts.py)."""

from __future__ import annotations

import pytest

from pipeline_core.domain.alerts import HourFigures, evaluate


def figures(**changes: object) -> HourFigures:
    quiet = {
        "requests": 1000,
        "server_errors": 0,
        "api_requests": 500,
        "api_p95_s": 0.1,
        "slowest_query_s": None,
        "slowest_query": None,
        "cache_hits": 900,
        "cache_misses": 100,
        "disconnects_last_5min": 0,
        "disconnects_hour": 0,
    }
    return HourFigures(**{**quiet, **changes})  # type: ignore[arg-type]


def firing(hour: HourFigures) -> dict[str, bool]:
    return {alert.name: alert.firing for alert in evaluate(hour)}


def test_a_quiet_hour_fires_nothing() -> None:
    assert not any(firing(figures()).values())


@pytest.mark.parametrize(("errors", "fires"), [(11, True), (10, False), (9, False)])
def test_the_error_rate_fires_above_one_percent(errors: int, fires: bool) -> None:
    [alert] = [a for a in evaluate(figures(server_errors=errors)) if a.name == "error_rate"]
    assert alert.firing is fires and alert.value == errors / 1000


def test_a_few_requests_with_one_error_is_not_an_incident() -> None:
    assert not firing(figures(requests=3, server_errors=1))["error_rate"]


@pytest.mark.parametrize(("p95", "fires"), [(1.0, False), (2.5, True)])
def test_api_latency_fires_above_one_second(p95: float, fires: bool) -> None:
    assert firing(figures(api_p95_s=p95))["api_latency"] is fires


@pytest.mark.parametrize(("slowest", "fires"), [(1.2, True), (0.9, False), (None, False)])
def test_one_query_over_a_second_fires(slowest: float | None, fires: bool) -> None:
    [alert] = [
        a
        for a in evaluate(figures(slowest_query_s=slowest, slowest_query="reads.queries.x"))
        if a.name == "slow_query"
    ]
    assert alert.firing is fires and alert.value == slowest
    assert alert.detail == "reads.queries.x"


@pytest.mark.parametrize(("hits", "misses", "fires"), [(69, 31, True), (71, 29, False), (10, 30, False)])
def test_the_cache_hit_rate_fires_below_seventy_percent(hits: int, misses: int, fires: bool) -> None:
    assert firing(figures(cache_hits=hits, cache_misses=misses))["cache_hit_rate"] is fires


@pytest.mark.parametrize(("recent", "fires"), [(31, True), (30, False)])
def test_disconnects_fire_above_three_times_the_usual(recent: int, fires: bool) -> None:
    # the other 55 minutes saw 110 disconnects: 10 per 5 minutes, so the limit is 30
    hour = figures(disconnects_last_5min=recent, disconnects_hour=recent + 110)
    assert firing(hour)["live_disconnects"] is fires


def test_a_few_disconnects_on_a_quiet_hour_do_not_fire() -> None:
    assert not firing(figures(disconnects_last_5min=8, disconnects_hour=8))["live_disconnects"]
