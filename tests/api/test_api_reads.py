"""Every read of /api/v1 for every role, with its permissions, paging, caching headers and errors."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline_core.app import dashboard, system_viewer
from pipeline_core.domain.model import Role
from pipeline_core.domain.permissions import ROLE_ORDER
from tests.api.conftest import World
from tests.builders import NOW

PROBLEM = "application/problem+json"


def _json(response: Any) -> Any:
    return response.json()


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
def test_health_is_the_overview_figure_for_every_role(world: World, role: Role) -> None:
    response = world.get("/pipeline/health", role)
    assert response.status_code == 200
    expected = dashboard.pipeline_health(system_viewer(world.workspace), NOW)
    body = response.json()
    assert body["total"] == expected.total == 13
    assert (body["on_track"], body["at_risk"], body["overdue"], body["completed"]) == (7, 3, 2, 1)
    assert body["health_score"] == pytest.approx(expected.health_score)
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["etag"].startswith('W/"')
