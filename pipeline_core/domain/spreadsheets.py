"""Reading the spreadsheets agencies send (.xlsx, .xlsm, .csv) and writing the ones they need.

Pure functions over bytes already in memory: no file system, no database. Choices:
- **python-calamine** reads the workbooks (Rust, ~10× openpyxl's read-only mode, and it never runs
  anything): a formula cell reads as the value Excel saved with it, never evaluated; a formula
  that was never computed (no saved value) reads as empty. An `.xlsm`'s macros (`vbaProject.bin`)
  are never opened: only the first sheet's cells are read.
- **Limits before parsing**: the file's size (`FileLimits.max_bytes`, 10 MB), then, for a workbook,
  the zip's declared uncompressed size and compression ratio (a 10 MB zip of repeated cells could
  otherwise unpack into gigabytes), then the number of rows and columns. Each refusal is an
  `InvalidInput` on the field `file` with one sentence that says the limit.
- **CSV**: UTF-8 (a byte-order mark is dropped), `;` or `,` chosen from the header line (Excel in
  Indonesian writes `;`). Other encodings are refused with a hint rather than guessed.
- Cells come back as Python values: `str` (not cleaned yet: `domain.intake` cleans every text with
  `validation.clean_text`), `int`/`float`, `date`/`datetime`, `bool`, or None for an empty cell.
- **Writing** uses openpyxl; every text cell goes through `exports.spreadsheet_cell`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.exports import spreadsheet_cell

__all__ = [
    "CSV_TYPE",
    "XLSX_TYPE",
    "FileLimits",
    "Sheet",
    "csv_bytes",
    "read_table",
    "xlsx_bytes",
]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_KINDS = {"xlsx": "xlsx", "xlsm": "xlsx", "csv": "csv"}
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class FileLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 20_000  # data rows, header not counted
    max_columns: int = 100
    max_unzipped_bytes: int = 300 * 1024 * 1024
    max_zip_ratio: int = 200

    def describe(self) -> str:
        return f"at most {self.max_bytes // (1024 * 1024)} MB and {self.max_rows:,} rows"


@dataclass(frozen=True, slots=True)
class Sheet:
    """A file's header row and its data rows (each as long as the header), with their row numbers
    as the spreadsheet shows them (the header is row 1)."""

    headers: tuple[str, ...]
    rows: Sequence[tuple[int, tuple[Any, ...]]]


def file_kind(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in _KINDS:
        raise InvalidInput("file", f"Upload an .xlsx, .xlsm or .csv file (got {filename or 'no name'!r}).")
    return _KINDS[suffix]


def read_table(data: bytes, filename: str, limits: FileLimits = FileLimits()) -> Sheet:
    """The first sheet (or the CSV) as a header and rows, refused cleanly beyond the limits."""
    kind = file_kind(filename)
    if len(data) > limits.max_bytes:
        size = len(data) / (1024 * 1024)
        raise InvalidInput(
            "file",
            f"The file is {size:.1f} MB; the limit is {limits.max_bytes // (1024 * 1024)} MB. "
            "Split it into smaller files or remove unused sheets and pictures.",
        )
    if not data:
        raise InvalidInput("file", "The file is empty.")
    rows = _read_workbook(data, limits) if kind == "xlsx" else _read_csv(data, limits)
    return _table(rows, limits)


def _table(rows: Iterator[list[Any]], limits: FileLimits) -> Sheet:
    header: list[Any] | None = None
    body: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in enumerate(rows, start=1):
        if header is None:
            if not any(_filled(c) for c in cells):
                continue  # blank lines above the header
            header = _trim(cells)
            header_row = number
            if len(header) > limits.max_columns:
                raise InvalidInput(
                    "file", f"The header has {len(header)} columns; at most {limits.max_columns}."
                )
            continue
        values = tuple((cells + [None] * len(header))[: len(header)])
        if not any(_filled(v) for v in values):
            continue
        if len(body) >= limits.max_rows:
            raise InvalidInput(
                "file",
                f"The file has more than {limits.max_rows:,} rows of jamaah; the limit is "
                f"{limits.max_rows:,} per import. Split it into several files.",
            )
        body.append((number, values))
    if header is None:
        raise InvalidInput("file", "The file has no header row: put the column names in the first row.")
    del header_row
    headers = tuple("" if h is None else str(h).strip() for h in header)
    return Sheet(headers=headers, rows=body)


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _trim(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and not _filled(cells[end - 1]):
        end -= 1
    return cells[:end]


def _read_workbook(data: bytes, limits: FileLimits) -> Iterator[list[Any]]:
    import python_calamine  # a compiled reader: imported only when a workbook is read

    if not data.startswith(_ZIP_MAGIC):
        raise InvalidInput("file", "This is not an .xlsx/.xlsm workbook (an old .xls? save it as .xlsx).")
    _check_zip(data, limits)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise InvalidInput("file", "The workbook has no sheet.")
        sheet = book.get_sheet_by_index(0)
        if sheet.height > limits.max_rows + 50:
            raise InvalidInput(
                "file",
                f"The sheet has {sheet.height:,} rows; the limit is {limits.max_rows:,} per import. "
                "Split it into several files.",
            )
        rows = sheet.to_python(skip_empty_area=False)
    except InvalidInput:
        raise
    except Exception:  # calamine's errors name paths and internals: one plain sentence instead
        raise InvalidInput(
            "file", "The workbook could not be read; open it in Excel and save it again."
        ) from None
    return (list(_cell(c) for c in row) for row in rows)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, time) and not isinstance(value, datetime):
        return None if value == time(0) else value
    return value


def _check_zip(data: bytes, limits: FileLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise InvalidInput("file", "The workbook is damaged (not a valid .xlsx); save it again.") from None
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    if unpacked > limits.max_unzipped_bytes or unpacked / packed > limits.max_zip_ratio:
        raise InvalidInput(
            "file", "The workbook unpacks to far more data than a list of jamaah holds; it is refused."
        )


def _read_csv(data: bytes, limits: FileLimits) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "file", "The CSV is not UTF-8. In Excel: Save As → 'CSV UTF-8 (Comma delimited)'."
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [cell if cell.strip() else None for cell in row]
    except csv.Error:
        raise InvalidInput("file", "The CSV is malformed (an unclosed quote?); save it again.") from None


# --- writing ------------------------------------------------------------------------------------


def _written(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return spreadsheet_cell(value)


def xlsx_bytes(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    lists: dict[int, Sequence[str]] | None = None,
    dependent: tuple[int, int, Mapping[str, Sequence[str]]] | None = None,
    text_columns: Iterable[int] = (),
) -> bytes:
    """One sheet: a bold header row, then the rows (formula-safe). `lists` puts a dropdown (a data
    validation over a hidden sheet of choices, as the Ministry's template does) on column index i;
    `dependent` = (column, parent column, {parent value: choices}) puts on `column` a dropdown whose
    choices follow the parent cell of the same row (the kabupaten of the province chosen): a hidden
    sheet `Pilihan` holds one column per parent value, found by MATCH on its first row;
    `text_columns` get the text format `@`, so what someone types there later (a NIK) stays text
    rather than becoming 3.17E+15 — the values written here are text already.

    Written in openpyxl's write-only mode (rows streamed to the file, no per-cell style): 10,000
    rows x 32 columns in a few seconds instead of tens of seconds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.dimensions import ColumnDimension

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index in text_columns:
        letter = get_column_letter(index + 1)
        column = ColumnDimension(sheet, index=letter, width=20)
        column.number_format = "@"
        sheet.column_dimensions[letter] = column
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=spreadsheet_cell(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_written(v) for v in row])
        count += 1
    if lists:
        choices = book.create_sheet("Referensi")
        choices.sheet_state = "hidden"
        ordered = sorted(lists.items())
        longest = max(len(values) for _, values in ordered)
        for r in range(longest):
            choices.append([values[r] if r < len(values) else None for _, values in ordered])
        for n, (index, values) in enumerate(ordered, start=1):
            letter = get_column_letter(n)
            rule = DataValidation(
                type="list",
                formula1=f"Referensi!${letter}$1:${letter}${max(1, len(values))}",
                allow_blank=True,
                showErrorMessage=True,
            )
            column = get_column_letter(index + 1)
            rule.add(f"{column}2:{column}{max(count + 1, 1000)}")
            sheet.data_validations.append(rule)
    if dependent:
        _dependent_list(book, sheet, dependent, last_row=max(count + 1, 1000))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _dependent_list(
    book: Any, sheet: Any, dependent: tuple[int, int, Mapping[str, Sequence[str]]], *, last_row: int
) -> None:
    """The hidden `Pilihan` sheet (row 1: the parent values; below each, its choices) and a list
    validation on the column that offsets into it by the parent cell of its own row (relative `$M2`:
    Excel and LibreOffice move it along the range)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    column, parent, choices = dependent
    parents = sorted(choices)
    longest = max((len(choices[p]) for p in parents), default=0)
    table = book.create_sheet("Pilihan")
    table.sheet_state = "hidden"
    table.append(list(parents))
    for r in range(longest):
        table.append([choices[p][r] if r < len(choices[p]) else None for p in parents])
    end = get_column_letter(max(1, len(parents)))
    cell = f"${get_column_letter(parent + 1)}2"
    found = f"MATCH({cell},Pilihan!$A$1:${end}$1,0)-1"
    rows = max(1, longest)
    count = f"COUNTA(OFFSET(Pilihan!$A$2,0,{found},{rows},1))"
    rule = DataValidation(
        type="list",
        formula1=f"OFFSET(Pilihan!$A$2,0,{found},{count},1)",
        allow_blank=True,
        showErrorMessage=True,
    )
    letter = get_column_letter(column + 1)
    rule.add(f"{letter}2:{letter}{last_row}")
    sheet.data_validations.append(rule)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the accents), comma-separated, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet_cell(value)
