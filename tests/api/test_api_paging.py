"""Keyset paging through HTTP (`cursor` / `next_cursor`) on the task queue and the activity log, and
the rate-limit standing (`RateLimit-*`) every counted answer carries."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from api.v1.auth import Limits
from pipeline_core.app import Viewer
from pipeline_core.app.api_access import create_token
from pipeline_core.domain.model import Role
from tests.api.conftest import World, api_client, demo_user
from tests.builders import NOW

PROBLEM = "application/problem+json"


def walk_by_cursor(world: World, path: str, as_role: Role = Role.MANAGER, **params: Any) -> list[int]:
    """Every id of the list, following `next_cursor` from the first page to the last."""
    ids: list[int] = []
    answer = world.get(path, as_role, **params)
    for _ in range(1000):
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            return ids
        answer = world.get(path, as_role, **params, cursor=body["next_cursor"])
    raise AssertionError("the walk did not end")


def walk_by_page(world: World, path: str, as_role: Role = Role.MANAGER, **params: Any) -> list[int]:
    first = world.get(path, as_role, **params).json()
    ids = [item["id"] for item in first["items"]]
    for page in range(2, first["pages"] + 1):
        ids += [item["id"] for item in world.get(path, as_role, **params, page=page).json()["items"]]
    return ids


@pytest.mark.parametrize(
    ("role", "params"),
    [
        (Role.MANAGER, {"limit": 1}),
        (Role.MANAGER, {"limit": 3}),
        (Role.MANAGER, {"limit": 100}),
        (Role.MANAGER, {"limit": 2, "column": "upcoming"}),
        (Role.MANAGER, {"limit": 2, "role": "document-admin"}),
        (Role.DOCUMENT_ADMIN, {"limit": 2}),
    ],
    ids=["one-by-one", "threes", "one-page", "a-column", "a-role", "an-admin"],
)
def test_the_cursor_walk_is_the_page_walk(world: World, role: Role, params: dict[str, Any]) -> None:
    by_cursor = walk_by_cursor(world, "/pipeline/tasks", role, **params)
    by_page = walk_by_page(world, "/pipeline/tasks", role, **params)
    assert by_cursor, "demo-13 has open tasks in every list walked here"
    assert by_cursor == by_page
    assert (
        len(set(by_cursor)) == len(by_cursor) == world.get("/pipeline/tasks", role, **params).json()["total"]
    )


def test_a_page_by_cursor_says_so_and_the_last_has_no_next(world: World) -> None:
    first = world.get("/pipeline/tasks", limit=2).json()
    assert first["page"] == 1 and first["next_cursor"]
    second = world.get("/pipeline/tasks", limit=2, cursor=first["next_cursor"]).json()
    assert second["page"] is None
    assert (second["total"], second["pages"], second["counts"]) == (
        first["total"],
        first["pages"],
        first["counts"],
    )
    everything = world.get("/pipeline/tasks", limit=100).json()
    assert everything["next_cursor"] is None
    assert second["items"] == everything["items"][2:4]


def _tampered(cursor: str) -> list[str]:
    place, _, check = cursor.partition(".")
    flipped = place[:-1] + ("A" if place[-1] != "A" else "B")
    return [
        f"{flipped}.{check}",
        cursor[:-3],
        place,
        "not-a-cursor",
        ".",
        "%%%%.@@@@",
        cursor + "x",
    ]


@pytest.mark.parametrize("path", ["/pipeline/tasks", "/activity"])
def test_a_tampered_cursor_is_a_400_problem(world: World, path: str) -> None:
    cursor = world.get(path, limit=1).json()["next_cursor"]
    for bad in _tampered(cursor):
        answer = world.get(path, limit=1, cursor=bad)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        body = answer.json()
        assert body["type"] == "urn:umrah-pipeline:problem:invalid-cursor"
        assert body["errors"][0]["field"] == "cursor"


def test_a_cursor_for_other_filters_or_with_a_page_is_refused(world: World) -> None:
    cursor = world.get("/pipeline/tasks", limit=1).json()["next_cursor"]
    assert world.get("/pipeline/tasks", limit=1, column="upcoming", cursor=cursor).status_code == 400
    assert world.get("/pipeline/tasks", limit=5, cursor=cursor).status_code == 200, "the size may change"
    both = world.get("/pipeline/tasks", limit=1, page=1, cursor=cursor)
    assert both.status_code == 400
    assert both.json()["errors"][0]["field"] == "page"


DUE = "2026-11-29T10:00:00+07:00"


@pytest.mark.parametrize(
    "values",
    [[9, DUE, 1], [0, "2026-11-29T10:00:00", 1], [0, "yesterday", 1], [0, 5, 1], [0, DUE, 0],
     [0, DUE, 2**63], [True, DUE, 1], [1, 2], {"a": 1}, "text", None],
)  # fmt: skip
def test_a_well_sealed_cursor_with_a_nonsense_place_is_a_400(world: World, values: Any) -> None:
    """The checksum is not a secret: a client may seal any place, so the place itself is checked."""
    from api.v1 import cursor as module

    query = module._query(
        "tasks", world.workspace.id, {"role": None, "column": None, "status": None, "q": None}
    )
    place = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    sealed = f"{place}.{module._check(place, query)}"
    answer = world.get("/pipeline/tasks", cursor=sealed)
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"].endswith("invalid-cursor")


# --- rate-limit standing ------------------------------------------------------------------------


def test_every_counted_answer_says_where_the_caller_stands(world: World) -> None:
    user = demo_user(world.workspace, Role.TRAVEL_ADMIN)
    token = create_token(Viewer(workspace=world.workspace, actor=user.actor), "rate", now=NOW).token
    headers = {"Authorization": f"Bearer {token}"}
    with api_client(Limits(per_caller=4, per_address=1_000), address="198.51.100.4") as client:
        answers = [
            client.get("/api/v1/pipeline/health", headers=headers),
            client.get("/api/v1/pipeline/tasks/999999999", headers=headers),  # 404
            client.get("/api/v1/pipeline/stages", headers=headers, params={"limit": 0}),  # 422
            client.get("/api/v1/pipeline/health", headers=headers),
            client.get("/api/v1/pipeline/health", headers=headers),  # the fifth: 429
        ]
        assert [a.status_code for a in answers] == [200, 404, 422, 200, 429]
        assert [a.headers["ratelimit-limit"] for a in answers] == ["4"] * 5
        assert [a.headers["ratelimit-remaining"] for a in answers] == ["3", "2", "1", "0", "0"]
        assert all(1 <= int(a.headers["ratelimit-reset"]) <= 60 for a in answers)
        assert "retry-after" in answers[-1].headers

        # no valid token: the address's limit is the one counted
        refused = client.get("/api/v1/pipeline/health", headers={"Authorization": "Bearer upt_nope"})
        assert refused.status_code == 401
        assert refused.headers["ratelimit-limit"] == "1000"
        assert int(refused.headers["ratelimit-remaining"]) == 1000 - 6

        # the OpenAPI document is not counted, and says nothing
        assert "ratelimit-limit" not in client.get("/api/v1/openapi.json").headers


def test_the_tighter_limit_is_the_one_shown(world: World) -> None:
    with api_client(Limits(per_caller=1_000, per_address=3), address="198.51.100.5") as client:
        answer = client.get("/api/v1/pipeline/health", headers=world.auth())
        assert answer.status_code == 200
        assert (answer.headers["ratelimit-limit"], answer.headers["ratelimit-remaining"]) == ("3", "2")


# --- walks while tasks change (last: they complete tasks of the module's demo-13) -----------------


def _complete(world: World, task_id: int) -> None:
    etag = world.client.get(f"/api/v1/pipeline/tasks/{task_id}", headers=world.auth()).headers["etag"]
    done = world.client.post(
        f"/api/v1/pipeline/tasks/{task_id}/complete", headers={**world.auth(), "If-Match": etag}
    )
    assert done.status_code == 200, done.text


def test_tasks_completed_mid_walk_neither_repeat_nor_skip_others(world: World) -> None:
    """One task already walked past and one still ahead are completed after the first page: the
    walk goes on from where it was (an offset walk would skip a task here)."""
    before = walk_by_page(world, "/pipeline/tasks", limit=100)
    first = world.get("/pipeline/tasks", limit=3).json()
    seen = [item["id"] for item in first["items"]]
    behind, ahead = seen[0], before[6]
    _complete(world, behind)
    _complete(world, ahead)

    rest = walk_by_cursor_from(world, first["next_cursor"], limit=3)
    walked = seen + rest
    assert len(walked) == len(set(walked)), "no task twice"
    assert ahead not in rest, "a completed task leaves the queue"
    missing = set(before) - set(walked) - {ahead}
    assert missing == set(), "every other task of the queue is walked"
    offset_rest = [i for page in (2, 3, 4, 5) for i in ids_of_page(world, page, limit=3)]
    assert set(before) - set(seen + offset_rest) - {ahead} != set(), "an offset walk skips one here"


def walk_by_cursor_from(world: World, cursor: str, **params: Any) -> list[int]:
    ids: list[int] = []
    while cursor:
        body = world.get("/pipeline/tasks", **params, cursor=cursor).json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    return ids


def ids_of_page(world: World, page: int, **params: Any) -> list[int]:
    return [item["id"] for item in world.get("/pipeline/tasks", **params, page=page).json()["items"]]


def test_the_activity_log_walks_by_cursor_too(world: World) -> None:
    _complete(world, world.get("/pipeline/tasks", limit=1).json()["items"][0]["id"])
    by_cursor = walk_by_cursor(world, "/activity", limit=3)
    assert len(by_cursor) >= 4, "demo-13's log and the completion fill more than a page"
    assert by_cursor == walk_by_page(world, "/activity", limit=3)
    first = world.get("/activity", limit=2).json()
    _complete(world, world.get("/pipeline/tasks", limit=1).json()["items"][0]["id"])  # newer entries
    second = world.get("/activity", limit=2, cursor=first["next_cursor"]).json()
    assert [e["id"] for e in second["items"]] == by_cursor[2:4], "new entries do not shift the walk"
