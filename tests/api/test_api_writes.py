"""The task actions through HTTP: If-Match / ETag (412, 428), permissions, validation, the
activity log of token writes, Idempotency-Key, and a race of 20 clients on one task."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pipeline_core.domain.model import Role
from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.api.conftest import World, api_client, make_world
from tests.builders import documents_ready

PROBLEM = "application/problem+json"


def open_task(world: World, role: Role, skip: int = 0) -> dict[str, Any]:
    """An open, unblocked task of `role`'s queue (the `skip`-th), as GET …/tasks/{id} answers it."""
    page = world.get("/pipeline/tasks", role=role.value, limit=50).json()
    cards = [card for card in page["items"] if card["status"] != "blocked"]
    task = dict(world.get(f"/pipeline/tasks/{cards[skip]['id']}").json())
    with db.transaction() as session:  # the document stages need the checklist in order (issue 19)
        documents_ready(session, task["jamaah_id"])
    return task


@pytest.fixture
def world(servers: None) -> Iterator[World]:
    """A freshly loaded demo-13 for each test: these tests change tasks."""
    with api_client() as client:
        yield make_world(client)


def post(
    world: World,
    path: str,
    role: Role = Role.MANAGER,
    *,
    etag: str | None = None,
    key: str | None = None,
    body: Any = None,
) -> httpx.Response:
    headers = world.auth(role)
    if etag is not None:
        headers["If-Match"] = etag
    if key is not None:
        headers["Idempotency-Key"] = key
    return world.client.post(f"/api/v1{path}", headers=headers, json=body)


def log_count(world: World, action: str, task_id: int) -> int:
    with db.read_session() as session:
        return int(
            session.execute(
                select(func.count()).where(
                    t.ActivityLog.workspace_id == world.workspace.id,
                    t.ActivityLog.action == action,
                    t.ActivityLog.entity_id == task_id,
                )
            ).scalar_one()
        )


