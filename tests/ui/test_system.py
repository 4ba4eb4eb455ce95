"""Sistem: a super-admin sees readiness, the last hour's figures and the five alerts with their
values (a firing one marked); nobody else is offered the page."""

from __future__ import annotations

import time

from pipeline_core.domain.model import Workspace
from pipeline_core.store import cache, ops_window
from tests.ui.conftest import open_page


def test_a_super_admin_sees_the_alerts_with_their_values(demo13: Workspace) -> None:
    client = cache.get_redis()
    for key in client.scan_iter("pl:ops:*"):
        client.delete(key)
    # the page reads the last hour before the server's clock: record the figures at that clock,
    # enough of them that the test servers' own requests cannot move the rate across 1 %
    now = time.time()
    for n in range(50_000):
        ops_window.record_http("/api/v1/pipeline/health", 500 if n < 1000 else 200, 0.02, at=now)
    ops_window.record_query("reads.queries.stage_stats", 1.2, at=now)
    ops_window.flush(client)

    at = open_page("system", user="super-admin")
    assert not at.exception
    assert at.title[0].value == "Sistem"
    assert [m.value for m in at.metric][:3] == ["Siap", "Siap", "Siap"]
    firing = [e.value for e in at.error]
    assert any("Tingkat galat > 1 %" in text and "nilai 2.0 %" in text for text in firing), firing
    assert any("Kueri basis data > 1 dtk" in text for text in firing)
    assert len(at.success) + len(at.error) == 5  # the five alerts, each ok or firing
    slowest = at.dataframe[0].value  # this test process's own slow statements may be listed too
    assert dict(zip(slowest["name"], slowest["seconds"], strict=True))["reads.queries.stage_stats"] == 1.2


def test_a_manager_is_not_offered_the_system_page(demo13: Workspace) -> None:
    at = open_page("system", user="manager")
    assert "Sistem" not in [title.value for title in at.title]
