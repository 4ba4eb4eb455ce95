"""`python -m pipeline_core migrate [--to REVISION]`: bring the database schema to the code's
newest revision, or to a named one (a rollback to the previous release: docs/deploy.md)."""

from __future__ import annotations

import argparse
from typing import Any


def add(commands: Any) -> None:
    command = commands.add_parser(
        "migrate",
        help="upgrade the database schema to this version of the code (or --to a revision)",
        description=(
            "Run the database migrations (Alembic) up to the newest revision. Safe to repeat. With"
            " --to REVISION (e.g. 0007_api_tokens) go up or down to that revision: a downgrade drops"
            " only what the later revisions added and keeps every row written since."
        ),
    )
    command.add_argument("--to", metavar="REVISION", default=None, help="the revision to go to")
    command.set_defaults(handler=run, needs_servers=False)


def run(args: argparse.Namespace) -> int:
    from pipeline_core.domain.errors import InvalidInput
    from pipeline_core.store import db, migrate

    engine = db.get_engine()
    if args.to is None:
        migrate.upgrade(engine)
        print(f"Database schema is at revision {migrate.current_revision(engine)} (the newest).")
        return 0
    known = migrate.revisions()
    if args.to not in known:
        raise InvalidInput("to", f"There is no revision {args.to!r}; this release knows {', '.join(known)}.")
    current = migrate.current_revision(engine)
    if current is not None and known.index(args.to) < known.index(current):
        migrate.downgrade(engine, args.to)
    else:
        migrate.upgrade(engine, args.to)
    print(f"Database schema is at revision {migrate.current_revision(engine)} (was {current}).")
    return 0
