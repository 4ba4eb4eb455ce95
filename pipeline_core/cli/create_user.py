"""`python -m pipeline_core create-user`: create a staff account (the first super-admin of a new install)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add(commands: Any) -> None:
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
    command.set_defaults(handler=run, needs_servers=True)


SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{1,62}"


def check(args: argparse.Namespace) -> None:
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
    args.password = read_password(args.password_stdin)
    check_password(args.password, username=args.username, full_name=args.full_name)


def read_password(from_stdin: bool) -> str:
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


def run(args: argparse.Namespace) -> int:
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
