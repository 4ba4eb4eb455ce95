"""Validation of what staff type: one clear sentence per bad value, naming the field.

Pure functions (no I/O). Choices where DOMAIN.md is silent:
- Phone numbers: 08…, 628…, +628… (also "+62 08…"), with spaces, dashes, dots or brackets; the
  number after 62 must start with 8 (a mobile) and have 8–12 digits; stored as E.164 `+628…`.
- NIK: exactly 16 digits; spaces or dots between the groups are dropped.
- The passport name has at least two words; a passport number has 6 to 9 letters and digits.
- Text of any field (`clean_text`, used by every check that takes text): NFC-normalised; refused
  when it holds NUL or another control character (a line break or tab only where the field is
  multi-line: notes), a Unicode direction override (U+202A–U+202E, U+2066–U+2069: they make text
  read differently from what it is), a lone surrogate (not valid Unicode), or more characters than
  the field takes. The message names the field; the database never sees such a value.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import date
from typing import TypeVar

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Role

E = TypeVar("E", bound=enum.Enum)

_SEPARATORS = re.compile(r"[\s\-.()/]")
_DIGITS = re.compile(r"[0-9]+")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
#: C0 and C1 controls and DEL; line breaks and tabs are allowed in multi-line fields only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\t\n\r]")
_DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_hidden_characters(value: str) -> bool:
    """A control character (NUL included) or a lone surrogate: never stored, never looked up."""
    return bool(_CONTROL.search(value) or _LINE_BREAK.search(value) or _SURROGATE.search(value))


def clean_text(field: str, value: object, limit: int, *, multiline: bool = False) -> str:
    """Text as it may enter the core: NFC, no control or direction-override characters, valid
    Unicode, at most `limit` characters (after trimming). Raises `InvalidInput` naming the field."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"Must be text, got {type(value).__name__}.")
    if _SURROGATE.search(value):
        raise InvalidInput(field, "Contains characters that are not valid Unicode; type it again.")
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text) or (not multiline and _LINE_BREAK.search(text)):
        allowed = "" if not multiline else " (line breaks and tabs are fine)"
        raise InvalidInput(field, f"Contains an invisible control character; remove it{allowed}.")
    if _DIRECTION.search(text):
        raise InvalidInput(field, "Contains a hidden text-direction character; remove it.")
    if len(text) > limit:
        raise InvalidInput(field, f"At most {limit} characters, please (got {len(text)}).")
    return text


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


def passport_name(raw: str, limit: int = 200) -> str:
    """The full name as on the passport: single spaces, at least two words."""
    name = " ".join(clean_text("full_name", raw or "", limit).split())
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


def text_field(field: str, value: str | None, limit: int, *, multiline: bool = False) -> str | None:
    """Clean text (`clean_text`); blank becomes None."""
    return clean_text(field, value or "", limit, multiline=multiline) or None


def parse_role(role: Role | str | None) -> Role | None:
    if role is None or isinstance(role, Role):
        return role
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            "role", f"must be one of {', '.join(r.value for r in Role)}, got {role!r}"
        ) from None
