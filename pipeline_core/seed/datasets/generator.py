"""The deterministic generator: jamaah whose computed status gives the dataset's mix, laid out
relative to the agency's today.

Status is never stored, so the generator works backwards from the rules: it first gives every
jamaah a target status (exact counts of the mix, shuffled), then picks a current stage, a
departure day and the current stage's due date such that `rules.classify_jamaah` returns that
status at `now`, and finally lets `layout.lay_out` write the history. Same seed + same `now` =
the same rows, to the minute.

How each status is reached (H = 00:00 local of departure day D, R = H(D − buffer)):

- on-track: due ≥ now + 6 h, and due + later SLA ≤ R − 12 h.
- at-risk: half blocked (any due ≥ now + 6 h), half by projection: due + later SLA ≥ R + 12 h.
- overdue: due 1–15 days before now; about a third also blocked.
- completed: every active stage done, departure between 30 days ago and 7 days ahead.

In every open case the stage's "done by H − n" deadline is kept at or after the due date, so
`due_at = started_at + SLA` (the SLA binds). Open due dates are put after 01:00 tomorrow whenever
the stage's SLA allows, so a demo seeded in the morning shows the same mix all day; only a 24-hour
stage started early in the day can flip to overdue before midnight (the demos are re-laid daily).
A stage is only chosen for a jamaah whose departure is plausibly close for it (no flight booking
half a year ahead): see `_lead_days`.

Departure groups: jamaah leaving the same day are split into packages of about 45; the demo
datasets leave on Tuesdays, Thursdays and Saturdays, the scale datasets every day.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline_core.domain import rules
from pipeline_core.domain.model import (
    ADMIN_ROLES,
    Gender,
    JamaahStatus,
    Role,
    Stage,
    StageCategory,
    WorkStatus,
)
from pipeline_core.seed.datasets import catalog, people
from pipeline_core.seed.datasets.layout import lay_out
from pipeline_core.seed.datasets.records import (
    GeneratedDataset,
    Identity,
    JourneyPlan,
    PackageRow,
    Staff,
    active_stages,
)
from pipeline_core.seed.datasets.registry import TARGET_MIX, DatasetSpec

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_AHEAD = timedelta(hours=6)  # an open stage on time is due at least this far ahead
_PROJECTION_MARGIN = timedelta(hours=12)  # distance of due + later SLA from D − buffer
_MIN_ELAPSED = timedelta(minutes=15)  # the open stage started at least this long ago
_OVERDUE_BY = (timedelta(days=1), timedelta(days=15))
_HORIZON = (-30, 180)  # departures from 30 days ago to 180 days ahead
_COMPLETED_DEPARTURES = (-30, 7)

_KINDS = ("on-track", "at-risk-projection", "at-risk-blocked", "overdue")


def generate(
    spec: DatasetSpec, stages: Sequence[Stage], *, now: datetime, seed: int | None = None
) -> GeneratedDataset:
    """Generate `spec.jamaah` jamaah on these stages, laid out for `now` (timezone-aware)."""
    rng = random.Random(spec.seed if seed is None else seed)
    tz = ZoneInfo(spec.timezone)
    # UTC inside: arithmetic and comparisons on one fixed-offset zone are several times faster.
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    today = rules.agency_today(now, tz)
    active = active_stages(stages)
    staff = make_staff(rng, spec)
    targets = _targets(rng, spec.jamaah)
    departure_days = _departure_days(today, spec.jamaah)
    windows = _Windows(active, now=now, tz=tz, today=today, buffer_days=spec.buffer_days, days=departure_days)

    picks: list[tuple[int, int | None, WorkStatus | None, datetime, str | None]] = []
    for target in targets:
        picks.append(windows.pick(rng, target))
    by_day: dict[int, list[int]] = {}
    for j, pick in enumerate(picks):
        by_day.setdefault(pick[0], []).append(j)
    packages, package_of = _packages(rng, today, by_day)

    nik_book = people.NikBook()
    agents = people.agent_names(rng, max(3, min(60, spec.jamaah // 400)))
    plans: list[JourneyPlan] = []
    identities: list[Identity] = []
    for j, (_, current, status, instant, reason) in enumerate(picks):
        departure = packages[package_of[j]].departure_date
        if current is None:
            plans.append(JourneyPlan(package_of[j], None, finished_at=instant))
        else:
            plans.append(JourneyPlan(package_of[j], current, status, instant, reason))
        identities.append(_identity(rng, nik_book, today, departure, active, current, reason, agents))
    identities = _link_companions(rng, identities, package_of, today)
    return lay_out(
        name=spec.name,
        now=now,
        timezone=spec.timezone,
        buffer_days=spec.buffer_days,
        stages=active,
        staff=staff,
        packages=packages,
        plans=plans,
        identities=identities,
        rng=rng,
        activity_log=spec.activity_log,
    )


def make_staff(rng: random.Random, spec: DatasetSpec) -> list[Staff]:
    """`staff_per_role` admins per admin role, plus one manager and one super-admin."""
    taken: set[str] = set()
    roles = [Role.MANAGER, *[r for r in ADMIN_ROLES for _ in range(spec.staff_per_role)], Role.SUPER_ADMIN]
    staff = []
    for role in roles:
        name = people.full_name(rng, Gender.MALE if rng.random() < 0.5 else Gender.FEMALE)
        login = people.username(name, taken)
        staff.append(Staff(login, name, role, f"{login}@{spec.name}.example"))
    return staff


def _targets(rng: random.Random, n: int) -> list[str]:
    """Exact counts of the mix (largest remainder), at-risk split half blocked, shuffled."""
    shares = list(TARGET_MIX.items())
    counts = {status: math.floor(n * share) for status, share in shares}
    by_remainder = sorted(shares, key=lambda item: (n * item[1]) % 1, reverse=True)
    for status, _ in by_remainder[: n - sum(counts.values())]:
        counts[status] += 1
    at_risk = counts[JamaahStatus.AT_RISK]
    targets = (
        ["on-track"] * counts[JamaahStatus.ON_TRACK]
        + ["at-risk-blocked"] * (at_risk // 2)
        + ["at-risk-projection"] * (at_risk - at_risk // 2)
        + ["overdue"] * counts[JamaahStatus.OVERDUE]
        + ["completed"] * counts[JamaahStatus.COMPLETED]
    )
    rng.shuffle(targets)
    return targets


def _departure_days(today: date, n: int) -> list[int]:
    weekdays = {1, 3, 5} if n <= 5_000 else set(range(7))
    return [
        k for k in range(_HORIZON[0], _HORIZON[1] + 1) if (today + timedelta(days=k)).weekday() in weekdays
    ]


def _lead_days(index: int, stage: Stage, later_hours: int, count: int, buffer_days: int) -> int:
    """How far ahead of departure a jamaah can plausibly be in this stage: the time the rest of
    the pipeline takes, plus slack that shrinks from ~150 days (documents) to 10 (the last)."""
    slack = max(10, round(150 * (1 - index / max(count - 1, 1)) ** 2))
    return math.ceil((stage.sla_hours + later_hours) / 24) + buffer_days + slack


class _Windows:
    """For each kind of open jamaah and each stage: the departure days that work, and for each
    such day the range of due dates [lo, hi] that gives the kind (see the module docstring)."""

    def __init__(
        self,
        active: tuple[Stage, ...],
        *,
        now: datetime,
        tz: ZoneInfo,
        today: date,
        buffer_days: int,
        days: list[int],
    ) -> None:
        self.now, self.tz, self.today = now, tz, today
        tomorrow = _utc_midnight(today + _DAY, tz) + _HOUR
        self.weights: dict[str, list[float]] = {}
        self.options: dict[str, list[list[tuple[int, datetime, datetime]]]] = {}
        for kind in _KINDS:
            options = []
            for c, stage in enumerate(active):
                later = timedelta(hours=rules.later_sla_hours(active, stage.position))
                lead = _lead_days(c, stage, int(later.total_seconds() // 3600), len(active), buffer_days)
                stable, relaxed = [], []
                for k in days:
                    if not 1 <= k <= lead:
                        continue
                    departure = today + timedelta(days=k)
                    if kind == "overdue":
                        lo, hi = now - _OVERDUE_BY[1], now - _OVERDUE_BY[0]
                    else:
                        lo, hi = now + _AHEAD, now + timedelta(hours=stage.sla_hours) - _MIN_ELAPSED
                        risk = rules.risk_threshold(departure_date=departure, buffer_days=buffer_days, tz=tz)
                        if kind == "on-track":
                            hi = min(hi, risk.astimezone(UTC) - later - _PROJECTION_MARGIN)
                        elif kind == "at-risk-projection":
                            lo = max(lo, risk.astimezone(UTC) - later + _PROJECTION_MARGIN)
                    if stage.done_by_days is not None:  # never let the done-by deadline bind
                        hi = min(hi, _utc_midnight(departure - timedelta(days=stage.done_by_days), tz))
                    if lo <= hi:
                        relaxed.append((k, lo, hi))
                        if kind == "overdue" or max(lo, tomorrow) <= hi:
                            stable.append((k, max(lo, tomorrow) if kind != "overdue" else lo, hi))
                # Due after 01:00 tomorrow keeps the status all day; only a short stage seeded
                # early in the day cannot, and falls back to "6 hours ahead".
                options.append(stable or relaxed)
            self.options[kind] = options
            self.weights[kind] = [_stage_weight(kind, s) if options[c] else 0.0 for c, s in enumerate(active)]
            if not any(self.weights[kind]):
                raise ValueError(f"no stage of this pipeline can hold a {kind} jamaah")
        self.stage_codes = [s.code for s in active]
        self.sla = [timedelta(hours=s.sla_hours) for s in active]
        self.completed_days = [k for k in days if _COMPLETED_DEPARTURES[0] <= k <= _COMPLETED_DEPARTURES[1]]

    def pick(
        self, rng: random.Random, kind: str
    ) -> tuple[int, int | None, WorkStatus | None, datetime, str | None]:
        """(departure day, stage index or None, open status, instant, block reason).

        The instant is the open stage's start, or for a completed jamaah its last completion.
        """
        if kind == "completed":
            k = rng.choice(self.completed_days)
            last = min(self.now, _utc_midnight(self.today + timedelta(days=k - 1), self.tz))
            return k, None, None, last - timedelta(minutes=rng.randint(60, 72 * 60)), None
        c = rng.choices(range(len(self.weights[kind])), self.weights[kind])[0]
        k, lo, hi = people.pick(rng, self.options[kind][c])
        span = int((hi - lo).total_seconds() // 60)
        due = lo + timedelta(minutes=people.between(rng, 0, span))
        code = self.stage_codes[c]
        reason = None
        if kind == "at-risk-blocked" or (kind == "overdue" and rng.random() < 0.35):
            status = WorkStatus.BLOCKED
            if code == "document-verification" and rng.random() < 0.4:
                reason = catalog.PASSPORT_TOO_SHORT
            else:
                reason = people.pick(rng, catalog.BLOCK_REASONS.get(code, catalog.GENERIC_REASONS))
        else:
            status = WorkStatus.PENDING if rng.random() < 0.3 else WorkStatus.IN_PROGRESS
        return k, c, status, due - self.sla[c], reason


def _utc_midnight(day: date, tz: ZoneInfo) -> datetime:
    return rules.local_midnight(day, tz).astimezone(UTC)


def _stage_weight(kind: str, stage: Stage) -> float:
    """More jamaah wait in long stages; blocks and delays gather where third parties are involved."""
    if kind == "at-risk-blocked":
        return float(catalog.BLOCK_PRONE.get(stage.code, 1))
    weight = float(stage.sla_hours)
    if kind == "overdue" and stage.category is StageCategory.GOVERNMENT:
        weight *= 2
    return weight


def _packages(
    rng: random.Random, today: date, by_day: dict[int, list[int]]
) -> tuple[list[PackageRow], list[int]]:
    """Departure groups: each day's jamaah split into packages of at most their quota (~45)."""
    packages: list[PackageRow] = []
    package_of = [0] * sum(len(v) for v in by_day.values())
    for k in sorted(by_day):
        members = by_day[k]
        rng.shuffle(members)
        departure = today + timedelta(days=k)
        quota = rng.choice((40, 45, 45, 50))
        groups = math.ceil(len(members) / quota)
        size = math.ceil(len(members) / groups)
        for g in range(groups):
            kind = _package_type(rng, departure)
            row = PackageRow(
                code=f"{kind.code}-{departure:%y%m%d}-{g + 1:02d}",
                name=kind.name,
                departure_date=departure,
                return_date=departure + timedelta(days=kind.days - 1),
                airline=rng.choice(kind.airlines),
                quota=quota,
                price_idr=rng.randrange(kind.price_low, kind.price_high + 1, 250_000),
            )
            for j in members[g * size : (g + 1) * size]:
                package_of[j] = len(packages)
            packages.append(row)
    return packages, package_of


