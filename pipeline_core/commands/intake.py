"""Importing a file of jamaah into a departure group: a dry run, then one all-or-nothing commit.

`import_jamaah` reads the file (`domain.spreadsheets`), puts its columns on fields
(`domain.intake`), checks every row with the form's rules (`check_row`), and classifies it: **new**
(its NIK is not in the workspace), **updated** (the NIK is a jamaah of this group and a value
differs), **unchanged**, or in **error** (row number + column + message). With `dry_run` nothing is
written. Otherwise, in one transaction: the new jamaah are enrolled exactly as the form enrols one
(newest pipeline version, first stage started with its task, snapshot row, a `jamaah.enrolled`
activity entry), the updated ones changed field by field (a `jamaah.updated` entry with old → new),
plus one `jamaah.imported` entry (who, file name, counts); after the commit one live event for
the whole import. Choices where the issue is silent:

- **All or nothing** by default: one row in error and nothing is written (the report says why).
  `valid_only=True` writes the valid rows and leaves the rest.
- **Idempotent by NIK**: a row whose values are already stored is unchanged, so importing the same
  file twice changes nothing the second time. An empty cell never clears a stored value (files are
  often partial); the SISKOPATUH template carries no passport expiry, so its import keeps it.
- A NIK registered in **another group** of the workspace is an error on the NIK column (moving a
  jamaah between groups is not an import's business); the same NIK twice in the file is an error on
  the second row, naming the first.
- **Quota**: new rows beyond the group's free seats are errors ("the group is full"), in file order.
- **Batched SQL**: one statement per table per batch of `BATCH` rows (executemany with RETURNING),
  one read of the existing NIKs, the first stage's due date computed once (same departure, same
  instant for every row); `progress(done, total)` is called after each batch. An interruption
  (an error, a progress callback that raises, a lost connection) rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import LargeBinary, Table, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from pipeline_core.commands import intake_batches as batches
from pipeline_core.commands.intake_batches import Group
from pipeline_core.commands.tasks import announce, one_transaction
from pipeline_core.domain import intake, jamaah_rules, permissions, rules, validation
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import InvalidInput, NotFound
from pipeline_core.domain.intake import HeaderMatch, RowError
from pipeline_core.domain.model import ADMIN_ROLES, Actor, EventKind, Workspace
from pipeline_core.domain.spreadsheets import FileLimits, read_table
from pipeline_core.store import events, jamaah_identity
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import current_version_id

__all__ = ["BATCH", "ImportReport", "Progress", "UnknownColumns", "check_row", "import_jamaah"]

BATCH = 1000
Progress = Callable[[int, int], None]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


_JAMAAH = _table(t.Jamaah)
LIMITS = FileLimits()


class UnknownColumns(InvalidInput):
    """Headers recognised by no name and not mapped: the page asks, the API answers 422."""

    def __init__(self, headers: Sequence[str]) -> None:
        names = ", ".join(repr(h) for h in headers)
        super().__init__("mapping", f"Unknown columns: {names}. Map each to a field or to '-' (skip).")
        self.headers = tuple(headers)


@dataclass(frozen=True, slots=True)
class ImportReport:
    file_name: str
    rows: int
    new: int
    updated: int
    unchanged: int
    error_rows: int
    errors: tuple[RowError, ...]
    committed: bool  # False: a dry run, or refused because of errors (all-or-nothing)
    warnings: tuple[RowError, ...] = ()  # saved anyway (e.g. a passport expiring soon after departure)
    columns: tuple[tuple[str, str | None], ...] = ()  # the file's header → field

    def counts(self) -> dict[str, int]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_rows": self.error_rows,
        }


@dataclass(slots=True)
class _Plan:
    new: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    updated: list[tuple[int, int, dict[str, dict[str, Any]]]] = field(default_factory=list)
    unchanged: int = 0
    errors: dict[int, list[RowError]] = field(default_factory=dict)
    warnings: list[RowError] = field(default_factory=list)


def import_jamaah(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    package_id: int,
    data: bytes,
    file_name: str,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = True,
    valid_only: bool = False,
    progress: Progress | None = None,
    limits: FileLimits = LIMITS,
    now: datetime | None = None,
) -> ImportReport:
    """Check (and unless `dry_run`, write) a file of jamaah for one group; see the module doc."""
    now = instant(now)
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.IMPORT_JAMAAH)
        sheet = read_table(data, file_name, limits)
        match = intake.match_headers(sheet.headers, mapping)
        _require_columns(match)
        group = _group(session, workspace, package_id, now)
        plan = _plan(session, workspace, group, match, sheet.rows, now)
        wrote = not dry_run and (valid_only or not plan.errors)
        report = _report(file_name, len(sheet.rows), plan, match, committed=wrote)
        if not wrote:
            session.rollback()
            return report
        _write(session, workspace, actor, group, plan, report, progress, now)
        session.commit()
    if report.new or report.updated:
        announce([_event(workspace, actor, report, now)])
    return report


def _require_columns(match: HeaderMatch) -> None:
    if match.unknown:
        raise UnknownColumns(match.unknown)
    if match.repeated:
        raise InvalidInput("mapping", f"Two columns hold the same field: {', '.join(match.repeated)}.")
    if "nik" not in match.fields:
        raise InvalidInput(
            "file", "The file has no NIK column (No Identitas / NIK): rows are matched by NIK."
        )


def _group(session: Session, workspace: Workspace, package_id: int, now: datetime) -> Group:
    row = session.execute(
        select(t.Package.id, t.Package.name, t.Package.departure_date, t.Package.quota, t.Package.status)
        .where(t.Package.workspace_id == workspace.id, t.Package.id == package_id)
        .with_for_update()  # two imports into one group queue here: the quota holds
    ).one_or_none()
    if row is None:
        raise NotFound("Departure group", package_id)
    if row.status == "closed":
        raise InvalidInput("departure_group_id", f"The group {row.name} is closed: it takes no more jamaah.")
    today = rules.agency_today(now, workspace.timezone)
    if row.departure_date <= today:
        raise InvalidInput(
            "departure_group_id",
            f"The group departs on {row.departure_date:%d %b %Y}, not after today; choose a later group.",
        )
    enrolled = session.execute(
        select(func.count()).where(t.Jamaah.workspace_id == workspace.id, t.Jamaah.package_id == package_id)
    ).scalar_one()
    return Group(row.id, row.name, row.departure_date, row.quota, enrolled)


# --- the dry run --------------------------------------------------------------------------------


def _plan(
    session: Session,
    workspace: Workspace,
    group: Group,
    match: HeaderMatch,
    rows: Sequence[tuple[int, tuple[Any, ...]]],
    now: datetime,
) -> _Plan:
    plan = _Plan()
    read = [intake.read_row(number, cells, match) for number, cells in rows]
    existing = _existing(session, workspace, {r.values["nik"] for r in read if r.values.get("nik")})
    first_row: dict[str, int] = {}
    seats = group.quota - group.enrolled
    nik_column = match.column_of("nik")
    for row in read:
        errors = list(row.errors)
        nik = _nik(row.values.get("nik"))
        holder = existing.get(nik) if nik else None
        if nik and nik in first_row:
            errors.append(
                RowError(row.row, nik_column, f"NIK {nik} is also on row {first_row[nik]} of this file.")
            )
        elif nik:
            first_row[nik] = row.row
        if holder is not None and holder["package_id"] != group.id:
            errors.append(
                RowError(
                    row.row,
                    nik_column,
                    f"NIK {nik} is already registered in another group ({holder['full_name']}).",
                )
            )
        merged = {**(holder or {}), **{k: v for k, v in row.values.items() if v is not None}}
        values, problems, warnings = check_row(merged, group.departure, workspace, now)
        errors += [RowError(row.row, match.column_of(name), message) for name, message in problems]
        plan.warnings += [RowError(row.row, match.column_of(name), message) for name, message in warnings]
        if errors:
            plan.errors[row.row] = errors
        elif holder is None:
            if seats <= 0:
                plan.errors[row.row] = [RowError(row.row, "-", f"The group is full (quota {group.quota}).")]
                continue
            seats -= 1
            plan.new.append((row.row, values))
        else:
            changes = {
                k: {"old": holder.get(k), "new": v}
                for k, v in values.items()
                if k in row.values and row.values[k] is not None and holder.get(k) != v
            }
            if changes:
                plan.updated.append((row.row, holder["id"], changes))
            else:
                plan.unchanged += 1
    return plan


def _nik(value: Any) -> str | None:
    try:
        return validation.normalise_nik(value) if isinstance(value, str) else None
    except InvalidInput:
        return None


def _existing(session: Session, workspace: Workspace, niks: set[str]) -> dict[str, dict[str, Any]]:
    """The jamaah already holding these NIKs, by NIK (found by keyed hash, decrypted)."""
    clean = sorted(n for n in (_nik(v) for v in niks) if n)
    if not clean:
        return {}
    hashes = [h for nik in clean for h in jamaah_identity.nik_hashes(nik)]
    found = session.execute(
        select(_JAMAAH).where(
            _JAMAAH.c.workspace_id == workspace.id,
            _JAMAAH.c.nik_hash == any_(bindparam("hashes", hashes, type_=ARRAY(LargeBinary))),
        )
    ).mappings()
    opened = (jamaah_identity.unseal(row) for row in found)
    return {row["nik"]: row for row in opened}


def check_row(
    values: Mapping[str, Any], departure: date, workspace: Workspace, now: datetime
) -> tuple[dict[str, Any], list[tuple[str, str]], list[tuple[str, str]]]:
    """The form's rules (`jamaah_rules.check_jamaah`) over one row: the values to store, and
    (field, message) for each error and each warning."""
    checked = jamaah_rules.check_jamaah(
        values, departure_date=departure, now=now, timezone=workspace.timezone
    )
    stored = {k: v for k, v in checked.values.items() if k in jamaah_identity.FIELDS}
    return (
        stored,
        [(p.field, p.message) for p in checked.errors],
        [(p.field, p.message) for p in checked.warnings],
    )


def _report(file_name: str, rows: int, plan: _Plan, match: HeaderMatch, *, committed: bool) -> ImportReport:
    errors = tuple(e for number in sorted(plan.errors) for e in plan.errors[number])
    return ImportReport(
        file_name=file_name,
        rows=rows,
        new=len(plan.new),
        updated=len(plan.updated),
        unchanged=plan.unchanged,
        error_rows=len(plan.errors),
        errors=errors,
        committed=committed,
        warnings=tuple(plan.warnings),
        columns=tuple(zip(match.headers, match.columns, strict=True)),
    )


# --- the commit ---------------------------------------------------------------------------------


def _write(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    group: Group,
    plan: _Plan,
    report: ImportReport,
    progress: Progress | None,
    now: datetime,
) -> None:
    total = len(plan.new) + len(plan.updated)
    done = 0
    version_id = current_version_id(session, workspace.id)
    stages = repo.load_stages(session, workspace.id, version_id)
    first = rules.current_stage(stages, set())
    start = batches.first_stage(workspace, group, stages, first, now)
    for offset in range(0, len(plan.new), BATCH):
        batch = [values for _, values in plan.new[offset : offset + BATCH]]
        batches.enrol_batch(session, workspace, actor, group, version_id, start, batch, now)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    for offset in range(0, len(plan.updated), BATCH):
        chunk = plan.updated[offset : offset + BATCH]
        batches.update_batch(session, workspace, actor, chunk, now)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    repo.log_activity(
        session,
        workspace_id=workspace.id,
        actor=actor.name,
        action=EventKind.JAMAAH_IMPORTED,
        entity_type="package",
        entity_id=group.id,
        jamaah_id=None,
        changes={"file": {"new": report.file_name}, "group": {"new": group.name}}
        | {name: {"new": count} for name, count in report.counts().items()},
        now=now,
    )


def _event(workspace: Workspace, actor: Actor, report: ImportReport, now: datetime) -> events.Event:
    return events.JamaahImported(
        workspace_id=workspace.id,
        jamaah_id=None,
        task_id=None,
        actor=actor.name,
        actor_id=actor.user_id,
        roles=events.affected_roles(*ADMIN_ROLES),
        occurred_at=now,
        views=events.ALL_VIEWS,
        new=report.new,
        updated=report.updated,
    )
