"""Datasets: the demo and scale workspaces of DOMAIN.md ("Datasets"), generated or curated, and loaded.

| dataset | jamaah | made by | activity log |
|---|---|---|---|
| `demo-13` | 13 | hand-curated `data/datasets/demo-13.json`, exactly 7/3/2/1 | yes |
| `demo-2000` | 2,000 | generator, seed 2000 | yes |
| `scale-10k` | 10,000 | generator, seed 10000 | no |
| `scale-100k` | 100,000 | generator, seed 100000 | no |

Each is its own workspace (slug = dataset name, template `umrah-2026`, zone Asia/Jakarta), so a
demo never touches an agency's data. Status is computed, never stored: the generator lays out
each jamaah's history so that the rules give the target mix (50 % on-track, 15 % at-risk, 10 %
overdue, 25 % completed, exact counts) at load time, relative to the agency's today.
`demo-13` has `min_stuck` 2, so its two overdue jamaah (same stage) raise one bottleneck alert.

Demo datasets are reloaded on the first start of each agency day (`ensure_demo_datasets`), so a
demo always looks alive and any change made in it is gone the next day.

Modules: `registry` (the four specs), `catalog` (package types, block reasons, task titles),
`people` (names, NIK, phones, passports), `generator` (statuses, stages, departures), `curated`
(demo-13), `layout` (history, tasks, snapshot, timeline), `records` (the row types), `loader`
(the operations above), `writer` + `bulk` (COPY in one transaction), `summaries` (SQL).
"""

from pipeline_core.seed.datasets.loader import (
    DatasetState,
    LoadReport,
    build_dataset,
    dataset_exists,
    dataset_states,
    delete_dataset,
    ensure_demo_datasets,
    load_dataset,
)
from pipeline_core.seed.datasets.records import GeneratedDataset
from pipeline_core.seed.datasets.registry import DATASETS, DEMO_DATASETS, DatasetSpec

__all__ = [
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