def _package_type(rng: random.Random, departure: date) -> catalog.PackageType:
    types = list(catalog.PACKAGE_TYPES)
    if any(-5 <= (departure - start).days <= 20 for start in catalog.RAMADAN_STARTS):
        types.append(catalog.RAMADHAN)
    return rng.choices(types, [t.weight for t in types])[0]


def _identity(
    rng: random.Random,
    nik_book: people.NikBook,
    today: date,
    departure: date,
    active: tuple[Stage, ...],
    current: int | None,
    reason: str | None,
    agents: list[str],
) -> Identity:
    gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
    name = people.full_name(rng, gender)
    born = people.birth_date(rng, today)
    nik = nik_book.issue(rng, born, gender)
    phone = people.mobile_phone(rng)
    number: str | None = people.passport_number(rng)
    issued: date | None
    expiry: date | None
    issued, expiry = people.passport_dates(
        rng, today=today, departure=departure, too_short=reason == catalog.PASSPORT_TOO_SHORT
    )
    at_collection = current is not None and active[current].code == "document-collection"
    if at_collection and (reason == catalog.BLOCK_REASONS["document-collection"][0] or rng.random() < 0.3):
        number = issued = expiry = None  # the passport has not been handed in yet
    agent = people.pick(rng, agents) if rng.random() < 0.35 else None
    note = people.pick(rng, catalog.NOTES) if rng.random() < 0.08 else None
    return Identity(name, gender.value, born, nik, phone, number, issued, expiry, None, agent, note)


def _link_companions(
    rng: random.Random, identities: list[Identity], package_of: list[int], today: date
) -> list[Identity]:
    """Most women under 45 and minors travel with a mahram/guardian: an adult man of their group."""
    adult_men: dict[int, list[int]] = {}
    for j, person in enumerate(identities):
        if person.gender == Gender.MALE.value and _age(person.birth_date, today) >= 18:
            adult_men.setdefault(package_of[j], []).append(j)
    linked = []
    for j, person in enumerate(identities):
        age = _age(person.birth_date, today)
        needs = age < 18 or (person.gender == Gender.FEMALE.value and age < 45)
        candidates = adult_men.get(package_of[j], [])
        if needs and candidates and rng.random() < 0.8:
            person = person._replace(companion=people.pick(rng, candidates))
        linked.append(person)
    return linked


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
