"""Every rule on one jamaah's data, as one pure function the form, the API and each import row share.

`check_jamaah(fields, departure_date=…, now=…)` takes the fields of one jamaah (ORM/API names:
`full_name`, `gender`, `birth_date`, `nik`, `phone`, `passport_*`, and the SISKOPATUH fields) as
typed or as text from a spreadsheet, and answers the cleaned values plus every **error** (the record
may not be saved) and **warning** (saved, shown), each naming its field. It never raises for bad
data and never stops at the first problem: a form shows them all, an import row lists them all.

The rules (shared/DOMAIN.md, issue 19), with the choices where they are silent:
- Required: full name (≥ 2 words, as the database also checks), gender, birth date, NIK, phone.
- NIK: 16 digits (spaces and dots dropped). Digits 7–12 are the birth date DDMMYY, the day + 40 for
  a woman: a NIK that encodes another date, or the other gender, is an error on `nik` that says
  what it encodes. A region code (digits 1–6) unknown to the 2024 Dukcapil list is a warning only
  (regions are split and renumbered; an old NIK stays valid).
- Phone: Google's `phonenumbers` with region ID; must be an Indonesian **mobile** (a landline is
  refused: WhatsApp and SMS are how the agency reaches a jamaah); stored E.164 `+628…`. The home
  phone may be a landline or a mobile, stored E.164 too.
- Passport: number 6–9 letters and digits; issue date not in the future; expiry after issue. Valid
  less than 6 months after departure (or inside the agency's larger buffer) is a **warning** here;
  the hard stop stays at document verification (`rules.passport_check`). Passport name, when given,
  ≥ 2 words.
- Title agrees with gender (TUAN a man; NYONYA, NONA a woman). Identity type defaults to NIK and
  nationality to WNI when blank.
- Dropdown fields through `siskopatuh.canonical`; province and kabupaten through the regions.
- Dates: a date, or text `yyyy-mm-dd` (the template's), `dd/mm/yyyy` or `dd-mm-yyyy`.
- Visa valid-until after valid-from; a visa valid from more than 30 days before departure is a
  warning (it lapses unless the holder enters Saudi Arabia within 30 days). Insurance end after start.
- BPJS number: 13 digits.
- Birth date in the past and after 1 Jan 1900.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers

from pipeline_core.domain import rules, siskopatuh, validation
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Gender

__all__ = [
    "API_NAMES",
    "FIELDS",
    "REQUIRED",
    "JamaahCheck",
    "Problem",
    "RuleBroken",
    "check_jamaah",
    "mobile_phone",
    "nik_birth_problem",
    "parse_date",
]

#: Every field the rules know, in the form's order.
FIELDS: tuple[str, ...] = (
    "title",
    "full_name",
    "gender",
    "birth_date",
    "birth_place",
    "nik",
    "identity_type",
    "nationality",
    "phone",
    "home_phone",
    "father_name",
    "marital_status",
    "education",
    "occupation",
    "address",
    "province",
    "regency",
    "district",
    "village",
    "passport_name",
    "passport_number",
    "passport_issue_date",
    "passport_expiry_date",
    "passport_city",
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
    "agent_name",
    "notes",
)

REQUIRED = frozenset({"full_name", "gender", "birth_date", "nik", "phone"})

#: Where the HTTP API's name differs from the column's.
API_NAMES: dict[str, str] = {"passport_expiry_date": "passport_expiry", "package_id": "departure_group_id"}

_SEPARATORS = re.compile(r"[\s\-.()/]")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
_DIGITS = re.compile(r"[0-9]+")
_GENDERS = {
    "L": Gender.MALE, "M": Gender.MALE, "MALE": Gender.MALE, "LAKI-LAKI": Gender.MALE,
    "LAKI LAKI": Gender.MALE, "PRIA": Gender.MALE, "LK": Gender.MALE,
    "P": Gender.FEMALE, "F": Gender.FEMALE, "FEMALE": Gender.FEMALE, "PEREMPUAN": Gender.FEMALE,
    "WANITA": Gender.FEMALE, "PR": Gender.FEMALE, "W": Gender.FEMALE,
}  # fmt: skip
_MALE_TITLES = frozenset({"TUAN"})
_FEMALE_TITLES = frozenset({"NYONYA", "NONA"})
_OLDEST = date(1900, 1, 1)
VISA_LAPSE_DAYS = 30


@dataclass(frozen=True, slots=True)
class Problem:
    """One field-named finding. `code` + `params` let the UI say it in Indonesian or English."""

    field: str
    code: str
    message: str
    params: dict[str, Any] = _field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JamaahCheck:
    values: dict[str, Any]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_on(self, name: str) -> Problem | None:
        return next((p for p in self.errors if p.field == name), None)

    def raise_first(self) -> None:
        """The first error as `InvalidInput` (for callers that stop at one)."""
        if self.errors:
            first = self.errors[0]
            raise InvalidInput(first.field, first.message)


class RuleBroken(InvalidInput):
    """A parser's refusal with a `code` (and `params`) the UI translates."""

    def __init__(self, field: str, code: str, message: str, **params: Any) -> None:
        super().__init__(field, message)
        self.code, self.params = code, params


