"""Importing a file of jamaah on real PostgreSQL: the dry run's counts and errors, the commit
(all-or-nothing, valid rows only), idempotence, duplicates, the quota and an interrupted import.

Files are built here with openpyxl; rows carry NIKs consistent with their birth date and gender."""

from __future__ import annotations

import io
import itertools
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.commands.intake import ImportReport, UnknownColumns, import_jamaah
from pipeline_core.domain.errors import InvalidInput, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.store import schema as t
from tests.builders import MANAGER, NOW, count_rows, make_jamaah, make_package, stored_jamaah, stream_entries

DOC_ADMIN = Actor(user_id=None, name="Dewi Dokumen", role=Role.DOCUMENT_ADMIN)
HEADERS = ["Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "NIK", "No HP", "No Paspor", "Catatan"]
_serial = itertools.count(1)


def nik_for(born: date, female: bool = False) -> str:
    """A NIK whose digits 7–12 are the birth date (day + 40 for a woman), region 3174 01."""
    day = born.day + (40 if female else 0)
    return f"317401{day:02d}{born.month:02d}{born.year % 100:02d}{next(_serial) % 10000:04d}"


def person(
    name: str = "Ahmad Hidayat",
    *,
    female: bool = False,
    born: date = date(1970, 5, 1),
    cells: dict[str, Any] | None = None,
) -> list[Any]:
    row = {
        "Nama Lengkap": name,
        "Jenis Kelamin": "P" if female else "L",
        "Tanggal Lahir": born,
        "NIK": nik_for(born, female),
        "No HP": "0812-3456-7890",
        "No Paspor": "C1234567",
        "Catatan": None,
    } | (cells or {})
    return [row[h] for h in HEADERS]


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(session: Session, workspace: Workspace, group: int, data: bytes, **kw: Any) -> ImportReport:
    return import_jamaah(
        session=session, workspace=workspace, actor=kw.pop("actor", DOC_ADMIN), package_id=group,
        data=data, file_name=kw.pop("file_name", "jamaah.xlsx"), now=NOW, **kw,
    )  # fmt: skip


def jamaah_of(session: Session, group: int) -> list[Any]:
    return list(stored_jamaah(session, t.Jamaah.package_id == group))


MIXED = [
    person("Ahmad Hidayat"),
    person("Siti Aminah", female=True, born=date(1985, 5, 6)),
    person("Budi", born=date(1975, 1, 1)),  # one word
    person("Rahmat Hidayat", cells={"No HP": "0212345678"}),  # a landline
    person("Dewi Lestari", female=True, cells={"Tanggal Lahir": "31/02/1990"}),  # no such date
    person("Joko Susilo", cells={"NIK": None}),
]


def test_a_dry_run_counts_rows_and_lists_each_error_with_row_and_column(
    session: Session, workspace: Workspace
) -> None:
    group = make_package(session, workspace)
    report = run(session, workspace, group, xlsx(MIXED))
    assert report.counts() == {"new": 2, "updated": 0, "unchanged": 0, "error_rows": 4}
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "Nama Lengkap"),
        (5, "No HP"),
        (6, "Tanggal Lahir"),
        (6, "Tanggal Lahir"),  # unreadable, then required
        (7, "NIK"),
    ]
    assert "at least two words" in report.errors[0].message
    assert not report.committed and jamaah_of(session, group) == []


def test_commit_is_all_or_nothing_unless_valid_rows_only(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace)
    refused = run(session, workspace, group, xlsx(MIXED), dry_run=False)
    assert not refused.committed and refused.error_rows == 4
    assert jamaah_of(session, group) == []

    done = run(session, workspace, group, xlsx(MIXED), dry_run=False, valid_only=True)
    assert done.committed and done.counts() == {"new": 2, "updated": 0, "unchanged": 0, "error_rows": 4}
    stored = jamaah_of(session, group)
    assert sorted(j.full_name for j in stored) == ["Ahmad Hidayat", "Siti Aminah"]
    assert {j.phone for j in stored} == {"+6281234567890"}
    # enrolled as the form enrols: a task and a snapshot row each, one log entry each + the import
    assert count_rows(session, t.PipelineTask, workspace_id=workspace.id) == 2
    assert count_rows(session, t.JamaahPipelineStatus, workspace_id=workspace.id) == 2
    actions = [
        a
        for (a,) in session.execute(
            select(t.ActivityLog.action).where(t.ActivityLog.workspace_id == workspace.id)
        )
    ]
    assert sorted(actions) == ["jamaah.enrolled", "jamaah.enrolled", "jamaah.imported"]
    imported = [e for e in stream_entries(workspace) if e["type"] == "jamaah.imported"]
    assert [(e["new"], e["updated"]) for e in imported] == [(2, 0)]  # one event, not one per row


def test_reimporting_the_same_file_changes_nothing_and_a_changed_value_updates(
    session: Session, workspace: Workspace
) -> None:
    group = make_package(session, workspace)
    rows = [person("Ahmad Hidayat"), person("Siti Aminah", female=True)]
    assert run(session, workspace, group, xlsx(rows), dry_run=False).new == 2
    again = run(session, workspace, group, xlsx(rows), dry_run=False)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 2, "error_rows": 0}
    rows[1][HEADERS.index("No Paspor")] = "X7654321"
    rows[0][HEADERS.index("Catatan")] = None  # an empty cell never clears a stored value
    changed = run(session, workspace, group, xlsx(rows), dry_run=False)
    assert changed.counts() == {"new": 0, "updated": 1, "unchanged": 1, "error_rows": 0}
    siti = next(j for j in jamaah_of(session, group) if j.full_name == "Siti Aminah")
    assert siti.passport_number == "X7654321"
    [entry] = session.execute(
        select(t.ActivityLog.changes).where(
            t.ActivityLog.action == "jamaah.updated", t.ActivityLog.jamaah_id == siti.id
        )
    ).all()
    assert entry.changes == {"passport_number": {"old": "C1•••••67", "new": "X7•••••21"}}  # masked


