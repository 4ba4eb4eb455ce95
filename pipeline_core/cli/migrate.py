"""`python -m pipeline_core migrate`: upgrade the database schema to the code's revision."""

from __future__ import annotations

import argparse
from typing import Any


def add(commands: Any) -> None:
    command = commands.add_parser(
        "migrate",
        help="upgrade the database schema to this version of the code",
        description="Run the database migrations (Alembic) up to the newest revision. Safe to repeat.",
    )
    command.set_defaults(handler=run, needs_servers=False)


def run(args: argparse.Namespace) -> int:
    from pipeline_core.store import db, migrate

    engine = db.get_engine()
    migrate.upgrade(engine)
    print(f"Database schema is at revision {migrate.current_revision(engine)} (the newest).")
    return 0
