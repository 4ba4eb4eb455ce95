"""Registering a jamaah on real PostgreSQL: what it creates, what it refuses and how it says so."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pipeline_core.commands.enrolment import enroll_jamaah
from pipeline_core.domain import rules
from pipeline_core.domain.errors import Conflict, InvalidInput
from pipeline_core.domain.model import Actor, Priority, Role, Workspace, WorkStatus
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t
from tests.builders import (
    MANAGER,
    NOW,
    activity_entries,
    count_rows,
    instance_row,
    jamaah_fields,
    make_jamaah,
    make_package,
    snapshot_row,
    stages_of,
)

HOUR = timedelta(hours=1)
DOC_ADMIN = Actor(user_id=None, name="Dewi Dokumen", role=Role.DOCUMENT_ADMIN)
VISA_ADMIN = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)


# --- enrolment ----------------------------------------------------------------------------------


def test_enrolment_starts_the_first_stage_with_task_snapshot_and_log(
    session: Session, workspace: Workspace
) -> None:
    enrolment = make_jamaah(session, workspace, phone="+62 812 3456 7890", full_name="  Siti   Aminah ")

    jamaah, task = enrolment.jamaah, enrolment.task
    assert task is not None
    assert (jamaah.full_name, jamaah.phone, jamaah.registered_at) == ("Siti Aminah", "+6281234567890", NOW)
    first = stages_of(session, workspace)[0]
    assert (task.stage_id, task.task_type, task.status, task.version) == (
        first.id,
        "document-collection",
        WorkStatus.PENDING,
        1,
    )
    assert task.assigned_role is Role.DOCUMENT_ADMIN
    assert task.due_at == NOW + timedelta(hours=72)  # SLA before the H-45 deadline
    assert task.priority is Priority.NORMAL  # departure ~3 months away

    instance = instance_row(session, task.stage_instance_id)
    assert (instance.status, instance.started_at, instance.due_at) == ("pending", NOW, task.due_at)
    snapshot = snapshot_row(session, jamaah.id)
    later = rules.later_sla_hours(repo.load_stages(session, workspace.id, snapshot.pipeline_version_id), 1)
    assert snapshot.current_stage_id == first.id
    assert snapshot.current_instance_id == task.stage_instance_id
    assert snapshot.current_stage_status == "pending"
    assert snapshot.current_due_at == task.due_at
    assert snapshot.projected_finish_at == task.due_at + timedelta(hours=later)
    assert (snapshot.completed_stages, snapshot.active_stages, snapshot.is_completed) == (0, 10, False)

    (entry,) = activity_entries(session, workspace)
    assert (entry.action, entry.entity_type, entry.entity_id, entry.jamaah_id) == (
        "jamaah.enrolled",
        "jamaah",
        jamaah.id,
        jamaah.id,
    )
    assert entry.actor == MANAGER.name
    assert entry.changes["phone"] == {"old": None, "new": "+6281234567890"}
    assert entry.changes["current_stage"] == {"old": None, "new": "document-collection"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "31740501"}, "nik"),
        ({"nik": "31740501057000AB"}, "nik"),
        ({"phone": "021-555-1234"}, "phone"),
        ({"phone": "0812-34"}, "phone"),
        ({"phone": "+1 415 555 0100"}, "phone"),
        ({"full_name": "Ahmad"}, "full_name"),
        ({"gender": "X"}, "gender"),
        ({"birth_date": date(2027, 1, 1)}, "birth_date"),
        ({"passport_number": "C12"}, "passport_number"),
        (
            {"passport_issue_date": date(2024, 1, 1), "passport_expiry_date": date(2023, 1, 1)},
            "passport_expiry_date",
        ),
        ({"companion_id": 987654321}, "companion_id"),
        ({"package_id": 987654321}, "package_id"),
    ],
)
def test_invalid_enrolment_names_the_field_and_writes_nothing(
    session: Session, workspace: Workspace, overrides: dict[str, Any], field: str
) -> None:
    package_id = make_package(session, workspace)
    values = jamaah_fields(package_id=package_id) | overrides
    with pytest.raises(InvalidInput) as error:
        enroll_jamaah(session=session, workspace=workspace, actor=MANAGER, now=NOW, **values)
    assert error.value.field == field
    assert error.value.message.endswith(".")
    assert count_rows(session, t.Jamaah, workspace_id=workspace.id) == 0
    assert count_rows(session, t.PipelineTask, workspace_id=workspace.id) == 0


@pytest.mark.parametrize("departure", [NOW.date(), NOW.date() - timedelta(days=3)])
def test_departure_must_be_after_registration(
    session: Session, workspace: Workspace, departure: date
) -> None:
    package_id = make_package(session, workspace, departure_date=departure)
    with pytest.raises(InvalidInput, match="not after the registration date") as error:
        make_jamaah(session, workspace, package_id=package_id)
    assert error.value.field == "package_id"


def test_a_duplicate_nik_is_a_conflict_naming_the_holder(session: Session, workspace: Workspace) -> None:
    first = make_jamaah(session, workspace, nik="3174050105700001")
    with pytest.raises(Conflict, match="3174050105700001 is already registered") as error:
        make_jamaah(session, workspace, nik="3174 0501 0570 0001", full_name="Budi Santoso")
    assert error.value.current == first.jamaah
    assert count_rows(session, t.Jamaah, workspace_id=workspace.id) == 1
    assert len(activity_entries(session, workspace)) == 1
