"""`python -m pipeline_core datasets`: list the datasets and whether each is loaded."""

from __future__ import annotations

import argparse
from typing import Any

_RULE = "-" * 60


def add(commands: Any) -> None:
    command = commands.add_parser(
        "datasets",
        help="list the datasets and whether each is loaded",
        description="List the demo and scale datasets, with the jamaah count of those loaded.",
    )
    command.set_defaults(handler=run, needs_servers=True)


def run(args: argparse.Namespace) -> int:
    from pipeline_core.seed import datasets

    print(f"{'dataset':<12} {'kind':<6} {'jamaah':>8}  loaded")
    print(_RULE)
    for state in datasets.dataset_states():
        spec = state.spec
        if state.loaded:
            laid_out = f", laid out for {state.seeded_on:%d %b %Y}" if state.seeded_on else ""
            loaded = f"yes: {state.jamaah:,} jamaah{laid_out}"
        else:
            loaded = f"no  (python -m pipeline_core seed {spec.name})"
        print(f"{spec.name:<12} {spec.kind.value:<6} {spec.jamaah:>8,}  {loaded}")
    return 0
