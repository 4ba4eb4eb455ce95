"""Table-driven tests of the pure rules (pipeline_core/domain/rules.py) on time, due dates, the current
stage, the status of a jamaah, progress and health; queue and alert rules: test_queue_rules.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline_core.domain import rules
from pipeline_core.domain.model import (
    JamaahStatus,
    Role,
    Stage,
    StageCategory,
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
