"""`python -m pipeline_core api-token create|revoke|list`: personal API tokens from the command line.

    api-token create --workspace SLUG --username NAME --name "booking site" [--days 90]
                                  prints the token once (stdout, alone on its line)
    api-token revoke --workspace SLUG --id N
    api-token list --workspace SLUG [--username NAME]

The command line acts as the system (a super-admin without an account), like `create-user`, so
it can make a token for anyone of the workspace; every creation and revocation is in the activity
log under "sistem".
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_DAYS = 90  # as pipeline_core.commands.api_tokens.DEFAULT_DAYS


def add(commands: Any) -> None:
    command = commands.add_parser(
        "api-token",
        help="create, revoke or list personal API tokens",
        description="Personal API tokens for programs calling /api/v1 (docs/http-api.md).",
    )
    actions = command.add_subparsers(dest="token_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a token; it is printed once")
    create.add_argument("--workspace", required=True, metavar="SLUG", help="e.g. demo-13")
    create.add_argument("--username", required=True, help="whose token, e.g. manager@demo-13")
    create.add_argument("--name", required=True, help='what uses it, e.g. "booking site"')
    create.add_argument("--days", type=int, default=DEFAULT_DAYS, help="lifetime, 1-366 days (default 90)")
    revoke = actions.add_parser("revoke", help="revoke a token by its id (see list)")
    revoke.add_argument("--workspace", required=True, metavar="SLUG")
    revoke.add_argument("--id", required=True, type=int, dest="token_id")
    listing = actions.add_parser("list", help="the workspace's tokens (never the tokens themselves)")
    listing.add_argument("--workspace", required=True, metavar="SLUG")
    listing.add_argument("--username", help="only this person's")
    command.set_defaults(handler=run, needs_servers=True)


def _user_id(session: Any, workspace_id: int, username: str) -> int:
    from sqlalchemy import func, select

    from pipeline_core.domain.errors import InvalidInput
    from pipeline_core.store import schema as t

    found = session.execute(
        select(t.User.id).where(
            t.User.workspace_id == workspace_id, func.lower(t.User.username) == username.strip().lower()
        )
    ).scalar_one_or_none()
    if found is None:
        raise InvalidInput("--username", f"no user {username!r} in this workspace")
    return int(found)


def run(args: argparse.Namespace) -> int:
    from pipeline_core.commands import api_tokens
    from pipeline_core.commands.accounts import SYSTEM
    from pipeline_core.store import db
    from pipeline_core.store.workspaces import get_workspace

    with db.read_session() as session:
        workspace = get_workspace(session, args.workspace)
        user_id = _user_id(session, workspace.id, args.username) if getattr(args, "username", None) else None
    if args.token_action == "create":
        assert user_id is not None
        issued = api_tokens.create_token(
            actor=SYSTEM, workspace_id=workspace.id, user_id=user_id, name=args.name, days=args.days
        )
        info = issued.info
        print(
            f"Token {info.id} for {info.username} ({info.name}), valid until {info.expires_at:%d %b %Y}:",
            file=sys.stderr,
        )
        print(issued.token)
        print("It is shown this once: keep it secret.", file=sys.stderr)
        return 0
    if args.token_action == "revoke":
        info = api_tokens.revoke_token(actor=SYSTEM, workspace_id=workspace.id, token_id=args.token_id)
        print(f"Token {info.id} ({info.prefix}…, {info.name}) of {info.username} is revoked.")
        return 0
    with db.read_session() as session:
        for info in api_tokens.token_info(session, workspace.id, user_id):
            state = "revoked" if info.revoked_at else f"expires {info.expires_at:%d %b %Y}"
            used = f"last used {info.last_used_at:%d %b %Y %H:%M}" if info.last_used_at else "never used"
            print(f"{info.id:>5}  {info.prefix}…  {info.username:<28} {info.name:<24} {state}, {used}")
    return 0
