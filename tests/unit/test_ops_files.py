"""The Grafana dashboard and the Prometheus rules read only metrics the app serves (a renamed
metric must not leave a dashboard panel or an alert silently empty)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import pipeline_core.store.metrics  # noqa: F401 - registers the families

OPS = Path(__file__).resolve().parents[2] / "ops"
_SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def served() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in _SUFFIXES)
    # read at scrape time from the database (their collectors are installed by the app)
    return names | {"umrah_jamaah", "umrah_open_tasks", "umrah_db_pool_checked_out", "umrah_db_pool_overflow"}


def used(text: str) -> set[str]:
    return set(re.findall(r"\bumrah_[a-z_]+", text))


def test_the_dashboard_reads_served_metrics_only() -> None:
    dashboard = json.loads((OPS / "grafana" / "umrah-pipeline.json").read_text())
    queries = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    assert used(queries) and used(queries) <= served(), used(queries) - served()


def test_the_alert_rules_read_served_metrics_only() -> None:
    rules = (OPS / "prometheus" / "alerts.yml").read_text()
    assert used(rules) and used(rules) <= served(), used(rules) - served()
