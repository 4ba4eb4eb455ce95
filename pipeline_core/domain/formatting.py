"""How numbers, money, dates and contact details read in Indonesia: `2.000`, `Rp 35.000.000`,
`29 Nov 2026`, `0812-3456-7890`; English (`lang="en"`) uses `2,000` and English month names.

Pure functions (no locale module: the server's locale must not change what staff see). NIK and
passport numbers are masked by the core before any page sees them (`privacy.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

_MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def number(value: int, lang: str = "id") -> str:
    """Thousands separated by a dot in Indonesian (2.000), by a comma in English (2,000)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def decimal(value: float, lang: str = "id", digits: int = 1) -> str:
    """A fraction with a decimal comma in Indonesian (6,8; 1.234,5), a point in English (6.8)."""
    text = f"{value:,.{digits}f}"
    if lang != "id":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float, lang: str = "id", digits: int = 1) -> str:
    """87,5% / 87.5% (value already in percent)."""
    return f"{decimal(value, lang, digits)}%"


def rupiah(value: int) -> str:
    return f"Rp {number(value)}"


def day(value: date, lang: str = "id") -> str:
    return f"{value.day} {_MONTHS[lang][value.month - 1]} {value.year}"


def day_time(value: datetime, tz: str, lang: str = "id") -> str:
    """29 Nov 2026 10:00 in the agency's zone (24-hour clock, as Indonesian offices write it)."""
    local = value.astimezone(ZoneInfo(tz))
    return f"{day(local.date(), lang)} {local:%H:%M}"


# --- contact details ------------------------------------------------------------------------


def phone_display(e164: str) -> str:
    """+6281234567890 → 0812-3456-7890 (how staff write a mobile number)."""
    digits = "0" + e164.removeprefix("+62") if e164.startswith("+62") else e164
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def tel_link(e164: str) -> str:
    """One-tap call: tel:+6281234567890."""
    return f"tel:{e164}"


def whatsapp_link(e164: str) -> str:
    """One-tap WhatsApp chat: https://wa.me/6281234567890 (wa.me wants no plus sign)."""
    return f"https://wa.me/{e164.lstrip('+')}"