def test_completing_needs_if_match_and_answers_the_next_task(world: World) -> None:
    task = open_task(world, Role.DOCUMENT_ADMIN)
    missing = post(world, f"/pipeline/tasks/{task['id']}/complete")
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["type"].endswith("precondition-required")

    done = post(
        world, f"/pipeline/tasks/{task['id']}/complete", Role.DOCUMENT_ADMIN, etag=f'"v{task["version"]}"'
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["completed"]["status"] == "completed"
    assert done.headers["etag"] == f'"v{task["version"] + 1}"'
    assert body["next_task"] is None or body["next_task"]["status"] in ("pending", "in-progress")
    assert done.headers["cache-control"] == "no-store"
    with db.read_session() as session:
        actor = session.execute(
            select(t.ActivityLog.actor).where(
                t.ActivityLog.entity_id == task["id"], t.ActivityLog.action == "task.completed"
            )
        ).scalar_one()
    assert "(API upt_" in actor  # a token's write says so in the log

    stale = post(world, f"/pipeline/tasks/{task['id']}/complete", etag=f'"v{task["version"]}"')
    assert stale.status_code == 412
    assert stale.json()["current"]["version"] == task["version"] + 1
    assert stale.headers["etag"] == f'"v{task["version"] + 1}"'


@pytest.mark.parametrize("tag", ["*", 'W/"v1"', "v1", '"1"'])
def test_a_write_must_name_the_version_exactly(world: World, tag: str) -> None:
    task = open_task(world, Role.SISKOPATUH_ADMIN)
    response = post(world, f"/pipeline/tasks/{task['id']}/block", etag=tag, body={"reason": "x"})
    assert response.status_code == 412
    assert response.json()["current"]["id"] == task["id"]


def test_an_admin_may_not_act_on_another_roles_task(world: World) -> None:
    task = open_task(world, Role.SISKOPATUH_ADMIN)
    refused = post(
        world, f"/pipeline/tasks/{task['id']}/complete", Role.DOCUMENT_ADMIN, etag=f'"v{task["version"]}"'
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert "document-admin" in refused.json()["detail"]


def test_block_needs_a_reason_and_only_a_manager_unblocks(world: World) -> None:
    task = open_task(world, Role.SISKOPATUH_ADMIN)
    path, etag = f"/pipeline/tasks/{task['id']}", f'"v{task["version"]}"'
    for body in ({}, {"reason": ""}, {"reason": "a\x00b"}, {"reason": "x" * 501}, {"why": "x"}):
        bad = post(world, f"{path}/block", Role.SISKOPATUH_ADMIN, etag=etag, body=body)
        assert bad.status_code == 422, body
        assert bad.json()["errors"][0]["field"] in ("reason", "why")
    blocked = post(
        world, f"{path}/block", Role.SISKOPATUH_ADMIN, etag=etag, body={"reason": "menunggu paspor"}
    )
    assert blocked.status_code == 200
    assert blocked.json()["block_reason"] == "menunggu paspor"
    again = blocked.headers["etag"]
    assert post(world, f"{path}/unblock", Role.SISKOPATUH_ADMIN, etag=again).status_code == 403
    lifted = post(world, f"{path}/unblock", Role.MANAGER, etag=again)
    assert lifted.status_code == 200
    assert lifted.json()["status"] == "in-progress"


def test_patch_changes_only_what_the_role_may(world: World) -> None:
    task = open_task(world, Role.LOGISTICS_ADMIN)
    path = f"/api/v1/pipeline/tasks/{task['id']}"
    headers = {**world.auth(Role.LOGISTICS_ADMIN), "If-Match": f'"v{task["version"]}"'}
    assert world.client.patch(path, headers=headers, json={"priority": "low"}).status_code == 403
    assert world.client.patch(path, headers=headers, json={"priority": None}).status_code == 422
    assert world.client.patch(path, headers=headers, json={"colour": "red"}).status_code == 422
    edited = world.client.patch(path, headers=headers, json={"notes": "koper dikirim", "status": "pending"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["notes"], edited.json()["status"]) == ("koper dikirim", "pending")
    manager = {**world.auth(), "If-Match": edited.headers["etag"]}
    moved = world.client.patch(
        path, headers=manager, json={"priority": "urgent", "due_at": "2026-12-20T17:00:00+07:00"}
    )
    assert moved.status_code == 200
    assert moved.json()["priority"] == "urgent"


def test_a_retried_post_with_the_same_key_answers_the_first_result(world: World) -> None:
    task = open_task(world, Role.TRAVEL_ADMIN)
    path, etag = f"/pipeline/tasks/{task['id']}/complete", f'"v{task["version"]}"'
    first = post(world, path, etag=etag, key="retry-1", body={"notes": "tiket ok"})
    second = post(world, path, etag=etag, key="retry-1", body={"notes": "tiket ok"})
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["etag"] == first.headers["etag"]
    assert log_count(world, "task.completed", task["id"]) == 1
    other = post(world, path, etag=etag, key="retry-1", body={"notes": "lain"})
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")
    fresh = post(world, path, etag=etag, key="retry-2", body={"notes": "tiket ok"})
    assert fresh.status_code == 412  # a new key is a new request: the version is stale now


def test_a_session_cookie_writes_only_from_this_site(world: World) -> None:
    from tests.api.conftest import demo_session

    task = open_task(world, Role.DOCUMENT_ADMIN, skip=0)
    cookie = demo_session(world.workspace, Role.MANAGER)
    path = f"/api/v1/pipeline/tasks/{task['id']}/block"
    client = world.client
    client.cookies.set("umrah_session", cookie)
    try:
        headers = {"If-Match": f'"v{task["version"]}"'}
        assert client.get(f"/api/v1/pipeline/tasks/{task['id']}").status_code == 200
        cross = client.post(path, headers={**headers, "Origin": "https://evil.example"}, json={"reason": "x"})
        assert cross.status_code == 403
        none = client.post(path, headers=headers, json={"reason": "x"})
        assert none.status_code == 403
        ours = client.post(path, headers={**headers, "Origin": "http://testserver"}, json={"reason": "x"})
        assert ours.status_code == 200
    finally:
        client.cookies.clear()


def test_twenty_clients_complete_one_task_once(world: World) -> None:
    task = open_task(world, Role.DOCUMENT_ADMIN, skip=0)
    path, etag = f"/pipeline/tasks/{task['id']}/complete", f'"v{task["version"]}"'
    with db.read_session() as session:
        stages_before = session.execute(
            select(func.count()).where(
                t.StageInstance.workspace_id == world.workspace.id,
                t.StageInstance.jamaah_id == task["jamaah_id"],
            )
        ).scalar_one()
    start = threading.Barrier(20)
    statuses: list[int] = []

    def one() -> None:
        start.wait()
        statuses.append(post(world, path, etag=etag).status_code)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [412] * 19
    with db.read_session() as session:
        stages_after = session.execute(
            select(func.count()).where(
                t.StageInstance.workspace_id == world.workspace.id,
                t.StageInstance.jamaah_id == task["jamaah_id"],
            )
        ).scalar_one()
    assert stages_after - stages_before == 1  # one stage progression
    assert log_count(world, "task.completed", task["id"]) == 1  # one audit entry


def test_a_change_made_through_the_api_is_what_the_next_read_shows(world: World) -> None:
    before = world.get("/pipeline/tasks", Role.MANAGER, column="blocked").json()["total"]
    task = open_task(world, Role.LOGISTICS_ADMIN, skip=0)
    etag = f'"v{task["version"]}"'
    assert (
        post(
            world, f"/pipeline/tasks/{task['id']}/block", etag=etag, body={"reason": "stok habis"}
        ).status_code
        == 200
    )
    after = world.get("/pipeline/tasks", Role.MANAGER, column="blocked").json()["total"]
    assert after == before + 1  # the queue's cache generation moved
