"""What an imported file means: its columns recognised as jamaah fields, each cell read as a value.

Pure (no I/O). The steps of an import, as `commands.intake` runs them:
1. `match_headers` puts every header of the file on a field — by the SISKOPATUH template's own
   spelling, or an Indonesian or English name agencies use (`HEADER_NAMES`), compared without case,
   punctuation or the `(yyyy-mm-dd)` hints — or on a field the user chose for it (`mapping`). A
   header known to none is reported (`HeaderMatch.unknown`): the page asks for a field per unknown
   column, the API answers 422 naming them. A column mapped to `IGNORE` is skipped.
2. `read_row` turns one row's cells into field values: every text cleaned with
   `validation.clean_text`, dates from date cells or `yyyy-mm-dd` / `dd/mm/yyyy` text, numbers that
   Excel made of a NIK or phone back into digits, gender from its own column or else the title
   (TUAN → male; NYONYA, NONA → female) or else the NIK (day + 40 for women). Each bad cell is a
   `RowError` (row number as the spreadsheet shows it, the file's column header, a message).
   The dropdown values, regions, phones and every cross-field rule are then checked by
   `jamaah_rules.check_jamaah`, as for the form (`commands.intake`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline_core.domain import siskopatuh
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.exports import FORMULA_STARTS
from pipeline_core.domain.model import Gender
from pipeline_core.domain.validation import clean_text

__all__ = [
    "DATE_FIELDS",
    "FIELDS",
    "HEADER_NAMES",
    "IGNORE",
    "HeaderMatch",
    "RowError",
    "RowValues",
    "match_headers",
    "read_row",
]

IGNORE = "-"  # a mapping's answer for "skip this column"

#: Every field a file may fill, with the longest text it takes.
TEXT_LIMITS: dict[str, int] = {
    "full_name": 200,
    "passport_name": 200,
    "father_name": 200,
    "title": 20,
    "identity_type": 20,
    "nik": 32,
    "phone": 32,
    "home_phone": 32,
    "passport_number": 20,
    "passport_city": 100,
    "birth_place": 100,
    "address": 500,
    "province": 100,
    "regency": 100,
    "district": 100,
    "village": 100,
    "nationality": 20,
    "marital_status": 40,
    "education": 40,
    "occupation": 60,
    "visa_provider": 200,
    "visa_number": 40,
    "insurance_provider": 200,
    "insurance_policy_number": 60,
    "bpjs_number": 20,
    "agent_name": 200,
    "notes": 2000,
    "gender": 20,
}
DATE_FIELDS = (
    "birth_date",
    "passport_issue_date",
    "passport_expiry_date",
    "visa_valid_from",
    "visa_valid_until",
    "insurance_input_date",
    "insurance_start_date",
    "insurance_end_date",
)
FIELDS: tuple[str, ...] = (*TEXT_LIMITS, *DATE_FIELDS)
_DIGIT_FIELDS = {"nik", "phone", "home_phone", "bpjs_number"}

#: Names agencies give their columns (Indonesian and English), beside the template's own headers.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "full_name": ("nama", "nama lengkap", "nama jamaah", "nama sesuai ktp", "full name", "name"),
    "passport_name": ("nama di paspor", "nama sesuai paspor", "passport name", "name in passport"),
    "title": ("gelar", "sapaan", "panggilan", "title"),
    "father_name": ("nama bapak", "nama ayah kandung", "father name", "fathers name"),
    "gender": ("jenis kelamin", "kelamin", "jk", "l p", "gender", "sex"),
    "birth_date": ("tgl lahir", "tanggal lahir", "birth date", "date of birth", "dob"),
    "birth_place": ("tempat lahir", "kota lahir", "place of birth", "birth place", "birthplace"),
    "identity_type": ("jenis identitas", "identity type"),
    "nik": ("nik", "no ktp", "nomor ktp", "nomor induk kependudukan", "no nik", "nik ktp"),
    "phone": (
        "no hp",
        "nomor hp",
        "hp",
        "no handphone",
        "handphone",
        "no wa",
        "nomor wa",
        "whatsapp",
        "phone",
        "mobile",
        "mobile phone",
        "phone number",
    ),
    "home_phone": ("telepon rumah", "no telepon rumah", "home phone", "telephone"),
    "passport_number": ("no paspor", "nomor paspor", "paspor", "passport", "passport number", "passport no"),
    "passport_issue_date": (
        "tanggal terbit paspor",
        "tgl terbit paspor",
        "tanggal dikeluarkan paspor",
        "passport issue date",
        "issue date",
        "date of issue",
    ),
    "passport_expiry_date": (
        "tanggal habis paspor",
        "tgl habis paspor",
        "masa berlaku paspor",
        "berlaku sampai",
        "tanggal kedaluwarsa paspor",
        "passport expiry",
        "passport expiry date",
        "expiry date",
        "date of expiry",
    ),
    "passport_city": ("kantor imigrasi", "tempat terbit paspor", "passport city", "place of issue"),
    "address": ("alamat lengkap", "address"),
    "province": ("propinsi", "province"),
    "regency": ("kabupaten kota", "kota kabupaten", "kota", "regency", "city"),
    "district": ("district", "subdistrict"),
    "village": ("desa", "kelurahan desa", "desa kelurahan", "village"),
    "nationality": ("kewarganegaraan", "warga negara", "nationality", "citizenship"),
    "marital_status": ("status perkawinan", "status kawin", "marital status"),
    "education": ("pendidikan terakhir", "education"),
    "occupation": ("profesi", "occupation", "job"),
    "visa_provider": ("visa provider",),
    "visa_number": ("nomor visa", "visa number", "visa no"),
    "visa_valid_from": ("visa valid from", "visa issue date"),
    "visa_valid_until": ("visa valid until", "visa expiry date"),
    "insurance_provider": ("asuransi provider", "insurance", "insurance provider"),
    "insurance_policy_number": ("nomor polis", "policy number", "insurance policy number"),
    "insurance_input_date": ("insurance input date",),
    "insurance_start_date": ("insurance start date",),
    "insurance_end_date": ("insurance end date",),
    "bpjs_number": ("nomor bpjs", "bpjs", "bpjs number"),
    "agent_name": ("agen", "nama agen", "agent", "agent name"),
    "notes": ("catatan", "keterangan", "notes", "note"),
}

_HINT = re.compile(r"\(\s*yyyy-mm-dd\s*\)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """'Tanggal Akhir  Visa (yyyy-mm-dd)' → 'tanggal akhir visa': what two spellings share."""
    text = unicodedata.normalize("NFKD", _HINT.sub(" ", header)).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _known_headers() -> dict[str, str]:
    known: dict[str, str] = {}
    for name, names in HEADER_NAMES.items():
        for spelling in names:
            known[header_key(spelling)] = name
    for header, name in zip(siskopatuh.HEADERS, siskopatuh.HEADER_FIELDS, strict=True):
        known[header_key(header)] = name  # the template's own spelling wins
    return known


KNOWN_HEADERS = _known_headers()


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """`columns[i]` is the field of the file's column i (None: ignored); `unknown` the headers
    neither recognised nor mapped; `repeated` fields that two columns claim."""

    headers: tuple[str, ...]
    columns: tuple[str | None, ...]
    unknown: tuple[str, ...]
    repeated: tuple[str, ...]

    @property
    def fields(self) -> set[str]:
        return {c for c in self.columns if c is not None}

    def column_of(self, name: str) -> str:
        """The file's header for a field (what an error message shows), or the field's name."""
        for header, column in zip(self.headers, self.columns, strict=True):
            if column == name:
                return header
        return name


def match_headers(headers: Sequence[str], mapping: Mapping[str, str] | None = None) -> HeaderMatch:
    """Put each header on a field: `mapping` (header → field or `IGNORE`) first, then the names we
    know. A mapping onto a field that does not exist is an `InvalidInput` on `mapping`."""
    chosen = {header_key(k): v for k, v in (mapping or {}).items()}
    for target in chosen.values():
        if target != IGNORE and target not in FIELDS:
            raise InvalidInput(
                "mapping", f"{target!r} is not a jamaah field; choose one of {', '.join(FIELDS)}."
            )
    columns: list[str | None] = []
    unknown: list[str] = []
    for header in headers:
        key = header_key(header)
        name = chosen.get(key) or KNOWN_HEADERS.get(key)
        if not key or name == IGNORE:
            columns.append(None)
        elif name is None:
            columns.append(None)
            unknown.append(header)
        else:
            columns.append(name)
    seen: set[str] = set()
    repeated = sorted({c for c in columns if c is not None and (c in seen or seen.add(c))})  # type: ignore[func-returns-value]
    return HeaderMatch(tuple(headers), tuple(columns), tuple(unknown), tuple(repeated))


# --- one row ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(slots=True)
class RowValues:
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


_DATE_TEXT = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), (3, 2, 1)),
)
_MALE, _FEMALE = Gender.MALE.value, Gender.FEMALE.value
_GENDERS = {
    **dict.fromkeys(("m", "male", "l", "laki laki", "lakilaki", "laki", "pria", "lk"), _MALE),
    **dict.fromkeys(("f", "female", "p", "perempuan", "wanita", "pr"), _FEMALE),
}
_TITLE_GENDER = {"TUAN": _MALE, "NYONYA": _FEMALE, "NONA": _FEMALE}


def read_row(number: int, cells: Sequence[Any], match: HeaderMatch) -> RowValues:
    """One row's cells as field values (texts cleaned, dates parsed); bad cells become errors."""
    out = RowValues(number)
    for header, name, cell in zip(match.headers, match.columns, cells, strict=True):
        if name is None:
            continue
        try:
            out.values[name] = _value(name, cell)
        except InvalidInput as error:
            out.errors.append(RowError(number, header, error.message))
    _fill_gender(out, match)
    return out


