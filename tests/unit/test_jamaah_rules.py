"""Every jamaah rule at its boundary (domain/jamaah_rules.py), table-driven; no I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.jamaah_rules import FIELDS, check_jamaah, mobile_phone, parse_date
from tests.builders import NOW

DEPARTURE = date(2027, 1, 20)


def fields(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "full_name": "Ahmad Hidayat",
        "gender": "L",
        "birth_date": date(1970, 5, 1),
        "nik": "3174050105700001",
        "phone": "081234567890",
        "passport_number": "C1234567",
        "passport_issue_date": date(2024, 2, 1),
        "passport_expiry_date": date(2034, 2, 1),
    }
    return base | overrides


def check(**overrides: Any) -> Any:
    return check_jamaah(fields(**overrides), departure_date=DEPARTURE, now=NOW)


def codes(result: Any, kind: str = "errors") -> dict[str, str]:
    return {p.field: p.code for p in getattr(result, kind)}


def test_a_complete_valid_jamaah_has_no_problem() -> None:
    result = check(
        title="Bapak", marital_status="Kawin", education="SMA", occupation="Wiraswasta",
        identity_type="KTP", province="dki jakarta", regency="Kota Jakarta Selatan",
        passport_name="AHMAD HIDAYAT", bpjs_number="0001234567890", home_phone="021-555-1234",
    )  # fmt: skip
    assert result.ok, result.errors
    assert result.warnings == ()
    assert result.values["phone"] == "+6281234567890"
    assert result.values["home_phone"] == "+62215551234"
    assert result.values["title"] == "TUAN"
    assert result.values["identity_type"] == "NIK"
    assert result.values["nationality"] == "WNI"
    assert result.values["regency"] == "KOTA JAKARTA SELATAN"
    assert set(result.values) == set(FIELDS)


def test_every_problem_is_reported_at_once_and_named() -> None:
    result = check(nik="123", phone="021 5551234", passport_name="AHMAD", education="Pesantren")
    assert codes(result) == {
        "nik": "nik_digits",
        "phone": "phone_landline",
        "passport_name": "name_two_words",
        "education": "vocabulary",
    }
    education = next(p for p in result.errors if p.field == "education")
    assert education.params["value"] == "Pesantren" and "SMA/MA" in education.params["allowed"]
    problem = result.error_on("nik")
    assert problem is not None and "16 digits" in problem.message


@pytest.mark.parametrize("name", ["full_name", "gender", "birth_date", "nik", "phone"])
def test_a_required_field_left_blank(name: str) -> None:
    result = check(**{name: ""})
    assert codes(result)[name] == "required"


# --- NIK and birth date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nik", "birth", "gender", "code"),
    [
        ("3174050105700001", date(1970, 5, 1), "L", None),  # a man born 01-05-70
        ("3174050205700001", date(1970, 5, 1), "L", "nik_birth_date"),  # one day off
        ("3174050106700001", date(1970, 5, 1), "L", "nik_birth_date"),  # another month
        ("3174050105710001", date(1970, 5, 1), "L", "nik_birth_date"),  # another year
        ("3174054105700001", date(1970, 5, 1), "P", None),  # a woman: day + 40
        ("3174050105700001", date(1970, 5, 1), "P", "nik_female_day"),  # a woman with a man's day
        ("3174054105700001", date(1970, 5, 1), "L", "nik_male_day"),  # a man with a woman's day
        ("3174057105700001", date(1970, 5, 31), "P", None),  # day 31 + 40 = 71
        ("3174053205700001", date(1970, 5, 1), "L", "nik_no_date"),  # 32 May
        ("3174050013700001", date(1970, 5, 1), "L", "nik_no_date"),  # month 13 / day 00
    ],
)
def test_nik_encodes_birth_date_and_gender(nik: str, birth: date, gender: str, code: str | None) -> None:
    result = check(nik=nik, birth_date=birth, gender=gender)
    assert codes(result).get("nik") == code


def test_a_womans_nik_message_says_day_plus_40() -> None:
    result = check(nik="3174050105700001", gender="P")
    problem = result.error_on("nik")
    assert problem is not None and "+ 40" in problem.message and "41" in problem.message


def test_nik_mismatch_message_names_both_dates() -> None:
    problem = check(nik="3174050205700001").error_on("nik")
    assert problem is not None and "02-05-70" in problem.message and "01-05-70" in problem.message


def test_nik_separators_are_dropped() -> None:
    assert check(nik="3174 0501 0570 0001").values["nik"] == "3174050105700001"


def test_an_unknown_region_code_is_a_warning_not_an_error() -> None:
    result = check(nik="9999990105700001")
    assert result.ok
    assert codes(result, "warnings") == {"nik": "nik_region_unknown"}


# --- phone ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890", "(0812) 3456 7890"]
)
def test_mobile_formats_become_e164(raw: str) -> None:
    assert check(phone=raw).values["phone"] == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("0215551234", "landline"),  # Jakarta landline
        ("+62 21 5551234", "landline"),
        ("0812345", "not a valid"),  # too short
        ("+14155552671", "not a valid Indonesian"),  # another country
        ("nomor saya", "not a phone number"),
    ],
)
def test_a_phone_that_is_not_an_indonesian_mobile_is_refused(raw: str, words: str) -> None:
    problem = check(phone=raw).error_on("phone")
    assert problem is not None and words in problem.message


def test_the_home_phone_may_be_a_landline() -> None:
    assert mobile_phone("home_phone", "021 5551234", mobile_only=False) == "+62215551234"
    with pytest.raises(InvalidInput, match="home_phone"):
        mobile_phone("home_phone", "12", mobile_only=False)


# --- passport -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "warned"),
    [
        (date(2027, 7, 19), True),  # 5 months 29 days after 20 Jan 2027
        (date(2027, 7, 20), False),  # exactly 6 months
        (date(2027, 1, 1), True),  # expired before departure
    ],
)
def test_passport_valid_6_months_after_departure_is_a_warning(expiry: date, warned: bool) -> None:
    result = check(passport_expiry_date=expiry, passport_issue_date=date(2020, 1, 1))
    assert result.ok
    assert ("passport_expiry_date" in codes(result, "warnings")) is warned


def test_the_agencys_larger_buffer_warns_earlier() -> None:
    result = check_jamaah(
        fields(passport_expiry_date=date(2027, 9, 1)), departure_date=DEPARTURE, now=NOW, warning_months=9
    )
    assert codes(result, "warnings") == {"passport_expiry_date": "passport_short"}


def test_no_departure_no_passport_warning() -> None:
    result = check_jamaah(fields(passport_expiry_date=date(2027, 2, 1)), departure_date=None, now=NOW)
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("name", "ok"), [("AHMAD", False), ("AHMAD HIDAYAT", True), ("  Ahmad   bin  Hidayat ", True)]
)
def test_passport_name_has_two_words(name: str, ok: bool) -> None:
    result = check(passport_name=name)
    assert ("passport_name" not in codes(result)) is ok


def test_full_name_has_two_words() -> None:
    assert codes(check(full_name="Sukarno")) == {"full_name": "name_two_words"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"passport_number": "12"}, "passport_number"),
        ({"passport_issue_date": date(2026, 12, 1)}, "passport_issue_date"),  # after NOW
        ({"passport_expiry_date": date(2024, 1, 1)}, "passport_expiry_date"),  # before issue
        ({"visa_valid_from": date(2027, 1, 1), "visa_valid_until": date(2027, 1, 1)}, "visa_valid_until"),
        (
            {"insurance_start_date": date(2027, 1, 2), "insurance_end_date": date(2027, 1, 1)},
            "insurance_end_date",
        ),
        ({"bpjs_number": "123456789012"}, "bpjs_number"),  # 12 digits
        ({"birth_date": date(2026, 11, 29)}, "birth_date"),  # today is not in the past
        ({"birth_date": "1970-13-01"}, "birth_date"),
        ({"title": "NYONYA"}, "title"),  # a man
        ({"province": "Atlantis"}, "province"),
        ({"province": "Jawa Tengah", "regency": "Kota Bandung"}, "regency"),  # another province's
        ({"regency": "Kota Bandung"}, "regency"),  # no province
    ],
)
def test_field_rules(overrides: dict[str, Any], field: str) -> None:
    assert field in codes(check(**overrides))


def test_a_visa_valid_long_before_departure_is_a_warning() -> None:
    early = check(visa_valid_from=date(2026, 12, 20), visa_valid_until=date(2027, 3, 20))
    late = check(visa_valid_from=date(2026, 12, 21), visa_valid_until=date(2027, 3, 20))
    assert codes(early, "warnings") == {"visa_valid_from": "visa_lapses"}
    assert late.warnings == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1970-05-01", date(1970, 5, 1)), ("01/05/1970", date(1970, 5, 1)), ("01-05-1970", date(1970, 5, 1)),
     ("1970-05-01 00:00:00", date(1970, 5, 1)), ("", None), (None, None)],
)  # fmt: skip
def test_dates_as_the_template_writes_them(text: str | None, expected: date | None) -> None:
    assert parse_date("birth_date", text) == expected


def test_a_nik_read_from_a_spreadsheet_as_a_number() -> None:
    assert check(nik=3174050105700001.0).values["nik"] == "3174050105700001"


@pytest.mark.parametrize(
    ("raw", "stored"), [("laki-laki", "L"), ("Perempuan", "P"), ("male", "L"), ("F", "P"), ("P", "P")]
)
def test_gender_spellings(raw: str, stored: str) -> None:
    nik = "3174054105700001" if stored == "P" else "3174050105700001"
    assert check(gender=raw, nik=nik).values["gender"] == stored


def test_an_unknown_gender() -> None:
    assert codes(check(gender="X")) == {"gender": "gender"}
