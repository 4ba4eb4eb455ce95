"""From "where each jamaah stands today" to rows: history, tasks, the status snapshot, the timeline.

Both the generator and the curated demo-13 describe each jamaah by a `JourneyPlan` (its package,
its current stage and that stage's start, or when it finished) and an `Identity`. This module
lays out the rest the way the product itself would have written it:

- Completed stage instances for every earlier stage, walked back from the current stage's start:
  a stage starts the moment the previous one completes (the product's `complete_task` does that
  in one transaction), each lasting 30-125 % of its SLA. The first start is the registration.
- One open instance for the current stage; every `due_at` comes from `rules.stage_due_at`.
- One task per instance (task_type = stage code), mirroring its status and due date, given the
  priority `rules.default_priority` gives: at its start for completed tasks, now for open ones.
- The `jamaah_pipeline_status` snapshot, with `projected_finish_at = current due_at + the SLA of
  all later active stages`, as the table's docstring defines it.
- Optionally an activity log in the commands' own words and shape (`{field: {old, new}}`):
  `jamaah.enrolled`, a `task.completed` per completed stage (moving the current stage on), and
  `task.blocked` for a blocked current task.

Rows refer to each other by list index (jamaah, package, staff, work); the loader turns indexes
into database ids. Everything is pure: same plans + same seed + same `now` = same rows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline_core.domain import rules
from pipeline_core.domain.model import EventKind, Role, Stage, WorkStatus
from pipeline_core.seed.datasets.catalog import TASK_VERBS
from pipeline_core.seed.datasets.records import (
    ActivityRow,
    GeneratedDataset,
    Identity,
    JamaahRow,
    JourneyPlan,
    PackageRow,
    SnapshotRow,
    Staff,
    WorkRow,
    active_stages,
)

_OPEN_ASSIGNED_SHARE = 0.88  # most open tasks have an assignee; the rest wait in the role's queue
_COMPLETED, _BLOCKED = WorkStatus.COMPLETED.value, WorkStatus.BLOCKED.value
_DAY = timedelta(days=1)


def _triangular_quantiles(low: float, high: float, mode: float, steps: int = 1024) -> tuple[float, ...]:
    """Inverse CDF of a triangular distribution at `steps` points: one draw = one table lookup."""
    split = (mode - low) / (high - low)
    values = []
    for i in range(steps):
        u = (i + 0.5) / steps
        if u < split:
            values.append(low + math.sqrt(u * (high - low) * (mode - low)))
        else:
            values.append(high - math.sqrt((1 - u) * (high - low) * (high - mode)))
    return tuple(values)


#: How long a completed stage took, as a share of its SLA: mostly a bit under, sometimes late.
DURATION_SHARES = _triangular_quantiles(0.3, 1.25, 0.75)


def lay_out(
    *,
    name: str,
    now: datetime,
    timezone: str,
    buffer_days: int,
    stages: Sequence[Stage],
    staff: list[Staff],
    packages: list[PackageRow],
    plans: Sequence[JourneyPlan],
    identities: Sequence[Identity],
    rng: random.Random,
    activity_log: bool,
) -> GeneratedDataset:
    """Turn plans into every row of the dataset (see the module docstring)."""
    active = active_stages(stages)
    writer = _Writer(
        now=now,
        tz=ZoneInfo(timezone),
        active=active,
        staff=staff,
        packages=packages,
        rng=rng,
        activity_log=activity_log,
    )
    for j, (plan, person) in enumerate(zip(plans, identities, strict=True)):
        writer.jamaah(j, plan, person)
    return GeneratedDataset(
        name=name,
        now=now,
        timezone=timezone,
        buffer_days=buffer_days,
        stages=active,
        staff=staff,
        packages=packages,
        jamaah=writer.jamaah_rows,
        work=writer.work,
        snapshot=writer.snapshot,
        activity=writer.activity,
    )


class _Writer:
    """Appends one jamaah's rows at a time. Hot at 100,000 jamaah (~650,000 stage instances), so
    the completed history takes two shortcuts, both pinned to the rules by unit tests:
    - due = min(started + SLA, done-by instant), the done-by instants computed once per departure
      day with `rules.local_midnight` (this is `rules.stage_due_at`);
    - `rules.default_priority` memoised on the only inputs it reads for a task created at its
      stage's start: days to departure and whether the task is due within 24 hours.
    The open stage, which decides the jamaah's status, calls the rules directly."""

    def __init__(
        self,
        *,
        now: datetime,
        tz: ZoneInfo,
        active: tuple[Stage, ...],
        staff: list[Staff],
        packages: list[PackageRow],
        rng: random.Random,
        activity_log: bool,
    ) -> None:
        self.now, self.tz, self.active, self.staff, self.packages = now, tz, active, staff, packages
        self.rng, self.activity_log = rng, activity_log
        self.sla_minutes = [s.sla_hours * 60 for s in active]
        self.sla = [timedelta(hours=s.sla_hours) for s in active]
        self.later = [timedelta(hours=rules.later_sla_hours(active, s.position)) for s in active]
        self.titles = [TASK_VERBS.get(s.code, s.name_id) for s in active]
        by_role: dict[Role, list[int]] = {}
        for index, member in enumerate(staff):
            by_role.setdefault(member.role, []).append(index)
        self.crew = [by_role.get(s.responsible_role, []) for s in active]
        self.clerks = by_role.get(Role.DOCUMENT_ADMIN) or list(range(len(staff)))
        self.done_by: dict[date, list[datetime | None]] = {}
        self.priority: dict[tuple[int, bool], str] = {}
        self.jamaah_rows: list[JamaahRow] = []
        self.work: list[WorkRow] = []
        self.snapshot: list[SnapshotRow] = []
        self.activity: list[ActivityRow] = []

    def _done_by(self, departure: date) -> list[datetime | None]:
        instants = self.done_by.get(departure)
        if instants is None:
            instants = self.done_by[departure] = [
                None
                if s.done_by_days is None
                else rules.local_midnight(departure - timedelta(days=s.done_by_days), self.tz).astimezone(UTC)
                for s in self.active
            ]
        return instants

    def _history_priority(self, started: datetime, due: datetime, departure: date) -> str:
        days_left = (departure - started.astimezone(self.tz).date()).days
        key = (days_left, due - started <= _DAY)
        priority = self.priority.get(key)
        if priority is None:
            priority = self.priority[key] = rules.default_priority(
                stage_overdue=False, due_at=due, departure_date=departure, now=started, tz=self.tz
            ).value
        return priority

    def _actor(self, assignee: int | None, pool: list[int]) -> str:
        if assignee is None:
            assignee = pool[int(self.rng.random() * len(pool))] if pool else None
        return "sistem" if assignee is None else self.staff[assignee].full_name

    def jamaah(self, j: int, plan: JourneyPlan, person: Identity) -> None:
        active, rng, work, log = self.active, self.rng, self.work, self.activity_log
        random_share = rng.random
        departure = self.packages[plan.package].departure_date
        done = len(active) if plan.current is None else plan.current
        cursor = plan.finished_at if plan.current is None else plan.started_at
        assert cursor is not None, f"jamaah {j}: a plan needs started_at or finished_at"
        # Walk back from the current stage: each completed stage ends where the next one begins.
        spans: list[tuple[datetime, datetime]] = []
        for k in range(done - 1, -1, -1):
            minutes = int(self.sla_minutes[k] * DURATION_SHARES[int(random_share() * 1024)])
            started = cursor - timedelta(minutes=max(minutes, 30))
            spans.append((started, cursor))
            cursor = started
        spans.reverse()
        # Identity's fields, with the package before the companion as in the table; registered
        # when the first stage started.
        self.jamaah_rows.append(JamaahRow(*person[:8], plan.package, *person[8:], registered_at=cursor))
        label = f" — {person.full_name}"
        if log:
            actor = self._actor(None, self.clerks)
            code = self.packages[plan.package].code
            self.activity.append(
                ActivityRow(
                    jamaah=j,
                    occurred_at=cursor,
                    actor=actor,
                    action=EventKind.JAMAAH_ENROLLED,
                    entity_type="jamaah",
                    work=None,
                    changes={
                        "full_name": {"old": None, "new": person.full_name},
                        "package": {"old": None, "new": code},
                        "current_stage": {"old": None, "new": active[0].code},
                    },
                )
            )
        done_by = self._done_by(departure)
        for k, (started, finished) in enumerate(spans):
            due = started + self.sla[k]
            limit = done_by[k]
            if limit is not None and limit < due:
                due = limit
            crew = self.crew[k]
            assignee = crew[int(random_share() * len(crew))] if crew else None
            priority = self._history_priority(started, due, departure)
            work.append(
                WorkRow(
                    jamaah=j,
                    stage=k,
                    status=_COMPLETED,
                    started_at=started,
                    due_at=due,
                    completed_at=finished,
                    assignee=assignee,
                    block_reason=None,
                    title=self.titles[k] + label,
                    priority=priority,
                    updated_at=finished,
                )
            )
            if log:
                moved = {"old": active[k].code, "new": active[k + 1].code if k + 1 < len(active) else None}
                changes = {"status": {"old": "in-progress", "new": _COMPLETED}, "current_stage": moved}
                self.activity.append(
                    ActivityRow(
                        jamaah=j,
                        occurred_at=finished,
                        actor=self._actor(assignee, crew),
                        action=EventKind.TASK_COMPLETED,
                        entity_type="task",
                        work=len(work) - 1,
                        changes=changes,
                    )
                )
        if plan.current is None:
            finished_at = spans[-1][1] if spans else cursor
            self.snapshot.append(
                SnapshotRow(
                    jamaah=j,
                    current=None,
                    projected_finish_at=None,
                    completed_stages=len(active),
                    active_stages=len(active),
                    completed_at=finished_at,
                )
            )
            return
        self._open_stage(j, plan, departure, label)

    def _open_stage(self, j: int, plan: JourneyPlan, departure: date, label: str) -> None:
        c, started, status, now, tz = plan.current, plan.started_at, plan.status, self.now, self.tz
        assert c is not None and started is not None and status is not None
        stage = self.active[c]
        due = rules.stage_due_at(
            started_at=started,
            sla_hours=stage.sla_hours,
            departure_date=departure,
            done_by_days=stage.done_by_days,
            tz=tz,
        )
        priority = rules.default_priority(
            stage_overdue=now > due, due_at=due, departure_date=departure, now=now, tz=tz
        )
        crew = self.crew[c]
        assignee = (
            crew[int(self.rng.random() * len(crew))]
            if crew and self.rng.random() < _OPEN_ASSIGNED_SHARE
            else None
        )
        touched = started
        if status is not WorkStatus.PENDING:  # last touched somewhere between its start and now
            touched = max(
                started,
                (started + (now - started) * self.rng.uniform(0.1, 0.9)).replace(second=0, microsecond=0),
            )
        self.work.append(
            WorkRow(
                jamaah=j,
                stage=c,
                status=status.value,
                started_at=started,
                due_at=due,
                completed_at=None,
                assignee=assignee,
                block_reason=plan.block_reason,
                title=self.titles[c] + label,
                priority=priority.value,
                updated_at=touched,
            )
        )
        self.snapshot.append(
            SnapshotRow(
                jamaah=j,
                current=len(self.work) - 1,
                projected_finish_at=due + self.later[c],
                completed_stages=c,
                active_stages=len(self.active),
                completed_at=None,
            )
        )
        if self.activity_log and status is WorkStatus.BLOCKED:
            changes = {
                "status": {"old": "in-progress", "new": _BLOCKED},
                "block_reason": {"old": None, "new": plan.block_reason},
            }
            self.activity.append(
                ActivityRow(
                    jamaah=j,
                    occurred_at=touched,
                    actor=self._actor(assignee, crew or self.clerks),
                    action=EventKind.TASK_BLOCKED,
                    entity_type="task",
                    work=len(self.work) - 1,
                    changes=changes,
                )
            )
