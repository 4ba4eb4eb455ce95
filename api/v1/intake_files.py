"""`/v1/departure-groups/{id}/imports` and `…/exports/{file}`: a group's jamaah in and out as files.

- `POST …/imports?dry_run=true|false&valid_only=false` with a multipart `file` (.xlsx, .xlsm or
  .csv, at most 10 MB and 20,000 rows) answers `{"new", "updated", "unchanged", "error_rows",
  "errors": [{"row", "column", "message"}], "warnings", "committed"}`. Unknown headers are a 422
  naming them; `mapping` (a JSON object header → field, or `"-"` to skip) places them. A commit
  with errors and without `valid_only` writes nothing and answers 422 `import-refused` carrying the
  same report under `report`.
- `GET …/exports/siskopatuh.xlsx`, `manifest.xlsx`, `jamaah.xlsx`, `jamaah.csv`: the file, with
  `X-Rows-Missing-Required` for the SISKOPATUH workbook; each export is logged (who, which group).
- `GET /v1/import-template.xlsx`: the blank file to fill in.

Same functions as the Import page (`pipeline_core.app.intake_files`), same permissions:
`import_jamaah` and `export_group`.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.v1.auth import CallerDep, NowDep
from api.v1.problems import ProblemError
from pipeline_core.app import intake_files as intake
from pipeline_core.domain.errors import InvalidInput

router = APIRouter(prefix="/departure-groups", tags=["intake"])
template_router = APIRouter(tags=["intake"])

GroupId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the departure group (package) id")]
ExportName = Literal["siskopatuh.xlsx", "manifest.xlsx", "jamaah.xlsx", "jamaah.csv"]


class RowProblem(BaseModel):
    row: int = Field(description="the row as the spreadsheet numbers it (the header is row 1)")
    column: str = Field(description="the file's column header ('-' for the whole row)")
    message: str


class ImportResult(BaseModel):
    new: int
    updated: int
    unchanged: int
    error_rows: int
    errors: list[RowProblem]
    warnings: list[RowProblem] = Field(
        description="saved anyway, e.g. a passport expiring < 6 months after departure"
    )
    committed: bool = Field(description="false for a dry run")


def _result(report: intake.ImportReport) -> ImportResult:
    return ImportResult(
        **report.counts(),
        errors=[RowProblem(row=e.row, column=e.column, message=e.message) for e in report.errors],
        warnings=[RowProblem(row=e.row, column=e.column, message=e.message) for e in report.warnings],
        committed=report.committed,
    )


def _mapping(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInput("mapping", 'Give a JSON object of header → field, e.g. {"Ukuran Baju": "-"}.')
    return value


@router.post(
    "/{group_id}/imports",
    response_model=ImportResult,
    summary="Import jamaah from .xlsx/.xlsm/.csv: a dry run, or the commit",
    responses={422: {"description": "a bad file, unknown headers, or errors in a commit (import-refused)"}},
)
def import_jamaah(
    caller: CallerDep,
    now: NowDep,
    group_id: GroupId,
    file: Annotated[UploadFile, File(description=".xlsx, .xlsm or .csv; header in the first row")],
    dry_run: Annotated[bool, Query(description="check only (default); false writes")] = True,
    valid_only: Annotated[
        bool, Query(description="with dry_run=false: write the valid rows, skip the rest")
    ] = False,
    mapping: Annotated[
        str | None, Query(max_length=4000, description='JSON: header → field or "-", for unknown headers')
    ] = None,
) -> ImportResult:
    limit = intake.IMPORT_LIMITS.max_bytes
    data = file.file.read(limit + 1)
    report = intake.import_file(
        caller.viewer,
        group_id,
        data,
        file.filename or "",
        mapping=_mapping(mapping),
        dry_run=dry_run,
        valid_only=valid_only,
        now=now,
    )
    result = _result(report)
    if not dry_run and not report.committed:
        raise ProblemError(
            422,
            "import-refused",
            f"{report.error_rows} rows have errors; nothing was imported. Fix them, or send valid_only=true.",
            report=result.model_dump(),
        )
    return result


def _file(made: intake.ExportFile) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{made.file_name}"',
        "Cache-Control": "no-store",
        "X-Rows": str(made.rows),
    }
    if made.file_name.endswith("siskopatuh.xlsx"):
        headers["X-Rows-Missing-Required"] = str(len(made.missing))
    return Response(made.content, media_type=made.media_type, headers=headers)


@router.get(
    "/{group_id}/exports/{file_name}",
    summary="A group's SISKOPATUH workbook, manifest or jamaah list (full NIK; logged)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def export_group(caller: CallerDep, now: NowDep, group_id: GroupId, file_name: ExportName) -> Response:
    return _file(intake.export_group(caller.viewer, group_id, file_name, now=now))


@template_router.get(
    "/import-template.xlsx",
    summary="The blank import file: the SISKOPATUH headers with their dropdowns, and a few more",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def import_template(caller: CallerDep) -> Response:
    del caller  # signed in: the template itself holds no data
    return _file(intake.blank_template())
