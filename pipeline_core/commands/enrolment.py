"""Registering a jamaah and editing their data: every rule of `domain.jamaah_rules`, one transaction.

`enroll_jamaah` and `update_jamaah` are what the form, the API and the import call. The import
commits many rows in one transaction, so the work inside is also offered without the commit:
`enrol_checked` / `update_checked` write one already-checked jamaah into the caller's session and
hand back the event to publish after the caller commits (`services.announce`).

Choices where DOMAIN.md is silent:
- Every field problem is reported at once (`JamaahRejected`, an `InvalidInput` naming the first
  field and carrying all of them); nothing is written while one is left.
- A departure not after registration, a closed group and a full group are reported on
  `package_id` (the API's `departure_group_id`). The quota is counted under a lock of the group's
  row, so two enrolments at once cannot both take the last seat.
- Passport validity (6 months after departure) is a warning here (`Enrolment.warnings`); the hard
  stop stays at document verification.
- A duplicate NIK is a `Conflict` whose `current` is the jamaah already registered (the form links
  to them). An unknown package or companion is an `InvalidInput` on that field.
- The new jamaah's document checklist (`domain.documents.required_kinds`, all `missing`) is
  written in the same transaction, for the form, the API and every imported row alike.
- Editing cannot move a jamaah to another group (that changes deadlines: a later issue). The edit is
  logged as one `jamaah.updated` entry listing each changed field old → new, with NIK and passport
  numbers masked in the entry itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.domain import documents, permissions, privacy, rules
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict, InvalidInput, NotFound
from pipeline_core.domain.jamaah_rules import FIELDS, JamaahCheck, Problem, check_jamaah
from pipeline_core.domain.model import Actor, Gender, Jamaah, Workspace
from pipeline_core.store import documents as document_rows
from pipeline_core.store import events, jamaah_identity
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t
from pipeline_core.store.repository import Task
from pipeline_core.store.workspaces import current_version_id

__all__ = [
    "Enrolment",
    "GroupSeat",
    "JamaahRejected",
    "JamaahUpdate",
    "enrol_checked",
    "enroll_jamaah",
    "jamaah_fields",
    "lock_group",
    "update_checked",
    "update_jamaah",
]


class JamaahRejected(InvalidInput):
    """The jamaah's data breaks one or more rules: `problems` lists every one, by field."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(problems[0].field, problems[0].message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Enrolment:
    jamaah: Jamaah
    task: Task | None  # the first stage's task; None only if the version has no active stage
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class JamaahUpdate:
    jamaah_id: int
    changed: dict[str, dict[str, Any]]  # field -> {"old", "new"} (unmasked: for the caller only)
    warnings: tuple[Problem, ...] = ()


@dataclass(slots=True)
class GroupSeat:
    """A departure group as enrolment sees it, locked for the transaction."""

    id: int
    departure_date: date
    quota: int
    used: int
    status: str


def lock_group(session: Session, workspace: Workspace, package_id: int) -> GroupSeat:
    """The group's row locked (FOR UPDATE) with its seats used; `InvalidInput("package_id")` if none."""
    row = session.execute(
        select(t.Package.id, t.Package.departure_date, t.Package.quota, t.Package.status)
        .where(t.Package.workspace_id == workspace.id, t.Package.id == package_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise InvalidInput("package_id", f"Departure group {package_id} does not exist in this workspace.")
    used = session.execute(
        select(func.count())
        .select_from(t.Jamaah)
        .where(t.Jamaah.workspace_id == workspace.id, t.Jamaah.package_id == package_id)
    ).scalar_one()
    return GroupSeat(row.id, row.departure_date, row.quota, used, row.status)


def _open_seat(group: GroupSeat, today: date, taking: int = 1) -> None:
    if group.status != "open":
        raise InvalidInput("package_id", "This departure group is closed: it takes no new jamaah.")
    if group.departure_date <= today:
        raise InvalidInput(
            "package_id",
            f"The package departs on {group.departure_date:%d %b %Y}, not after the registration date "
            f"({today:%d %b %Y}); choose a later departure group.",
        )
    if group.used + taking > group.quota:
        raise InvalidInput(
            "package_id",
            f"The group is full: {group.used} of {group.quota} seats are taken. Raise its quota or "
            "choose another group.",
        )


def enroll_jamaah(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    full_name: str,
    gender: Gender | str,
    birth_date: date | str,
    nik: str,
    phone: str,
    package_id: int,
    companion_id: int | None = None,
    now: datetime | None = None,
    **fields: object,
) -> Enrolment:
    """Register a jamaah on the current pipeline version and start its first active stage.

    `fields`: any other field of `jamaah_rules.FIELDS` (passport, the SISKOPATUH fields, agent, notes).
    """
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"enroll_jamaah() got unknown fields: {', '.join(sorted(unknown))}")
    now = instant(now)
    given = {"full_name": full_name, "gender": gender, "birth_date": birth_date, "nik": nik, "phone": phone}
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.ENROL_JAMAAH)
        group = lock_group(session, workspace, package_id)
        checked = check(workspace, given | fields, group.departure_date, now)
        enrolment, event = enrol_checked(
            session, workspace, actor, checked, group, companion_id=companion_id, now=now
        )
        session.commit()
    services.announce([event])
    return enrolment


