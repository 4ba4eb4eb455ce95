"""The dataset generator and demo-13, without a database: determinism, formats, and the status mix
the rules compute (pipeline_core/datasets; DOMAIN.md "Datasets")."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline_core.domain import rules
from pipeline_core.domain.model import ADMIN_ROLES, JamaahStatus, Role
from pipeline_core.seed.datasets import DATASETS, GeneratedDataset, build_dataset
from pipeline_core.seed.datasets.curated import expected_statuses

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
PHONE = re.compile(r"^\+628[0-9]{7,11}$")
PASSPORT = re.compile(r"^[XE][0-9]{7}$")
TARGET = {"on-track": 50, "at-risk": 15, "overdue": 10, "completed": 25}


def jakarta(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA)


def statuses(ds: GeneratedDataset, now: datetime) -> list[JamaahStatus]:
    """Each jamaah classified by the rules from its rows, as the dashboards would."""
    result = []
    for snap in ds.snapshot:
        current, later = None, 0
        if snap.current is not None:
            work = ds.work[snap.current]
            current = rules.CurrentStage(due_at=work.due_at, blocked=work.status == "blocked")
            later = rules.later_sla_hours(ds.stages, ds.stages[work.stage].position)
        result.append(
            rules.classify_jamaah(
                now=now,
                departure_date=ds.departure_date(snap.jamaah),
                current=current,
                later_sla_hours=later,
                buffer_days=ds.buffer_days,
                tz=ds.timezone,
            )
        )
    return result


def shares(ds: GeneratedDataset, now: datetime) -> dict[str, float]:
    counts = Counter(status.value for status in statuses(ds, now))
    return {status: 100 * counts[status] / len(ds.jamaah) for status in TARGET}


@pytest.fixture(scope="module")
def demo13() -> GeneratedDataset:
    return build_dataset("demo-13", now=NOW)


@pytest.fixture(scope="module")
def demo2000() -> GeneratedDataset:
    return build_dataset("demo-2000", now=NOW)


@pytest.fixture(scope="module")
def scale10k() -> GeneratedDataset:
    return build_dataset("scale-10k", now=NOW)


# --- determinism --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["demo-13", "demo-2000"])
def test_same_seed_and_now_give_the_same_rows(name: str) -> None:
    assert build_dataset(name, now=NOW) == build_dataset(name, now=NOW)


def test_another_seed_gives_other_jamaah(demo2000: GeneratedDataset) -> None:
    other = build_dataset("demo-2000", now=NOW, seed=7)
    assert other.jamaah != demo2000.jamaah
    assert [j.nik for j in other.jamaah] != [j.nik for j in demo2000.jamaah]


def test_dates_follow_today() -> None:
    later = build_dataset("demo-2000", now=NOW + timedelta(days=30))
    first = build_dataset("demo-2000", now=NOW)
    assert min(p.departure_date for p in later.packages) > min(p.departure_date for p in first.packages)


# --- the status mix -----------------------------------------------------------------------------


@pytest.mark.parametrize("hour, minute", [(0, 5), (10, 0), (23, 55)])
def test_demo13_is_exactly_7_3_2_1_at_any_time_of_day(hour: int, minute: int) -> None:
    now = jakarta(date(2026, 11, 29), hour, minute)
    ds = build_dataset("demo-13", now=now)
    found = [status.value for status in statuses(ds, now)]
    assert Counter(found) == {"on-track": 7, "at-risk": 3, "overdue": 2, "completed": 1}
    curated = DATASETS["demo-13"].curated
    assert curated is not None
    assert found == expected_statuses(curated)


def test_demo13_stays_7_3_2_1_until_midnight() -> None:
    seeded = jakarta(date(2026, 11, 29), 0, 5)
    ds = build_dataset("demo-13", now=seeded)
    assert Counter(s.value for s in statuses(ds, jakarta(date(2026, 11, 29), 23, 59))) == Counter(
        {"on-track": 7, "at-risk": 3, "overdue": 2, "completed": 1}
    )


def test_demo13_overdue_pair_waits_in_one_stage(demo13: GeneratedDataset) -> None:
    overdue_stages = {
        demo13.stages[demo13.work[snap.current].stage].code
        for snap, status in zip(demo13.snapshot, statuses(demo13, NOW), strict=True)
        if status is JamaahStatus.OVERDUE and snap.current is not None
    }
    assert overdue_stages == {"siskopatuh-approval"}
    assert DATASETS["demo-13"].min_stuck == 2


@pytest.mark.parametrize("fixture", ["demo2000", "scale10k"])
def test_generated_mix_is_within_3_points(fixture: str, request: pytest.FixtureRequest) -> None:
    ds = request.getfixturevalue(fixture)
    for status, share in shares(ds, NOW).items():
        assert abs(share - TARGET[status]) <= 3, (status, share)


def test_mix_holds_when_viewed_later_the_same_day() -> None:
    seeded = jakarta(date(2026, 11, 29), 0, 30)
    ds = build_dataset("demo-2000", now=seeded)
    for status, share in shares(ds, jakarta(date(2026, 11, 29), 23, 30)).items():
        assert abs(share - TARGET[status]) <= 3, (status, share)


# --- people -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["demo13", "demo2000", "scale10k"])
def test_identities_have_valid_formats(fixture: str, request: pytest.FixtureRequest) -> None:
    ds = request.getfixturevalue(fixture)
    niks = [j.nik for j in ds.jamaah]
    assert len(set(niks)) == len(niks)
    for index, j in enumerate(ds.jamaah):
        assert re.fullmatch(r"[0-9]{16}", j.nik)
        day = int(j.nik[6:8]) - (40 if j.gender == "P" else 0)
        assert (day, int(j.nik[8:10]), int(j.nik[10:12])) == (
            j.birth_date.day,
            j.birth_date.month,
            j.birth_date.year % 100,
        )
        assert PHONE.match(j.phone), j.phone
        assert 10 <= len(j.phone) - 3 <= 13
        assert len(j.full_name.split()) >= 2
        if j.passport_number is not None:
            assert PASSPORT.match(j.passport_number)
            assert j.passport_issue_date is not None and j.passport_expiry_date is not None
            assert j.passport_expiry_date > j.passport_issue_date
            assert (j.passport_expiry_date.year - j.passport_issue_date.year) in (5, 10)
        assert j.registered_at < rules.local_midnight(ds.departure_date(index), JAKARTA)


def test_passports_past_verification_last_six_months_after_departure(demo2000: GeneratedDataset) -> None:
    verified = {snap.jamaah for snap in demo2000.snapshot if snap.completed_stages >= 2}
    too_short = 0
    for index, j in enumerate(demo2000.jamaah):
        expiry, departure = j.passport_expiry_date, demo2000.departure_date(index)
        if index in verified:
            assert expiry is not None and expiry >= departure + timedelta(days=183)
        elif expiry is not None and expiry < departure + timedelta(days=183):
            too_short += 1
    assert 0 < too_short < len(demo2000.jamaah) * 0.05  # a few, all stopped at verification


def test_companions_travel_in_the_same_group(demo2000: GeneratedDataset) -> None:
    linked = [(i, j.companion) for i, j in enumerate(demo2000.jamaah) if j.companion is not None]
    assert linked
    for i, companion in linked:
        assert companion != i
        assert demo2000.jamaah[companion].package == demo2000.jamaah[i].package
        assert demo2000.jamaah[companion].gender == "L"


def test_staff_cover_every_role(demo2000: GeneratedDataset) -> None:
    roles = Counter(s.role for s in demo2000.staff)
    assert roles[Role.MANAGER] == 1 and roles[Role.SUPER_ADMIN] == 1
    assert all(roles[role] == DATASETS["demo-2000"].staff_per_role for role in ADMIN_ROLES)
    assert len({s.username for s in demo2000.staff}) == len(demo2000.staff)


def test_packages_are_realistic(scale10k: GeneratedDataset) -> None:
    today = rules.agency_today(NOW, JAKARTA)
    members = Counter(j.package for j in scale10k.jamaah)
    for index, p in enumerate(scale10k.packages):
        assert 28_000_000 <= p.price_idr <= 55_000_000
        assert p.return_date > p.departure_date
        assert -30 <= (p.departure_date - today).days <= 180
        assert 0 < members[index] <= p.quota
        assert p.airline in {"Saudia", "Garuda Indonesia", "Lion Air", "Emirates", "Qatar Airways"}


# --- history, tasks and snapshot ----------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["demo13", "demo2000"])
def test_history_follows_the_rules(fixture: str, request: pytest.FixtureRequest) -> None:
    ds = request.getfixturevalue(fixture)
    for w in ds.work:
        stage, departure = ds.stages[w.stage], ds.departure_date(w.jamaah)
        assert w.due_at == rules.stage_due_at(
            started_at=w.started_at,
            sla_hours=stage.sla_hours,
            departure_date=departure,
            done_by_days=stage.done_by_days,
            tz=ds.timezone,
        )
        at = w.started_at if w.status == "completed" else ds.now
        overdue = w.status != "completed" and ds.now > w.due_at
        assert w.priority == rules.default_priority(
            stage_overdue=overdue, due_at=w.due_at, departure_date=departure, now=at, tz=ds.timezone
        )
        assert (w.status == "blocked") == (w.block_reason is not None)
        assert w.started_at <= ds.now
        assert w.completed_at is None or w.started_at < w.completed_at <= ds.now


@pytest.mark.parametrize("fixture", ["demo13", "demo2000"])
def test_snapshot_agrees_with_the_stage_instances(fixture: str, request: pytest.FixtureRequest) -> None:
    ds = request.getfixturevalue(fixture)
    by_jamaah: dict[int, list[int]] = {}
    for index, w in enumerate(ds.work):
        by_jamaah.setdefault(w.jamaah, []).append(index)
    assert [s.jamaah for s in ds.snapshot] == list(range(len(ds.jamaah)))
    for snap in ds.snapshot:
        rows = [ds.work[i] for i in by_jamaah[snap.jamaah]]
        assert [w.stage for w in rows] == list(range(len(rows)))  # stages in order, none skipped
        for earlier, later in itertools.pairwise(rows):
            assert earlier.completed_at == later.started_at
        open_rows = [i for i in by_jamaah[snap.jamaah] if ds.work[i].status != "completed"]
        assert snap.active_stages == len(ds.stages)
        if snap.current is None:
            assert open_rows == [] and len(rows) == len(ds.stages)
            assert snap.completed_stages == len(ds.stages) and snap.completed_at == rows[-1].completed_at
        else:
            assert open_rows == [snap.current] and snap.completed_stages == len(rows) - 1
            current = ds.work[snap.current]
            later = rules.later_sla_hours(ds.stages, ds.stages[current.stage].position)
            assert snap.projected_finish_at == current.due_at + timedelta(hours=later)
        assert ds.jamaah[snap.jamaah].registered_at == rows[0].started_at


def test_activity_tells_each_story(demo13: GeneratedDataset) -> None:
    actions = Counter(a.action for a in demo13.activity)
    assert actions["jamaah.enrolled"] == 13
    assert actions["task.completed"] == sum(1 for w in demo13.work if w.status == "completed")
    assert actions["task.blocked"] == sum(1 for w in demo13.work if w.status == "blocked")
    for entry in demo13.activity:  # the commands' shape: {field: {"old": …, "new": …}}
        assert all(set(change) == {"old", "new"} for change in entry.changes.values()), entry
    staff_names = {s.full_name for s in demo13.staff}
    assert {a.actor for a in demo13.activity} <= staff_names


def test_scale_datasets_have_no_activity_log(scale10k: GeneratedDataset) -> None:
    assert scale10k.activity == []


def test_public_api_is_pinned() -> None:
    import pipeline_core.seed.datasets as public

    assert sorted(public.__all__) == [
        "DATASETS",
        "DEMO_DATASETS",
        "DatasetSpec",
        "DatasetState",
        "GeneratedDataset",
        "LoadReport",
        "build_dataset",
        "dataset_exists",
        "dataset_states",
        "delete_dataset",
        "ensure_demo_datasets",
        "load_dataset",
    ]
    assert list(public.DATASETS) == ["demo-13", "demo-2000", "scale-10k", "scale-100k"]
    assert public.DEMO_DATASETS == ("demo-13", "demo-2000")
