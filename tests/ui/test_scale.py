"""Every page renders at scale-100k without an exception, and its headline figures equal the core's."""

from __future__ import annotations

import pytest

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands import accounts
from pipeline_core.domain import formatting
from pipeline_core.domain.model import Workspace
from pipeline_core.seed import datasets
from pipeline_core.store import db
from tests.ui.conftest import kanban_board, open_page


@pytest.fixture(scope="module")
def scale(servers: None) -> Workspace:
    if not datasets.dataset_exists("scale-100k"):
        datasets.load_dataset("scale-100k", demo_accounts=True)
    workspace = dashboard.workspace("scale-100k")
    with db.transaction() as session:  # loaded earlier without them
        accounts.ensure_demo_accounts(session, workspace.id, workspace.slug)
    return workspace


@pytest.mark.slow
@pytest.mark.parametrize("page", ["overview", "task_queue", "departures", "bottlenecks", "jamaah"])
def test_every_page_renders_at_100k(scale: Workspace, page: str) -> None:
    at = open_page(page, dataset="scale-100k")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
def test_the_overview_figures_at_100k(scale: Workspace) -> None:
    at = open_page("overview", dataset="scale-100k")
    health = dashboard.pipeline_health(system_viewer(scale))
    shown = {m.label: m.value for m in at.metric}
    assert shown["Total jamaah"] == formatting.number(health.total) == "100.000"
    assert shown["Terlambat"] == formatting.number(health.overdue)


@pytest.mark.slow
def test_the_queue_counts_at_100k(scale: Workspace) -> None:
    at = open_page("task_queue", dataset="scale-100k")
    counts = dashboard.task_queue_page(system_viewer(scale)).counts
    shown = [column["count"] for column in kanban_board(at)["columns"]]  # the board, as drawn
    assert shown == [
        formatting.number(n) for n in (counts.urgent, counts.today, counts.upcoming, counts.blocked)
    ]
