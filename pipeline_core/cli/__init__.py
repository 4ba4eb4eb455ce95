"""The command line: `python -m pipeline_core COMMAND`.

    migrate                       upgrade the database schema to the code's revision
    seed NAME [--reset] [--seed N] [--demo-accounts | --no-demo-accounts]
                                  load a dataset (demo-13, demo-2000, scale-10k, scale-100k)
    datasets                      list the datasets and whether each is loaded
    create-user --workspace SLUG --username NAME --full-name "…" --role ROLE [--email …]
                [--password-stdin] [--create-workspace --name "…" [--template T]]
                                  a staff account; the first super-admin of a production install
    api-token create --workspace SLUG --username NAME --name "…" [--days N]
    api-token revoke --workspace SLUG --id N
    api-token list --workspace SLUG [--username NAME]
                                  personal API tokens for /api/v1 (a new token is printed once)
    backup [--to DIR]             a consistent pg_dump archive plus its manifest (docs/operations.md)
    restore FILE [--replace]      restore a backup into an empty database, checked table by table
    import FILE --workspace SLUG --group ID [--commit [--valid-only]] [--map "Header=field"]
                [--username NAME] [--errors OUT.xlsx]
                                  jamaah from .xlsx/.xlsm/.csv into a group (a dry run unless --commit)
    export --workspace SLUG --group ID --file siskopatuh.xlsx|manifest.xlsx|jamaah.xlsx|jamaah.csv
           [--output PATH] [--username NAME]
                                  a group's SISKOPATUH workbook, manifest or jamaah list (logged)

    new-pii-key                   print a new random key for PII_KEY
    rotate-pii-key [--batch N]    re-encrypt every NIK and passport number under the current key
                                  (resumable; docs/operations.md, "Rotating the PII key")

It talks to the same database as the app: the embedded servers in PIPELINE_DATA_DIR, or
DATABASE_URL / REDIS_URL when set. Exit codes: 0 done; 2 the request cannot be done as asked
(unknown dataset, dataset already loaded, bad configuration, database unreachable...), always with
one line on stderr saying why — any `PipelineError`; 130 interrupted. `import` also answers 1
when rows are in error.

Adding a command: a module here with `add(subcommands)`, which declares its arguments and sets
`handler=` to its `run(args) -> int`; list the module in `_COMMANDS`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from pipeline_core.cli import (
    api_token,
    backup,
    create_user,
    datasets,
    export_group,
    import_jamaah,
    migrate,
    pii_key,
    seed,
)
from pipeline_core.domain.errors import PipelineError

_COMMANDS = (migrate, seed, datasets, create_user, api_token, import_jamaah, export_group, backup, pii_key)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (and exit 2) rather than the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# --- running --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pipeline_core",
        description="Umrah pipeline back office: database and dataset commands.",
        epilog="Uses DATABASE_URL / REDIS_URL when set, else the embedded servers in PIPELINE_DATA_DIR.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress messages")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.add(commands)
    return parser


def _check_input(args: argparse.Namespace) -> None:
    """Refuse bad input before any server starts: fast, and no start-up noise around the error."""
    if getattr(args, "handler", None) is seed.run:
        from pipeline_core.seed.datasets.registry import get_spec

        get_spec(args.name)
    from pipeline_core.store.config import get_settings

    get_settings()
    if getattr(args, "handler", None) is create_user.run:
        create_user.check(args)


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
            from pipeline_core.seed import bootstrap

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
        if prepared or args.handler in (migrate.run, backup.run_backup, backup.run_restore):
            from pipeline_core.seed import bootstrap

            bootstrap.shutdown()
