"""A departure group's files as bytes: the SISKOPATUH workbook, the manifest, the jamaah list.

Pure: the rows come from `reads.group_roster`, the log entry from `commands.group_exports`.
Choices where the issue is silent:

- **SISKOPATUH**: one sheet, the 32 headers of `siskopatuh.HEADERS` in order, a row per jamaah
  (by name), dates as `yyyy-mm-dd` **text**, NIK/phones/BPJS as text (never 3.17E+15), mobiles as
  `08…` as agencies type them; the dropdown columns carry the template's values as data validations
  over a hidden sheet (`Referensi`); the kabupaten's list follows the province of its row (a
  hidden sheet `Pilihan`, one column per province).
  `missing` lists each jamaah lacking a value the Ministry requires (`SISKOPATUH_REQUIRED`: every
  column but home phone, visa, insurance and BPJS, which come later or are optional).
- **Manifest**: name as in the passport (else the full name), gender M/F, birth date, passport
  number and expiry, nationality (WNI → INDONESIA) — what an airline or immigration asks for.
- **Jamaah list**: identity, contact, passport, current stage and readiness status, as .xlsx or .csv.
- Every text cell passes `exports.spreadsheet_cell` (no formula can be smuggled in via a name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline_core.domain import siskopatuh
from pipeline_core.domain.model import Gender
from pipeline_core.domain.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes

__all__ = [
    "KINDS",
    "SISKOPATUH_REQUIRED",
    "TEMPLATE_EXTRA",
    "ExportFile",
    "MissingValues",
    "blank_template",
    "build",
]

KINDS = ("siskopatuh.xlsx", "manifest.xlsx", "jamaah.xlsx", "jamaah.csv")
_OPTIONAL = {
    "home_phone",
    "visa_provider",
    "visa_number",
    "visa_valid_from",
    "visa_valid_until",
    "insurance_provider",
    "insurance_policy_number",
    "insurance_input_date",
    "insurance_start_date",
    "insurance_end_date",
    "bpjs_number",
}
SISKOPATUH_REQUIRED = tuple(f for f in siskopatuh.HEADER_FIELDS if f not in _OPTIONAL)
_TEXT_FIELDS = {"nik", "phone", "home_phone", "bpjs_number", "passport_number", "visa_number"}
_MANIFEST = (
    "No",
    "Name (as in passport)",
    "Gender",
    "Birth date",
    "Passport number",
    "Passport expiry",
    "Nationality",
)
_LIST = (
    "No", "Nama", "Jenis kelamin", "Tanggal lahir", "NIK", "No HP", "No Paspor", "Paspor berlaku s/d",
    "Tahap sekarang", "Status", "Progres (%)", "Agen", "Catatan",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MissingValues:
    row: int  # the workbook's row (header = 1)
    full_name: str
    headers: tuple[str, ...]  # the template's headers of the empty required columns


@dataclass(frozen=True, slots=True)
class ExportFile:
    file_name: str
    media_type: str
    content: bytes
    rows: int
    missing: tuple[MissingValues, ...] = ()


def build(kind: str, code: str, rows: list[dict[str, Any]]) -> ExportFile:
    """The file `kind` (one of `KINDS`) of the group `code` with these roster rows."""
    stem = f"{code}-{kind.split('.')[0]}"
    if kind == "siskopatuh.xlsx":
        return _siskopatuh(f"{code}-siskopatuh.xlsx", rows)
    if kind == "manifest.xlsx":
        content = xlsx_bytes("Manifest", _MANIFEST, _manifest(rows), text_columns=(4,))
        return ExportFile(f"{stem}.xlsx", XLSX_TYPE, content, len(rows))
    lines = [_list_line(n, row) for n, row in enumerate(rows, start=1)]
    if kind == "jamaah.csv":
        return ExportFile(f"{stem}.csv", CSV_TYPE, csv_bytes(_LIST, lines), len(rows))
    content = xlsx_bytes("Jamaah", _LIST, lines, text_columns=(4, 5, 6))
    return ExportFile(f"{stem}.xlsx", XLSX_TYPE, content, len(rows))


def missing_values(rows: list[dict[str, Any]]) -> tuple[MissingValues, ...]:
    """Each jamaah (in the workbook's row order) lacking a value the Ministry requires."""
    fields = siskopatuh.HEADER_FIELDS
    return tuple(
        MissingValues(number, row["full_name"], tuple(siskopatuh.HEADERS[fields.index(f)] for f in empty))
        for number, row in enumerate(rows, start=2)
        if (empty := [f for f in SISKOPATUH_REQUIRED if row.get(f) in (None, "")])
    )


def _siskopatuh(file_name: str, rows: list[dict[str, Any]]) -> ExportFile:
    fields = siskopatuh.HEADER_FIELDS
    lines = [[_template_cell(name, row.get(name)) for name in fields] for row in rows]
    missing = missing_values(rows)
    content = xlsx_bytes(
        "Sheet1",
        siskopatuh.HEADERS,
        lines,
        lists=_lists(),
        dependent=_regency_list(),
        text_columns=_text_columns(),
    )
    return ExportFile(file_name, XLSX_TYPE, content, len(rows), missing)


#: Columns after the 32 of the blank import template: what the Ministry's template lacks.
TEMPLATE_EXTRA = ("Jenis Kelamin", "Tanggal Habis Paspor(yyyy-mm-dd)", "Agen", "Catatan")


def blank_template() -> ExportFile:
    """The 32 headers with their dropdowns, then `TEMPLATE_EXTRA`: a file to fill in and import."""
    content = xlsx_bytes(
        "Sheet1", (*siskopatuh.HEADERS, *TEMPLATE_EXTRA), [], lists=_lists(), dependent=_regency_list(),
        text_columns=_text_columns(),
    )  # fmt: skip
    return ExportFile("template-impor-jamaah.xlsx", XLSX_TYPE, content, 0)


def _lists() -> dict[int, Sequence[str]]:
    fields = siskopatuh.HEADER_FIELDS
    lists: dict[int, Sequence[str]] = {
        fields.index(f): values for f, values in siskopatuh.VOCABULARIES.items()
    }
    lists[fields.index("province")] = siskopatuh.provinces()
    return lists


def _regency_list() -> tuple[int, int, dict[str, tuple[str, ...]]]:
    """The kabupaten/kota dropdown: the regencies of the province chosen on the same row."""
    fields = siskopatuh.HEADER_FIELDS
    choices = {p: siskopatuh.regencies(p) for p in siskopatuh.provinces()}
    return fields.index("regency"), fields.index("province"), choices


def _text_columns() -> list[int]:
    return [
        i
        for i, f in enumerate(siskopatuh.HEADER_FIELDS)
        if f in _TEXT_FIELDS or f.endswith(("_date", "_from", "_until"))
    ]


def _template_cell(name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()  # the template's dates are text yyyy-mm-dd
    if name in ("phone", "home_phone") and isinstance(value, str) and value.startswith("+62"):
        return "0" + value[3:]
    return value


def _manifest(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            number,
            row.get("passport_name") or row["full_name"],
            "M" if row["gender"] == Gender.MALE.value else "F",
            row["birth_date"],
            row["passport_number"],
            row["passport_expiry_date"],
            "INDONESIA" if (row.get("nationality") or "WNI") == "WNI" else row.get("nationality"),
        ]
        for number, row in enumerate(rows, start=1)
    ]


def _list_line(number: int, row: dict[str, Any]) -> list[Any]:
    active = row["active_stages"] or 0
    progress = 100.0 if not active else round(100 * row["completed_stages"] / active, 1)
    return [
        number,
        row["full_name"],
        row["gender"],
        row["birth_date"],
        row["nik"],
        row["phone"],
        row["passport_number"],
        row["passport_expiry_date"],
        row["stage_name"],
        row["status"],
        progress,
        row["agent_name"],
        row["notes"],
    ]