#: The codes of refusals raised by the shared validators (validation.py, siskopatuh.py), by field.
_CODE_BY_FIELD = {
    "nik": "nik_digits",
    "full_name": "name_two_words",
    "title": "vocabulary",
    "identity_type": "vocabulary",
    "nationality": "vocabulary",
    "marital_status": "vocabulary",
    "education": "vocabulary",
    "occupation": "vocabulary",
}


# --- parsing one value ----------------------------------------------------------------------------


def _as_text(raw: object) -> str:
    """Text of a cell: a whole float from a spreadsheet (3.17e15) loses its '.0'."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def parse_date(name: str, raw: object) -> date | None:
    """A date, or text `yyyy-mm-dd`, `dd/mm/yyyy`, `dd-mm-yyyy`; None when blank."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _as_text(raw)[:10] if re.match(r"\d{4}-\d{2}-\d{2}[ T]", _as_text(raw)) else _as_text(raw)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RuleBroken(
        name, "date_format", f"{text!r} is not a date: write it as yyyy-mm-dd (e.g. 1970-05-01).", value=text
    )


def gender(raw: object) -> Gender | None:
    if isinstance(raw, Gender):
        return raw
    text = _as_text(raw).upper()
    if not text:
        return None
    found = _GENDERS.get(text)
    if found is None:
        raise RuleBroken(
            "gender", "gender", f"{text!r} is not a gender: use L (laki-laki) or P (perempuan).", value=text
        )
    return found


def mobile_phone(name: str, raw: object, *, mobile_only: bool = True) -> str | None:
    """An Indonesian number as E.164 via `phonenumbers`; a landline is refused when `mobile_only`."""
    text = _as_text(raw)
    if not text:
        return None
    number, code, message = _phone_verdict(text, mobile_only)
    if code:
        raise RuleBroken(name, code, message, value=text)
    return number


@functools.lru_cache(maxsize=65_536)
def _phone_verdict(text: str, mobile_only: bool) -> tuple[str, str, str]:
    """(E.164, "", "") or ("", problem code, message). Remembered: an import checks every row twice
    (dry run, then commit) and `phonenumbers` is the dearest of the rules (~40 % of a dry run)."""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return "", "phone_format", f"{text!r} is not a phone number: write it as 08…, 628… or +628…."
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        return "", "phone_invalid", f"{text!r} is not a valid Indonesian number (08…, 628… or +628…)."
    kind = phonenumbers.number_type(number)
    mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if mobile_only and not mobile:
        return (
            "",
            "phone_landline",
            f"{text!r} is a landline: give a mobile number (08…) for calls and WhatsApp.",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), "", ""


