"""Registering a jamaah: validate, insert on the current pipeline version, start the first stage.

One transaction, like every command (see `services`). Choices where DOMAIN.md is silent:
- A departure not after registration is reported on `package_id`: the date comes from the package.
- Passport validity (6 months after departure) is checked at document verification, not here.
- An unknown package or companion is an `InvalidInput` on that field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.domain import permissions, rules, validation
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict, InvalidInput
from pipeline_core.domain.model import Actor, Gender, Jamaah, Workspace
from pipeline_core.store import events
from pipeline_core.store import repository as repo
from pipeline_core.store.repository import Task
from pipeline_core.store.workspaces import current_version_id

__all__ = ["Enrolment", "enroll_jamaah"]


@dataclass(frozen=True, slots=True)
class Enrolment:
    jamaah: Jamaah
    task: Task | None  # the first stage's task; None only if the version has no active stage


def enroll_jamaah(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    full_name: str,
    gender: Gender | str,
    birth_date: date,
    nik: str,
    phone: str,
    package_id: int,
    passport_number: str | None = None,
    passport_issue_date: date | None = None,
    passport_expiry_date: date | None = None,
    agent_name: str | None = None,
    notes: str | None = None,
    companion_id: int | None = None,
    now: datetime | None = None,
) -> Enrolment:
    """Register a jamaah on the current pipeline version and start its first active stage."""
    now = instant(now)
    today = rules.agency_today(now, workspace.timezone)
    values = {
        "full_name": validation.passport_name(full_name),
        "gender": validation.choice(Gender, "gender", gender).value,
        "birth_date": validation.birth_date(birth_date, today),
        "nik": validation.normalise_nik(nik),
        "phone": validation.normalise_phone(phone),
        **validation.passport_fields(passport_number, passport_issue_date, passport_expiry_date, today),
        "package_id": package_id,
        "companion_id": companion_id,
        "agent_name": validation.text_field("agent_name", agent_name, 200),
        "notes": validation.text_field("notes", notes, services.NOTES_MAX, multiline=True),
    }
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.ENROL_JAMAAH)
        departure = repo.package_departure(session, workspace.id, package_id)
        if departure is None:
            raise InvalidInput("package_id", f"Package {package_id} does not exist in this workspace.")
        if departure <= today:
            raise InvalidInput(
                "package_id",
                f"The package departs on {departure:%d %b %Y}, not after the registration date "
                f"({today:%d %b %Y}); choose a later departure group.",
            )
        if companion_id is not None and not repo.jamaah_exists(session, workspace.id, companion_id):
            raise InvalidInput("companion_id", f"Companion {companion_id} is not a jamaah of this workspace.")
        version_id = current_version_id(session, workspace.id)
        row = values | {"pipeline_version_id": version_id, "registered_at": now}
        jamaah_id = _insert_unique_nik(session, workspace, row)
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
            changes=repo.created(values | {"current_stage": first.code if first else None}),
            now=now,
        )
        session.commit()
    enrolled = events.JamaahEnrolled(
        workspace_id=workspace.id,
        jamaah_id=jamaah_id,
        task_id=task.id if task else None,
        actor=actor.name,
        roles=events.affected_roles(task.assigned_role if task else None),
        occurred_at=now,
        views=events.touched_views(before=None, after=after, now=now, workspace=workspace),
    )
    services.announce([enrolled])
    return Enrolment(pipeline.jamaah, task)


def _insert_unique_nik(session: Session, workspace: Workspace, values: dict[str, object]) -> int:
    """Insert under the unique (workspace, NIK) constraint: race-proof, with a clear Conflict."""
    try:
        with session.begin_nested():
            return repo.insert_jamaah(session, workspace_id=workspace.id, values=values)
    except IntegrityError as error:
        if services.constraint_name(error) != "uq_jamaah_workspace_id_nik":
            raise
    existing = repo.find_jamaah_by_nik(session, workspace.id, str(values["nik"]))
    holder = f" ({existing.full_name})" if existing else ""
    raise Conflict(f"A jamaah with NIK {values['nik']} is already registered{holder}.", current=existing)
