"""Getting an agency's data in and out (issue 19): import a file into a departure group, export a
group's SISKOPATUH workbook, manifest and jamaah list, the blank template, the error report.

The Import page, `POST /api/v1/departure-groups/{id}/imports`, `GET …/exports/{file}` and the
command line (`import`, `export`) all call these. An import is one transaction
(`commands.intake`); an export reads, builds the file and logs who exported it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import group_exports, intake
from pipeline_core.commands.intake import ImportReport, Progress, UnknownColumns
from pipeline_core.domain import group_files
from pipeline_core.domain import intake as recognise
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.group_files import ExportFile, MissingValues
from pipeline_core.domain.intake import RowError
from pipeline_core.domain.permissions import Action
from pipeline_core.domain.spreadsheets import XLSX_TYPE, FileLimits, xlsx_bytes
from pipeline_core.reads import group_roster
from pipeline_core.reads.group_roster import GroupChoice
from pipeline_core.store import db

__all__ = [
    "EXPORT_KINDS",
    "IMPORT_FIELDS",
    "IMPORT_LIMITS",
    "ExportFile",
    "GroupChoice",
    "ImportReport",
    "MissingValues",
    "Progress",
    "RowError",
    "UnknownColumns",
    "blank_template",
    "departure_group_choices",
    "error_report",
    "export_group",
    "import_file",
    "siskopatuh_gaps",
]

EXPORT_KINDS = group_files.KINDS
IMPORT_FIELDS = recognise.FIELDS
IMPORT_LIMITS = FileLimits()


def departure_group_choices(viewer: Viewer) -> list[GroupChoice]:
    """The groups one may import into or export from (either right lets you see the list)."""
    action = Action.IMPORT_JAMAAH if viewer.may(Action.IMPORT_JAMAAH) else Action.EXPORT_GROUP
    workspace = viewer.scope(action)
    with db.read_session() as session:
        return group_roster.group_choices(session, workspace)


def import_file(
    viewer: Viewer,
    package_id: int,
    data: bytes,
    file_name: str,
    *,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = True,
    valid_only: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    session: Session | None = None,
) -> ImportReport:
    """Check a file for a group (`dry_run`), or write it: all or nothing, or its valid rows only.
    `session`: a caller's (tests)."""
    with db.transaction(session) as active:
        return intake.import_jamaah(
            session=active,
            workspace=viewer.workspace,
            actor=viewer.actor,
            package_id=package_id,
            data=data,
            file_name=file_name,
            mapping=mapping,
            dry_run=dry_run,
            valid_only=valid_only,
            progress=progress,
            limits=IMPORT_LIMITS,
            now=now,
        )


def export_group(
    viewer: Viewer, package_id: int, kind: str, *, now: datetime | None = None, session: Session | None = None
) -> ExportFile:
    """One of `EXPORT_KINDS` for the group (full NIK and passport numbers), logged as
    `group.exported`. An unknown kind or group is `NotFound`."""
    workspace = viewer.scope(Action.EXPORT_GROUP)
    now = instant(now)
    if kind not in EXPORT_KINDS:
        raise NotFound("Export", kind)
    with db.transaction(session) as active:
        roster = group_roster.group_roster(active, workspace, package_id, now)
        made = group_files.build(kind, roster.code, roster.rows)
        group_exports.log_export(
            active,
            workspace=workspace,
            actor=viewer.actor,
            package_id=package_id,
            group_name=roster.name,
            kind=kind,
            jamaah=made.rows,
            now=now,
        )
    return made


def siskopatuh_gaps(
    viewer: Viewer, package_id: int, *, now: datetime | None = None
) -> tuple[MissingValues, ...]:
    """Who in the group lacks a value the Ministry requires (names and headers only, not logged:
    no NIK or passport number leaves)."""
    workspace = viewer.scope(Action.EXPORT_GROUP)
    with db.read_session() as session:
        roster = group_roster.group_roster(session, workspace, package_id, instant(now))
    return group_files.missing_values(roster.rows)


def blank_template() -> ExportFile:
    """The SISKOPATUH template's 32 headers (with its dropdowns), then passport expiry, agent and
    notes, which the import also reads: a file to fill in and upload."""
    return group_files.blank_template()


def error_report(report: ImportReport) -> ExportFile:
    """The dry run's errors as a workbook: row, column, message (formula-safe)."""
    content = xlsx_bytes(
        "Kesalahan", ("Baris", "Kolom", "Pesan"), [(e.row, e.column, e.message) for e in report.errors]
    )
    stem = report.file_name.rsplit(".", 1)[0] or "impor"
    return ExportFile(f"{stem}-kesalahan.xlsx", XLSX_TYPE, content, len(report.errors))
