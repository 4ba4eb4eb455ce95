"""`/api/v1/jamaah/{id}/documents` over a real server stack: the checklist, its rules and permissions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline_core.domain.model import Role
from tests.api.conftest import World, api_client, make_world
from tests.api.test_api_intake import jamaah_body, new_group, send


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


def test_the_checklist_is_read_and_changed_with_the_rules_of_the_core(world: World) -> None:
    group = new_group(world, quota=5).json()["id"]
    body = jamaah_body(group, birth_date="1995-08-17", nik="3273015708950001", full_name="Nur Aini")
    enrolled = send(world, "POST", "/jamaah", Role.DOCUMENT_ADMIN, json=body)
    assert enrolled.status_code == 201, enrolled.text
    jamaah_id, task_id = enrolled.json()["id"], enrolled.json()["task_id"]

    listed = world.get(f"/jamaah/{jamaah_id}/documents", Role.LOGISTICS_ADMIN)  # everyone reads
    assert listed.status_code == 200
    assert [(d["kind"], d["status"]) for d in listed.json()["items"]] == [
        ("passport", "missing"), ("ktp", "missing"), ("kk", "missing"), ("passport_photo", "missing"),
        ("meningitis_certificate", "missing"), ("mahram_letter", "missing"),
    ]  # fmt: skip

    denied = send(
        world,
        "PATCH",
        f"/jamaah/{jamaah_id}/documents/passport",
        Role.VISA_ADMIN,
        json={"status": "received"},
    )
    assert denied.status_code == 403
    no_reason = send(
        world,
        "PATCH",
        f"/jamaah/{jamaah_id}/documents/passport",
        Role.DOCUMENT_ADMIN,
        json={"status": "rejected"},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    unknown = send(
        world,
        "PATCH",
        f"/jamaah/{jamaah_id}/documents/visa",
        Role.DOCUMENT_ADMIN,
        json={"status": "received"},
    )
    assert unknown.status_code == 422

    for kind in ("passport", "ktp", "kk", "passport_photo", "meningitis_certificate"):
        done = send(
            world,
            "PATCH",
            f"/jamaah/{jamaah_id}/documents/{kind}",
            Role.DOCUMENT_ADMIN,
            json={"status": "received"},
        )
        assert done.status_code == 200, done.text
    assert done.json()["items"][4]["updated_by"]

    task = world.get(f"/pipeline/tasks/{task_id}", Role.DOCUMENT_ADMIN).json()
    refused = send(
        world,
        "POST",
        f"/pipeline/tasks/{task_id}/complete",
        Role.DOCUMENT_ADMIN,
        headers={"If-Match": f'"v{task["version"]}"'},
    )
    assert refused.status_code == 422, refused.text
    assert "marriage book or mahram letter" in refused.text

    send(
        world,
        "PATCH",
        f"/jamaah/{jamaah_id}/documents/mahram_letter",
        Role.MANAGER,
        json={"status": "received"},
    )
    completed = send(
        world,
        "POST",
        f"/pipeline/tasks/{task_id}/complete",
        Role.DOCUMENT_ADMIN,
        headers={"If-Match": f'"v{task["version"]}"'},
    )
    assert completed.status_code == 200, completed.text


def test_an_unknown_jamaah_is_404(world: World) -> None:
    assert world.get("/jamaah/999999999/documents").status_code == 404