def test_a_duplicate_nik_in_the_file_and_one_in_another_group(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace)
    elsewhere = make_jamaah(session, workspace, nik=nik_for(date(1970, 5, 1)), birth_date=date(1970, 5, 1))
    twice = person("Ahmad Hidayat")
    taken = person("Rahmat Hidayat", cells={"NIK": elsewhere.jamaah.nik})
    report = run(session, workspace, group, xlsx([twice, list(twice), taken]))
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "NIK", f"NIK {twice[3]} is also on row 2 of this file."),
        (4, "NIK", f"NIK {elsewhere.jamaah.nik} is already registered in another group (Ahmad Hidayat)."),
    ]
    assert report.new == 1


def test_the_group_quota_is_respected_in_file_order(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace, quota=2)
    make_jamaah(session, workspace, package_id=group)
    report = run(
        session, workspace, group, xlsx([person("Ahmad Hidayat"), person("Siti Aminah", female=True)])
    )
    assert report.new == 1
    assert [(e.row, e.message) for e in report.errors] == [(3, "The group is full (quota 2).")]


class Interrupted(Exception):
    pass


def test_an_interrupted_import_leaves_nothing(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace, quota=3000)
    rows = [
        person(f"Jamaah Nomor{chr(65 + i % 26)}", born=date(1960 + i % 30, 1 + i % 12, 1 + i % 28))
        for i in range(2500)
    ]
    calls: list[int] = []

    def stop_after_first_batch(done: int, total: int) -> None:
        calls.append(done)
        raise Interrupted  # the connection dropped, the process is stopping …

    with pytest.raises(Interrupted):
        run(session, workspace, group, xlsx(rows), dry_run=False, progress=stop_after_first_batch)
    assert calls == [1000]
    assert jamaah_of(session, group) == []
    assert count_rows(session, t.ActivityLog, workspace_id=workspace.id) == 0
    assert count_rows(session, t.PipelineTask, workspace_id=workspace.id) == 0


def test_unknown_columns_need_a_mapping(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace)
    data = xlsx([[*person(), "XL"]], [*HEADERS, "Ukuran Baju"])
    with pytest.raises(UnknownColumns) as unknown:
        run(session, workspace, group, data)
    assert unknown.value.headers == ("Ukuran Baju",)
    assert run(session, workspace, group, data, mapping={"Ukuran Baju": "-"}).new == 1
    with pytest.raises(InvalidInput, match="no NIK column"):
        run(session, workspace, group, xlsx([["Ahmad Hidayat"]], ["Nama"]))


def test_an_xlsm_with_a_macro_and_a_formula_imports_its_data_only(
    session: Session, workspace: Workspace
) -> None:
    import zipfile

    group = make_package(session, workspace)
    plain = xlsx([person("Ahmad Hidayat", cells={"Catatan": '=HYPERLINK("http://x","klik")'})])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b'Sub Auto_Open()\nShell "calc.exe"\nEnd Sub')
    report = run(session, workspace, group, out.getvalue(), file_name="template.xlsm", dry_run=False)
    assert report.new == 1
    [stored] = jamaah_of(session, group)
    assert stored.notes is None  # the formula was never evaluated (no saved value: empty)


def test_a_20_mb_file_is_refused_cleanly(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace)
    with pytest.raises(InvalidInput, match="the limit is 10 MB") as refused:
        run(session, workspace, group, b"PK\x03\x04" + bytes(20 * 1024 * 1024))
    assert refused.value.field == "file"
    assert count_rows(session, t.ActivityLog, workspace_id=workspace.id) == 0


def test_a_role_that_may_not_enrol_may_not_import(session: Session, workspace: Workspace) -> None:
    group = make_package(session, workspace)
    visa = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)
    with pytest.raises(PermissionDenied):
        run(session, workspace, group, xlsx([person()]), actor=visa)
    assert run(session, workspace, group, xlsx([person()]), actor=MANAGER).new == 1


def test_an_imported_jamaah_is_enrolled_exactly_as_the_form_enrols_one(
    session: Session, workspace: Workspace
) -> None:
    """The import's batched writes against the form's `enroll_jamaah`: same stage instance, task,
    snapshot and log entry, field for field (ids and the jamaah's own values aside)."""
    group = make_package(session, workspace)
    form = make_jamaah(
        session, workspace, package_id=group, nik=nik_for(date(1970, 5, 1)), birth_date=date(1970, 5, 1)
    )
    run(session, workspace, group, xlsx([person("Rahmat Hidayat")]), dry_run=False)
    imported = next(j.id for j in jamaah_of(session, group) if j.full_name == "Rahmat Hidayat")

    def shape(jamaah_id: int) -> dict[str, Any]:
        def one(table: Any, *skip: str) -> dict[str, Any]:
            row = session.execute(select(table.__table__).where(table.jamaah_id == jamaah_id)).one()._mapping
            return {k: v for k, v in row.items() if k not in {"id", "jamaah_id", *skip}}

        entry = one(t.ActivityLog, "entity_id", "changes", "actor")
        return {
            "instance": one(t.StageInstance),
            "task": one(t.PipelineTask, "stage_instance_id"),
            "snapshot": one(t.JamaahPipelineStatus, "current_instance_id"),
            "entry": entry,
        }

    assert shape(imported) == shape(form.jamaah.id)
