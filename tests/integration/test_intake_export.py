"""A group's exports on real PostgreSQL, and the round trip: export the SISKOPATUH workbook, import
it into an empty workspace, get the same jamaah."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.app import intake_files as app
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import siskopatuh
from pipeline_core.domain.errors import PermissionDenied
from pipeline_core.domain.model import Role, Workspace, WorkspaceKind
from pipeline_core.domain.spreadsheets import read_table
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import NOW, make_package, stored_jamaah

TEMPLATE_ROW: dict[str, Any] = {
    "title": "TUAN",
    "full_name": "Ahmad Hidayat",
    "father_name": "Hidayat Sulaiman",
    "identity_type": "NIK",
    "nik": "3201010105700001",
    "passport_name": "AHMAD HIDAYAT",
    "passport_number": "C1234567",
    "passport_issue_date": "2024-02-01",
    "passport_city": "JAKARTA",
    "birth_place": "BOGOR",
    "birth_date": "1970-05-01",
    "address": "Jl. Melati No. 5 RT 01/02",
    "province": "JAWA BARAT",
    "regency": "KAB. BOGOR",
    "district": "CIBINONG",
    "village": "PAKANSARI",
    "home_phone": "021-8765432",
    "phone": "0812-3456-7890",
    "nationality": "WNI",
    "marital_status": "MENIKAH",
    "education": "SMA/MA",
    "occupation": "WIRAUSAHA",
    "visa_provider": None,
    "visa_number": None,
    "visa_valid_from": None,
    "visa_valid_until": None,
    "insurance_provider": "ASURANSI TAKAFUL",
    "insurance_policy_number": "POL-001",
    "insurance_input_date": "2026-11-01",
    "insurance_start_date": "2027-02-28",
    "insurance_end_date": "2027-03-15",
    "bpjs_number": "0001234567890",
}
COMPARED = [*siskopatuh.HEADER_FIELDS, "gender"]
EVIL = '@SUM(1+1)*cmd|" /C calc"!A0'  # text typed so; a spreadsheet would run it as a formula


def template_file(rows: list[dict[str, Any]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(siskopatuh.HEADERS))
    for row in rows:
        book.active.append([row.get(f) for f in siskopatuh.HEADER_FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def three_jamaah() -> list[dict[str, Any]]:
    siti = TEMPLATE_ROW | {
        "title": "NYONYA", "full_name": "Siti Aminah", "nik": "3201014606850002", "birth_date": "1985-06-06",
        "passport_name": "SITI AMINAH", "passport_number": "C7654321", "phone": "081298765432",
    }  # fmt: skip
    joko = TEMPLATE_ROW | {
        "full_name": "Joko Susilo", "address": EVIL, "nik": "3201011212600003", "birth_date": "1960-12-12",
        "father_name": None, "passport_name": "JOKO SUSILO", "passport_number": "C1112223",
        "phone": "081311112222",
    }  # fmt: skip
    return [TEMPLATE_ROW, siti, joko]


def stored(session: Session, group: int) -> list[dict[str, Any]]:
    rows = stored_jamaah(session, t.Jamaah.package_id == group)
    return [{f: getattr(row, f) for f in COMPARED} for row in rows]


def test_the_siskopatuh_round_trip_gives_the_same_jamaah(session: Session, workspace: Workspace) -> None:
    manager = system_viewer(workspace)
    group = make_package(session, workspace)
    loaded = app.import_file(
        manager, group, template_file(three_jamaah()), "data.xlsx", dry_run=False, now=NOW, session=session
    )
    assert (loaded.new, loaded.error_rows) == (3, 0), loaded.errors

    exported = app.export_group(manager, group, "siskopatuh.xlsx", now=NOW, session=session)
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == list(siskopatuh.HEADERS)
    assert sheet.max_row == 4
    birth = siskopatuh.HEADER_FIELDS.index("birth_date") + 1
    assert sheet.cell(row=2, column=birth).value == "1970-05-01"  # text, as the template wants
    address = siskopatuh.HEADER_FIELDS.index("address") + 1
    assert sheet.cell(row=3, column=address).value == "'" + EVIL  # Joko (2nd by name): formula-safe
    ruled = {str(rule.sqref).split(":")[0] for rule in sheet.data_validations.dataValidation}
    assert {"A2", "D2", "M2", "S2", "T2", "U2", "V2"} <= ruled  # title, identity, province, vocab
    assert [(m.full_name, m.headers) for m in exported.missing] == [("Joko Susilo", ("Nama Ayah",))]

    empty = create_workspace(session, slug="second-agency", name="Second", kind=WorkspaceKind.AGENCY)
    other = get_workspace(session, "second-agency")
    assert other.id == empty
    other_group = make_package(session, other)
    again = app.import_file(
        system_viewer(other),
        other_group,
        exported.content,
        exported.file_name,
        dry_run=False,
        now=NOW,
        session=session,
    )
    assert again.counts() == {"new": 3, "updated": 0, "unchanged": 0, "error_rows": 0}
    assert stored(session, other_group) == stored(session, group)
    assert stored(session, group)[0]["birth_date"] == date(1970, 5, 1)


def test_manifest_and_list_and_the_export_is_logged(session: Session, workspace: Workspace) -> None:
    manager = system_viewer(workspace, Role.TRAVEL_ADMIN, name="Tono Travel")
    group = make_package(session, workspace, code="UMR-0301")
    app.import_file(
        system_viewer(workspace),
        group,
        template_file(three_jamaah()),
        "d.xlsx",
        dry_run=False,
        now=NOW,
        session=session,
    )

    manifest = app.export_group(manager, group, "manifest.xlsx", now=NOW, session=session)
    assert manifest.file_name == "UMR-0301-manifest.xlsx"
    sheet = read_table(manifest.content, manifest.file_name)
    assert sheet.headers[:3] == ("No", "Name (as in passport)", "Gender")
    assert sheet.rows[0][1][1:5] == ("AHMAD HIDAYAT", "M", date(1970, 5, 1), "C1234567")
    assert sheet.rows[0][1][6] == "INDONESIA"

    listing = app.export_group(manager, group, "jamaah.csv", now=NOW, session=session)
    text = listing.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("No,Nama,Jenis kelamin")
    assert "3201010105700001" in text and "Pengumpulan Dokumen" in text  # full NIK, current stage

    logged = session.execute(
        select(t.ActivityLog.actor, t.ActivityLog.changes)
        .where(t.ActivityLog.action == "group.exported")
        .order_by(t.ActivityLog.id)
    ).all()
    assert [(a, c["file"]["new"], c["jamaah"]["new"]) for a, c in logged] == [
        ("Tono Travel", "manifest.xlsx", 3),
        ("Tono Travel", "jamaah.csv", 3),
    ]


def test_a_role_that_may_not_see_the_data_may_not_export(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace)
    with pytest.raises(PermissionDenied):
        app.export_group(
            system_viewer(workspace, Role.LOGISTICS_ADMIN), group, "manifest.xlsx", now=NOW, session=session
        )


def test_the_blank_template_reads_back_as_every_field() -> None:
    template = app.blank_template()
    sheet = read_table(template.content, template.file_name)
    from pipeline_core.domain.intake import match_headers

    match = match_headers(sheet.headers)
    assert not match.unknown and sheet.rows == []
    assert {"passport_expiry_date", "gender", "agent_name", "notes"} <= match.fields
