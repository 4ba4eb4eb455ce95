"""`python -m pipeline_core import`: a file of jamaah into a departure group, for scripts.

    import --workspace SLUG --group ID FILE [--commit [--valid-only]] [--map "Header=field" …]
           [--username NAME] [--errors OUT.xlsx]

Without `--commit` it is a dry run: the counts (new, updated, unchanged, error rows) and each error
as `row N, column: message`. `--commit` writes all rows or none; with `--valid-only` the valid rows.
`--map` places a header the import does not know (`field` or `-` to skip it). It acts as the
user `--username` (their role and name in the activity log), else as the system with a manager's
rights. Exit codes: 0 done (a dry run without errors, or written); 1 rows in error (nothing or
only the valid rows written); 2 the file or a value refused as a whole (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SHOWN = 200  # errors printed; all of them go to --errors


def add(commands: Any) -> None:
    command = commands.add_parser(
        "import",
        help="import jamaah from .xlsx/.xlsm/.csv into a group (dry run unless --commit)",
        description="Import jamaah into a departure group (docs/user-guide.en.md, 'Data in and out').",
    )
    command.add_argument("file", type=Path, help=".xlsx, .xlsm or .csv; the header in the first row")
    command.add_argument("--workspace", required=True, metavar="SLUG")
    command.add_argument("--group", required=True, type=int, metavar="ID", help="the departure group's id")
    command.add_argument("--commit", action="store_true", help="write (default: a dry run)")
    command.add_argument("--valid-only", action="store_true", help="with --commit: write the valid rows only")
    command.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="place an unknown column ('-' skips)",
    )
    command.add_argument("--username", help="act as this user (default: the system, a manager's rights)")
    command.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="write the errors as a workbook")
    command.set_defaults(handler=run, needs_servers=True)


def viewer_for(slug: str, username: str | None) -> Any:
    """The user `username` of the workspace as a viewer, else the system with a manager's rights."""
    from sqlalchemy import func, select

    from pipeline_core.app.viewer import Viewer, system_viewer
    from pipeline_core.domain.errors import InvalidInput
    from pipeline_core.domain.model import Actor, Role
    from pipeline_core.store import db
    from pipeline_core.store import schema as t
    from pipeline_core.store.workspaces import get_workspace

    with db.read_session() as session:
        workspace = get_workspace(session, slug)
        if username is None:
            return system_viewer(workspace, Role.MANAGER, name="sistem (command line)")
        user = session.execute(
            select(t.User.id, t.User.full_name, t.User.role).where(
                t.User.workspace_id == workspace.id,
                func.lower(t.User.username) == username.strip().lower(),
                t.User.is_active,
            )
        ).one_or_none()
    if user is None:
        raise InvalidInput("--username", f"no active user {username!r} in this workspace")
    return Viewer(
        workspace=workspace, actor=Actor(user_id=user.id, name=user.full_name, role=Role(user.role))
    )


def _mapping(pairs: list[str]) -> dict[str, str]:
    from pipeline_core.domain.errors import InvalidInput

    mapping = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip():
            raise InvalidInput("--map", f"write HEADER=FIELD, got {pair!r}")
        mapping[header.strip()] = field.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    from pipeline_core.app import intake_files as intake
    from pipeline_core.domain.errors import InvalidInput

    try:
        data = args.file.read_bytes()
    except OSError:
        raise InvalidInput("file", f"{args.file} cannot be read (no such file, or not allowed).") from None
    viewer = viewer_for(args.workspace, args.username)

    def progress(done: int, total: int) -> None:
        print(f"  written {done:,} of {total:,}", file=sys.stderr)

    report = intake.import_file(
        viewer,
        args.group,
        data,
        args.file.name,
        mapping=_mapping(args.map),
        dry_run=not args.commit,
        valid_only=args.valid_only,
        progress=progress,
    )
    state = "written" if report.committed else "dry run" if not args.commit else "NOT written (rows in error)"
    print(
        f"{args.file.name}: {report.rows:,} rows — new {report.new:,}, updated {report.updated:,}, "
        f"unchanged {report.unchanged:,}, in error {report.error_rows:,} ({state})"
    )
    for error in report.errors[:SHOWN]:
        print(f"  row {error.row}, {error.column}: {error.message}")
    if len(report.errors) > SHOWN:
        print(f"  … and {len(report.errors) - SHOWN:,} more (--errors OUT.xlsx writes them all)")
    for warning in report.warnings[:SHOWN]:
        print(f"  warning: row {warning.row}, {warning.column}: {warning.message}")
    if args.errors is not None and report.errors:
        args.errors.write_bytes(intake.error_report(report).content)
        print(f"errors written to {args.errors}", file=sys.stderr)
    return 1 if report.error_rows else 0
