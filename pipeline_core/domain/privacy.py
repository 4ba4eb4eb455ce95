"""Pilgrims' personal data on display and in logs: masking and log redaction (pure).

- `mask_nik` / `mask_passport` are what every role sees by default (`3174 •••• •••• 0001`,
  `X1•••••67`): enough to tell two records apart on the phone, not enough to misuse.
- `RedactPersonalData` is a `logging.Filter` that masks anything shaped like a NIK (16 digits,
  optionally grouped by 4) or a passport number (one or two letters then 5–8 digits) in a record's
  message, arguments and traceback. `install_redaction()` puts it where every record passes: the
  record factory (records of every logger, whatever handler they reach later) and the root
  logger's handlers. A filter on the root *logger* alone would miss records of child loggers.

The redaction is deliberately greedy: a 16-digit order number in a log line is masked too. Phone
numbers are not redacted (the task cards show them, by design). The logged reveal of the full
numbers is a command: `pipeline_core.commands.privacy.reveal_identity`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = [
    "MASKED_FIELDS",
    "RedactPersonalData",
    "holds_identity_number",
    "install_redaction",
    "mask_changes",
    "mask_nik",
    "mask_passport",
    "redact",
]

DOT = "•"
NIK_PATTERN = re.compile(r"(?<![0-9])[0-9]{4}([ .-]?)[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?![0-9])")
PASSPORT_PATTERN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}[0-9]{5,8}(?![A-Za-z0-9])")
#: A password hash as argon2 writes it (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): never logged.
SECRET_PATTERN = re.compile(r"\$argon2(?:id|i|d)\$[A-Za-z0-9+/=$,.]+")


def mask_nik(nik: str | None) -> str:
    """`3174050105700001` -> `3174 •••• •••• 0001`; anything else keeps only its last 4 characters."""
    if not nik:
        return ""
    digits = nik.replace(" ", "")
    if len(digits) == 16 and digits.isdigit():
        return f"{digits[:4]} {DOT * 4} {DOT * 4} {digits[-4:]}"
    if len(digits) <= 4:
        return DOT * 4
    return DOT * 4 + digits[-4:]


def mask_passport(number: str | None) -> str:
    """`X1234567` -> `X1•••••67`: the first two and last two characters stay; five dots always, so
    the mask does not tell the length either."""
    if not number:
        return ""
    number = number.strip()
    if len(number) <= 4:
        return DOT * 5
    return number[:2] + DOT * 5 + number[-2:]


_LONG_NUMBER = re.compile(r"[0-9]{6,}")


def holds_identity_number(text: str) -> bool:
    """Whether a search text may carry a NIK or passport number (or a long part of one, or of a
    phone number): such text never goes into a URL or a log line."""
    compact = re.sub(r"[\s.-]", "", text)
    return bool(_LONG_NUMBER.search(compact) or PASSPORT_PATTERN.search(text))


#: Activity-log fields holding personal numbers, and how each is masked.
MASKED_FIELDS = {"nik": mask_nik, "passport_number": mask_passport}


def mask_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """An activity-log `changes` object (`{field: {"old": …, "new": …}}`) with NIK and passport
    values masked: when an entry is written and again by any read that shows the log (a value
    already masked is left as it is)."""
    masked = dict(changes)
    for name, mask in MASKED_FIELDS.items():
        change = masked.get(name)
        if isinstance(change, dict):
            masked[name] = {k: _masked(mask, v) for k, v in change.items()}
        elif isinstance(change, str):
            masked[name] = _masked(mask, change)
    return masked


def _masked(mask: Any, value: Any) -> Any:
    """A value masked once: entries are masked when written, and every read masks again."""
    if not value or DOT in str(value):
        return value
    return mask(str(value))


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if text[0].isdigit():
        return mask_nik(re.sub(r"[^0-9]", "", text))
    return mask_passport(text)


def redact(text: str) -> str:
    """The text with every NIK-like and passport-like token masked and every password hash removed."""
    text = SECRET_PATTERN.sub("$argon2…(redacted)", text)
    return PASSPORT_PATTERN.sub(_mask_match, NIK_PATTERN.sub(_mask_match, text))


class RedactPersonalData(logging.Filter):
    """Masks NIK- and passport-like tokens in a record; never drops a record.

    The message is formatted with its arguments first (so a NIK passed as `%s` is caught), then
    stored back with no arguments. A traceback is formatted and redacted into `exc_text`, which
    `logging.Formatter` uses instead of formatting the exception again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_personal_data_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: redact the parts, leave the error to logging
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._personal_data_redacted = True
        return True


_FILTER = RedactPersonalData()


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Redact every log record of this process (idempotent).

    Wraps the log-record factory, so records of every logger are masked as they are created, and
    adds the filter to the given logger (default: root) and its handlers for records that are made
    without the factory (e.g. `logging.makeLogRecord`).
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "_redacts_personal_data", False):

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            _FILTER.filter(record)
            return record

        redacting_factory._redacts_personal_data = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(redacting_factory)
    target = logger or logging.getLogger()
    for holder in (target, *target.handlers):
        if not any(isinstance(existing, RedactPersonalData) for existing in holder.filters):
            holder.addFilter(_FILTER)


# --- error reports (Sentry) ----------------------------------------------------------------------

#: An Indonesian phone number as people write it: +62 / 62 / 0, then 8–13 digits, maybe spaced.
PHONE_PATTERN = re.compile(r"(?<![0-9])(?:\+?62|0)[ .-]?8[0-9]{1,3}(?:[ .-]?[0-9]{3,4}){2,3}(?![0-9])")
#: A personal API token (`upt_…`) or a session token in a cookie or header.
TOKEN_PATTERN = re.compile(r"upt_[A-Za-z0-9_-]{8,}|(?<=umrah_session=)[A-Za-z0-9_-]+")
#: Keys whose values never leave the process in an error report, whatever they hold.
_SECRET_KEYS = frozenset(
    {"cookie", "cookies", "authorization", "set-cookie", "x-api-key", "password", "token"}
)


def scrub(value: Any) -> Any:
    """A copy of an error report (nested dicts, lists, strings) with NIK, passport and phone
    numbers masked, tokens and password hashes removed, and cookies and credentials dropped."""
    if isinstance(value, str):
        return PHONE_PATTERN.sub("[phone]", TOKEN_PATTERN.sub("[token]", redact(value)))
    if isinstance(value, dict):
        return {
            key: "[removed]" if str(key).lower() in _SECRET_KEYS else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value
