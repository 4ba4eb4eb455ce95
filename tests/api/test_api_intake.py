"""`/api/v1/departure-groups` and `POST/PATCH /api/v1/jamaah` over the real core (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from pipeline_core.domain.model import Role
from tests.api.conftest import World, api_client, make_world
from tests.builders import NOW


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


def send(world: World, method: str, path: str, role: Role = Role.MANAGER, **kwargs: Any) -> httpx.Response:
    headers = world.auth(role) | kwargs.pop("headers", {})
    return world.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)


def new_group(world: World, role: Role = Role.TRAVEL_ADMIN, **overrides: Any) -> httpx.Response:
    departure = NOW.date() + timedelta(days=90)
    body = {
        "name": "Umroh Reguler 9 Hari Maret",
        "departure_date": departure.isoformat(),
        "return_date": (departure + timedelta(days=8)).isoformat(),
        "airline": "Saudia",
        "flight_numbers": "SV 817 / SV 816",
        "quota": 2,
    } | overrides
    return send(world, "POST", "/departure-groups", role, json=body)


def jamaah_body(group_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "departure_group_id": group_id,
        "full_name": "Siti Aminah",
        "gender": "female",
        "birth_date": "1972-08-17",
        "nik": "3273015708720001",
        "phone": "0812 7777 1234",
        "passport_number": "E1234567",
        "passport_name": "SITI AMINAH",
        "passport_issue_date": "2024-01-10",
        "passport_expiry": "2034-01-10",
        "title": "Ibu",
        "marital_status": "Kawin",
        "province": "Jawa Barat",
        "regency": "Kota Bandung",
    } | overrides


def test_groups_list_create_and_seats(world: World) -> None:
    created = new_group(world)
    assert created.status_code == 201, created.text
    group = created.json()
    assert (group["status"], group["seats_used"], group["seats_left"]) == ("open", 0, 2)
    listed = send(world, "GET", "/departure-groups", Role.LOGISTICS_ADMIN).json()
    assert listed["total"] == len(listed["items"]) >= 2
    assert group["id"] in {item["id"] for item in listed["items"]}
    assert all("id" in item for item in listed["items"])


def test_creating_a_group_is_for_managers_and_travel(world: World) -> None:
    refused = new_group(world, Role.VISA_ADMIN)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    bad = new_group(world, quota=0)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "quota"


def test_enrol_201_with_warnings_then_422_409_and_a_full_group(world: World) -> None:
    group = new_group(world).json()
    enrolled = send(world, "POST", "/jamaah", Role.DOCUMENT_ADMIN, json=jamaah_body(group["id"]))
    assert enrolled.status_code == 201, enrolled.text
    body = enrolled.json()
    assert body["task_id"] and body["warnings"] == []
    assert enrolled.headers["location"] == f"/api/v1/jamaah/{body['id']}"
    shown = send(world, "GET", f"/jamaah/{body['id']}").json()
    assert shown["phone"] == "+6281277771234" and "•" in shown["nik"]

    wrong = send(
        world, "POST", "/jamaah", Role.DOCUMENT_ADMIN,
        json=jamaah_body(
            group["id"], nik="3273011708720001", passport_name="SITI", passport_expiry="2023-01-01"
        ),
    )  # fmt: skip
    assert wrong.status_code == 422
    fields = [e["field"] for e in wrong.json()["errors"]]
    assert fields == ["nik", "passport_name", "passport_expiry"]

    duplicate = send(
        world, "POST", "/jamaah", Role.MANAGER, json=jamaah_body(group["id"], full_name="Siti Lain")
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["current"] == {"id": body["id"], "href": f"/api/v1/jamaah/{body['id']}"}

    expiry = date.fromisoformat(group["departure_date"]) + timedelta(days=100)
    short = send(
        world, "POST", "/jamaah", Role.MANAGER,
        json=jamaah_body(group["id"], nik="3273010101800001", gender="male", full_name="Budi Santoso",
                         birth_date="1980-01-01", title="Bapak", passport_name=None,
                         passport_expiry=expiry.isoformat()),
    )  # fmt: skip
    assert short.status_code == 201, short.text
    assert [w["field"] for w in short.json()["warnings"]] == ["passport_expiry"]

    full = send(
        world, "POST", "/jamaah", Role.MANAGER,
        json=jamaah_body(group["id"], nik="3273015708720002"),
    )  # fmt: skip
    assert full.status_code == 422
    assert full.json()["errors"] == [
        {"field": "departure_group_id", "in": "body", "message": full.json()["errors"][0]["message"]}
    ]
    assert "full" in full.json()["errors"][0]["message"]


def test_enrolling_is_refused_to_other_roles(world: World) -> None:
    group = new_group(world).json()
    refused = send(
        world, "POST", "/jamaah", Role.VISA_ADMIN, json=jamaah_body(group["id"], nik="3273015708720009")
    )
    assert refused.status_code == 403


def test_patch_jamaah_changes_and_names_bad_fields(world: World) -> None:
    group = new_group(world).json()
    created = send(world, "POST", "/jamaah", json=jamaah_body(group["id"], nik="3273015708720003")).json()
    changed = send(
        world, "PATCH", f"/jamaah/{created['id']}", Role.DOCUMENT_ADMIN, json={"occupation": "IRT"}
    )
    assert changed.status_code == 200 and changed.json()["changed"] == ["occupation"]
    bad = send(world, "PATCH", f"/jamaah/{created['id']}", json={"phone": "021 5551234"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "phone"
    unknown = send(world, "PATCH", f"/jamaah/{created['id']}", json={"departure_group_id": 1})
    assert unknown.status_code == 422


def test_patch_group_with_if_match_and_a_new_departure(world: World) -> None:
    group = new_group(world, quota=10).json()
    send(world, "POST", "/jamaah", json=jamaah_body(group["id"], nik="3273015708720004"))
    read = send(world, "GET", f"/departure-groups/{group['id']}")
    etag = read.headers["etag"]
    new_departure = date.fromisoformat(group["departure_date"]) + timedelta(days=7)
    moved = send(
        world, "PATCH", f"/departure-groups/{group['id']}", headers={"If-Match": etag},
        json={"departure_date": new_departure.isoformat(),
              "return_date": (new_departure + timedelta(days=8)).isoformat()},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert moved.json()["group"]["departure_date"] == new_departure.isoformat()
    assert moved.json()["departure_change"]["jamaah"] == 1
    stale = send(
        world, "PATCH", f"/departure-groups/{group['id']}", headers={"If-Match": etag}, json={"quota": 9}
    )
    assert stale.status_code == 412 and stale.json()["current"]["quota"] == 10
    closed = send(world, "PATCH", f"/departure-groups/{group['id']}", json={"status": "closed"})
    assert closed.json()["group"]["status"] == "closed" and closed.json()["departure_change"] is None
    refused = send(world, "PATCH", f"/departure-groups/{group['id']}", Role.DOCUMENT_ADMIN, json={"quota": 9})
    assert refused.status_code == 403
