"""`python -m pipeline_core import` and `export` as a script runs them: a real process on the
servers of this test run. The group departs in 2099, so the child's real clock never matters."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import insert

from pipeline_core.domain import siskopatuh
from pipeline_core.domain.model import WorkspaceKind
from pipeline_core.store import db
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, delete_workspace
from tests.integration.test_cli import run_cli

SLUG = "intake-cli"


@pytest.fixture
def group(servers: None) -> Iterator[int]:
    with db.transaction() as session:
        workspace_id = create_workspace(session, slug=SLUG, name="Intake CLI", kind=WorkspaceKind.AGENCY)
        group_id = session.execute(
            insert(t.Package)
            .values(
                workspace_id=workspace_id, code="UMR-2099", name="Umroh 2099",
                departure_date=date(2099, 1, 10), return_date=date(2099, 1, 18), airline="Saudia", quota=45,
                price_idr=35_000_000,
            )
            .returning(t.Package.id)
        ).scalar_one()  # fmt: skip
    yield group_id
    with db.transaction() as session:
        delete_workspace(session, SLUG)


def test_import_dry_run_commit_and_export(group: int, tmp_path: Path) -> None:
    source = tmp_path / "jamaah.csv"
    source.write_text(
        "\ufeffNama;Jenis Kelamin;Tanggal Lahir;NIK;No HP\n"
        "Ahmad Hidayat;L;1970-05-01;3174010105700001;0812-3456-7890\n"
        "Budi;L;1971-01-01;3174010101710002;0812-3456-7891\n",
        encoding="utf-8",
    )
    common = ["--workspace", SLUG, "--group", str(group)]
    dry = run_cli("import", str(source), *common)
    assert dry.returncode == 1, dry.stderr
    assert "new 1, updated 0, unchanged 0, in error 1 (dry run)" in dry.stdout
    assert "row 3, Nama:" in dry.stdout
    errors = tmp_path / "errors.xlsx"
    written = run_cli("import", str(source), *common, "--commit", "--valid-only", "--errors", str(errors))
    assert written.returncode == 1 and "(written)" in written.stdout
    assert openpyxl.load_workbook(errors).active["A2"].value == 3

    target = tmp_path / "out.xlsx"
    exported = run_cli("export", *common, "--file", "siskopatuh.xlsx", "--output", str(target))
    assert exported.returncode == 0, exported.stderr
    assert "1 jamaah" in exported.stdout and "lack a value the Ministry requires" in exported.stderr
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).worksheets[0]
    assert [c.value for c in sheet[1]] == list(siskopatuh.HEADERS)
    assert sheet["E2"].value == "3174010105700001"

    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")
    for name in ("scan.pdf", "missing.xlsx"):
        refused = run_cli("import", str(tmp_path / name), *common)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
