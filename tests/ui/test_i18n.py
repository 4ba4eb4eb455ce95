"""The translation table and how values are formatted for Indonesia (and in English)."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline_core.domain import formatting
from ui_kit.i18n import TEXT

ROOT = Path(__file__).resolve().parents[2]


def test_every_literal_key_the_pages_use_is_translated() -> None:
    used = set()
    for source in [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui_kit").rglob("*.py"), ROOT / "ui.py"]:
        used |= set(re.findall(r"\bt\(\s*\"([a-z_.\-]+)\"", source.read_text()))
    assert used, "the scan found the calls"
    assert sorted(used - TEXT.keys()) == []


@pytest.mark.parametrize("key", sorted(TEXT))
def test_both_languages_say_it_with_the_same_placeholders(key: str) -> None:
    indonesian, english = TEXT[key]
    assert indonesian.strip() and english.strip()
    fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in TEXT[key]]
    assert fields[0] == fields[1]


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(2000, "id", "2.000"), (2000, "en", "2,000"), (1234567, "id", "1.234.567")],
)
def test_numbers(value: int, lang: str, expected: str) -> None:
    assert formatting.number(value, lang) == expected


def test_decimals_percent_money_and_dates() -> None:
    assert formatting.decimal(1234.56, "id") == "1.234,6"
    assert formatting.decimal(1234.56, "en") == "1,234.6"
    assert formatting.percent(87.5, "id") == "87,5%"
    assert formatting.rupiah(35_000_000) == "Rp 35.000.000"
    assert formatting.day(date(2026, 11, 29)) == "29 Nov 2026"
    assert formatting.day(date(2026, 8, 17)) == "17 Agu 2026"
    assert formatting.day(date(2026, 8, 17), "en") == "17 Aug 2026"
    at = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # already 29 Nov in Jakarta
    assert formatting.day_time(at, "Asia/Jakarta") == "29 Nov 2026 00:30"


def test_contact_links() -> None:
    assert formatting.phone_display("+6281234567890") == "0812-3456-7890"
    assert formatting.tel_link("+6281234567890") == "tel:+6281234567890"
    assert formatting.whatsapp_link("+6281234567890") == "https://wa.me/6281234567890"
