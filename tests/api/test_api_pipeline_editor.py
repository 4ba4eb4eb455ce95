"""The pipeline editor through HTTP (issue 17): versions, drafts, preview, publish (If-Match on the
head: 412, 428), migrations, roll back — over the real PostgreSQL and Redis, at NOW, with the
demo-13 workspace and one token per role. Every test that writes gets a freshly loaded demo-13.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from pipeline_core.app import (
    migration_groups,
    open_pipeline_drafts,
    pipeline_draft,
    pipeline_version_stages,
    pipeline_versions,
    start_pipeline_draft,
    system_viewer,
)
from pipeline_core.domain.model import Role, WorkspaceKind
from pipeline_core.domain.permissions import ROLE_ORDER
from pipeline_core.store import db
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.api.conftest import World, api_client, make_world
from tests.builders import NOW

PROBLEM = "application/problem+json"
EDITORS = (Role.MANAGER, Role.SUPER_ADMIN)


@pytest.fixture
def world(servers: None) -> Iterator[World]:
    """A freshly loaded demo-13 for each test: these tests publish and migrate."""
    with api_client() as client:
        yield make_world(client)


def call(
    world: World,
    method: str,
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
    return world.client.request(method, f"/api/v1/pipeline{path}", headers=headers, json=body)


def new_draft(world: World, role: Role = Role.MANAGER, body: Any = None) -> dict[str, Any]:
    made = call(world, "POST", "/drafts", role, body=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def stage_rows(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in s.items() if k != "position"} for s in draft["stages"]]


def with_sla(rows: list[dict[str, Any]], code: str, hours: int) -> list[dict[str, Any]]:
    return [row | {"sla_hours": hours} if row["code"] == code else row for row in rows]


def problem_fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == PROBLEM, response.text
    return [error["field"] for error in response.json()["errors"]]


# --- reads --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
def test_every_role_reads_the_versions(world: World, role: Role) -> None:
    listed = call(world, "GET", "/versions", role)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["total"], body["head"]) == (1, 1)
    assert body["items"][0]["version_no"] == 1 and body["items"][0]["is_head"]
    assert body["items"][0]["open_jamaah"] > 0

    one = call(world, "GET", "/versions/1", role)
    assert one.status_code == 200
    assert one.headers["etag"] == '"v1"'
    stages = one.json()["stages"]
    assert [s["code"] for s in stages][:2] == ["document-collection", "document-verification"]
    assert [s["position"] for s in stages] == list(range(1, len(stages) + 1))
    again = world.client.get(
        "/api/v1/pipeline/versions/1", headers={**world.auth(role), "If-None-Match": '"v1"'}
    )
    assert again.status_code == 304

    missing = call(world, "GET", "/versions/99", role)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert call(world, "GET", "/versions/99/changes", role).status_code == 404
    same = call(world, "GET", "/versions/1/changes", role).json()
    assert {c["kind"] for c in same["items"]} == {"same"}
    templates = call(world, "GET", "/templates", role).json()
    assert {"umrah-2026", "legacy-2024"} <= set(templates["items"])


# --- permissions and the error paths ------------------------------------------------------------


def test_a_travel_admin_reads_but_may_not_write(world: World) -> None:
    draft = new_draft(world)
    did, admin = draft["id"], Role.TRAVEL_ADMIN
    rows = stage_rows(draft)
    refused = [
        call(world, "GET", "/drafts", admin),
        call(world, "GET", f"/drafts/{did}", admin),
        call(world, "POST", "/drafts", admin),
        call(world, "POST", "/drafts", admin, body={"document": {"stages": [{"code": "x"}]}}),
        call(world, "PATCH", f"/drafts/{did}", admin, body={"stages": rows}),
        call(world, "POST", f"/drafts/{did}/preview", admin),
        call(world, "POST", f"/drafts/{did}/publish", admin, etag='"v1"'),
        call(world, "DELETE", f"/drafts/{did}", admin),
        call(world, "POST", "/migrations", admin, body={"from_version_no": 1, "package_id": 1}),
        call(world, "POST", "/versions/1/rollback", admin, etag='"v1"'),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    assert all(r.headers["content-type"] == PROBLEM for r in refused)
    assert call(world, "GET", "/versions", admin).status_code == 200
    for role in EDITORS:
        assert call(world, "GET", f"/drafts/{did}", role).status_code == 200
    # nothing changed: the draft is as it was, version 1 is still the head
    assert pipeline_draft(system_viewer(world.workspace), did).revision == draft["revision"]
    assert [v.version_no for v in pipeline_versions(system_viewer(world.workspace))] == [1]


def test_an_unknown_or_another_workspaces_draft_is_not_found(world: World) -> None:
    with db.transaction() as session:
        create_workspace(session, slug="other-agency", name="Other Agency", kind=WorkspaceKind.AGENCY)
    with db.read_session() as session:
        other = get_workspace(session, "other-agency")
    theirs = start_pipeline_draft(system_viewer(other), now=NOW)
    rows = stage_rows(new_draft(world))
    for did in (theirs.id, 2**31 - 1):
        answers = [
            call(world, "GET", f"/drafts/{did}"),
            call(world, "PATCH", f"/drafts/{did}", body={"stages": rows}),
            call(world, "POST", f"/drafts/{did}/preview"),
            call(world, "POST", f"/drafts/{did}/publish", etag='"v1"'),
            call(world, "DELETE", f"/drafts/{did}"),
        ]
        assert [a.status_code for a in answers] == [404] * 5, [a.text for a in answers]
        assert all(a.json()["type"].endswith("not-found") for a in answers)
    assert pipeline_draft(system_viewer(other), theirs.id).revision == theirs.revision  # untouched
    assert call(world, "GET", "/migrations/987654").status_code == 404


def test_a_bad_draft_is_refused_naming_each_field_and_warnings_come_back(world: World) -> None:
    draft = new_draft(world)
    rows = stage_rows(draft)
    path = f"/drafts/{draft['id']}"

    zero = call(world, "PATCH", path, body={"stages": with_sla(rows, "hotel-booking", 0)})
    assert zero.status_code == 422
    assert problem_fields(zero) == ["stages.4.sla_hours"]

    twice = [*rows[:3], rows[2] | {"name_en": "Again"}, *rows[3:]]
    duplicate = call(world, "PATCH", path, body={"stages": twice})
    assert duplicate.status_code == 422
    assert "stages.3.code" in problem_fields(duplicate)
    assert "used by stage" in duplicate.json()["errors"][0]["message"]

    idle = call(world, "PATCH", path, body={"stages": [r | {"is_active": False} for r in rows]})
    assert problem_fields(idle) == ["stages"]

    shapes: list[dict[str, Any]] = [
        {"stages": []},
        {"stages": [rows[0] | {"responsible_role": "manager"}]},
        {"stages": rows, "x": 1},
    ]
    for bad in shapes:
        assert call(world, "PATCH", path, body=bad).status_code == 422, bad
    assert pipeline_draft(system_viewer(world.workspace), draft["id"]).revision == draft["revision"]

    visa_first = [*rows[:4], rows[5], rows[4], *rows[6:]]
    saved = call(world, "PATCH", path, body={"stages": visa_first, "note": "visa dulu"})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["errors"] == []
    assert [w["code"] for w in body["warnings"]] == ["visa_before_hotel"]
    assert body["warnings"][0]["field"].startswith("stages.")
    assert (body["revision"], body["note"]) == (draft["revision"] + 1, "visa dulu")
    assert saved.headers["etag"] == f'"r{draft["revision"] + 1}"'

    stale = call(world, "PATCH", path, etag=f'"r{draft["revision"]}"', body={"stages": rows})
    assert stale.status_code == 412
    assert stale.json()["current"]["revision"] == draft["revision"] + 1
    fresh = call(world, "PATCH", path, etag=saved.headers["etag"], body={"stages": rows})
    assert fresh.status_code == 200


def test_publishing_needs_the_heads_etag_and_a_stale_one_keeps_the_draft(world: World) -> None:
    first, second = new_draft(world), new_draft(world, Role.SUPER_ADMIN)
    call(
        world,
        "PATCH",
        f"/drafts/{first['id']}",
        body={"stages": with_sla(stage_rows(first), "visa-approval", 48)},
    )
    second_rows = with_sla(stage_rows(second), "flight-booking", 100)
    kept = call(
        world, "PATCH", f"/drafts/{second['id']}", Role.SUPER_ADMIN, body={"stages": second_rows}
    ).json()

    missing = call(world, "POST", f"/drafts/{first['id']}/publish")
    assert missing.status_code == 428
    assert missing.json()["type"].endswith("precondition-required")

    published = call(
        world, "POST", f"/drafts/{first['id']}/publish", etag='"v1"', body={"note": "visa 48 jam"}
    )
    assert published.status_code == 201, published.text
    assert published.json()["version_no"] == 2
    assert published.headers["etag"] == '"v2"'
    assert published.headers["location"] == "/api/v1/pipeline/versions/2"

    for tag in ("*", 'W/"v2"', "v2", '"v0"', '"v1"'):
        stale = call(world, "POST", f"/drafts/{second['id']}/publish", Role.SUPER_ADMIN, etag=tag)
        assert stale.status_code == 412, tag
    conflict = stale.json()
    assert conflict["current"]["head"]["version_no"] == 2
    assert stale.headers["etag"] == '"v2"'
    changed = {c["code"]: c for c in conflict["current"]["changes"]}
    assert changed["visa-approval"]["fields"]["sla_hours"] == {"old": 120, "new": 48}
    after = call(world, "GET", f"/drafts/{second['id']}", Role.SUPER_ADMIN).json()
    assert (after["published_no"], after["revision"], after["stages"]) == (
        None,
        kept["revision"],
        kept["stages"],
    )

    compared = call(world, "GET", "/versions/2/changes", Role.TRAVEL_ADMIN).json()
    assert (compared["from_version_no"], compared["to_version_no"]) == (1, 2)
    assert [c for c in compared["items"] if c["kind"] != "same"] == conflict["current"]["changes"]
    again = call(world, "POST", f"/drafts/{first['id']}/publish", etag='"v2"')
    assert again.status_code == 409  # already published
    assert call(world, "DELETE", f"/drafts/{first['id']}").status_code == 409
    retry = call(world, "POST", f"/drafts/{second['id']}/publish", Role.SUPER_ADMIN, etag='"v2"')
    assert retry.status_code == 201
    assert retry.json()["version_no"] == 3


def test_drafts_start_from_a_version_a_template_or_an_imported_document(world: World) -> None:
    legacy = new_draft(world, body={"template": "legacy-2024"})
    assert legacy["source"] == "template:legacy-2024"
    assert new_draft(world, body={"from_version_no": 1})["source"] == "version:1"
    head = new_draft(world)
    assert (head["source"], head["base_version_no"], head["errors"]) == ("head", 1, [])

    for body, field in (
        ({"template": "no-such-template"}, "template"),
        ({"from_version_no": 42}, "from_version_no"),
        ({"template": "umrah-2026", "from_version_no": 1}, "body"),
        ({"document": {"name": "no stages"}}, "document"),
        ({"document": {"stages": [{"code": "a", "name_id": "A\x00"}]}}, "document"),
    ):
        refused = call(world, "POST", "/drafts", body=body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in problem_fields(refused), body

    exported = call(world, "GET", "/versions/1").json()
    document = {"code": "kami-v1", "name": "Kami", "stages": exported["stages"]}
    bad = {**document, "stages": with_sla(exported["stages"], "visa-application", -5)}
    refused = call(world, "POST", "/drafts", body={"document": bad})
    assert problem_fields(refused) == ["document.stages.5.sla_hours"]
    imported = new_draft(world, body={"document": exported})  # GET …/versions/1 as it came
    assert imported["source"] == "import"
    assert stage_rows(imported) == stage_rows(head)

    ids = {d.id for d in open_pipeline_drafts(system_viewer(world.workspace))}
    assert {legacy["id"], head["id"], imported["id"]} <= ids
    assert call(world, "DELETE", f"/drafts/{legacy['id']}").status_code == 204
    assert call(world, "GET", f"/drafts/{legacy['id']}").status_code == 404
    listed = call(world, "GET", "/drafts").json()
    assert legacy["id"] not in {d["id"] for d in listed["items"]}
    assert listed["total"] == len(ids) - 1


def test_a_retried_post_with_the_same_key_answers_the_first_result(world: World) -> None:
    first = call(world, "POST", "/drafts", key="draft-1")
    second = call(world, "POST", "/drafts", key="draft-1")
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert len(open_pipeline_drafts(system_viewer(world.workspace))) == 1

    path = f"/drafts/{first.json()['id']}/publish"
    published = call(world, "POST", path, etag='"v1"', key="publish-1", body={"note": "satu"})
    replayed = call(world, "POST", path, etag='"v1"', key="publish-1", body={"note": "satu"})
    assert published.status_code == replayed.status_code == 201
    assert replayed.json() == published.json()
    assert [v.version_no for v in pipeline_versions(system_viewer(world.workspace))] == [2, 1]
    assert call(world, "POST", path, etag='"v1"', key="publish-1", body={"note": "dua"}).status_code == 422


# --- the whole flow -----------------------------------------------------------------------------


def activity(world: World, action: str) -> list[str]:
    with db.read_session() as session:
        return list(
            session.execute(
                select(t.ActivityLog.actor).where(
                    t.ActivityLog.workspace_id == world.workspace.id, t.ActivityLog.action == action
                )
            ).scalars()
        )


def test_draft_patch_preview_publish_migrate_roll_back_through_http(world: World) -> None:
    viewer = system_viewer(world.workspace)
    open_before = call(world, "GET", "/versions").json()["items"][0]["open_jamaah"]
    draft = new_draft(world)
    # a one-hour SLA (but visa approval's, which equipment's earlier deadline needs): whoever
    # started their stage more than an hour ago is overdue
    rows = [row | {"sla_hours": 1} if row["code"] != "visa-approval" else row for row in stage_rows(draft)]
    saved = call(world, "PATCH", f"/drafts/{draft['id']}", body={"stages": rows, "note": "SLA 1 jam"})
    assert saved.status_code == 200

    # the page's core reads what the API saved
    core_draft = pipeline_draft(viewer, draft["id"])
    assert {s.sla_hours for s in core_draft.stages} == {1, 120}
    assert core_draft.note == "SLA 1 jam"

    preview = call(world, "POST", f"/drafts/{draft['id']}/preview", body={"from_version_no": 1})
    assert preview.status_code == 200, preview.text
    figures = preview.json()
    assert figures["jamaah"] == open_before
    assert figures["changed"] > 0
    assert any(k.endswith("→overdue") and not k.startswith("overdue") for k in figures["transitions"])
    assert sum(s["jamaah_now"] for s in figures["stages"]) == open_before
    assert (
        figures["tasks_kept"] + figures["tasks_moved"] + figures["tasks_replaced"] + figures["tasks_closed"]
        > 0
    )
    wrong = call(
        world, "POST", f"/drafts/{draft['id']}/preview", body={"mapping": {"hotel-booking": "nowhere"}}
    )
    assert problem_fields(wrong) == ["mapping.hotel-booking"]

    head = call(world, "GET", "/versions").json()["head"]
    published = call(world, "POST", f"/drafts/{draft['id']}/publish", etag=f'"v{head}"')
    assert published.status_code == 201
    assert [v.version_no for v in pipeline_versions(viewer)] == [2, 1]
    assert {s.sla_hours for s in pipeline_version_stages(viewer, 2)} == {1, 120}
    assert call(world, "GET", "/versions/2").json()["note"] == "SLA 1 jam"

    assert problem_fields(call(world, "POST", "/migrations", body={"from_version_no": 2})) == [
        "from_version_no"
    ]
    assert problem_fields(call(world, "POST", "/migrations", body={"from_version_no": 7})) == [
        "from_version_no"
    ]
    unknown_group = call(world, "POST", "/migrations", body={"from_version_no": 1, "package_id": 999_999})
    assert problem_fields(unknown_group) == ["package_id"]

    planned = call(world, "POST", "/migrations/preview", body={"from_version_no": 1})
    assert planned.status_code == 200, planned.text
    assert planned.json()["transitions"] == figures["transitions"]  # the draft is now the head
    assert (
        call(world, "POST", "/migrations/preview", Role.TRAVEL_ADMIN, body={"from_version_no": 1}).status_code
        == 403
    )
    wrong = call(
        world, "POST", "/migrations/preview", body={"from_version_no": 1, "mapping": {"x": "nowhere"}}
    )
    assert problem_fields(wrong) == ["mapping.x"]

    migrated = call(world, "POST", "/migrations", key="move-all", body={"from_version_no": 1})
    assert migrated.status_code == 201, migrated.text
    result = migrated.json()
    assert (result["from_version_no"], result["to_version_no"]) == (1, 2)
    assert (result["moved"], result["remaining"], result["completed"]) == (open_before, 0, True)
    assert result["mapping"]["hotel-booking"] == "hotel-booking"
    assert migrated.headers["location"] == f"/api/v1/pipeline/migrations/{result['id']}"
    assert call(world, "GET", f"/migrations/{result['id']}", Role.TRAVEL_ADMIN).json() == result
    lines = {line["version_no"]: line for line in call(world, "GET", "/versions").json()["items"]}
    assert (lines[1]["open_jamaah"], lines[2]["open_jamaah"]) == (0, open_before)
    assert {v.version_no: v.open_jamaah for v in pipeline_versions(viewer)} == {2: open_before, 1: 0}

    health = world.get("/pipeline/health").json()
    assert health["overdue"] >= figures["transitions"].get("on-track→overdue", 0)

    assert call(world, "POST", "/versions/1/rollback").status_code == 428
    assert call(world, "POST", "/versions/1/rollback", etag='"v1"').status_code == 412
    assert call(world, "POST", "/versions/2/rollback", etag='"v2"').status_code == 422  # already the head
    rolled = call(world, "POST", "/versions/1/rollback", etag='"v2"', body={"note": "kembali"})
    assert rolled.status_code == 201, rolled.text
    assert (rolled.json()["version_no"], rolled.json()["source"]) == (3, "rollback")
    back = call(world, "GET", "/versions/3").json()
    assert (back["based_on_no"], back["note"]) == (1, "kembali")
    assert back["stages"] == call(world, "GET", "/versions/1").json()["stages"]
    assert [v.version_no for v in pipeline_versions(viewer)] == [3, 2, 1]  # nothing deleted

    for action in ("pipeline.draft_started", "pipeline.published", "pipeline.migrated"):
        actors = activity(world, action)
        assert actors and all("(API upt_" in a for a in actors), (action, actors)
    assert len(activity(world, "pipeline.migrated")) == open_before  # one entry per jamaah moved


def test_a_migration_asked_to_respond_async_runs_in_the_background(world: World) -> None:
    viewer = system_viewer(world.workspace)
    draft = new_draft(world)
    rows = with_sla(stage_rows(draft), "document-verification", 24)
    call(world, "PATCH", f"/drafts/{draft['id']}", body={"stages": rows})
    assert call(world, "POST", f"/drafts/{draft['id']}/publish", etag='"v1"').status_code == 201
    group = max(migration_groups(viewer, 1), key=lambda g: g.open_jamaah)
    open_before = {v.version_no: v.open_jamaah for v in pipeline_versions(viewer)}

    headers = {**world.auth(), "Prefer": "respond-async"}
    body = {"from_version_no": 1, "package_id": group.package_id}
    started = world.client.post("/api/v1/pipeline/migrations", headers=headers, json=body)
    assert started.status_code == 202, started.text
    assert started.headers["preference-applied"] == "respond-async"
    progress = started.json()
    assert (progress["to_version_no"], progress["package_id"], progress["moved"]) == (2, group.package_id, 0)
    assert progress["completed"] is False
    for thread in threading.enumerate():
        if thread.name == f"pipeline-migration-{progress['id']}":
            thread.join()

    done = call(world, "GET", f"/migrations/{progress['id']}", Role.VISA_ADMIN).json()
    assert (done["moved"], done["remaining"], done["completed"]) == (group.open_jamaah, 0, True)
    after = {v.version_no: v.open_jamaah for v in pipeline_versions(viewer)}
    assert after == {1: open_before[1] - group.open_jamaah, 2: group.open_jamaah}