def _value(name: str, cell: Any) -> Any:
    if cell is None:
        return None
    if name in DATE_FIELDS:
        return _date(cell)
    if isinstance(cell, bool):
        raise InvalidInput(name, "Expected text, got TRUE/FALSE.")
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _number_text(name, cell)
    if isinstance(cell, (date, datetime)):
        cell = cell.isoformat()
    if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        cell = cell[1:]  # our own exports' guard (exports.spreadsheet_cell), undone on the way in
    text = _clean(name, str(cell))
    if not text:
        return None
    return _gender(text) if name == "gender" else text


def _clean(name: str, text: str) -> str:
    """`clean_text`, with a fast path for the usual cell: printable ASCII (no control, direction
    or surrogate character can hide in it, and NFC leaves it as it is)."""
    if text.isascii() and text.isprintable():
        text = text.strip()
        if len(text) <= TEXT_LIMITS[name]:
            return text
    return clean_text(name, text, TEXT_LIMITS[name], multiline=name in ("notes", "address"))


def _number_text(name: str, number: float) -> str:
    """A number Excel stored for a text field: digits again (a phone's lost leading 0 restored)."""
    if isinstance(number, float) and not number.is_integer():
        if name in _DIGIT_FIELDS:
            raise InvalidInput(name, "Expected digits; store the column as text in Excel.")
        return clean_text(name, repr(number), TEXT_LIMITS[name])
    digits = str(int(number))
    if name in ("phone", "home_phone") and digits.startswith("8"):
        digits = "0" + digits
    return digits


