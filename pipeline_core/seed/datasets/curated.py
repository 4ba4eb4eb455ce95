"""The hand-curated demo-13 (data/datasets/demo-13.json) turned into dataset rows.

The file tells the stories: who the thirteen jamaah are, their package, their current stage and how
long ago it started. Every time is relative (departure in days from the agency's today, a stage
start in hours before now, passport expiry in days after departure), so the demo looks the same on
any day. The file also states each jamaah's `expected_status`; the unit tests check it against
`rules.classify_jamaah` at several times of day. The history before the current stage, task
priorities and the timeline come from `layout.lay_out`, seeded, like a generated dataset.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline_core.domain import rules
from pipeline_core.domain.model import Role, Stage, WorkStatus
from pipeline_core.seed.datasets import people
from pipeline_core.seed.datasets.layout import lay_out
from pipeline_core.seed.datasets.records import (
    GeneratedDataset,
    Identity,
    JourneyPlan,
    PackageRow,
    Staff,
    active_stages,
)
from pipeline_core.seed.datasets.registry import DatasetSpec


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def expected_statuses(path: Path) -> list[str]:
    """The status the file promises for each jamaah, in file order."""
    return [entry["expected_status"] for entry in read(path)["jamaah"]]


def build(
    spec: DatasetSpec, stages: tuple[Stage, ...] | list[Stage], *, now: datetime, seed: int | None = None
) -> GeneratedDataset:
    """The curated dataset laid out for `now` (timezone-aware)."""
    assert spec.curated is not None, f"{spec.name} is generated, not curated"
    raw = read(spec.curated)
    rng = random.Random(spec.seed if seed is None else seed)
    tz = ZoneInfo(spec.timezone)
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    today = rules.agency_today(now, tz)
    active = active_stages(stages)
    position = {stage.code: index for index, stage in enumerate(active)}

    taken: set[str] = set()
    staff = []
    for member in raw["staff"]:
        login = people.username(member["full_name"], taken)
        staff.append(Staff(login, member["full_name"], Role(member["role"]), f"{login}@{spec.name}.example"))

    package_index: dict[str, int] = {}
    packages: list[PackageRow] = []
    for entry in raw["packages"]:
        departure = today + timedelta(days=entry["departure_in_days"])
        package_index[entry["key"]] = len(packages)
        packages.append(
            PackageRow(
                code=f"{entry['type_code']}-{departure:%y%m%d}-{len(packages) + 1:02d}",
                name=entry["name"],
                departure_date=departure,
                return_date=departure + timedelta(days=entry["days"] - 1),
                airline=entry["airline"],
                quota=entry["quota"],
                price_idr=entry["price_idr"],
            )
        )

    jamaah_index = {entry["key"]: index for index, entry in enumerate(raw["jamaah"])}
    plans: list[JourneyPlan] = []
    identities: list[Identity] = []
    for entry in raw["jamaah"]:
        package = package_index[entry["package"]]
        departure = packages[package].departure_date
        if entry["current_stage"] is None:
            plans.append(
                JourneyPlan(package, None, finished_at=now - timedelta(hours=entry["finished_hours_ago"]))
            )
        else:
            plans.append(
                JourneyPlan(
                    package=package,
                    current=position[entry["current_stage"]],
                    status=WorkStatus(entry["stage_status"]),
                    started_at=now - timedelta(hours=entry["started_hours_ago"]),
                    block_reason=entry.get("block_reason"),
                )
            )
        passport = entry["passport"]
        issued = expiry = None
        if passport is not None:
            expiry = departure + timedelta(days=passport["expires_days_after_departure"])
            issued = people.add_years(expiry, -passport["valid_years"])
        companion = entry.get("companion")
        identities.append(
            Identity(
                full_name=entry["full_name"],
                gender=entry["gender"],
                birth_date=date.fromisoformat(entry["birth_date"]),
                nik=entry["nik"],
                phone=entry["phone"],
                passport_number=None if passport is None else passport["number"],
                passport_issue_date=issued,
                passport_expiry_date=expiry,
                companion=None if companion is None else jamaah_index[companion],
                agent_name=entry.get("agent_name"),
                notes=entry.get("notes"),
            )
        )
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
