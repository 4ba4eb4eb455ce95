"""`python -m pipeline_core seed`: load a demo or scale dataset into its own workspace."""

from __future__ import annotations

import argparse
from typing import Any


def add(commands: Any) -> None:
    command = commands.add_parser(
        "seed",
        help="load a demo or scale dataset into its own workspace",
        description=(
            "Load a dataset into its own workspace (named like the dataset); agency workspaces are "
            "never touched. Dates are laid out relative to today in the agency's time zone."
        ),
    )
    command.add_argument("name", metavar="NAME", help="demo-13, demo-2000, scale-10k or scale-100k")
    command.add_argument(
        "--reset",
        action="store_true",
        help="replace the dataset if it is already loaded (only its workspace)",
    )
    command.add_argument("--seed", type=int, metavar="N", help="random seed (default: the dataset's own)")
    command.add_argument(
        "--demo-accounts",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "also make one sign-in account per role, <role>@<dataset>, with the public demo password "
            "(default: PIPELINE_DEMO_ACCOUNTS; on with the embedded database, off with DATABASE_URL)"
        ),
    )
    command.set_defaults(handler=run, needs_servers=True)


def run(args: argparse.Namespace) -> int:
    from pipeline_core.seed import datasets
    from pipeline_core.store.config import get_settings

    demo_accounts = get_settings().demo_accounts if args.demo_accounts is None else args.demo_accounts
    report = datasets.load_dataset(args.name, reset=args.reset, seed=args.seed, demo_accounts=demo_accounts)
    print(
        f"Loaded {report.name} into workspace {report.workspace_id}: {report.jamaah:,} jamaah, "
        f"{report.total_rows:,} rows in {report.seconds:.1f} s."
    )
    for table, count in report.rows.items():
        print(f"  {table:<26} {count:>10,}")
    return 0