def check(
    workspace: Workspace, fields: Mapping[str, object], departure: date | None, now: datetime
) -> JamaahCheck:
    """`check_jamaah` in the workspace's time zone; raises `JamaahRejected` on any error."""
    checked = check_jamaah(fields, departure_date=departure, now=now, timezone=workspace.timezone)
    if not checked.ok:
        raise JamaahRejected(checked.errors)
    return checked


def enrol_checked(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    checked: JamaahCheck,
    group: GroupSeat,
    *,
    companion_id: int | None = None,
    now: datetime,
) -> tuple[Enrolment, events.JamaahEnrolled]:
    """Insert one checked jamaah into `group` (locked by `lock_group`) in the caller's transaction.

    No commit: the caller commits, then publishes the returned event. Refuses a closed or full group,
    a departure not after today, an unknown companion and a duplicate NIK.
    """
    today = rules.agency_today(now, workspace.timezone)
    _open_seat(group, today)
    if companion_id is not None and not repo.jamaah_exists(session, workspace.id, companion_id):
        raise InvalidInput("companion_id", f"Companion {companion_id} is not a jamaah of this workspace.")
    values = dict(checked.values) | {"package_id": group.id, "companion_id": companion_id}
    existing = repo.find_jamaah_by_nik(session, workspace.id, values["nik"])
    if existing is not None:
        raise _duplicate(values["nik"], existing)
    version_id = current_version_id(session, workspace.id)
    jamaah_id = _insert_unique_nik(
        session, workspace, values | {"pipeline_version_id": version_id, "registered_at": now}
    )
    group.used += 1  # the next row of a batch sees the seat taken
    kinds = documents.required_kinds(
        gender=values["gender"],
        birth_date=values["birth_date"],
        departure_date=group.departure_date,
        has_companion=companion_id is not None,
        enabled=document_rows.enabled_kinds(session, workspace.id),
    )
    document_rows.create_checklist(session, workspace.id, jamaah_id, kinds)
    pipeline = repo.load_jamaah_pipeline(session, workspace.id, jamaah_id)
    first = rules.current_stage(pipeline.stages, set())
    task = None if first is None else services.start_stage(session, workspace, pipeline, first, now)
    after = repo.refresh_snapshot(session, workspace_id=workspace.id, pipeline=pipeline, now=now)
    repo.log_activity(
        session,
        workspace_id=workspace.id,
        actor=actor.name,
        action=events.JamaahEnrolled.type,
        entity_type="jamaah",
        entity_id=jamaah_id,
        jamaah_id=jamaah_id,
        changes=privacy.mask_changes(repo.created(values | {"current_stage": first.code if first else None})),
        now=now,
    )
    change = events.dashboard_change(
        before=None, after=after, now=now, workspace=workspace, tasks=((None, task),) if task else ()
    )
    event = events.JamaahEnrolled(
        workspace_id=workspace.id,
        jamaah_id=jamaah_id,
        task_id=task.id if task else None,
        actor=actor.name,
        roles=events.affected_roles(task.assigned_role if task else None),
        occurred_at=now,
        views=change.views,
        change=change,
    )
    return Enrolment(pipeline.jamaah, task, checked.warnings), event


def _duplicate(nik: str, existing: Jamaah) -> Conflict:
    return Conflict(
        f"A jamaah with NIK {nik} is already registered ({existing.full_name}, jamaah {existing.id}).",
        current=existing,
    )


