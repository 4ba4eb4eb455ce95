"""Validation of typed values: each bad value is refused with a sentence naming its field."""

from __future__ import annotations

import pytest

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.validation import normalise_nik, normalise_phone, passport_name


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62 (0)812-3456-7890", "+6281234567890"),
        ("0857.1234.567", "+628571234567"),
        ("0811 234 567", "+62811234567"),
        ("0812-3456-7", "+6281234567"),
        ("0896-1234-56789", "+6289612345678" + "9"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw", ["", "12345", "021-5551234", "+62 21 555 1234", "0812-abc-7890", "08123456789012"]
)
def test_invalid_phone_numbers_name_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        normalise_phone(raw)
    assert error.value.field == "phone"


@pytest.mark.parametrize(
    ("raw", "nik"), [("3174050105700001", "3174050105700001"), ("3174 0501 0570 0001", "3174050105700001")]
)
def test_a_nik_may_be_typed_in_groups(raw: str, nik: str) -> None:
    assert normalise_nik(raw) == nik


@pytest.mark.parametrize("raw", ["317405010570000", "31740501057000012", "3174O50105700001"])
def test_a_nik_is_exactly_sixteen_digits(raw: str) -> None:
    with pytest.raises(InvalidInput, match="exactly 16 digits") as error:
        normalise_nik(raw)
    assert error.value.field == "nik"


def test_a_passport_name_needs_two_words() -> None:
    assert passport_name("  Siti   Aminah ") == "Siti Aminah"
    with pytest.raises(InvalidInput) as error:
        passport_name("Aminah")
    assert error.value.field == "full_name"
