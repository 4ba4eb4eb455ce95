"""`/api/v1/departure-groups/{id}/imports` and `…/exports/{file}` over demo-13: multipart upload,
the report's shape, refusals as problem+json, the files and who may fetch them."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest

from pipeline_core.app import Viewer
from pipeline_core.app import intake_files as intake
from pipeline_core.domain import siskopatuh
from pipeline_core.domain.model import Role
from tests.api.conftest import World
from tests.builders import NOW

HEADERS = ["Nama", "Jenis Kelamin", "Tanggal Lahir", "NIK", "No HP"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = ["Hasan Basri", "L", date(1971, 3, 4), "3175010403710091", "0813-1111-2222"]
BAD = ["Budi", "L", date(1972, 3, 4), "3175010403720092", "0813-1111-3333"]


@pytest.fixture(scope="module")
def group(world: World) -> int:
    viewer = Viewer(workspace=world.workspace, actor=_actor(world))
    choices = intake.departure_group_choices(viewer)
    return next(g.id for g in choices if g.departure_date > NOW.date() and g.enrolled < g.quota)


def _actor(world: World) -> Any:
    from tests.api.conftest import demo_user

    return demo_user(world.workspace, Role.MANAGER).actor


def post(
    world: World, group: int, data: bytes, role: Role = Role.DOCUMENT_ADMIN, name: str = "j.xlsx", **q: Any
) -> Any:
    return world.client.post(
        f"/api/v1/departure-groups/{group}/imports",
        headers=world.auth(role),
        params=q,
        files={"file": (name, data, XLSX)},
    )


def test_a_dry_run_answers_the_counts_and_each_error(world: World, group: int) -> None:
    answer = post(world, group, workbook([GOOD, BAD]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {k: body[k] for k in ("new", "updated", "unchanged", "error_rows", "committed")} == {
        "new": 1, "updated": 0, "unchanged": 0, "error_rows": 1, "committed": False,
    }  # fmt: skip
    assert body["errors"] == [{"row": 3, "column": "Nama", "message": body["errors"][0]["message"]}]
    assert "two words" in body["errors"][0]["message"]


def test_a_commit_with_errors_is_refused_whole_and_valid_only_writes_the_rest(
    world: World, group: int
) -> None:
    refused = post(world, group, workbook([GOOD, BAD]), dry_run="false")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith(":import-refused") and problem["report"]["error_rows"] == 1
    done = post(world, group, workbook([GOOD, BAD]), dry_run="false", valid_only="true")
    assert done.status_code == 200 and done.json()["committed"] and done.json()["new"] == 1
    again = post(world, group, workbook([GOOD]), dry_run="false")
    assert (again.json()["unchanged"], again.json()["new"]) == (1, 0)


def test_unknown_headers_are_named_and_a_mapping_places_them(world: World, group: int) -> None:
    data = workbook([[*GOOD, "XL"]], [*HEADERS, "Ukuran Baju"])
    unknown = post(world, group, data)
    assert unknown.status_code == 422 and "'Ukuran Baju'" in unknown.json()["detail"]
    mapped = post(world, group, data, mapping='{"Ukuran Baju": "-"}')
    assert mapped.status_code == 200, mapped.text


def test_refusals_are_problems(world: World, group: int) -> None:
    assert post(world, group, workbook([GOOD]), role=Role.VISA_ADMIN).status_code == 403
    assert post(world, 999_999, workbook([GOOD])).status_code == 404
    not_a_sheet = post(world, group, b"hello", name="j.pdf")
    assert not_a_sheet.status_code == 422 and ".xlsx, .xlsm or .csv" in not_a_sheet.json()["detail"]


def test_exports_are_files_for_the_roles_that_may_see_the_data(world: World, group: int) -> None:
    answer = world.client.get(
        f"/api/v1/departure-groups/{group}/exports/siskopatuh.xlsx", headers=world.auth(Role.SISKOPATUH_ADMIN)
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert "attachment" in answer.headers["content-disposition"]
    assert int(answer.headers["x-rows-missing-required"]) >= 1
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(siskopatuh.HEADERS)
    listing = world.client.get(f"/api/v1/departure-groups/{group}/exports/jamaah.csv", headers=world.auth())
    assert listing.status_code == 200 and listing.text.startswith("\ufeffNo,Nama")
    refused = world.client.get(
        f"/api/v1/departure-groups/{group}/exports/manifest.xlsx", headers=world.auth(Role.LOGISTICS_ADMIN)
    )
    assert refused.status_code == 403
    unknown = world.client.get(f"/api/v1/departure-groups/{group}/exports/secrets.xlsx", headers=world.auth())
    assert unknown.status_code == 422
    template = world.client.get("/api/v1/import-template.xlsx", headers=world.auth())
    assert template.status_code == 200 and template.headers["content-type"] == XLSX


def test_a_20_mb_upload_is_refused_before_the_route_reads_it(world: World, group: int) -> None:
    answer = post(world, group, b"PK\x03\x04" + bytes(20 * 1024 * 1024))
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith(":too-large")
