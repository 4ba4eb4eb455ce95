"""The demo-13 story as a manager sees it: the KPIs, every stage card and the one bottleneck.

demo-13 is hand-curated (data/datasets/demo-13.json) and laid out relative to the instant it is
loaded at: loaded and read at the builders' NOW, these figures hold whenever the suite runs.
"""

from __future__ import annotations

import pytest

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain.model import Severity, Workspace
from pipeline_core.seed import datasets
from tests.builders import NOW


@pytest.fixture(scope="module")
def demo13(servers: None) -> Workspace:
    datasets.load_dataset("demo-13", reset=True, now=NOW)
    return dashboard.workspace("demo-13")


def test_the_kpis_are_7_3_2_1(demo13: Workspace) -> None:
    health = dashboard.pipeline_health(system_viewer(demo13), NOW)
    assert (health.total, health.on_track, health.at_risk, health.overdue, health.completed) == (
        13,
        7,
        3,
        2,
        1,
    )
    assert health.health_score == 58.3  # 7 of the 12 still travelling


#: code: (in stage, in progress, blocked, overdue, completed so far)
STAGE_CARDS = {
    "document-collection": (1, 0, 0, 0, 12),
    "document-verification": (2, 1, 1, 0, 10),
    "siskopatuh-submission": (2, 1, 0, 0, 8),
    "siskopatuh-approval": (3, 2, 1, 2, 5),
    "hotel-booking": (2, 2, 0, 0, 3),
    "visa-application": (1, 0, 1, 0, 2),
    "visa-approval": (0, 0, 0, 0, 2),
    "equipment-preparation": (1, 1, 0, 0, 1),
    "flight-booking": (0, 0, 0, 0, 1),
    "departure-ready": (0, 0, 0, 0, 1),
}


def test_every_stage_card(demo13: Workspace) -> None:
    cards = {
        s.code: (s.in_stage, s.in_progress, s.blocked, s.overdue, s.completed)
        for s in dashboard.stage_stats(system_viewer(demo13), NOW)
    }
    assert cards == STAGE_CARDS
    assert list(cards) == list(STAGE_CARDS)  # in pipeline order: hotel before the visa


def test_the_one_bottleneck_is_siskopatuh_approval(demo13: Workspace) -> None:
    [alert] = dashboard.bottlenecks(system_viewer(demo13), NOW)
    assert (alert.code, alert.stuck, alert.severity, alert.departure_impact) == (
        "siskopatuh-approval",
        2,
        Severity.LOW,
        1,
    )
    assert alert.top_reason == "Data SISKOPATUH ditolak, perlu revisi"
    assert alert.avg_delay_days == pytest.approx(2.2, abs=0.2)
    assert alert.stuck_7_days_ago == 0 and alert.trend == 2
