"""Table-driven tests of the task-queue and alert rules (pipeline_core/domain/rules.py): kanban column,
default priority, due-in-words, bottleneck severity and passport validity, on every boundary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline_core.domain import rules
from pipeline_core.domain.model import (
    KanbanColumn,
    Priority,
    Severity,
    WorkStatus,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = ZoneInfo("UTC")
ONE_SECOND = timedelta(seconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- kanban -----------------------------------------------------------------------------------

KANBAN_NOW = utc(2026, 11, 29, 10)  # 29 Nov 17:00 WIB
START_OF_TODAY = utc(2026, 11, 28, 17)  # 29 Nov 00:00 WIB
START_OF_TOMORROW = utc(2026, 11, 29, 17)  # 30 Nov 00:00 WIB
NEXT_WEEK = KANBAN_NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("status", "priority", "due_at", "now", "tz", "expected"),
    [
        pytest.param(
            WorkStatus.COMPLETED,
            Priority.URGENT,
            START_OF_TODAY - ONE_SECOND,
            KANBAN_NOW,
            JAKARTA,
            None,
            id="completed-has-no-column",
        ),
        pytest.param(
            WorkStatus.BLOCKED,
            Priority.URGENT,
            START_OF_TODAY - ONE_SECOND,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.BLOCKED,
            id="blocked-beats-urgent-and-late",
        ),
        pytest.param(
            WorkStatus.BLOCKED,
            Priority.LOW,
            NEXT_WEEK,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.BLOCKED,
            id="blocked-due-later",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.LOW,
            START_OF_TODAY - ONE_SECOND,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.URGENT,
            id="due-1s-before-today-urgent",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.LOW,
            START_OF_TODAY,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.TODAY,
            id="due-exactly-start-of-today-today",
        ),
        pytest.param(
            WorkStatus.IN_PROGRESS,
            Priority.NORMAL,
            KANBAN_NOW - timedelta(hours=2),
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.TODAY,
            id="late-earlier-today-stays-today",
        ),
        pytest.param(
            WorkStatus.IN_PROGRESS,
            Priority.URGENT,
            NEXT_WEEK,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.URGENT,
            id="urgent-priority-beats-upcoming",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.URGENT,
            START_OF_TOMORROW - ONE_SECOND,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.URGENT,
            id="urgent-priority-beats-today",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.HIGH,
            START_OF_TOMORROW - ONE_SECOND,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.TODAY,
            id="due-1s-before-tomorrow-today",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.HIGH,
            START_OF_TOMORROW,
            KANBAN_NOW,
            JAKARTA,
            KanbanColumn.UPCOMING,
            id="due-exactly-tomorrow-upcoming",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.NORMAL,
            utc(2026, 11, 29, 16),
            utc(2026, 11, 29, 17, 30),
            JAKARTA,
            KanbanColumn.URGENT,
            id="jakarta-already-30-nov-due-29-nov-urgent",
        ),
        pytest.param(
            WorkStatus.PENDING,
            Priority.NORMAL,
            utc(2026, 11, 29, 16),
            utc(2026, 11, 29, 17, 30),
            UTC,
            KanbanColumn.TODAY,
            id="utc-still-29-nov-due-today",
        ),
    ],
)
def test_kanban_column(
    status: WorkStatus,
    priority: Priority,
    due_at: datetime,
    now: datetime,
    tz: ZoneInfo,
    expected: KanbanColumn | None,
) -> None:
    assert rules.kanban_column(status=status, priority=priority, due_at=due_at, now=now, tz=tz) == expected


def test_priority_order_inside_a_column() -> None:
    shuffled = [Priority.LOW, Priority.URGENT, Priority.NORMAL, Priority.HIGH]
    assert sorted(shuffled, key=lambda p: p.rank) == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.NORMAL,
        Priority.LOW,
    ]


# --- default priority -------------------------------------------------------------------------

PRIORITY_NOW = utc(2026, 11, 29, 3)  # 29 Nov 10:00 WIB
FAR_DUE = PRIORITY_NOW + timedelta(days=10)
FAR_DEPARTURE = date(2027, 1, 31)


@pytest.mark.parametrize(
    ("stage_overdue", "due_at", "departure", "now", "tz", "expected"),
    [
        pytest.param(
            True,
            FAR_DUE,
            FAR_DEPARTURE,
            PRIORITY_NOW,
            JAKARTA,
            Priority.URGENT,
            id="stage-overdue-urgent",
        ),
        pytest.param(
            True,
            PRIORITY_NOW,
            date(2026, 12, 10),
            PRIORITY_NOW,
            JAKARTA,
            Priority.URGENT,
            id="urgent-beats-high-when-both-apply",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 11, 28),
            PRIORITY_NOW,
            JAKARTA,
            Priority.URGENT,
            id="departure-passed-urgent",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 11, 29),
            PRIORITY_NOW,
            JAKARTA,
            Priority.URGENT,
            id="departure-today-urgent",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 12, 6),
            PRIORITY_NOW,
            JAKARTA,
            Priority.URGENT,
            id="departure-in-7-days-urgent",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 12, 7),
            PRIORITY_NOW,
            JAKARTA,
            Priority.HIGH,
            id="departure-in-8-days-high",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 12, 13),
            PRIORITY_NOW,
            JAKARTA,
            Priority.HIGH,
            id="departure-in-14-days-high",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 12, 14),
            PRIORITY_NOW,
            JAKARTA,
            Priority.NORMAL,
            id="departure-in-15-days-normal",
        ),
        pytest.param(
            False,
            PRIORITY_NOW + timedelta(hours=24),
            FAR_DEPARTURE,
            PRIORITY_NOW,
            JAKARTA,
            Priority.HIGH,
            id="due-in-exactly-24h-high",
        ),
        pytest.param(
            False,
            PRIORITY_NOW + timedelta(hours=24) + ONE_SECOND,
            FAR_DEPARTURE,
            PRIORITY_NOW,
            JAKARTA,
            Priority.NORMAL,
            id="due-in-24h-and-1s-normal",
        ),
        pytest.param(
            False,
            PRIORITY_NOW - timedelta(hours=1),
            FAR_DEPARTURE,
            PRIORITY_NOW,
            JAKARTA,
            Priority.HIGH,
            id="task-already-late-high",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 12, 7),
            utc(2026, 11, 29, 17, 30),
            JAKARTA,
            Priority.URGENT,
            id="jakarta-30-nov-departure-7-days-urgent",
        ),
        pytest.param(
            False,
            FAR_DUE,
            date(2026, 12, 7),
            utc(2026, 11, 29, 17, 30),
            UTC,
            Priority.HIGH,
            id="utc-29-nov-departure-8-days-high",
        ),
    ],
)
def test_default_priority(
    stage_overdue: bool,
    due_at: datetime,
    departure: date,
    now: datetime,
    tz: ZoneInfo,
    expected: Priority,
) -> None:
    priority = rules.default_priority(
        stage_overdue=stage_overdue,
        due_at=due_at,
        departure_date=departure,
        now=now,
        tz=tz,
    )
    assert priority is expected


# --- due in words -----------------------------------------------------------------------------

WORDS_NOW = utc(2026, 11, 29, 3)  # 29 Nov 10:00 WIB


@pytest.mark.parametrize(
    ("due_at", "tz", "indonesian", "english"),
    [
        pytest.param(
            utc(2026, 11, 26, 5),
            JAKARTA,
            "terlambat 3 hari",
            "3 days overdue",
            id="three-days-late",
        ),
        pytest.param(
            utc(2026, 11, 28, 5),
            JAKARTA,
            "terlambat 1 hari",
            "1 day overdue",
            id="one-day-late-singular",
        ),
        pytest.param(
            utc(2026, 11, 29, 1),
            JAKARTA,
            "hari ini",
            "today",
            id="earlier-today-still-today",
        ),
        pytest.param(
            utc(2026, 11, 29, 16, 59, 59),
            JAKARTA,
            "hari ini",
            "today",
            id="last-second-of-today",
        ),
        pytest.param(
            utc(2026, 11, 29, 17),
            JAKARTA,
            "besok",
            "tomorrow",
            id="jakarta-midnight-is-tomorrow",
        ),
        pytest.param(
            utc(2026, 11, 29, 17),
            UTC,
            "hari ini",
            "today",
            id="same-instant-today-in-utc",
        ),
        pytest.param(utc(2026, 12, 4, 3), JAKARTA, "dalam 5 hari", "in 5 days", id="in-five-days"),
        pytest.param(
            utc(2026, 11, 30, 17),
            JAKARTA,
            "dalam 2 hari",
            "in 2 days",
            id="day-after-tomorrow",
        ),
    ],
)
def test_due_in_words(due_at: datetime, tz: ZoneInfo, indonesian: str, english: str) -> None:
    assert rules.due_in_words(due_at=due_at, now=WORDS_NOW, tz=tz) == indonesian
    assert rules.due_in_words(due_at=due_at, now=WORDS_NOW, tz=tz, lang="en") == english


def test_due_in_words_refuses_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        rules.due_in_words(due_at=WORDS_NOW, now=WORDS_NOW, tz=JAKARTA, lang="fr")


# --- bottlenecks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("avg_delay_days", "stuck", "expected"),
    [
        pytest.param(0.0, 0, Severity.LOW, id="nothing-low"),
        pytest.param(5.0, 0, Severity.LOW, id="avg-exactly-5-low"),
        pytest.param(5.01, 0, Severity.MODERATE, id="avg-just-over-5-moderate"),
        pytest.param(10.0, 0, Severity.MODERATE, id="avg-exactly-10-moderate"),
        pytest.param(10.01, 0, Severity.CRITICAL, id="avg-just-over-10-critical"),
        pytest.param(0.0, 20, Severity.LOW, id="stuck-exactly-20-low"),
        pytest.param(0.0, 21, Severity.MODERATE, id="stuck-21-moderate"),
        pytest.param(0.0, 50, Severity.MODERATE, id="stuck-exactly-50-moderate"),
        pytest.param(0.0, 51, Severity.CRITICAL, id="stuck-51-critical"),
        pytest.param(1.0, 60, Severity.CRITICAL, id="many-stuck-short-delay-critical"),
        pytest.param(12.0, 1, Severity.CRITICAL, id="few-stuck-long-delay-critical"),
    ],
)
def test_bottleneck_severity(avg_delay_days: float, stuck: int, expected: Severity) -> None:
    assert rules.bottleneck_severity(avg_delay_days=avg_delay_days, stuck=stuck) is expected


@pytest.mark.parametrize(
    ("stuck", "min_stuck", "expected"),
    [
        pytest.param(4, 5, False, id="below-min"),
        pytest.param(5, 5, True, id="exactly-min"),
        pytest.param(6, 5, True, id="above-min"),
        pytest.param(1, 1, True, id="agency-min-one"),
    ],
)
def test_raises_alert(stuck: int, min_stuck: int, expected: bool) -> None:
    assert rules.raises_alert(stuck=stuck, min_stuck=min_stuck) is expected


def test_severity_order_sorts_critical_first() -> None:
    assert set(rules.SEVERITY_ORDER) == set(Severity)
    shuffled = [Severity.LOW, Severity.CRITICAL, Severity.MODERATE]
    ordered = sorted(shuffled, key=rules.SEVERITY_ORDER.__getitem__)
    assert ordered == [Severity.CRITICAL, Severity.MODERATE, Severity.LOW]


@pytest.mark.parametrize(
    ("delays", "expected"),
    [
        pytest.param([timedelta(days=2), timedelta(days=4)], 3.0, id="mean-of-two"),
        pytest.param([timedelta(hours=12)], 0.5, id="fractional-days"),
        pytest.param([], 0.0, id="nobody-stuck"),
    ],
)
def test_average_delay_days(delays: list[timedelta], expected: float) -> None:
    now = utc(2026, 11, 29, 3)
    assert rules.average_delay_days(now=now, due_ats=(now - d for d in delays)) == pytest.approx(expected)


def test_average_delay_days_mixes_zones() -> None:
    now = utc(2026, 11, 29, 3)
    due_in_jakarta = datetime(2026, 11, 27, 10, tzinfo=JAKARTA)  # = 27 Nov 03:00Z, two days ago
    assert rules.average_delay_days(now=now, due_ats=[due_in_jakarta]) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("expiry", "warning_months", "expected"),
    [
        pytest.param(None, 6, rules.PassportCheck.MISSING, id="no-passport-yet"),
        pytest.param(date(2027, 7, 19), 6, rules.PassportCheck.TOO_SHORT, id="one-day-short-of-6-months"),
        pytest.param(date(2027, 7, 20), 6, rules.PassportCheck.OK, id="exactly-6-months"),
        pytest.param(date(2027, 7, 20), 9, rules.PassportCheck.WARNING, id="inside-agency-buffer"),
        pytest.param(date(2027, 10, 20), 9, rules.PassportCheck.OK, id="beyond-agency-buffer"),
    ],
)
def test_passport_must_outlive_departure_by_six_months(
    expiry: date | None, warning_months: int, expected: rules.PassportCheck
) -> None:
    departure = date(2027, 1, 20)
    assert (
        rules.passport_check(expiry=expiry, departure_date=departure, warning_months=warning_months)
        is expected
    )


def test_passport_months_end_on_the_last_day_of_a_short_month() -> None:
    # 31 Aug + 6 months = 28 Feb 2027 (not a non-existent 31 Feb).
    assert (
        rules.passport_check(expiry=date(2027, 2, 28), departure_date=date(2026, 8, 31))
        is rules.PassportCheck.OK
    )
    assert (
        rules.passport_check(expiry=date(2027, 2, 27), departure_date=date(2026, 8, 31))
        is rules.PassportCheck.TOO_SHORT
    )
