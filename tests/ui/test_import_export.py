"""Impor & ekspor in AppTest: upload → dry run with the error table → commit; the mapping step;
the export buttons by role."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
from streamlit.testing.v1 import AppTest

from pipeline_core.app import intake
from pipeline_core.domain.model import Role, Workspace
from tests.ui.conftest import open_page, viewer


def a_group(ws: Workspace) -> intake.GroupRecord:
    departure = date.today() + timedelta(days=120)
    return intake.create_departure_group(
        viewer(ws, Role.MANAGER),
        {"name": "Umroh Impor Test", "departure_date": departure,
         "return_date": departure + timedelta(days=8), "airline": "Saudia", "quota": 45},
    )  # fmt: skip


def workbook(rows: list[list[object]], headers: tuple[str, ...] = ("Nama", "Jenis Kelamin", "Tanggal Lahir",
             "NIK", "No HP")) -> bytes:  # fmt: skip
    book = openpyxl.Workbook()
    book.active.append(list(headers))
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = ["Hasan Basri", "L", date(1971, 3, 4), "3175010403710091", "0813-1111-2222"]
BAD = ["Budi", "L", date(1972, 3, 4), "3175010403720092", "0813-1111-3333"]


def upload(at: AppTest, group_id: int, data: bytes, name: str = "jamaah.xlsx") -> AppTest:
    at.selectbox(key="files-group").set_value(group_id).run()
    at.file_uploader(key="files-upload").upload(name, data).run()
    return at


def test_upload_dry_run_then_import_the_valid_rows(fresh_demo13: Workspace) -> None:
    group = a_group(fresh_demo13)
    at = upload(open_page("import_export", user="document-admin"), group.id, workbook([GOOD, BAD]))
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "0", "0", "1"]
    [errors] = at.dataframe
    assert errors.value.iloc[0].tolist()[:2] == [3, "Nama"]
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Impor sekarang").click().run()
    assert not at.exception and not at.error
    assert intake.departure_group(viewer(fresh_demo13), group.id).seats_used == 1


def test_an_unknown_column_is_mapped_before_the_dry_run(fresh_demo13: Workspace) -> None:
    group = a_group(fresh_demo13)
    data = workbook(
        [[*GOOD, "XL"]], ("Nama", "Jenis Kelamin", "Tanggal Lahir", "NIK", "No HP", "Ukuran Baju")
    )
    at = upload(open_page("import_export", user="manager"), group.id, data)
    assert at.warning and not at.metric
    next(b for b in at.button if b.label == "Periksa (uji coba)").click().run()
    assert [m.value for m in at.metric] == ["1", "0", "0", "0"]


def test_who_sees_the_import_and_the_exports(fresh_demo13: Workspace) -> None:
    visa = open_page("import_export", user="visa-admin")
    assert not visa.exception and not visa.get("file_uploader")
    labels = [b.proto.label for b in visa.get("download_button")]
    assert "SISKOPATUH (.xlsx)" in labels and "Manifest (.xlsx)" in labels
    logistics = open_page("import_export", user="logistics-admin")
    assert not logistics.exception and not logistics.get("download_button")


def test_the_groups_page_offers_the_exports_to_who_may_export(fresh_demo13: Workspace) -> None:
    siskopatuh = open_page("departure_groups", user="siskopatuh-admin")
    assert not siskopatuh.exception
    assert "SISKOPATUH (.xlsx)" in [b.proto.label for b in siskopatuh.get("download_button")]
    logistics = open_page("departure_groups", user="logistics-admin")
    assert not logistics.exception and not logistics.get("download_button")
