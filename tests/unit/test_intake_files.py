"""Reading imported files and recognising their columns: pure, no database.

Test files are built here with openpyxl (no binary fixtures)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from pipeline_core.domain import group_files, intake, siskopatuh
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Gender
from pipeline_core.domain.spreadsheets import FileLimits, csv_bytes, read_table, xlsx_bytes


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_macro(data: bytes) -> bytes:
    """The workbook with a VBA project added, as an .xlsm carries its macros."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b'Attribute VB_Name = "Auto_Open"\nShell "calc.exe"')
    return out.getvalue()


def test_a_workbook_reads_its_header_and_rows_with_spreadsheet_row_numbers() -> None:
    data = workbook(
        [
            ["Nama", "Tanggal Lahir"],
            ["Ahmad Fauzi", date(1980, 1, 2)],
            [None, None],
            ["Siti Aminah", "1985-05-06"],
        ]
    )
    sheet = read_table(data, "jamaah.xlsx")
    assert sheet.headers == ("Nama", "Tanggal Lahir")
    assert sheet.rows == [(2, ("Ahmad Fauzi", date(1980, 1, 2))), (4, ("Siti Aminah", "1985-05-06"))]


def test_an_xlsm_with_a_macro_and_a_formula_is_read_as_data_and_nothing_is_run() -> None:
    data = with_macro(workbook([["Nama", "Catatan"], ["Ahmad Fauzi", "=1+2"]]))
    sheet = read_table(data, "template.xlsm")
    # openpyxl saves no computed value: the formula reads empty, never evaluated to 3.
    assert sheet.rows == [(2, ("Ahmad Fauzi", None))]


def test_a_file_over_the_size_limit_is_refused_before_parsing() -> None:
    data = b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)
    with pytest.raises(InvalidInput, match=r"20\.0 MB; the limit is 10 MB") as refused:
        read_table(data, "big.xlsx")
    assert refused.value.field == "file"


