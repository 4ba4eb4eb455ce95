"""Ringkasan pipeline on the demo datasets: KPIs, stage cards, chart, alerts, departures, failures."""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core import app as core
from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import formatting
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import figures, open_page, stage_cards
from ui_kit.cards import plain


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_kpis_equal_pipeline_health(demo13: Workspace) -> None:
    at = open_page("overview")
    health = dashboard.pipeline_health(system_viewer(demo13))
    shown = metrics(at)
    assert shown["Total jamaah"] == formatting.number(health.total)
    assert shown["Sesuai jadwal"] == formatting.number(health.on_track)
    assert shown["Berisiko"] == formatting.number(health.at_risk)
    assert shown["Terlambat"] == formatting.number(health.overdue)
    assert shown["Skor kesehatan"] == formatting.percent(health.health_score)
    assert all(metric.help for metric in at.metric[:5])  # each rule explained in a tooltip


def test_a_card_per_active_stage_and_the_pipeline_chart(demo13: Workspace) -> None:
    at = open_page("overview")
    stages = dashboard.stage_stats(system_viewer(demo13))
    cards = stage_cards(at)
    assert [card["title"] for card in cards] == [stage.name_id for stage in stages]
    in_stage = [card["lines"][1] for card in cards]  # "<count><small>Jamaah</small>"
    assert in_stage == [f"{formatting.number(stage.in_stage)}<small>Jamaah</small>" for stage in stages]
    assert [card["lines"][2] for card in cards] == [
        f"{formatting.number(s.overdue)} terlambat" for s in stages
    ]
    chart = figures(at)["pipeline-chart"]  # the pipeline by stage and status
    parts = {part.code: part for part in actions.stage_breakdown(system_viewer(demo13))}
    drawn = {trace["name"]: trace["x"] for trace in chart["data"]}
    named = {
        "in_progress": "Dikerjakan",
        "pending": "Menunggu",
        "blocked": "Diblokir",
        "overdue": "Terlambat",
    }
    for status, name in named.items():
        assert drawn[name] == [getattr(parts[s.code], status) if s.code in parts else 0 for s in stages]
    assert chart["data"][0]["y"] == [stage.name_id for stage in stages]


def test_bottleneck_alerts_and_upcoming_departures(demo13: Workspace) -> None:
    at = open_page("overview")
    alerts = dashboard.bottlenecks(system_viewer(demo13))
    text = " ".join(m.value for m in at.markdown)
    for alert in alerts[:4]:
        assert f"**{alert.name_id}**" in text
    departures = dashboard.upcoming_departures(system_viewer(demo13), days=7, limit=10)
    table = next(m.value for m in at.markdown if m.value.startswith("| Keberangkatan |"))
    rows = table.splitlines()[2:]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [
        plain(g.name) for g in departures.items
    ]
    assert [row.split(" | ")[3] for row in rows] == [formatting.number(g.not_ready) for g in departures.items]
    ready = [formatting.percent(100 * g.ready / g.jamaah) for g in departures.items]
    assert [row.split(" | ")[4].split("[")[1].rstrip("] |") for row in rows] == ready
    assert "Lihat semua keberangkatan" in [link.value for link in at.page_link]


def test_no_bottleneck_shows_an_empty_state(demo13: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "bottlenecks", lambda *args, **kwargs: [])
    at = open_page("overview")
    assert any(
        box.value == "Tidak ada hambatan" or "Tidak ada hambatan" in str(box.proto) for box in at.success
    )


def test_a_failing_section_offers_retry_while_the_rest_renders(
    demo13: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stage statistics unavailable")

    real = dashboard.stage_stats
    monkeypatch.setattr(core, "stage_stats", broken)
    at = open_page("overview")
    assert [w.value for w in at.warning] == [
        "Bagian ini tidak dapat dimuat saat ini. Bagian lain tetap berfungsi."
    ] * 2
    assert metrics(at)["Total jamaah"] == formatting.number(
        dashboard.pipeline_health(system_viewer(demo13)).total
    )
    assert any(m.value.startswith("| Keberangkatan |") for m in at.markdown), "departures still render"

    monkeypatch.setattr(core, "stage_stats", real)
    at.button(key="retry-stages").click().run()
    assert not at.exception
    assert stage_cards(at), "the stage cards are back after Retry"


def test_english_switch(demo13: Workspace) -> None:
    at = open_page("overview", lang="English")
    assert at.title[0].value == "Pipeline overview"
    assert {"Total jamaah", "On track", "At risk", "Overdue", "Health score"} <= set(metrics(at))
    assert at.page_link[0].value == "Open the task queue"


def test_demo_2000_renders_with_indonesian_thousands(demo2000: Workspace) -> None:
    at = open_page("overview", dataset="demo-2000")
    total = dashboard.pipeline_health(system_viewer(demo2000)).total
    assert metrics(at)["Total jamaah"] == formatting.number(total)
    assert not at.warning


#: A stage name and a reason as someone could type them into the pipeline editor or a block reason.
EVIL = '<img src=x onerror="alert(1)"> **Visa** [link](javascript:alert(2))'


def test_stage_cards_and_alerts_show_peoples_words_literally(
    demo13: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = system_viewer(demo13)
    stage = replace(dashboard.stage_stats(viewer)[0], name_id=EVIL)
    alert = replace(dashboard.bottlenecks(viewer)[0], name_id=EVIL, top_reason=EVIL)
    monkeypatch.setattr(core, "stage_stats", lambda *args, **kwargs: [stage])
    monkeypatch.setattr(core, "bottlenecks", lambda *args, **kwargs: [alert])
    at = open_page("overview")
    (card,) = stage_cards(at)
    assert card["title"] == EVIL  # the text as typed, once unescaped
    block = next(h.proto.body for h in at.get("html") if "umrah-stages" in h.proto.body)
    assert "<img" not in block and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in block
    summary = next(m.value for m in at.markdown if "onerror" in m.value)
    assert plain(EVIL) in summary  # stage and reason as text: no tag, no bold, no link
    assert "<img" not in summary.replace("\\<img", "")
