"""How long loading each dataset takes: generate the rows, COPY them, summaries, ANALYZE.

Loads each chosen dataset with reset (replacing only its own workspace) and prints one line per
dataset, then the seconds of each step. Prints figures; never asserts on time.

    .venv/bin/python benchmarks/load_datasets.py                        # all four, embedded servers
    .venv/bin/python benchmarks/load_datasets.py --sizes demo-13 scale-10k
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/umrah REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/load_datasets.py

The datasets stay loaded afterwards (handy for measuring the dashboards); `--drop` removes them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store.config import get_settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        nargs="+",
        choices=list(datasets.DATASETS),
        default=list(datasets.DATASETS),
        metavar="NAME",
        help=f"datasets to load (default: all of {', '.join(datasets.DATASETS)})",
    )
    parser.add_argument("--drop", action="store_true", help="delete the loaded datasets at the end")
    args = parser.parse_args()

    settings = get_settings()
    bootstrap.prepare(seed_demo=False)
    mode = "embedded" if settings.embedded_database else "external (DATABASE_URL)"
    print(f"PostgreSQL: {mode}; {os.cpu_count()} CPU cores\n")
    reports = []
    try:
        print(f"{'dataset':<12} {'jamaah':>9} {'rows':>11} {'seconds':>9} {'rows/s':>10}")
        print("-" * 55)
        for name in args.sizes:
            report = datasets.load_dataset(name, reset=True)
            reports.append(report)
            rate = report.total_rows / report.seconds
            print(
                f"{name:<12} {report.jamaah:>9,} {report.total_rows:>11,}"
                f" {report.seconds:>9.1f} {rate:>10,.0f}"
            )
        print("\nseconds per step")
        for report in reports:
            steps = ", ".join(f"{step} {seconds:.2f}" for step, seconds in report.phases.items())
            print(f"  {report.name}: {steps}")
        if args.drop:
            for name in args.sizes:
                datasets.delete_dataset(name)
    finally:
        bootstrap.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
