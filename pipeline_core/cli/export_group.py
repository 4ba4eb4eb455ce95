"""`python -m pipeline_core export`: a departure group's file, for scripts.

    export --workspace SLUG --group ID --file siskopatuh.xlsx|manifest.xlsx|jamaah.xlsx|jamaah.csv
           [--output PATH] [--username NAME]

Writes the file (default: its own name, e.g. `UMR-0301-siskopatuh.xlsx`, in the current folder)
and, for the SISKOPATUH workbook, lists on stderr the jamaah lacking a value the Ministry requires.
The export is in the activity log (who exported which group's data), as from the page; it acts as
`--username` (who must hold `export_group`), else as the system with a manager's rights.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

KINDS = ("siskopatuh.xlsx", "manifest.xlsx", "jamaah.xlsx", "jamaah.csv")  # as app.intake_files.EXPORT_KINDS


def add(commands: Any) -> None:
    command = commands.add_parser(
        "export",
        help="export a group's SISKOPATUH workbook, manifest or jamaah list",
        description="A departure group's file, as the page's export buttons make it (logged).",
    )
    command.add_argument("--workspace", required=True, metavar="SLUG")
    command.add_argument("--group", required=True, type=int, metavar="ID", help="the departure group's id")
    command.add_argument("--file", required=True, choices=KINDS, dest="kind")
    command.add_argument("--output", type=Path, help="where to write it (default: its name, here)")
    command.add_argument("--username", help="act as this user (default: the system, a manager's rights)")
    command.set_defaults(handler=run, needs_servers=True)


def run(args: argparse.Namespace) -> int:
    from pipeline_core.app import intake_files as intake
    from pipeline_core.cli.import_jamaah import viewer_for

    made = intake.export_group(viewer_for(args.workspace, args.username), args.group, args.kind)
    target = args.output or Path(made.file_name)
    target.write_bytes(made.content)
    print(f"{target}: {made.rows:,} jamaah")
    for missing in made.missing:
        print(f"  row {missing.row}, {missing.full_name}: no {', '.join(missing.headers)}", file=sys.stderr)
    if made.missing:
        print(f"{len(made.missing):,} jamaah lack a value the Ministry requires", file=sys.stderr)
    return 0
