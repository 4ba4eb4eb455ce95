"""Validation of what staff type: one clear sentence per bad value, naming the field.

Pure functions (no I/O). Choices where DOMAIN.md is silent:
- Phone numbers: 08…, 628…, +628… (also "+62 08…"), with spaces, dashes, dots or brackets; the
  number after 62 must start with 8 (a mobile) and have 8–12 digits; stored as E.164 `+628…`.
- NIK: exactly 16 digits; spaces or dots between the groups are dropped.
- The passport name has at least two words; a passport number has 6 to 9 letters and digits.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import TypeVar

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Role

E = TypeVar("E", bound=enum.Enum)

_SEPARATORS = re.compile(r"[\s\-.()/]")
_DIGITS = re.compile(r"[0-9]+")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")


def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number in E.164: '0812-3456-7890' → '+6281234567890'."""
    number = _SEPARATORS.sub("", raw or "")
    prefix = next((p for p in ("+62", "62", "0") if number.startswith(p)), None)
    if prefix is None:
        raise InvalidInput("phone", f"{raw!r} is not an Indonesian number: write it as 08…, 628… or +628….")
    national = number.removeprefix(prefix)
    if prefix != "0":
        national = national.removeprefix("0")  # "+62 0812…"
    if not _DIGITS.fullmatch(national):
        raise InvalidInput("phone", f"{raw!r} contains characters other than digits, spaces and dashes.")
    if not national.startswith("8"):
        raise InvalidInput("phone", f"{raw!r} is not a mobile number: Indonesian mobiles start with 08.")
    if not 8 <= len(national) <= 12:
        raise InvalidInput("phone", f"{raw!r} has the wrong length: a mobile number has 9 to 13 digits.")
    return "+62" + national


def normalise_nik(raw: str) -> str:
    """The 16-digit NIK, without the spaces or dots people type between the groups."""
    nik = _SEPARATORS.sub("", raw or "")
    if not (_DIGITS.fullmatch(nik) and len(nik) == 16):
        raise InvalidInput("nik", f"The NIK must be exactly 16 digits; {raw!r} is not.")
    return nik


def passport_name(raw: str) -> str:
    """The full name as on the passport: single spaces, at least two words."""
    name = " ".join((raw or "").split())
    if len(name.split()) < 2:
        raise InvalidInput("full_name", "Write the full name as on the passport: at least two words.")
    return name


def passport_fields(
    number: str | None, issued: date | None, expires: date | None, today: date
) -> dict[str, object]:
    cleaned = _SEPARATORS.sub("", number or "").upper() or None
    if cleaned is not None and not _PASSPORT.fullmatch(cleaned):
        raise InvalidInput(
            "passport_number", "A passport number has 6 to 9 letters and digits, e.g. C1234567."
        )
    if issued is not None and issued > today:
        raise InvalidInput("passport_issue_date", "The passport issue date cannot be in the future.")
    if issued is not None and expires is not None and expires <= issued:
        raise InvalidInput("passport_expiry_date", "The passport expiry date must be after its issue date.")
    return {"passport_number": cleaned, "passport_issue_date": issued, "passport_expiry_date": expires}


def birth_date(value: date, today: date) -> date:
    if not isinstance(value, date) or value >= today:
        raise InvalidInput("birth_date", "The birth date must be a date in the past.")
    return value


def choice(kind: type[E], field: str, value: object) -> E:
    try:
        return kind(value)
    except ValueError:
        words = ", ".join(str(member.value) for member in kind)
        raise InvalidInput(field, f"{value!r} is not one of {words}.") from None


def text_field(field: str, value: str | None, limit: int) -> str | None:
    """Trimmed text; blank becomes None."""
    cleaned = (value or "").strip() or None
    if cleaned is not None and len(cleaned) > limit:
        raise InvalidInput(field, f"At most {limit} characters, please (got {len(cleaned)}).")
    return cleaned


def parse_role(role: Role | str | None) -> Role | None:
    if role is None or isinstance(role, Role):
        return role
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            "role", f"must be one of {', '.join(r.value for r in Role)}, got {role!r}"
        ) from None
