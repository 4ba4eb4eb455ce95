"""`/api/v1/jamaah/{id}/documents/{kind}/scan` over a real server stack: upload by content, the file
back byte for byte to a manager only, its headers, the refusals as problem+json, every view logged."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from pipeline_core.domain.model import Role
from tests.api.conftest import World, api_client, make_world
from tests.api.test_api_intake import jamaah_body, new_group, send


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


@pytest.fixture(scope="module")
def jamaah_id(world: World) -> int:
    group = new_group(world, quota=5).json()["id"]
    body = jamaah_body(group, birth_date="1968-03-02", nik="3273014203680001", full_name="Aisyah Rahma")
    enrolled = send(world, "POST", "/jamaah", Role.DOCUMENT_ADMIN, json=body)
    assert enrolled.status_code == 201, enrolled.text
    return int(enrolled.json()["id"])


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 50), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def put(
    world: World, path: str, content: bytes, name: str, role: Role = Role.DOCUMENT_ADMIN
) -> httpx.Response:
    return send(world, "PUT", path, role, files={"file": (name, content, "application/pdf")})


def test_a_scan_goes_in_by_content_and_comes_back_byte_for_byte_to_a_manager(
    world: World, jamaah_id: int
) -> None:
    path = f"/jamaah/{jamaah_id}/documents/ktp/scan"
    stored = put(world, path, png(), "C:\\scans\\ktp aisyah.pdf")  # a PNG with a PDF name and type
    assert stored.status_code == 200, stored.text
    assert stored.json()["content_type"] == "image/png" and stored.json()["size_bytes"] == len(png())

    opened = world.get(path, Role.MANAGER)
    assert opened.status_code == 200
    assert opened.content == png()
    assert opened.headers["content-type"] == "image/png"
    assert opened.headers["content-disposition"].startswith('attachment; filename="ktp aisyah.png"')
    assert opened.headers["cache-control"] == "no-store"
    assert opened.headers["x-content-type-options"] == "nosniff"

    listed = world.get(f"/jamaah/{jamaah_id}/documents", Role.LOGISTICS_ADMIN).json()["items"]
    scans = {item["kind"]: item["scan"] for item in listed}
    assert scans["ktp"]["content_type"] == "image/png" and scans["passport"] is None


@pytest.mark.parametrize("role", [Role.DOCUMENT_ADMIN, Role.SUPER_ADMIN, Role.VISA_ADMIN])
def test_roles_that_may_not_reveal_personal_data_get_403(world: World, jamaah_id: int, role: Role) -> None:
    put(world, f"/jamaah/{jamaah_id}/documents/kk/scan", png(), "kk.png")
    refused = world.get(f"/jamaah/{jamaah_id}/documents/kk/scan", role)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert png() not in refused.content


def test_bad_files_and_roles_are_refused_as_problems(world: World, jamaah_id: int) -> None:
    path = f"/jamaah/{jamaah_id}/documents/passport/scan"
    exe = put(world, path, b"MZ\x90\x00" + b"\x00" * 500, "paspor.pdf")
    assert exe.status_code == 415 and exe.json()["type"].endswith("unsupported-type")
    assert "not a PDF, JPEG or PNG" in exe.json()["detail"]
    big = put(world, path, b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024 + 10), "big.pdf")
    assert big.status_code == 413 and big.headers["content-type"] == "application/problem+json"
    assert "a scan may be at most 5,242,880 bytes" in big.json()["detail"]
    bigger = put(world, path, b"%PDF-1.7\n" + b"0" * (6 * 1024 * 1024), "bigger.pdf")  # beyond the envelope
    assert bigger.status_code == 413
    empty = put(world, path, b"", "empty.pdf")
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "file"
    visa = put(world, path, b"%PDF-1.7\n%%EOF\n", "p.pdf", role=Role.VISA_ADMIN)
    assert visa.status_code == 403
    assert world.get(path, Role.MANAGER).status_code == 404  # nothing was stored
    assert put(world, "/jamaah/999999999/documents/passport/scan", b"%PDF-1.7\n", "p.pdf").status_code == 404


def test_each_view_and_the_removal_are_in_the_activity_log(world: World, jamaah_id: int) -> None:
    path = f"/jamaah/{jamaah_id}/documents/passport_photo/scan"
    assert put(world, path, png(), "foto.png").status_code == 200
    for _ in range(2):
        assert world.get(path, Role.MANAGER).status_code == 200
    assert send(world, "DELETE", path, Role.DOCUMENT_ADMIN).status_code == 204
    assert world.get(path, Role.MANAGER).status_code == 404
    entries = world.get("/activity", Role.MANAGER, limit=50).json()["items"]
    mine = [
        e["action"]
        for e in reversed(entries)
        if e["jamaah_id"] == jamaah_id and e["changes"].get("document", {}).get("new") == "passport_photo"
    ]
    assert mine == [
        "document.scan_uploaded", "document.scan_viewed", "document.scan_viewed", "document.scan_removed",
    ]  # fmt: skip
