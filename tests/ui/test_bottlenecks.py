"""Hambatan: alerts with the severity filter (in the URL), stuck jamaah per stage, the history."""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core import app as core
from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import formatting
from pipeline_core.domain.model import Severity, Workspace
from tests.ui.conftest import figures, html_cards, open_page


def alert_titles(at: AppTest) -> list[str]:
    return [card["title"] for card in html_cards(at)]


def test_every_alert_in_core_order(demo13: Workspace) -> None:
    at = open_page("bottlenecks")
    alerts = dashboard.bottlenecks(system_viewer(demo13))
    assert alerts, "demo-13 tells a story with a bottleneck"
    assert alert_titles(at) == [a.name_id for a in alerts]
    cards = html_cards(at)
    assert [card["figures"]["Tertahan"] for card in cards] == [formatting.number(a.stuck) for a in alerts]
    assert [card["figures"]["Berangkat ≤ 14 hari"] for card in cards] == [
        formatting.number(a.departure_impact) for a in alerts
    ]
    assert all("Penanggung jawab:" in card["text"] for card in cards)


@pytest.mark.parametrize(("label", "severity"), [("Kritis", Severity.CRITICAL), ("Rendah", Severity.LOW)])
def test_severity_filter_from_the_url(demo2000: Workspace, label: str, severity: Severity) -> None:
    at = open_page("bottlenecks", dataset="demo-2000", severity=label)
    expected = dashboard.bottlenecks(system_viewer(demo2000), severity=severity)
    assert alert_titles(at) == [a.name_id for a in expected]


def test_stuck_jamaah_of_a_stage(demo13: Workspace) -> None:
    alert = dashboard.bottlenecks(system_viewer(demo13))[0]
    at = open_page("bottlenecks")
    at.toggle(key=f"stuck-{alert.code}").set_value(True).run()
    stuck = actions.stuck_jamaah(system_viewer(demo13), alert.code, limit=10).items
    names = {line.full_name for line in stuck}
    assert [link.value for link in at.page_link if link.value in names] == [line.full_name for line in stuck]


def test_stuck_history_chart(demo13: Workspace) -> None:
    days = dashboard.stuck_history(system_viewer(demo13))
    assert days, "demo-13 has 30 days of stuck counts"
    chart = figures(open_page("bottlenecks"))["stuck-history"]
    names = {stage.code: stage.name_id for stage in dashboard.stage_stats(system_viewer(demo13))}
    drawn = {trace["name"]: trace["y"] for trace in chart["data"]}
    for code in {point.code for point in days}:
        assert drawn[names[code]] == [point.stuck for point in days if point.code == code]


def test_a_failing_history_keeps_the_alerts(demo13: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("history unavailable")

    monkeypatch.setattr(core, "stuck_history", broken)
    at = open_page("bottlenecks")
    assert [w.value for w in at.warning] == [
        "Bagian ini tidak dapat dimuat saat ini. Bagian lain tetap berfungsi."
    ]
    assert alert_titles(at) == [a.name_id for a in dashboard.bottlenecks(system_viewer(demo13))]
    assert at.button(key="retry-history")


#: A stage name and a reason as someone could type them into the pipeline editor or a block reason.
EVIL = '<img src=x onerror="alert(1)"> **Visa** [link](javascript:alert(2))'


def test_an_alert_card_shows_peoples_words_literally(
    demo13: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert = replace(dashboard.bottlenecks(system_viewer(demo13))[0], name_id=EVIL, top_reason=EVIL)
    monkeypatch.setattr(core, "bottlenecks", lambda *args, **kwargs: [alert])
    at = open_page("bottlenecks")
    (card,) = html_cards(at)
    assert card["title"] == EVIL  # the text as typed, once unescaped
    assert f"Alasan terbanyak: {EVIL}" in card["text"]
    assert "<img" not in card["html"] and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in card["html"]


def test_the_alerts_in_english(demo13: Workspace) -> None:
    at = open_page("bottlenecks", lang="English")
    (first, *_) = html_cards(at)
    assert {"Stuck", "Average delay", "Departing ≤ 14 days"} == set(first["figures"])