def test_too_many_rows_is_refused_naming_the_limit() -> None:
    data = csv_bytes(["Nama"], [[f"Orang {i}"] for i in range(11)])
    with pytest.raises(InvalidInput, match="limit is 10 per import"):
        read_table(data, "a.csv", FileLimits(max_rows=10))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.xls", b"x", "Upload an .xlsx, .xlsm or .csv"),
        ("a.xlsx", b"not a zip", "not an .xlsx/.xlsm workbook"),
        ("a.xlsx", b"PK\x03\x04broken", "damaged"),
        ("a.csv", "Nama\nAhmad".encode("latin-1") + b"\xe9", "not UTF-8"),
        ("a.csv", b"", "empty"),
        ("a.csv", b"\n\n", "no header row"),
    ],
)
def test_bad_files_are_refused_in_one_sentence(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_table(data, name)


def test_a_zip_bomb_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(InvalidInput, match="unpacks to far more"):
        read_table(out.getvalue(), "bomb.xlsx")


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_with_bom_and_either_delimiter(delimiter: str) -> None:
    text = f"\ufeffNama{delimiter}NIK\r\nSiti Ä{delimiter}3174014101850001\r\n"
    sheet = read_table(text.encode("utf-8"), "a.csv")
    assert sheet.headers == ("Nama", "NIK")
    assert sheet.rows == [(2, ("Siti Ä", "3174014101850001"))]


def test_the_template_headers_and_common_names_are_recognised() -> None:
    match = intake.match_headers([*siskopatuh.HEADERS])
    assert match.columns == siskopatuh.HEADER_FIELDS and not match.unknown
    match = intake.match_headers(["NAMA LENGKAP", "Jenis Kelamin", "Tgl. Lahir", "No. HP", "Date of Birth"])
    assert match.columns == ("full_name", "gender", "birth_date", "phone", "birth_date")
    assert match.repeated == ("birth_date",)


def test_unknown_headers_are_named_and_a_mapping_places_them() -> None:
    match = intake.match_headers(["Nama", "Ukuran Baju", "Kamar"])
    assert match.unknown == ("Ukuran Baju", "Kamar")
    mapped = intake.match_headers(
        ["Nama", "Ukuran Baju", "Kamar"], {"Ukuran Baju": intake.IGNORE, "Kamar": "notes"}
    )
    assert mapped.columns == ("full_name", None, "notes") and not mapped.unknown
    with pytest.raises(InvalidInput, match="'shoe_size' is not a jamaah field"):
        intake.match_headers(["Nama"], {"Nama": "shoe_size"})


def test_a_row_is_cleaned_and_parsed_and_bad_cells_become_errors_on_their_column() -> None:
    headers = [
        "Title",
        "Nama",
        "No Identitas",
        "No Hp",
        "Tanggal Lahir(yyyy-mm-dd)",
        "Status Pernikahan",
        "Alamat",
    ]
    match = intake.match_headers(headers)
    row = intake.read_row(
        7, ["Ibu", "  Siti   Aminah ", 3174014101850001, 81234567890, "06/05/1985", "Kawin", "Jl. A"], match
    )
    assert row.errors == []
    assert row.values == {
        "title": "Ibu",
        "full_name": "Siti   Aminah",
        "nik": "3174014101850001",
        "phone": "081234567890",
        "birth_date": date(1985, 5, 6),
        "marital_status": "Kawin",  # the template's value comes from the rules (jamaah_rules)
        "address": "Jl. A",
        "gender": Gender.FEMALE.value,
    }
    bad = intake.read_row(8, ["Raja", "A\x00B", None, None, "31 Feb", "Pacaran", "x"], match)
    assert [(e.row, e.column) for e in bad.errors] == [(8, "Nama"), (8, "Tanggal Lahir(yyyy-mm-dd)")]


def test_gender_from_its_column_else_title_else_nik() -> None:
    match = intake.match_headers(["Jenis Kelamin", "NIK"])
    assert (
        intake.read_row(2, ["Perempuan", "3174010101850001"], match).values["gender"] == Gender.FEMALE.value
    )
    assert intake.read_row(2, [None, "3174014101850001"], match).values["gender"] == Gender.FEMALE.value
    assert intake.read_row(2, [None, "3174010101850001"], match).values["gender"] == Gender.MALE.value


def test_written_workbooks_are_formula_safe_and_read_back() -> None:
    data = xlsx_bytes(
        "Jamaah", ["Nama", "Catatan"], [["Ahmad Fauzi", '=HYPERLINK("x")']], lists={1: ["A", "B"]}
    )
    sheet = read_table(data, "out.xlsx")
    assert sheet.rows == [(2, ("Ahmad Fauzi", '\'=HYPERLINK("x")'))]
    match = intake.match_headers(sheet.headers)
    assert intake.read_row(2, sheet.rows[0][1], match).values["notes"] == '=HYPERLINK("x")'
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Jamaah", "Referensi"]
    assert book["Jamaah"].data_validations.dataValidation[0].formula1 == "Referensi!$A$1:$A$2"
    assert csv_bytes(["a"], [["-1+2"]]).decode("utf-8") == "\ufeffa\r\n'-1+2\r\n"


def test_the_kabupaten_dropdown_offers_the_regencies_of_the_rows_province() -> None:
    """The template (and the SISKOPATUH export) lists, in the kabupaten column, the regencies of the
    province chosen on the same row: Excel evaluates OFFSET/MATCH over the hidden `Pilihan` sheet,
    whose column under DKI JAKARTA holds Jakarta's kota and nothing else."""
    book = openpyxl.load_workbook(io.BytesIO(group_files.blank_template().content))
    table = book["Pilihan"]
    assert table.sheet_state == "hidden"
    heads = [c.value for c in table[1]]
    assert heads == sorted(siskopatuh.provinces())
    jakarta = heads.index("DKI JAKARTA") + 1
    listed = [r[0] for r in table.iter_rows(min_row=2, min_col=jakarta, max_col=jakarta, values_only=True)]
    assert [v for v in listed if v] == [
        "KAB. KEPULAUAN SERIBU", "KOTA JAKARTA BARAT", "KOTA JAKARTA PUSAT", "KOTA JAKARTA SELATAN",
        "KOTA JAKARTA TIMUR", "KOTA JAKARTA UTARA",
    ]  # fmt: skip

    fields = siskopatuh.HEADER_FIELDS
    regency = get_column_letter(fields.index("regency") + 1)
    province = get_column_letter(fields.index("province") + 1)
    ruled = book.worksheets[0].data_validations.dataValidation
    rules = {str(r.sqref).split(":")[0]: r.formula1 for r in ruled}
    formula = rules[f"{regency}2"]
    assert f"MATCH(${province}2,Pilihan!$A$1:" in formula and formula.startswith("OFFSET(Pilihan!$A$2,0,")
