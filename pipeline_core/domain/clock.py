"""The one place the product reads the wall clock.

Every command and read takes an optional `now`; `instant(now)` is that `now`, or the current UTC
instant when none is given. Tests and benchmarks always pass `now` (docs/decisions.md, "Time in
tests"), so a test gives the same answer on any day.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["instant"]


def instant(now: datetime | None = None) -> datetime:
    """`now` when given (it must carry a time zone), else the current instant (UTC)."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    return now
