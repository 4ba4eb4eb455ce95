"""An activity entry's `changes`, typed again after their trip through JSON.

The log stores `{field: {"old": …, "new": …}}` as JSON, so dates and instants are written as ISO
text (`store.repository`). The reads give them back as `date` / `datetime` by the field's name:
the schema names every instant `…_at` (or `locked_until`) and every calendar date `…_date` (or
`day`, `seeded_on`) — a test over `store.schema` keeps that convention true — so a page formats
a value by its type and never guesses from a string's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

__all__ = ["field_type", "typed_changes"]

_INSTANTS = frozenset({"locked_until"})
_DAYS = frozenset({"day", "seeded_on", "visa_valid_from", "visa_valid_until"})


def field_type(name: str) -> type | None:
    """`datetime` or `date` for a field that holds one, else None."""
    if name.endswith("_at") or name in _INSTANTS:
        return datetime
    if name.endswith("_date") or name in _DAYS:
        return date
    return None


def _parser(name: str) -> Callable[[str], Any] | None:
    kind = field_type(name)
    return datetime.fromisoformat if kind is datetime else date.fromisoformat if kind is date else None


def _typed(parse: Callable[[str], Any], value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return parse(value)
    except ValueError:  # written before the convention, or not a date after all: shown as it is
        return value


def typed_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` with the old and new values of date and instant fields as `date` / `datetime`."""
    typed = dict(changes)
    for name, change in changes.items():
        parse = _parser(name)
        if parse is not None and isinstance(change, dict):
            typed[name] = {side: _typed(parse, value) for side, value in change.items()}
    return typed
