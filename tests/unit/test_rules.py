"""Table-driven tests of the pure rules (pipeline_core/rules.py) on every boundary of DOMAIN.md."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline_core import rules
from pipeline_core.model import (
    JamaahStatus,
    KanbanColumn,
    Priority,
    Role,
    Severity,
    Stage,
    StageCategory,
    WorkStatus,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = ZoneInfo("UTC")
ONE_SECOND = timedelta(seconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def stage(position: int, sla_hours: int, *, active: bool = True) -> Stage:
    return Stage(
        code=f"stage-{position}",
        name_id=f"Tahap {position}",
        name_en=f"Stage {position}",
        category=StageCategory.CUSTOM,
        sla_hours=sla_hours,
        responsible_role=Role.DOCUMENT_ADMIN,
        position=position,
        is_active=active,
    )


# Positions 1..4; stage 3 is disabled and must never count.
PIPELINE = (stage(1, 72), stage(2, 48), stage(3, 1000, active=False), stage(4, 96))


# --- time in the agency zone ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            JAKARTA,
            date(2026, 11, 30),
            id="17:30Z-is-30-nov-jakarta",
        ),
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            UTC,
            date(2026, 11, 29),
            id="17:30Z-is-29-nov-utc",
        ),
        pytest.param(
            utc(2026, 11, 29, 16, 59, 59),
            JAKARTA,
            date(2026, 11, 29),
            id="1s-before-jakarta-midnight",
        ),
        pytest.param(
            utc(2026, 11, 29, 17),
            JAKARTA,
            date(2026, 11, 30),
            id="exactly-jakarta-midnight",
        ),
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            "Asia/Jakarta",
            date(2026, 11, 30),
            id="zone-given-by-name",
        ),
    ],
)
def test_agency_today(now: datetime, tz: ZoneInfo | str, expected: date) -> None:
    assert rules.agency_today(now, tz) == expected


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.agency_today(datetime(2026, 11, 29, 10), JAKARTA)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        pytest.param(JAKARTA, utc(2026, 11, 29, 17), id="jakarta-is-utc+7"),
        pytest.param("Asia/Jakarta", utc(2026, 11, 29, 17), id="jakarta-by-name"),
        pytest.param(UTC, utc(2026, 11, 30), id="utc"),
    ],
)
def test_local_midnight(tz: ZoneInfo | str, expected: datetime) -> None:
    midnight = rules.local_midnight(date(2026, 11, 30), tz)
    assert midnight == expected
    assert midnight.tzinfo is not None


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            JAKARTA,
            (utc(2026, 11, 29, 17), utc(2026, 11, 30, 17)),
            id="jakarta",
        ),
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            UTC,
            (utc(2026, 11, 29), utc(2026, 11, 30)),
            id="utc",
        ),
    ],
)
def test_column_bounds(now: datetime, tz: ZoneInfo, expected: tuple[datetime, datetime]) -> None:
    assert rules.column_bounds(now=now, tz=tz) == expected


@pytest.mark.parametrize(
    ("departure", "now", "tz", "expected"),
    [
        pytest.param(date(2026, 11, 29), utc(2026, 11, 29, 3), JAKARTA, 0, id="departure-today"),
        pytest.param(
            date(2026, 11, 28),
            utc(2026, 11, 29, 3),
            JAKARTA,
            -1,
            id="departure-yesterday",
        ),
        pytest.param(
            date(2026, 12, 7),
            utc(2026, 11, 29, 17, 30),
            JAKARTA,
            7,
            id="jakarta-already-30-nov",
        ),
        pytest.param(date(2026, 12, 7), utc(2026, 11, 29, 17, 30), UTC, 8, id="utc-still-29-nov"),
    ],
)
def test_days_until_departure(departure: date, now: datetime, tz: ZoneInfo, expected: int) -> None:
    assert rules.days_until_departure(departure_date=departure, now=now, tz=tz) == expected


# --- due dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_at", "sla_hours", "done_by_days", "expected"),
    [
        pytest.param(utc(2026, 11, 1), 72, None, utc(2026, 11, 4), id="no-done-by-sla-only"),
        # H-45 of 31 Dec = 16 Nov 00:00 WIB = 15 Nov 17:00Z, before the SLA end of 17 Nov.
        pytest.param(
            utc(2026, 11, 14, 17),
            72,
            45,
            utc(2026, 11, 15, 17),
            id="done-by-earlier-than-sla",
        ),
        pytest.param(utc(2026, 11, 1), 72, 45, utc(2026, 11, 4), id="sla-earlier-than-done-by"),
        pytest.param(
            utc(2026, 11, 12, 17),
            72,
            45,
            utc(2026, 11, 15, 17),
            id="sla-equals-done-by",
        ),
    ],
)
def test_stage_due_at(
    started_at: datetime, sla_hours: int, done_by_days: int | None, expected: datetime
) -> None:
    due = rules.stage_due_at(
        started_at=started_at,
        sla_hours=sla_hours,
        departure_date=date(2026, 12, 31),
        done_by_days=done_by_days,
        tz=JAKARTA,
    )
    assert due == expected


def test_done_by_deadline_is_local_midnight_of_the_agency() -> None:
    started_at = utc(2026, 12, 20)
    in_jakarta = rules.stage_due_at(
        started_at=started_at,
        sla_hours=240,
        departure_date=date(2026, 12, 31),
        done_by_days=1,
        tz=JAKARTA,
    )
    in_utc = rules.stage_due_at(
        started_at=started_at,
        sla_hours=240,
        departure_date=date(2026, 12, 31),
        done_by_days=1,
        tz=UTC,
    )
    assert in_jakarta == utc(2026, 12, 29, 17)
    assert in_utc == utc(2026, 12, 30)


# --- current stage and remaining SLA -----------------------------------------------------------


@pytest.mark.parametrize(
    ("stages", "completed", "expected_code"),
    [
        pytest.param(PIPELINE, set(), "stage-1", id="nothing-done-first-stage"),
        pytest.param(PIPELINE, {"stage-1"}, "stage-2", id="first-done"),
        pytest.param(PIPELINE, {"stage-1", "stage-2"}, "stage-4", id="disabled-stage-skipped"),
        pytest.param(
            PIPELINE,
            {"stage-1", "stage-2", "stage-4"},
            None,
            id="all-active-done-disabled-ignored",
        ),
        pytest.param(PIPELINE, {"stage-2"}, "stage-1", id="out-of-order-completion"),
        pytest.param(
            tuple(reversed(PIPELINE)),
            {"stage-1"},
            "stage-2",
            id="sorted-by-position-not-input-order",
        ),
        pytest.param(
            (stage(1, 10, active=False), stage(2, 10)),
            set(),
            "stage-2",
            id="first-stage-disabled",
        ),
        pytest.param((), set(), None, id="empty-pipeline"),
    ],
)
def test_current_stage(stages: tuple[Stage, ...], completed: set[str], expected_code: str | None) -> None:
    found = rules.current_stage(stages, completed)
    assert (found.code if found else None) == expected_code


@pytest.mark.parametrize(
    ("current_position", "expected"),
    [
        pytest.param(1, 48 + 96, id="after-first-skips-disabled"),
        pytest.param(2, 96, id="after-second-skips-disabled"),
        pytest.param(4, 0, id="last-stage-nothing-later"),
        pytest.param(0, 72 + 48 + 96, id="before-all"),
    ],
)
def test_later_sla_hours(current_position: int, expected: int) -> None:
    assert rules.later_sla_hours(PIPELINE, current_position) == expected


# --- status of a jamaah -----------------------------------------------------------------------

DEPARTURE = date(2026, 12, 20)
BUFFER = 3
# D − 3 = 17 Dec 00:00 WIB = 16 Dec 17:00Z.
THRESHOLD = utc(2026, 12, 16, 17)
NOW = utc(2026, 11, 29, 3)  # 29 Nov 10:00 WIB


def test_risk_threshold_is_local_midnight_of_departure_minus_buffer() -> None:
    assert rules.risk_threshold(departure_date=DEPARTURE, buffer_days=BUFFER, tz=JAKARTA) == THRESHOLD
    assert rules.risk_threshold(departure_date=DEPARTURE, buffer_days=0, tz=UTC) == utc(2026, 12, 20)


@pytest.mark.parametrize(
    ("now", "departure", "current", "later_hours", "tz", "expected"),
    [
        pytest.param(
            NOW,
            DEPARTURE,
            None,
            0,
            JAKARTA,
            JamaahStatus.COMPLETED,
            id="no-current-stage-completed",
        ),
        pytest.param(
            utc(2027, 1, 5),
            DEPARTURE,
            None,
            0,
            JAKARTA,
            JamaahStatus.COMPLETED,
            id="completed-even-after-departure",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(NOW, blocked=False),
            0,
            JAKARTA,
            JamaahStatus.ON_TRACK,
            id="exactly-at-due-not-overdue",
        ),
        pytest.param(
            NOW + ONE_SECOND,
            DEPARTURE,
            rules.CurrentStage(NOW, blocked=False),
            0,
            JAKARTA,
            JamaahStatus.OVERDUE,
            id="one-second-after-due-overdue",
        ),
        pytest.param(
            NOW,
            date(2026, 11, 28),
            rules.CurrentStage(NOW + timedelta(days=1), blocked=False),
            0,
            JAKARTA,
            JamaahStatus.OVERDUE,
            id="departure-yesterday-overdue",
        ),
        pytest.param(
            NOW,
            date(2026, 11, 29),
            rules.CurrentStage(NOW + timedelta(hours=1), blocked=False),
            0,
            JAKARTA,
            JamaahStatus.AT_RISK,
            id="departure-today-not-passed-at-risk",
        ),
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            date(2026, 11, 29),
            rules.CurrentStage(utc(2026, 11, 29, 18), blocked=False),
            0,
            JAKARTA,
            JamaahStatus.OVERDUE,
            id="17:30Z-departure-29-nov-passed-in-jakarta",
        ),
        pytest.param(
            utc(2026, 11, 29, 17, 30),
            date(2026, 11, 29),
            rules.CurrentStage(utc(2026, 11, 29, 18), blocked=False),
            0,
            UTC,
            JamaahStatus.AT_RISK,
            id="17:30Z-departure-29-nov-today-in-utc",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(NOW + timedelta(days=1), blocked=True),
            0,
            JAKARTA,
            JamaahStatus.AT_RISK,
            id="blocked-with-slack-at-risk",
        ),
        pytest.param(
            NOW + timedelta(days=2),
            DEPARTURE,
            rules.CurrentStage(NOW + timedelta(days=1), blocked=True),
            0,
            JAKARTA,
            JamaahStatus.OVERDUE,
            id="blocked-and-overdue-overdue-wins",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(THRESHOLD - timedelta(hours=24), blocked=False),
            24,
            JAKARTA,
            JamaahStatus.ON_TRACK,
            id="remaining-ends-exactly-at-threshold-on-track",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(THRESHOLD - timedelta(hours=24) + ONE_SECOND, blocked=False),
            24,
            JAKARTA,
            JamaahStatus.AT_RISK,
            id="remaining-ends-one-second-over-at-risk",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(THRESHOLD - timedelta(hours=24), blocked=False),
            25,
            JAKARTA,
            JamaahStatus.AT_RISK,
            id="later-sla-pushes-over-threshold",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(THRESHOLD + ONE_SECOND, blocked=False),
            0,
            JAKARTA,
            JamaahStatus.AT_RISK,
            id="current-stage-alone-over-threshold",
        ),
        pytest.param(
            NOW,
            DEPARTURE,
            rules.CurrentStage(THRESHOLD, blocked=False),
            0,
            UTC,
            JamaahStatus.ON_TRACK,
            id="utc-threshold-is-seven-hours-later",
        ),
    ],
)
def test_classify_jamaah(
    now: datetime,
    departure: date,
    current: rules.CurrentStage | None,
    later_hours: int,
    tz: ZoneInfo,
    expected: JamaahStatus,
) -> None:
    status = rules.classify_jamaah(
        now=now,
        departure_date=departure,
        current=current,
        later_sla_hours=later_hours,
        buffer_days=BUFFER,
        tz=tz,
    )
    assert status is expected


def test_buffer_is_per_agency() -> None:
    current = rules.CurrentStage(utc(2026, 12, 14, 17), blocked=False)  # 15 Dec 00:00 WIB

    def classify(buffer_days: int) -> JamaahStatus:
        return rules.classify_jamaah(
            now=NOW,
            departure_date=DEPARTURE,
            current=current,
            later_sla_hours=0,
            buffer_days=buffer_days,
            tz=JAKARTA,
        )

    assert classify(5) is JamaahStatus.ON_TRACK
    assert classify(6) is JamaahStatus.AT_RISK


# --- progress and health ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_active", "active", "expected"),
    [
        pytest.param(0, 0, 100.0, id="no-active-stage-is-done"),
        pytest.param(0, 10, 0.0, id="nothing-done"),
        pytest.param(1, 3, 33.3, id="one-third-rounded-down"),
        pytest.param(2, 3, 66.7, id="two-thirds-rounded-up"),
        pytest.param(10, 10, 100.0, id="all-done"),
    ],
)
def test_progress_percent(completed_active: int, active: int, expected: float) -> None:
    assert rules.progress_percent(completed_active=completed_active, active=active) == expected


@pytest.mark.parametrize(
    ("on_track", "total", "completed", "expected"),
    [
        pytest.param(7, 13, 1, 58.3, id="demo-13-mix"),
        pytest.param(0, 0, 0, 100.0, id="no-jamaah-at-all"),
        pytest.param(0, 5, 5, 100.0, id="all-completed-zero-open"),
        pytest.param(5, 5, 0, 100.0, id="all-on-track"),
        pytest.param(0, 4, 0, 0.0, id="none-on-track"),
        pytest.param(1, 4, 1, 33.3, id="completed-not-counted-as-open"),
    ],
)
def test_health_score(on_track: int, total: int, completed: int, expected: float) -> None:
    assert rules.health_score(on_track=on_track, total=total, completed=completed) == expected


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
