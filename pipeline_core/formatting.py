"""How numbers, money and dates read in Indonesia: `2.000`, `Rp 35.000.000`, `29 Nov 2026`.

Pure functions (no locale module: the server's locale must not change what staff see).
"""

from __future__ import annotations

from datetime import date

_MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def number(value: int, lang: str = "id") -> str:
    """Thousands separated by a dot in Indonesian (2.000), by a comma in English (2,000)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def rupiah(value: int) -> str:
    return f"Rp {number(value)}"


def day(value: date, lang: str = "id") -> str:
    return f"{value.day} {_MONTHS[lang][value.month - 1]} {value.year}"
