"""Every read of /api/v1 for every role, with its permissions, paging, caching headers and errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pipeline_core.app import dashboard, system_viewer
from pipeline_core.domain.model import ADMIN_ROLES, Role
from pipeline_core.domain.permissions import ROLE_ORDER, Action, allowed
from pipeline_core.store import db, jamaah_identity
from pipeline_core.store import schema as t
from tests.api.conftest import World
from tests.builders import NOW

PROBLEM = "application/problem+json"


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


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
@pytest.mark.parametrize(
    "path", ["/pipeline/stages", "/pipeline/bottlenecks", "/pipeline/departures", "/pipeline/tasks"]
)
def test_every_role_reads_the_overview_and_its_queue(world: World, role: Role, path: str) -> None:
    response = world.get(path, role)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"


def test_stages_are_paged(world: World) -> None:
    first = world.get("/pipeline/stages", limit=3).json()
    assert (len(first["items"]), first["total"], first["pages"]) == (3, 10, 4)
    assert first["items"][0]["code"] == "document-collection"
    last = world.get("/pipeline/stages", limit=3, page=99).json()
    assert (last["page"], len(last["items"])) == (4, 1)


def test_bottlenecks_filter_by_severity(world: World) -> None:
    everything = world.get("/pipeline/bottlenecks").json()["items"]
    assert everything, "demo-13 shows one alert"
    severity = everything[0]["severity"]
    assert {b["severity"] for b in world.get("/pipeline/bottlenecks", severity=severity).json()["items"]} == {
        severity
    }
    assert "trend" in everything[0]


def test_departures_are_the_dashboard_page(world: World) -> None:
    body = world.get("/pipeline/departures", days=120, limit=2, sort="name").json()
    expected = dashboard.upcoming_departures(
        system_viewer(world.workspace), NOW, days=120, limit=2, sort="name"
    )
    assert body["total"] == expected.total
    assert [g["package_id"] for g in body["items"]] == [g.package_id for g in expected.items]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/pipeline/stages", {"limit": 101}, "limit"),
        ("/pipeline/stages", {"page": 0}, "page"),
        ("/pipeline/bottlenecks", {"severity": "huge"}, "severity"),
        ("/pipeline/departures", {"days": 400}, "days"),
        ("/pipeline/departures", {"sort": "price"}, "sort"),
        ("/pipeline/tasks", {"column": "later"}, "column"),
        ("/pipeline/tasks", {"status": "completed"}, "status"),
        ("/pipeline/tasks", {"q": "x" * 101}, "q"),
        ("/pipeline/tasks", {"q": "a\x01"}, "q"),
        ("/activity", {"date_from": "9999-12-31"}, "date_from"),
        ("/pipeline/tasks/abc", {}, "task_id"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(
    world: World, path: str, params: dict[str, Any], field: str
) -> None:
    response = world.get(path, **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:umrah-pipeline:problem:validation"
    assert field in [error["field"] for error in body["errors"]]
    assert "Traceback" not in response.text


def test_the_task_queue_follows_the_role(world: World) -> None:
    manager = world.get("/pipeline/tasks", limit=100).json()
    assert manager["total"] == 12
    for role in ADMIN_ROLES:
        own = world.get("/pipeline/tasks", role, limit=100).json()
        assert all(card["assigned_role"] == role.value for card in own["items"])
        other = next(r for r in ADMIN_ROLES if r is not role)
        refused = world.get("/pipeline/tasks", role, role=other.value)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == PROBLEM
    blocked = world.get("/pipeline/tasks", column="blocked").json()
    assert blocked["total"] == blocked["counts"]["blocked"] == 3
    assert world.get("/pipeline/tasks", status="blocked").json()["total"] == 3
    name = manager["items"][0]["jamaah_name"].split()[0]
    found = world.get("/pipeline/tasks", q=name).json()["items"]
    assert found and all(name.lower() in card["jamaah_name"].lower() for card in found)


def test_a_search_by_full_nik_is_for_managers_only(world: World) -> None:
    card = world.get("/pipeline/tasks", Role.DOCUMENT_ADMIN).json()["items"][0]
    with db.read_session() as session:
        blob = session.execute(
            select(t.Jamaah.nik_encrypted).where(t.Jamaah.id == card["jamaah_id"])
        ).scalar_one()
    nik = jamaah_identity.open_nik(blob)
    found = world.get("/pipeline/tasks", q=nik).json()["items"]
    assert card["id"] in [c["id"] for c in found]
    refused = world.get("/pipeline/tasks", Role.DOCUMENT_ADMIN, q=nik)
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    assert "name or phone" in refused.json()["detail"] and str(nik) not in refused.text


def test_a_task_carries_its_version_as_etag_and_revalidates(world: World) -> None:
    card = world.get("/pipeline/tasks").json()["items"][0]
    response = world.get(f"/pipeline/tasks/{card['id']}", Role.VISA_ADMIN)  # any role may read it
    assert response.status_code == 200
    assert response.headers["etag"] == f'"v{card["version"]}"'
    again = world.client.get(
        f"/api/v1/pipeline/tasks/{card['id']}",
        headers={**world.auth(), "If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""
    health = world.get("/pipeline/health")
    cached = world.client.get(
        "/api/v1/pipeline/health", headers={**world.auth(), "If-None-Match": health.headers["etag"]}
    )
    assert cached.status_code == 304


def test_another_workspaces_ids_look_like_missing_ones(world: World) -> None:
    from pipeline_core.domain.model import WorkspaceKind
    from pipeline_core.store.workspaces import create_workspace, get_workspace
    from tests.builders import make_jamaah

    with Session(db.get_engine(), expire_on_commit=False) as session:
        if session.execute(select(t.Workspace.id).where(t.Workspace.slug == "other-agency")).first() is None:
            create_workspace(session, slug="other-agency", name="Other", kind=WorkspaceKind.AGENCY)
            session.commit()
        other = get_workspace(session, "other-agency")
        enrolment = make_jamaah(session, other)
        assert enrolment.task is not None
        jamaah_id, task_id = enrolment.jamaah.id, enrolment.task.id
    for path in (f"/pipeline/tasks/{task_id}", f"/jamaah/{jamaah_id}"):
        theirs = world.get(path)
        missing = world.get(path.rsplit("/", 1)[0] + "/999999999")
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["type"] == missing.json()["type"]
    with Session(db.get_engine()) as session:  # cascades to its jamaah and tasks
        session.execute(delete(t.Workspace).where(t.Workspace.slug == "other-agency"))
        session.commit()


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
def test_a_jamaah_is_masked_for_every_role(world: World, role: Role) -> None:
    card = world.get("/pipeline/tasks").json()["items"][0]
    body = world.get(f"/jamaah/{card['jamaah_id']}", role).json()
    assert "•" in body["nik"]
    assert body["passport_number"] is None or "•" in body["passport_number"]
    assert body["timeline"] and body["tasks"]


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
def test_the_activity_log_is_for_the_roles_that_may_read_it(world: World, role: Role) -> None:
    response = world.get("/activity", role, limit=5)
    if allowed(role, Action.VIEW_ACTIVITY_LOG):
        assert response.status_code == 200
        body = response.json()
        assert len(body["items"]) <= 5 and body["total"] >= len(body["items"])
    else:
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM
