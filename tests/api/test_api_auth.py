"""Who may call the API: tokens (valid, unknown, revoked, expired, deactivated user), the session
cookie, rate limits, body limits, problem+json for unknown routes, the OpenAPI document and the
offline docs page; and the token endpoints themselves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.v1.auth import Limits, clock
from pipeline_core.app import Viewer, user_admin
from pipeline_core.domain.model import Role
from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.api.conftest import World, api_client, demo_session, make_world
from tests.builders import NOW

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


def test_no_credentials_is_a_401_with_a_bearer_challenge(world: World) -> None:
    response = world.client.get("/api/v1/pipeline/health")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    for header in ("Bearer upt_" + "x" * 43, "Basic abc", "Bearer ", "bearer nonsense"):
        refused = world.client.get("/api/v1/pipeline/health", headers={"Authorization": header})
        assert refused.status_code == 401, header


def test_an_expired_token_is_refused(world: World) -> None:
    with api_client() as later:
        later.app.routes[0].app.dependency_overrides[clock] = lambda: NOW + timedelta(days=91)  # type: ignore[attr-defined]
        assert later.get("/api/v1/pipeline/health", headers=world.auth()).status_code == 401
        later.app.routes[0].app.dependency_overrides[clock] = lambda: NOW + timedelta(days=89)  # type: ignore[attr-defined]
        assert later.get("/api/v1/pipeline/health", headers=world.auth()).status_code == 200


def test_the_session_cookie_reads(world: World) -> None:
    cookie = demo_session(world.workspace, Role.VISA_ADMIN)
    response = world.client.get("/api/v1/pipeline/health", cookies={"umrah_session": cookie})
    assert response.status_code == 200
    assert world.client.get("/api/v1/pipeline/health", cookies={"umrah_session": "x" * 43}).status_code == 401


def test_tokens_are_created_shown_once_listed_and_revoked(world: World) -> None:
    cookie = {"umrah_session": demo_session(world.workspace, Role.TRAVEL_ADMIN)}
    origin = {"Origin": "http://testserver"}
    created = world.client.post(
        "/api/v1/tokens", cookies=cookie, headers=origin, json={"name": "bot", "days": 30}
    )
    assert created.status_code == 201
    token, info = created.json()["token"], created.json()["info"]
    assert token.startswith("upt_") and info["prefix"] == token[:12]
    with db.read_session() as session:
        stored = session.execute(
            select(t.ApiToken.token_hash).where(t.ApiToken.id == info["id"])
        ).scalar_one()
    assert token not in stored and len(stored) == 64
    bearer = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/pipeline/health", headers=bearer).status_code == 200
    mine = world.client.get("/api/v1/tokens", headers=bearer).json()["items"]
    assert [item["name"] for item in mine] == ["bot", "tests travel-admin"]
    assert mine[0]["last_used_at"] is not None
    # a token cannot mint tokens; someone else cannot see or revoke it; a super-admin can
    assert world.client.post("/api/v1/tokens", headers=bearer, json={"name": "more"}).status_code == 403
    assert (
        world.client.delete(f"/api/v1/tokens/{info['id']}", headers=world.auth(Role.MANAGER)).status_code
        == 404
    )
    assert (
        world.client.get(
            "/api/v1/tokens", headers=world.auth(Role.MANAGER), params={"user_id": 0}
        ).status_code
        == 403
    )
    everyone = world.client.get("/api/v1/tokens", headers=world.auth(Role.SUPER_ADMIN), params={"user_id": 0})
    assert info["id"] in [item["id"] for item in everyone.json()["items"]]
    revoked = world.client.delete(f"/api/v1/tokens/{info['id']}", headers=world.auth(Role.SUPER_ADMIN))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert world.client.get("/api/v1/pipeline/health", headers=bearer).status_code == 401
    with db.read_session() as session:
        actions = (
            session.execute(
                select(t.ActivityLog.action).where(
                    t.ActivityLog.workspace_id == world.workspace.id, t.ActivityLog.action.like("api_token.%")
                )
            )
            .scalars()
            .all()
        )
    assert "api_token.created" in actions and "api_token.revoked" in actions


def test_a_deactivated_users_token_is_refused(world: World) -> None:
    from tests.api.conftest import demo_user

    admin = demo_user(world.workspace, Role.SUPER_ADMIN)
    viewer = Viewer(workspace=world.workspace, actor=admin.actor)
    target = world.user_ids[Role.LOGISTICS_ADMIN]
    assert world.get("/pipeline/health", Role.LOGISTICS_ADMIN).status_code == 200
    user_admin.deactivate_user(viewer, user_id=target, now=NOW)
    assert world.get("/pipeline/health", Role.LOGISTICS_ADMIN).status_code == 401


def test_rate_limits_answer_429_with_retry_after(world: World) -> None:
    with api_client(Limits(per_caller=3, per_address=1_000_000)) as client:
        statuses = [
            client.get("/api/v1/pipeline/health", headers=world.auth(Role.VISA_ADMIN)).status_code
            for _ in range(4)
        ]
        assert statuses[-1] == 429
        limited = client.get("/api/v1/pipeline/health", headers=world.auth(Role.VISA_ADMIN))
        assert limited.headers["content-type"] == PROBLEM
        assert 1 <= int(limited.headers["retry-after"]) <= 60
    with api_client(Limits(per_caller=1_000_000, per_address=2), address="192.0.2.7") as client:
        statuses = [client.get("/api/v1/pipeline/health").status_code for _ in range(3)]
        assert statuses == [401, 401, 429]  # guessing tokens is throttled too


def test_a_large_body_is_refused(world: World) -> None:
    big = {"reason": "x" * 20_000}
    response = world.client.post("/api/v1/pipeline/tasks/1/block", headers=world.auth(), json=big)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/api/v1/nothing", 404), ("PUT", "/api/v1/pipeline/health", 405)]
)
def test_unknown_routes_and_methods_are_problems(world: World, method: str, path: str, status: int) -> None:
    response = world.client.request(method, path, headers=world.auth())
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM


def test_openapi_31_and_the_docs_page_work_offline(world: World) -> None:
    spec = world.client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/v1/pipeline/tasks/{task_id}/complete" in spec["paths"]
    page = world.client.get("/api/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    assert "<script>" not in page.text  # no inline script: the CSP allows files of this origin only
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-init.js"):
        served = world.client.get(f"/api/docs-assets/{asset}")
        assert served.status_code == 200 and len(served.content) > 100


def test_a_remembered_token_is_looked_up_again_once_its_users_access_changes(world: World) -> None:
    """Each process remembers a token it looked up (app/api_access.py) while its user's access
    stamp stands: every access command moves the stamp, and the next request sees the change."""
    from sqlalchemy import update

    from pipeline_core.app.api_access import create_token
    from pipeline_core.store import events
    from tests.api.conftest import demo_user

    user = demo_user(world.workspace, Role.VISA_ADMIN)
    issued = create_token(Viewer(workspace=world.workspace, actor=user.actor), "remembered", now=NOW)
    bearer = {"Authorization": f"Bearer {issued.token}"}
    for _ in range(3):  # looked up, then remembered under the user's stamp
        assert world.client.get("/api/v1/pipeline/health", headers=bearer).status_code == 200
    with db.transaction() as session:  # revoked behind the commands' back: nothing announced
        session.execute(update(t.ApiToken).where(t.ApiToken.id == issued.info.id).values(revoked_at=NOW))
    assert world.client.get("/api/v1/pipeline/health", headers=bearer).status_code == 200, "remembered"
    events.announce_access_change([user.user_id])  # what revoke_token and the account commands do
    assert world.client.get("/api/v1/pipeline/health", headers=bearer).status_code == 401