def _date(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = clean_text("date", str(cell), 40)
    for pattern, (y, m, d) in _DATE_TEXT:
        found = pattern.fullmatch(text)
        if found:
            try:
                return date(int(found.group(y)), int(found.group(m)), int(found.group(d)))
            except ValueError:
                break
    raise InvalidInput("date", f"{text!r} is not a date: write it as yyyy-mm-dd, e.g. 1980-01-31.")


def _gender(text: str) -> str:
    found = _GENDERS.get(header_key(text))
    if found is None:
        raise InvalidInput("gender", f"{text!r} is not a gender: write L or P (male or female).")
    return found


def _fill_gender(out: RowValues, match: HeaderMatch) -> None:
    """No gender column: the title says it (TUAN, NYONYA/NONA), else the NIK's birth day (+40)."""
    if out.values.get("gender") is not None or any(e.column == match.column_of("gender") for e in out.errors):
        return
    try:
        title = siskopatuh.canonical("title", out.values.get("title"))
    except InvalidInput:
        title = None  # the rules report the title itself
    if title in _TITLE_GENDER:
        out.values["gender"] = _TITLE_GENDER[title]
        return
    nik = out.values.get("nik")
    if isinstance(nik, str) and len(nik) == 16 and nik.isdigit():
        out.values["gender"] = _FEMALE if int(nik[6:8]) > 40 else _MALE
