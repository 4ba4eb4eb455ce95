"""The pure rules of the pipeline (../shared/DOMAIN.md): due dates, jamaah status, progress,
health, kanban column, default priority, bottleneck severity and "due in" wording.

No I/O, no database, no Streamlit: every function takes the facts and the time it needs, so it is
unit-testable in milliseconds. The read side (`queries.py`) mirrors some rules in SQL and takes
its instants from here (`risk_threshold`, `column_bounds`) so both sides agree to the second.

Choices where DOMAIN.md is silent:

- Time. Every datetime must be timezone-aware (a naive one raises `ValueError`: it would silently
  be read in the server's zone). "Today" is the calendar date in the agency zone, passed as a
  `ZoneInfo` or its name.
- Departure day H is the instant 00:00 local of the departure date, so "H − n" is
  `local_midnight(departure_date − n days)`. A stage due "by H-45" must be done before the
  agency's day D−45 begins.
- Departure "has passed" once the departure date is before today: a group leaving today is not
  overdue for that reason alone (it usually is at-risk).
- Boundaries are strict: exactly at `due_at` is not overdue; a remaining SLA ending exactly at
  `D − buffer` is not at-risk; severity and the 7/14-day priority thresholds follow the words of
  DOMAIN.md ("> 10 days", "within 7 days" = at most 7).
- Health with nothing open (total == completed) is 100.0: no open jamaah is unhealthy. Progress
  with no active stage is 100.0: there is nothing left to do. Both are rounded to one decimal.
- The average delay of no stuck jamaah is 0.0 days.
- A generated task is never given priority `low`; a departure already passed counts as "within 7
  days" (urgent).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from pipeline_core.domain.model import (
    JamaahStatus,
    KanbanColumn,
    Priority,
    Severity,
    Stage,
    WorkStatus,
)

__all__ = [
    "SEVERITY_ORDER",
    "CurrentStage",
    "agency_today",
    "average_delay_days",
    "bottleneck_severity",
    "classify_jamaah",
    "column_bounds",
    "current_stage",
    "days_until_departure",
    "default_priority",
    "due_in_words",
    "health_score",
    "kanban_column",
    "later_sla_hours",
    "local_midnight",
    "passport_check",
    "progress_percent",
    "raises_alert",
    "risk_threshold",
    "stage_due_at",
]

_ONE_DAY = timedelta(days=1)
_URGENT_DEPARTURE_DAYS = 7
_HIGH_DEPARTURE_DAYS = 14
_HIGH_DUE_WITHIN = timedelta(hours=24)


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


# --- time in the agency zone ----------------------------------------------------------------


def agency_today(now: datetime, tz: ZoneInfo | str) -> date:
    """2026-11-29T17:30Z is already 30 Nov in Jakarta."""
    _require_aware("now", now)
    return now.astimezone(_zone(tz)).date()


def local_midnight(day: date, tz: ZoneInfo | str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_zone(tz))


def column_bounds(*, now: datetime, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """(start of today, start of tomorrow) in the agency zone: the edges of the kanban columns."""
    today = agency_today(now, tz)
    return local_midnight(today, tz), local_midnight(today + _ONE_DAY, tz)


def days_until_departure(*, departure_date: date, now: datetime, tz: ZoneInfo | str) -> int:
    """Calendar days from the agency's today: 0 on departure day, negative once it has passed."""
    return (departure_date - agency_today(now, tz)).days


# --- due dates and the current stage ---------------------------------------------------------


def stage_due_at(
    *,
    started_at: datetime,
    sla_hours: int,
    departure_date: date,
    done_by_days: int | None,
    tz: ZoneInfo | str,
) -> datetime:
    """The earlier of started_at + SLA and the "done by H − n" deadline.

    H is 00:00 local of the departure date, so H − n = local_midnight(departure_date − n days).
    """
    _require_aware("started_at", started_at)
    sla_due = started_at + timedelta(hours=sla_hours)
    if done_by_days is None:
        return sla_due
    done_by = local_midnight(departure_date - timedelta(days=done_by_days), tz)
    return min(sla_due, done_by)


def current_stage(stages: Sequence[Stage], completed_codes: set[str]) -> Stage | None:
    """First active stage by position not yet completed; None when every active stage is done.

    Disabled stages are skipped even if never completed.
    """
    for stage in sorted(stages, key=lambda s: s.position):
        if stage.is_active and stage.code not in completed_codes:
            return stage
    return None


def later_sla_hours(stages: Sequence[Stage], current_position: int) -> int:
    """SLA still ahead after the current stage: active stages only."""
    return sum(s.sla_hours for s in stages if s.is_active and s.position > current_position)


# --- status of a jamaah ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CurrentStage:
    """What classification needs to know of a jamaah's current stage instance."""

    due_at: datetime
    blocked: bool


def risk_threshold(*, departure_date: date, buffer_days: int, tz: ZoneInfo | str) -> datetime:
    """The instant D − buffer: the remaining SLA must end by then (00:00 local of that day)."""
    return local_midnight(departure_date - timedelta(days=buffer_days), tz)


def classify_jamaah(
    *,
    now: datetime,
    departure_date: date,
    current: CurrentStage | None,
    later_sla_hours: int,
    buffer_days: int,
    tz: ZoneInfo | str,
) -> JamaahStatus:
    """DOMAIN.md "Status of a jamaah", first match wins: completed, overdue, at-risk, on-track."""
    if current is None:
        return JamaahStatus.COMPLETED
    if now > current.due_at or departure_date < agency_today(now, tz):
        return JamaahStatus.OVERDUE
    if current.blocked:
        return JamaahStatus.AT_RISK
    remaining_ends = current.due_at + timedelta(hours=later_sla_hours)
    threshold = risk_threshold(departure_date=departure_date, buffer_days=buffer_days, tz=tz)
    if remaining_ends > threshold:
        return JamaahStatus.AT_RISK
    return JamaahStatus.ON_TRACK


