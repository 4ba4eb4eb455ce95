"""An activity entry's changes come back typed: dates and instants by the field's name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Date, DateTime

from pipeline_core.domain.activity import field_type, typed_changes
from pipeline_core.store import schema as t


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        (
            "due_at",
            {"old": "2026-11-29T03:00:00+00:00", "new": None},
            {"old": datetime(2026, 11, 29, 3, tzinfo=UTC), "new": None},
        ),
        (
            "locked_until",
            {"old": None, "new": "2026-11-29T03:15:00+00:00"},
            {"old": None, "new": datetime(2026, 11, 29, 3, 15, tzinfo=UTC)},
        ),
        (
            "birth_date",
            {"old": "1980-02-01", "new": "1980-02-11"},
            {"old": date(1980, 2, 1), "new": date(1980, 2, 11)},
        ),
        ("passport_expiry_date", {"old": None, "new": "2029-01-31"}, {"old": None, "new": date(2029, 1, 31)}),
        # not a date field: a date-shaped note stays text
        ("notes", {"old": None, "new": "2026-11-29"}, {"old": None, "new": "2026-11-29"}),
        # a date field holding something else is shown as it is, not refused
        ("due_at", {"old": "kemarin", "new": None}, {"old": "kemarin", "new": None}),
        ("status", {"old": "pending", "new": "completed"}, {"old": "pending", "new": "completed"}),
    ],
)
def test_values_are_typed_by_the_field_name(
    name: str, change: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert typed_changes({name: change}) == {name: expected}


def test_entries_that_are_not_old_new_pairs_are_left_alone() -> None:
    changes = {"revealed": {"old": None, "new": ["nik", "passport_number"]}, "due_at": "2026-11-29"}
    assert typed_changes(changes) == changes


def test_every_date_and_instant_column_follows_the_naming_convention() -> None:
    """The reads type a logged value by its field's name; the schema keeps the names honest."""
    for table in t.Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, DateTime):
                assert field_type(column.name) is datetime, f"{table.name}.{column.name}"
            elif isinstance(column.type, Date):
                assert field_type(column.name) is date, f"{table.name}.{column.name}"
            else:
                assert field_type(column.name) is None, f"{table.name}.{column.name}"