def _words(name: str, raw: object, limit: int = 200) -> str | None:
    text = validation.text_field(name, _as_text(raw), limit)
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text.split()) < 2:
        raise RuleBroken(name, "name_two_words", "Write the name as on the passport: at least two words.")
    return text


def _upper_text(limit: int) -> Callable[[str, object], str | None]:
    def clean(name: str, raw: object) -> str | None:
        text = validation.text_field(name, _as_text(raw), limit)
        return " ".join(text.upper().split()) if text else None

    return clean


def _plain_text(limit: int, *, multiline: bool = False) -> Callable[[str, object], str | None]:
    def clean(name: str, raw: object) -> str | None:
        return validation.text_field(name, _as_text(raw), limit, multiline=multiline)

    return clean


def _nik(name: str, raw: object) -> str | None:
    text = _as_text(raw)
    return validation.normalise_nik(text) if text else None


def _passport_number(name: str, raw: object) -> str | None:
    cleaned = _SEPARATORS.sub("", _as_text(raw)).upper()
    if not cleaned:
        return None
    if not _PASSPORT.fullmatch(cleaned):
        raise RuleBroken(
            name, "passport_number", "A passport number has 6 to 9 letters and digits, e.g. C1234567."
        )
    return cleaned


def _bpjs(name: str, raw: object) -> str | None:
    cleaned = _SEPARATORS.sub("", _as_text(raw))
    if not cleaned:
        return None
    if not (_DIGITS.fullmatch(cleaned) and len(cleaned) == 13):
        raise RuleBroken(name, "bpjs_digits", "A BPJS card number has 13 digits.")
    return cleaned


def _vocabulary(name: str, raw: object) -> str | None:
    return siskopatuh.canonical(name, raw)


def _full_name(name: str, raw: object) -> str | None:
    text = _as_text(raw)
    return validation.passport_name(text) if text else None


def _gender_value(name: str, raw: object) -> str | None:
    found = gender(raw)
    return found.value if found else None


def _home_phone(name: str, raw: object) -> str | None:
    return mobile_phone(name, raw, mobile_only=False)


def _phone(name: str, raw: object) -> str | None:
    return mobile_phone(name, raw)


_PARSERS: dict[str, Callable[[str, object], Any]] = {
    "title": _vocabulary,
    "full_name": _full_name,
    "gender": _gender_value,
    "birth_date": parse_date,
    "birth_place": _upper_text(100),
    "nik": _nik,
    "identity_type": _vocabulary,
    "nationality": _vocabulary,
    "phone": _phone,
    "home_phone": _home_phone,
    "father_name": _plain_text(200),
    "marital_status": _vocabulary,
    "education": _vocabulary,
    "occupation": _vocabulary,
    "address": _plain_text(500),
    "district": _upper_text(100),
    "village": _upper_text(100),
    "passport_name": _words,
    "passport_number": _passport_number,
    "passport_issue_date": parse_date,
    "passport_expiry_date": parse_date,
    "passport_city": _upper_text(100),
    "visa_provider": _upper_text(100),
    "visa_number": _upper_text(64),
    "visa_valid_from": parse_date,
    "visa_valid_until": parse_date,
    "insurance_provider": _upper_text(100),
    "insurance_policy_number": _upper_text(64),
    "insurance_input_date": parse_date,
    "insurance_start_date": parse_date,
    "insurance_end_date": parse_date,
    "bpjs_number": _bpjs,
    "agent_name": _plain_text(200),
    "notes": _plain_text(2000, multiline=True),
}


# --- rules across fields ---------------------------------------------------------------------------