def progress_percent(*, completed_active: int, active: int) -> float:
    """Completed active stages ÷ active stages; a pipeline with no active stage is done (100)."""
    if active <= 0:
        return 100.0
    return round(completed_active / active * 100, 1)


def health_score(*, on_track: int, total: int, completed: int) -> float:
    """On-track share of the open jamaah; with none open the agency is healthy (100)."""
    open_jamaah = total - completed
    if open_jamaah <= 0:
        return 100.0
    return round(on_track / open_jamaah * 100, 1)


# --- the task queue --------------------------------------------------------------------------


def kanban_column(
    *,
    status: WorkStatus,
    priority: Priority,
    due_at: datetime,
    now: datetime,
    tz: ZoneInfo | str,
) -> KanbanColumn | None:
    """Blocked → Urgent → Today → Upcoming, first match wins; completed tasks have no column.

    A task due earlier today but already late stays in Today: only the calendar day counts.
    """
    if status is WorkStatus.COMPLETED:
        return None
    if status is WorkStatus.BLOCKED:
        return KanbanColumn.BLOCKED
    start_of_today, start_of_tomorrow = column_bounds(now=now, tz=tz)
    if due_at < start_of_today or priority is Priority.URGENT:
        return KanbanColumn.URGENT
    if due_at < start_of_tomorrow:
        return KanbanColumn.TODAY
    return KanbanColumn.UPCOMING


def default_priority(
    *,
    stage_overdue: bool,
    due_at: datetime,
    departure_date: date,
    now: datetime,
    tz: ZoneInfo | str,
) -> Priority:
    """Priority of a generated task; departure days are calendar days in the agency zone."""
    days_left = days_until_departure(departure_date=departure_date, now=now, tz=tz)
    if stage_overdue or days_left <= _URGENT_DEPARTURE_DAYS:
        return Priority.URGENT
    if due_at - now <= _HIGH_DUE_WITHIN or days_left <= _HIGH_DEPARTURE_DAYS:
        return Priority.HIGH
    return Priority.NORMAL


def due_in_words(*, due_at: datetime, now: datetime, tz: ZoneInfo | str, lang: str = "id") -> str:
    """Terlambat 3 hari / hari ini / besok / dalam 5 hari (or in English with lang="en").

    Counted in calendar days in the agency zone, so a task due at 09:00 today reads "hari ini"
    all day, also after 09:00.
    """
    if lang not in ("id", "en"):
        raise ValueError(f"unsupported language {lang!r}: expected 'id' or 'en'")
    _require_aware("due_at", due_at)
    days = (due_at.astimezone(_zone(tz)).date() - agency_today(now, tz)).days
    english = lang == "en"
    if days < 0:
        late = -days
        if english:
            return f"{late} day overdue" if late == 1 else f"{late} days overdue"
        return f"terlambat {late} hari"
    if days == 0:
        return "today" if english else "hari ini"
    if days == 1:
        return "tomorrow" if english else "besok"
    return f"in {days} days" if english else f"dalam {days} hari"


# --- bottlenecks -----------------------------------------------------------------------------

#: Sort key for alerts: critical first.
SEVERITY_ORDER: Mapping[Severity, int] = MappingProxyType(
    {Severity.CRITICAL: 0, Severity.MODERATE: 1, Severity.LOW: 2}
)


def bottleneck_severity(*, avg_delay_days: float, stuck: int) -> Severity:
    """Thresholds are strict: an average of exactly 10 days or exactly 50 stuck is moderate."""
    if avg_delay_days > 10 or stuck > 50:
        return Severity.CRITICAL
    if avg_delay_days > 5 or stuck > 20:
        return Severity.MODERATE
    return Severity.LOW


def raises_alert(*, stuck: int, min_stuck: int) -> bool:
    return stuck >= min_stuck


def average_delay_days(*, now: datetime, due_ats: Iterable[datetime]) -> float:
    """Mean of (now − due_at) in fractional days, unrounded; 0.0 when nobody is stuck."""
    delays = [(now - due_at).total_seconds() / 86_400 for due_at in due_ats]
    if not delays:
        return 0.0
    return sum(delays) / len(delays)


# --- passport validity -----------------------------------------------------------------------

#: Saudi Arabia requires a passport valid at least 6 months after arrival: a hard stop.
PASSPORT_MIN_MONTHS = 6


class PassportCheck(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"  # valid for the law, but inside the agency's own buffer
    TOO_SHORT = "too-short"  # expires less than 6 months after departure: stop at verification
    MISSING = "missing"


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30,
                31, 31, 30, 31, 30, 31][month - 1]  # fmt: skip
    return date(year, month, min(day.day, last_day))


def passport_check(*, expiry: date | None, departure_date: date, warning_months: int = 6) -> PassportCheck:
    """Valid ≥ 6 months after departure is required; the agency may warn earlier (warning_months)."""
    if expiry is None:
        return PassportCheck.MISSING
    if expiry < _add_months(departure_date, PASSPORT_MIN_MONTHS):
        return PassportCheck.TOO_SHORT
    if expiry < _add_months(departure_date, max(warning_months, PASSPORT_MIN_MONTHS)):
        return PassportCheck.WARNING
    return PassportCheck.OK