def _insert_unique_nik(session: Session, workspace: Workspace, values: dict[str, object]) -> int:
    """Insert under the unique (workspace, NIK) constraint: race-proof, with a clear Conflict."""
    try:
        with session.begin_nested():
            return repo.insert_jamaah(session, workspace_id=workspace.id, values=values)
    except IntegrityError as error:
        if services.constraint_name(error) != "uq_jamaah_workspace_id_nik_hash":
            raise
    existing = repo.find_jamaah_by_nik(session, workspace.id, str(values["nik"]))
    if existing is None:  # pragma: no cover - the holder was deleted in between
        raise Conflict(f"A jamaah with NIK {values['nik']} is already registered.")
    raise _duplicate(str(values["nik"]), existing)


# --- editing ---------------------------------------------------------------------------------------


def jamaah_fields(session: Session, workspace_id: int, jamaah_id: int) -> tuple[dict[str, Any], int, date]:
    """(every field of `FIELDS` as stored, NIK and passport decrypted, package_id, departure date) of
    one jamaah; `NotFound`."""
    columns = [getattr(t.Jamaah, name) for name in FIELDS if name not in ("nik", "passport_number")]
    row = session.execute(
        select(*columns, t.Jamaah.nik_encrypted, t.Jamaah.passport_encrypted)
        .add_columns(t.Jamaah.package_id, t.Package.departure_date)
        .join(
            t.Package,
            (t.Package.workspace_id == t.Jamaah.workspace_id) & (t.Package.id == t.Jamaah.package_id),
        )
        .where(t.Jamaah.workspace_id == workspace_id, t.Jamaah.id == jamaah_id)
    ).one_or_none()
    if row is None:
        raise NotFound("Jamaah", jamaah_id)
    opened = jamaah_identity.unseal(row._mapping)
    return {name: opened[name] for name in FIELDS}, row.package_id, row.departure_date


def update_jamaah(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    jamaah_id: int,
    changes: Mapping[str, object],
    now: datetime | None = None,
) -> JamaahUpdate:
    """Change some fields of a jamaah: the whole record is checked again, every change logged."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "This field cannot be changed here.")
    now = instant(now)
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.ENROL_JAMAAH)
        current, _package_id, departure = jamaah_fields(session, workspace.id, jamaah_id)
        checked = check(workspace, current | dict(changes), departure, now)
        result, event = update_checked(session, workspace, actor, jamaah_id, current, checked, now=now)
        session.commit()
    if event is not None:
        services.announce([event])
    return result


def update_checked(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    jamaah_id: int,
    current: Mapping[str, Any],
    checked: JamaahCheck,
    *,
    now: datetime,
) -> tuple[JamaahUpdate, events.JamaahUpdated | None]:
    """Write the fields that differ from `current` in the caller's transaction (no commit).

    Unchanged data writes nothing and logs nothing (`changed` empty, no event): a re-import is idempotent.
    """
    changed = {
        name: {"old": current.get(name), "new": value}
        for name, value in checked.values.items()
        if _stored(current.get(name)) != _stored(value)
    }
    if not changed:
        return JamaahUpdate(jamaah_id, {}, checked.warnings), None
    if "nik" in changed:
        holder = repo.find_jamaah_by_nik(session, workspace.id, checked.values["nik"])
        if holder is not None and holder.id != jamaah_id:
            raise _duplicate(checked.values["nik"], holder)
    session.execute(
        update(t.Jamaah)
        .where(t.Jamaah.workspace_id == workspace.id, t.Jamaah.id == jamaah_id)
        .values(
            jamaah_identity.seal({name: change["new"] for name, change in changed.items()})
            | {"updated_at": now}
        )
    )
    logged = {name: {k: repo.json_value(v) for k, v in change.items()} for name, change in changed.items()}
    repo.log_activity(
        session,
        workspace_id=workspace.id,
        actor=actor.name,
        action=events.JamaahUpdated.type,
        entity_type="jamaah",
        entity_id=jamaah_id,
        jamaah_id=jamaah_id,
        changes=privacy.mask_changes(logged),
        now=now,
    )
    event = events.JamaahUpdated(
        workspace_id=workspace.id,
        jamaah_id=jamaah_id,
        task_id=None,
        actor=actor.name,
        roles=events.affected_roles(),
        occurred_at=now,
        views=(),
    )
    return JamaahUpdate(jamaah_id, changed, checked.warnings), event


def _stored(value: object) -> object:
    return getattr(value, "value", value)