def nik_birth_problem(
    nik: str, birth: date | None, sex: str | None
) -> tuple[str, str, dict[str, Any]] | None:
    """(code, message, params) when the NIK's digits 7–12 disagree with the birth date or gender."""
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    real_day = day - 40 if female else day
    encoded = f"{real_day:02d}-{month:02d}-{year2:02d}"
    try:
        date(2000 + year2, month, real_day)
    except ValueError:
        return ("nik_no_date", f"Digits 7–12 of the NIK ({nik[6:12]}) are not a birth date DDMMYY.", {})
    if birth is not None and (real_day, month, year2) != (birth.day, birth.month, birth.year % 100):
        return (
            "nik_birth_date",
            f"The NIK encodes the birth date {encoded} (DD-MM-YY), but the birth date is "
            f"{birth:%d-%m-%y}: check both.",
            {"encoded": encoded, "birth": f"{birth:%d-%m-%y}"},
        )
    if sex == Gender.FEMALE.value and not female:
        return (
            "nik_female_day",
            f"For a woman the NIK's day is the birth day + 40 ({real_day + 40:02d}); this NIK has "
            f"{day:02d}, a man's. Check the NIK or the gender.",
            {"expected": f"{real_day + 40:02d}", "day": f"{day:02d}"},
        )
    if sex == Gender.MALE.value and female:
        return (
            "nik_male_day",
            f"This NIK's day {day:02d} is a woman's (birth day + 40); for a man it is {real_day:02d}. "
            "Check the NIK or the gender.",
            {"expected": f"{real_day:02d}", "day": f"{day:02d}"},
        )
    return None


def _cross_checks(
    values: dict[str, Any], bad: set[str], departure_date: date | None, today: date, warning_months: int
) -> tuple[list[Problem], list[Problem]]:
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def ok(*names: str) -> bool:
        return not bad.intersection(names) and all(values.get(n) is not None for n in names)

    if ok("nik"):
        found = nik_birth_problem(
            values["nik"],
            values.get("birth_date") if "birth_date" not in bad else None,
            values.get("gender") if "gender" not in bad else None,
        )
        if found:
            errors.append(Problem("nik", found[0], found[1], found[2]))
        elif siskopatuh.nik_region(values["nik"]) is None:
            warnings.append(
                Problem(
                    "nik",
                    "nik_region_unknown",
                    f"The NIK's region code {values['nik'][:6]} is not in the 2024 list of districts; "
                    "check the first six digits.",
                    {"code": values["nik"][:6]},
                )
            )
    if ok("birth_date") and not _OLDEST <= values["birth_date"] < today:
        errors.append(Problem("birth_date", "birth_date_past", "The birth date must be a date in the past."))
    if ok("title", "gender"):
        title, sex = values["title"], values["gender"]
        if (sex == Gender.MALE.value and title in _FEMALE_TITLES) or (
            sex == Gender.FEMALE.value and title in _MALE_TITLES
        ):
            errors.append(
                Problem(
                    "title", "title_gender", f"The title {title} does not match the gender.", {"title": title}
                )
            )
    errors += _date_order(values, bad, today)
    if ok("passport_expiry_date") and departure_date is not None:
        check = rules.passport_check(
            expiry=values["passport_expiry_date"],
            departure_date=departure_date,
            warning_months=warning_months,
        )
        if check in (rules.PassportCheck.TOO_SHORT, rules.PassportCheck.WARNING):
            months = rules.PASSPORT_MIN_MONTHS if check is rules.PassportCheck.TOO_SHORT else warning_months
            warnings.append(
                Problem(
                    "passport_expiry_date",
                    "passport_short",
                    f"The passport expires on {values['passport_expiry_date']:%d %b %Y}, less than {months} "
                    f"months after departure ({departure_date:%d %b %Y}): it must be renewed before "
                    "document verification.",
                    {"expiry": values["passport_expiry_date"], "departure": departure_date, "months": months},
                )
            )
    lapse = None if departure_date is None else departure_date - timedelta(days=VISA_LAPSE_DAYS)
    if ok("visa_valid_from") and lapse is not None and values["visa_valid_from"] < lapse:
        warnings.append(
            Problem(
                "visa_valid_from",
                "visa_lapses",
                f"The visa is valid from more than {VISA_LAPSE_DAYS} days before departure: it lapses "
                f"unless the jamaah enters Saudi Arabia within {VISA_LAPSE_DAYS} days.",
            )
        )
    return errors, warnings


