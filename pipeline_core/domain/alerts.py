"""The plan's five alerts, evaluated over the last hour's figures (pure; the System page shows them,
the notifier sends a firing one to a webhook, ops/prometheus/alerts.yml states the same rules).

| alert | fires when |
|---|---|
| `error_rate` | more than 1 % of the hour's HTTP answers are 5xx (at least 20 answers) |
| `api_latency` | the hour's p95 of /api answers is above 1 s (at least 20 answers) |
| `slow_query` | any SQL statement of the hour took more than 1 s |
| `cache_hit_rate` | fewer than 70 % of the hour's cache reads were hits (at least 50 reads) |
| `live_disconnects` | the last 5 minutes' dropped streams exceed 3 × the hour's usual, and 10 |

A rule with too few events stays ok: one 500 of the first three requests after a start is not an
incident. Values are reported whether the rule fires or not.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Alert", "HourFigures", "evaluate"]

ERROR_RATE_MAX = 0.01
API_P95_MAX_S = 1.0
QUERY_MAX_S = 1.0
CACHE_HIT_MIN = 0.70
DISCONNECT_FACTOR, DISCONNECT_MIN = 3.0, 10
MIN_REQUESTS, MIN_CACHE_READS = 20, 50


@dataclass(frozen=True, slots=True)
class HourFigures:
    """The last hour, all processes together (store/ops_window.py sums them)."""

    requests: int
    server_errors: int
    api_requests: int
    api_p95_s: float | None
    slowest_query_s: float | None
    slowest_query: str | None
    cache_hits: int
    cache_misses: int
    disconnects_last_5min: int
    disconnects_hour: int

    @property
    def error_rate(self) -> float | None:
        return self.server_errors / self.requests if self.requests else None

    @property
    def cache_hit_rate(self) -> float | None:
        reads = self.cache_hits + self.cache_misses
        return self.cache_hits / reads if reads else None

    @property
    def usual_disconnects_per_5min(self) -> float:
        """The rest of the hour's disconnects per 5 minutes (11 periods before the last one)."""
        return max(self.disconnects_hour - self.disconnects_last_5min, 0) / 11


@dataclass(frozen=True, slots=True)
class Alert:
    name: str
    firing: bool
    value: float | None  # the figure the rule read (None: nothing to read yet)
    threshold: float
    detail: str = ""  # e.g. the slowest query's name


def evaluate(figures: HourFigures) -> list[Alert]:
    """Each of the five alerts, firing or ok, with the value it read."""
    error_rate = figures.error_rate
    hit_rate = figures.cache_hit_rate
    usual = figures.usual_disconnects_per_5min
    disconnect_limit = max(DISCONNECT_FACTOR * usual, DISCONNECT_MIN)
    return [
        Alert(
            "error_rate",
            error_rate is not None and figures.requests >= MIN_REQUESTS and error_rate > ERROR_RATE_MAX,
            error_rate,
            ERROR_RATE_MAX,
        ),
        Alert(
            "api_latency",
            figures.api_p95_s is not None
            and figures.api_requests >= MIN_REQUESTS
            and figures.api_p95_s > API_P95_MAX_S,
            figures.api_p95_s,
            API_P95_MAX_S,
        ),
        Alert(
            "slow_query",
            figures.slowest_query_s is not None and figures.slowest_query_s > QUERY_MAX_S,
            figures.slowest_query_s,
            QUERY_MAX_S,
            figures.slowest_query or "",
        ),
        Alert(
            "cache_hit_rate",
            hit_rate is not None
            and figures.cache_hits + figures.cache_misses >= MIN_CACHE_READS
            and hit_rate < CACHE_HIT_MIN,
            hit_rate,
            CACHE_HIT_MIN,
        ),
        Alert(
            "live_disconnects",
            figures.disconnects_last_5min > disconnect_limit,
            float(figures.disconnects_last_5min),
            disconnect_limit,
        ),
    ]
