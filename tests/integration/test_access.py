"""Every read of `dashboard` and `actions` checks its viewer's permission in the core, whatever a
page does: each role × read against the matrix, and an admin never gets another role's queue.

demo-13 is laid out relative to the builders' NOW, and every read is made at NOW."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import Viewer, system_viewer
from pipeline_core.domain.errors import PermissionDenied
from pipeline_core.domain.model import ADMIN_ROLES, Role, Workspace
from pipeline_core.domain.permissions import ROLE_ORDER, Action, allowed
from pipeline_core.seed.datasets import load_dataset
from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.builders import NOW

#: read -> (the action it needs, the call)
READS: dict[str, tuple[Action, Callable[[Viewer], Any]]] = {
    "pipeline_health": (Action.VIEW_OVERVIEW, lambda v: dashboard.pipeline_health(v, NOW)),
    "stage_stats": (Action.VIEW_OVERVIEW, lambda v: dashboard.stage_stats(v, NOW)),
    "bottlenecks": (Action.VIEW_OVERVIEW, lambda v: dashboard.bottlenecks(v, NOW)),
    "stuck_history": (Action.VIEW_OVERVIEW, lambda v: dashboard.stuck_history(v, NOW)),
    "upcoming_departures": (Action.VIEW_OVERVIEW, lambda v: dashboard.upcoming_departures(v, NOW)),
    "task_queue_page": (Action.VIEW_QUEUE_OWN, lambda v: dashboard.task_queue_page(v, NOW)),
    "stage_breakdown": (Action.VIEW_OVERVIEW, lambda v: actions.stage_breakdown(v, NOW)),
    "find_jamaah": (Action.VIEW_OVERVIEW, lambda v: actions.find_jamaah(v, "a", now=NOW)),
    "active_users": (Action.VIEW_QUEUE_OWN, actions.active_users),
}


@pytest.fixture(scope="module")
def demo(servers: None) -> Workspace:
    load_dataset("demo-13", reset=True, now=NOW, demo_accounts=True)  # UI tests may sign in after this
    return dashboard.workspace("demo-13")


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
@pytest.mark.parametrize("read", READS)
def test_each_read_follows_the_matrix(demo: Workspace, role: Role, read: str) -> None:
    action, call = READS[read]
    viewer = system_viewer(demo, role)
    if allowed(role, action):
        call(viewer)
    else:
        with pytest.raises(PermissionDenied):
            call(viewer)


@pytest.mark.parametrize("role", ADMIN_ROLES, ids=lambda r: r.value)
def test_an_admin_reads_only_their_own_queue(demo: Workspace, role: Role) -> None:
    viewer = system_viewer(demo, role)
    everything = dashboard.task_queue_page(viewer, NOW)  # "all roles" means their own
    assert everything == dashboard.task_queue_page(viewer, NOW, role=role)
    assert all(task.assigned_role is role for task in everything.items)
    other = next(r for r in ADMIN_ROLES if r is not role)
    with pytest.raises(PermissionDenied, match="only its own queue"):
        dashboard.task_queue_page(viewer, NOW, role=other)


def test_a_manager_reads_every_queue(demo: Workspace) -> None:
    viewer = system_viewer(demo)
    total = dashboard.task_queue_page(viewer, NOW).counts
    parts = [dashboard.task_queue_page(viewer, NOW, role=role).counts for role in ADMIN_ROLES]
    assert total.urgent == sum(p.urgent for p in parts)


def test_the_detail_masks_personal_numbers_for_every_role(demo: Workspace) -> None:
    jamaah_id = dashboard.task_queue_page(system_viewer(demo), NOW).items[0].jamaah_id
    for role in ROLE_ORDER:
        detail = dashboard.jamaah_detail(system_viewer(demo, role), jamaah_id, NOW)
        assert "•" in detail.nik
        assert detail.passport_number is None or "•" in detail.passport_number


def test_a_refused_read_is_in_the_activity_log(demo: Workspace) -> None:
    viewer = system_viewer(demo, Role.VISA_ADMIN, name="Vina Visa")
    with pytest.raises(PermissionDenied):
        dashboard.task_queue_page(viewer, NOW, role=Role.DOCUMENT_ADMIN)
    with db.read_session() as session:
        entry = session.execute(
            select(t.ActivityLog.actor, t.ActivityLog.changes)
            .where(t.ActivityLog.workspace_id == demo.id, t.ActivityLog.action == "permission.denied")
            .order_by(t.ActivityLog.id.desc())
            .limit(1)
        ).one()
    assert entry.actor == "Vina Visa"
    assert "only its own queue" in entry.changes["refused"]["new"]