def _date_order(values: dict[str, Any], bad: set[str], today: date) -> list[Problem]:
    errors: list[Problem] = []
    issued = values.get("passport_issue_date")
    if issued is not None and "passport_issue_date" not in bad and issued > today:
        errors.append(
            Problem("passport_issue_date", "issue_future", "The passport issue date cannot be in the future.")
        )
    pairs = (
        (
            "passport_issue_date",
            "passport_expiry_date",
            "The passport expiry date must be after its issue date.",
        ),
        ("visa_valid_from", "visa_valid_until", "The visa's last day must be after its first day."),
        ("insurance_start_date", "insurance_end_date", "The policy's end date must be after its start date."),
    )
    for first, last, message in pairs:
        if first in bad or last in bad:
            continue
        start, end = values.get(first), values.get(last)
        if start is not None and end is not None and end <= start:
            errors.append(Problem(last, "date_order", message))
    return errors


def check_jamaah(
    fields: Mapping[str, object],
    *,
    departure_date: date | None,
    now: datetime,
    timezone: str = "Asia/Jakarta",
    warning_months: int = rules.PASSPORT_MIN_MONTHS,
) -> JamaahCheck:
    """Clean and check one jamaah's fields; every error and warning, each naming its field.

    Keys not in `FIELDS` are ignored (the group, the companion: the caller checks those).
    """
    today = rules.agency_today(now, timezone)
    values: dict[str, Any] = {}
    errors: list[Problem] = []
    bad: set[str] = set()
    for name in FIELDS:
        if name in ("province", "regency"):
            continue
        try:
            values[name] = _PARSERS[name](name, fields.get(name))
        except InvalidInput as problem:
            errors.append(_problem(name, problem, fields.get(name)))
            bad.add(name)
    _regions(fields, values, errors, bad)
    for name in sorted(REQUIRED - bad, key=FIELDS.index):
        if values.get(name) is None:
            errors.append(Problem(name, "required", "Required: fill it in."))
            bad.add(name)
    values["identity_type"] = values.get("identity_type") or "NIK"
    values["nationality"] = values.get("nationality") or "WNI"
    more_errors, warnings = _cross_checks(values, bad, departure_date, today, warning_months)
    ordered = sorted(errors + more_errors, key=lambda p: FIELDS.index(p.field))
    return JamaahCheck(values=values, errors=tuple(ordered), warnings=tuple(warnings))


def _problem(name: str, problem: InvalidInput, raw: object) -> Problem:
    if isinstance(problem, RuleBroken):
        return Problem(name, problem.code, problem.message, problem.params)
    code = _CODE_BY_FIELD.get(name, "invalid")
    params: dict[str, Any] = {}
    if code == "vocabulary":
        params = {"value": _as_text(raw), "allowed": ", ".join(siskopatuh.VOCABULARIES[name])}
    return Problem(name, code, problem.message, params)


def _regions(
    fields: Mapping[str, object], values: dict[str, Any], errors: list[Problem], bad: set[str]
) -> None:
    try:
        values["province"] = siskopatuh.province(fields.get("province"))
    except InvalidInput as problem:
        errors.append(Problem("province", "invalid", problem.message))
        bad.add("province")
        values["province"] = None
    try:
        if "province" in bad:
            values["regency"] = _upper_text(100)("regency", fields.get("regency"))
        else:
            values["regency"] = siskopatuh.regency(values["province"], fields.get("regency"))
    except InvalidInput as problem:
        errors.append(Problem("regency", "invalid", problem.message))
        bad.add("regency")
        values["regency"] = None
