"""The command line: `python -m pipeline_core COMMAND`.

    migrate                       upgrade the database schema to the code's revision
    seed NAME [--reset] [--seed N] [--demo-accounts | --no-demo-accounts]
                                  load a dataset (demo-13, demo-2000, scale-10k, scale-100k)
    datasets                      list the datasets and whether each is loaded
    create-user --workspace SLUG --username NAME --full-name "…" --role ROLE [--email …]
                [--password-stdin] [--create-workspace --name "…" [--template T]]
                                  a staff account; the first super-admin of a production install

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

from pipeline_core.domain.errors import PipelineError

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
    from pipeline_core.store import db, migrate

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
    command.add_argument(
        "--demo-accounts",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "also make one sign-in account per role, <role>@<dataset>, with the public demo password "
            "(default: PIPELINE_DEMO_ACCOUNTS; on with the embedded database, off with DATABASE_URL)"
        ),
    )
    command.set_defaults(handler=_seed, needs_servers=True)


def _seed(args: argparse.Namespace) -> int:
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


def _add_datasets(commands: Any) -> None:
    command = commands.add_parser(
        "datasets",
        help="list the datasets and whether each is loaded",
        description="List the demo and scale datasets, with the jamaah count of those loaded.",
    )
    command.set_defaults(handler=_datasets, needs_servers=True)


def _datasets(args: argparse.Namespace) -> int:
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


def _add_create_user(commands: Any) -> None:
    command = commands.add_parser(
        "create-user",
        help="create a staff account (the first super-admin of a new install)",
        description=(
            "Create a staff account that can sign in. The password is asked twice on the terminal "
            "(never shown) or read from the first line of standard input with --password-stdin. "
            "With --create-workspace, the agency's workspace is made first (how a production "
            "install gets its first account)."
        ),
    )
    command.add_argument("--workspace", required=True, metavar="SLUG", help="the workspace, e.g. amanah-tour")
    command.add_argument("--username", required=True, help="the sign-in name, e.g. rina@amanah-tour")
    command.add_argument("--full-name", required=True, help='the person\'s full name, e.g. "Rina Wulandari"')
    command.add_argument("--role", required=True, help="manager, document-admin, …, super-admin")
    command.add_argument("--email", help="optional; single sign-on matches accounts by e-mail")
    command.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (scripts)"
    )
    command.add_argument(
        "--create-workspace",
        action="store_true",
        help="make the workspace first (an agency's; it must not exist yet)",
    )
    command.add_argument("--name", help='the agency\'s name, with --create-workspace, e.g. "Amanah Tour"')
    command.add_argument(
        "--template", default="umrah-2026", help="pipeline template of a new workspace (default: umrah-2026)"
    )
    command.add_argument(
        "--timezone", default="Asia/Jakarta", help="time zone of a new workspace (default: Asia/Jakarta)"
    )
    command.set_defaults(handler=_create_user, needs_servers=True)


SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{1,62}"


def _check_create_user(args: argparse.Namespace) -> None:
    """Everything about the request that needs no database, then the password (asked once the rest
    is known to be right)."""
    import re
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from pipeline_core.commands.accounts import check_password, check_username
    from pipeline_core.domain.errors import InvalidInput
    from pipeline_core.domain.model import Role
    from pipeline_core.seed.datasets.registry import DATASETS
    from pipeline_core.store.workspaces import load_template

    if args.role not in {role.value for role in Role}:
        raise InvalidInput("--role", f"unknown role {args.role!r}; choose one of {', '.join(Role)}")
    args.username = check_username(args.username)
    if args.create_workspace:
        if not re.fullmatch(SLUG_PATTERN, args.workspace):
            raise InvalidInput(
                "--workspace", "a new workspace's slug has 2-63 lower-case letters, digits and hyphens"
            )
        if args.workspace in DATASETS:
            raise InvalidInput("--workspace", f"{args.workspace!r} is the name of a dataset: choose another")
        if not (args.name or "").strip():
            raise InvalidInput(
                "--name", 'a new workspace needs the agency\'s name, e.g. --name "Amanah Tour"'
            )
        load_template(args.template)
        try:
            ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                "--timezone", f"unknown time zone {args.timezone!r}, e.g. Asia/Makassar"
            ) from None
    args.password = _read_password(args.password_stdin)
    check_password(args.password, username=args.username)


def _read_password(from_stdin: bool) -> str:
    from pipeline_core.domain.errors import InvalidInput

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("password", "no terminal to ask on: pipe it in with --password-stdin")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise InvalidInput("password", "the two entries differ; nothing was created")
    return first


def _create_user(args: argparse.Namespace) -> int:
    from pipeline_core.commands import accounts
    from pipeline_core.domain.errors import InvalidInput
    from pipeline_core.domain.model import WorkspaceKind
    from pipeline_core.store import db
    from pipeline_core.store.workspaces import create_workspace, find_workspace, get_workspace

    with db.transaction() as session:
        existing = find_workspace(session, args.workspace)
        if args.create_workspace and existing is not None:
            raise InvalidInput(
                "--workspace", f"{args.workspace!r} exists already: leave out --create-workspace"
            )
        if not args.create_workspace and existing is None:
            raise InvalidInput(
                "--workspace",
                f'{args.workspace!r} does not exist; to make it, add --create-workspace --name "Agency name"',
            )
        if args.create_workspace:
            create_workspace(
                session,
                slug=args.workspace,
                name=" ".join(args.name.split()),
                kind=WorkspaceKind.AGENCY,
                template_code=args.template,
                timezone=args.timezone,
                created_by=accounts.SYSTEM.name,
            )
        workspace = get_workspace(session, args.workspace)
        accounts.create_user(  # commits the workspace and the user together
            session,
            actor=accounts.SYSTEM,
            workspace_id=workspace.id,
            username=args.username,
            full_name=args.full_name,
            role=args.role,
            password=args.password,
            email=args.email,
        )
    if args.create_workspace:
        print(f"Created workspace {workspace.slug} ({workspace.name}) on the {args.template} pipeline.")
    email = f", e-mail {args.email.strip()}" if (args.email or "").strip() else ""
    print(
        f"Created user {args.username} ({' '.join(args.full_name.split())}), role {args.role}{email}, "
        f"in workspace {workspace.slug}. They can sign in now."
    )
    return 0


_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_migrate, _add_seed, _add_datasets, _add_create_user)


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
        from pipeline_core.seed.datasets.registry import get_spec

        get_spec(args.name)
    from pipeline_core.store.config import get_settings

    get_settings()
    if getattr(args, "handler", None) is _create_user:
        _check_create_user(args)


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
        if prepared or args.handler is _migrate:
            from pipeline_core.seed import bootstrap

            bootstrap.shutdown()


if __name__ == "__main__":
    sys.exit(main())
