"""The command line: `python -m pipeline_core COMMAND`.

    migrate                       upgrade the database schema to the code's revision
    seed NAME [--reset] [--seed N]  load a dataset (demo-13, demo-2000, scale-10k, scale-100k)
    datasets                      list the datasets and whether each is loaded

It talks to the same database as the app: the embedded servers in PIPELINE_DATA_DIR, or
DATABASE_URL / REDIS_URL when set. Exit codes: 0 done; 2 the request cannot be done as asked
(unknown dataset, dataset already loaded, bad configuration, database unreachable...), always with
one line on stderr saying why — any `PipelineError`; 130 interrupted.

Adding a command: write `_add_<name>(subcommands)` that declares its arguments and sets
`handler=` to a function `(args) -> int`, and list it in `_COMMANDS`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from pipeline_core.errors import PipelineError

_RULE = "-" * 60


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (and exit 2) rather than the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# --- commands -----------------------------------------------------------------------------------


def _add_migrate(commands: Any) -> None:
    command = commands.add_parser(
        "migrate",
        help="upgrade the database schema to this version of the code",
        description="Run the database migrations (Alembic) up to the newest revision. Safe to repeat.",
    )
    command.set_defaults(handler=_migrate, needs_servers=False)


def _migrate(args: argparse.Namespace) -> int:
    from pipeline_core import db, migrate

    engine = db.get_engine()
    migrate.upgrade(engine)
    print(f"Database schema is at revision {migrate.current_revision(engine)} (the newest).")
    return 0


def _add_seed(commands: Any) -> None:
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
    command.set_defaults(handler=_seed, needs_servers=True)


def _seed(args: argparse.Namespace) -> int:
    from pipeline_core import datasets

    report = datasets.load_dataset(args.name, reset=args.reset, seed=args.seed)
    print(
        f"Loaded {report.name} into workspace {report.workspace_id}: {report.jamaah:,} jamaah, "
        f"{report.total_rows:,} rows in {report.seconds:.1f} s."
    )
    for table, count in report.rows.items():
        print(f"  {table:<26} {count:>10,}")
    return 0


def _add_datasets(commands: Any) -> None:
    command = commands.add_parser(
        "datasets",
        help="list the datasets and whether each is loaded",
        description="List the demo and scale datasets, with the jamaah count of those loaded.",
    )
    command.set_defaults(handler=_datasets, needs_servers=True)


def _datasets(args: argparse.Namespace) -> int:
    from pipeline_core import datasets

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


_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_migrate, _add_seed, _add_datasets)


# --- running --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pipeline_core",
        description="Umrah pipeline back office: database and dataset commands.",
        epilog="Uses DATABASE_URL / REDIS_URL when set, else the embedded servers in PIPELINE_DATA_DIR.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress messages")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in _COMMANDS:
        add(commands)
    return parser


def _check_input(args: argparse.Namespace) -> None:
    """Refuse bad input before any server starts: fast, and no start-up noise around the error."""
    if getattr(args, "handler", None) is _seed:
        from pipeline_core.datasets.registry import get_spec

        get_spec(args.name)
    from pipeline_core.config import get_settings

    get_settings()


def _logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger().addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _logging(args.verbose)
    prepared = False
    try:
        _check_input(args)
        if args.needs_servers:
            from pipeline_core import bootstrap

            prepared = True
            bootstrap.prepare(seed_demo=False)
        return int(args.handler(args))
    except PipelineError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if prepared or args.handler is _migrate:
            from pipeline_core import bootstrap

            bootstrap.shutdown()


if __name__ == "__main__":
    sys.exit(main())
