"""The four datasets of DOMAIN.md ("Datasets"): what each is, its workspace and its default seed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import JamaahStatus, WorkspaceKind
from pipeline_core.store.workspaces import DATA_DIR, DEFAULT_TEMPLATE

#: The status mix of every generated dataset (computed, never stored).
TARGET_MIX = MappingProxyType(
    {
        JamaahStatus.ON_TRACK: 0.50,
        JamaahStatus.AT_RISK: 0.15,
        JamaahStatus.OVERDUE: 0.10,
        JamaahStatus.COMPLETED: 0.25,
    }
)

CURATED_DIR = DATA_DIR / "datasets"


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """One dataset = one workspace whose slug is the dataset's name.

    `curated` names a hand-written file in data/datasets/ (demo-13); otherwise the jamaah are
    generated. `activity_log` is off for the scale datasets: they measure load and dashboard
    speed, and a timeline nobody reads would only double their size.
    """

    name: str
    title: str
    kind: WorkspaceKind
    jamaah: int
    seed: int
    staff_per_role: int
    activity_log: bool
    min_stuck: int = 5
    buffer_days: int = 3
    template: str = DEFAULT_TEMPLATE
    timezone: str = "Asia/Jakarta"
    curated: Path | None = None


_SPECS = (
    DatasetSpec(
        name="demo-13",
        title="Demo — PT Amanah Haramain Travel (13 jamaah)",
        kind=WorkspaceKind.DEMO,
        jamaah=13,
        seed=13,
        staff_per_role=1,
        activity_log=True,
        # Its two overdue jamaah wait in the same stage: with min_stuck 2 they raise the
        # demo's one bottleneck alert (the agency default of 5 would show none).
        min_stuck=2,
        curated=CURATED_DIR / "demo-13.json",
    ),
    DatasetSpec(
        name="demo-2000",
        title="Demo — PT Barokah Madinah Wisata (2.000 jamaah)",
        kind=WorkspaceKind.DEMO,
        jamaah=2_000,
        seed=2_000,
        staff_per_role=2,
        activity_log=True,
    ),
    DatasetSpec(
        name="scale-10k",
        title="Scale — 10.000 jamaah",
        kind=WorkspaceKind.SCALE,
        jamaah=10_000,
        seed=10_000,
        staff_per_role=4,
        activity_log=False,
    ),
    DatasetSpec(
        name="scale-100k",
        title="Scale — 100.000 jamaah",
        kind=WorkspaceKind.SCALE,
        jamaah=100_000,
        seed=100_000,
        staff_per_role=12,
        activity_log=False,
    ),
)

DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in _SPECS}

DEMO_DATASETS: tuple[str, ...] = ("demo-13", "demo-2000")


def get_spec(name: str) -> DatasetSpec:
    spec = DATASETS.get(name)
    if spec is None:
        raise InvalidInput("dataset", f"no dataset is named {name!r}; choose one of {', '.join(DATASETS)}")
    return spec
