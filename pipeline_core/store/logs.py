"""Log lines: human by default, one JSON object a line with LOG_FORMAT=json; and one line per HTTP
request and per script run with what an operator needs to follow it.

- `configure(format, level)`: the root handler's formatter. JSON lines carry `ts`, `level`,
  `logger`, `message` and the fields a request or run noted (`request_id`, `route`, `status`,
  `duration_ms`, `user_id`, `workspace`, `page`), plus `exc` for a traceback. The redaction of
  `domain.privacy` has already masked NIK/passport shapes and removed hashes in `message`.
- `request_scope()`: a per-request (or per-run) dict in a context variable; code deeper down notes
  who the caller is (`note(user_id=…, workspace=…)`) and the access line prints it. A user id and a
  workspace slug are not personal data; names, e-mails and searches never go in.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "access", "configure", "note", "request_scope"]

_scope: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("log_scope", default=None)
_FIELDS = ("request_id", "route", "method", "status", "duration_ms", "user_id", "workspace", "page")

access_log = logging.getLogger("umrah.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in _FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str, level: str = "INFO") -> None:
    """The root logger's one handler: JSON lines (`json`) or human lines (anything else)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    human = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter: logging.Formatter = JsonFormatter() if log_format == "json" else human
    for handler in root.handlers:
        handler.setFormatter(formatter)
    root.setLevel(level)


@contextlib.contextmanager
def request_scope(**fields: Any) -> Iterator[dict[str, Any]]:
    scope = dict(fields)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def note(**fields: Any) -> None:
    """Add fields to the current request's (or run's) access line; nothing outside a scope."""
    scope = _scope.get()
    if scope is not None:
        scope.update(fields)


def access(scope: dict[str, Any], message: str) -> None:
    """The one line of a request or script run (fields as `extra`, so JSON lines carry them)."""
    fields = {field: scope[field] for field in _FIELDS if scope.get(field) is not None}
    shown = " ".join(f"{field}={fields[field]}" for field in fields)
    access_log.info("%s %s", message, shown, extra=fields)
