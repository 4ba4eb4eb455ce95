"""Registering a jamaah on real PostgreSQL: what it creates, what it refuses and how it says so."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update
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


# --- issue 19: the template's fields, every rule, the quota, editing ------------------------------

from pipeline_core.commands.enrolment import JamaahRejected, update_jamaah  # noqa: E402


def test_enrolment_stores_the_template_fields_as_the_template_spells_them(
    session: Session, workspace: Workspace
) -> None:
    enrolment = make_jamaah(
        session, workspace, title="Bapak", marital_status="Kawin", education="SMA", occupation="Wiraswasta",
        province="Jawa Barat", regency="Kota Bandung", passport_name="AHMAD HIDAYAT",
    )  # fmt: skip
    row = session.get(t.Jamaah, enrolment.jamaah.id)
    assert row is not None
    assert (row.title, row.marital_status, row.education, row.occupation) == (
        "TUAN", "MENIKAH", "SMA/MA", "WIRAUSAHA",
    )  # fmt: skip
    assert (row.province, row.regency, row.identity_type, row.nationality) == (
        "JAWA BARAT", "KOTA BANDUNG", "NIK", "WNI",
    )  # fmt: skip


def test_every_problem_at_once_and_nothing_saved(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace)
    with pytest.raises(JamaahRejected) as refused:
        make_jamaah(
            session, workspace, package_id=package_id, nik="3174050205700001", passport_name="AHMAD",
            occupation="Dagang",
        )  # fmt: skip
    assert [p.field for p in refused.value.problems] == ["nik", "occupation", "passport_name"]
    assert count_rows(session, t.Jamaah, workspace_id=workspace.id) == 0


def test_a_womans_nik_needs_day_plus_40(session: Session, workspace: Workspace) -> None:
    with pytest.raises(InvalidInput, match=r"\+ 40") as refused:
        make_jamaah(session, workspace, gender="P", full_name="Siti Aminah", nik="3174050105700002")
    assert refused.value.field == "nik"
    enrolled = make_jamaah(session, workspace, gender="P", full_name="Siti Aminah", nik="3174054105700002")
    assert enrolled.jamaah.nik == "3174054105700002"


def test_a_short_passport_is_a_warning_and_the_jamaah_is_enrolled(
    session: Session, workspace: Workspace
) -> None:
    package_id = make_package(session, workspace, departure_date=date(2027, 1, 20))
    enrolment = make_jamaah(session, workspace, package_id=package_id, passport_expiry_date=date(2027, 7, 19))
    assert [w.field for w in enrolment.warnings] == ["passport_expiry_date"]
    assert count_rows(session, t.Jamaah, workspace_id=workspace.id) == 1


def test_a_full_group_is_refused(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace, quota=2)
    make_jamaah(session, workspace, package_id=package_id)
    make_jamaah(session, workspace, package_id=package_id)
    with pytest.raises(InvalidInput, match="The group is full: 2 of 2") as refused:
        make_jamaah(session, workspace, package_id=package_id)
    assert refused.value.field == "package_id"
    assert count_rows(session, t.Jamaah, workspace_id=workspace.id) == 2


def test_a_closed_group_takes_no_one(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace)
    session.execute(update(t.Package).where(t.Package.id == package_id).values(status="closed"))
    session.commit()
    with pytest.raises(InvalidInput, match="closed"):
        make_jamaah(session, workspace, package_id=package_id)


def test_a_duplicate_nik_names_the_existing_jamaah_to_link_to(session: Session, workspace: Workspace) -> None:
    first = make_jamaah(session, workspace, nik="3174050105700001")
    with pytest.raises(Conflict, match=f"jamaah {first.jamaah.id}") as refused:
        make_jamaah(session, workspace, nik="3174050105700001", full_name="Budi Santoso")
    assert refused.value.current.id == first.jamaah.id


def test_editing_is_checked_and_logged_field_by_field_with_numbers_masked(
    session: Session, workspace: Workspace
) -> None:
    jamaah = make_jamaah(session, workspace, nik="3174050105700001").jamaah
    result = update_jamaah(
        session=session, workspace=workspace, actor=DOC_ADMIN, jamaah_id=jamaah.id, now=NOW,
        changes={"passport_number": "E7654321", "occupation": "PNS", "phone": "0812 1111 2222"},
    )  # fmt: skip
    assert set(result.changed) == {"passport_number", "occupation", "phone"}
    entry = activity_entries(session, workspace)[-1]
    assert entry.action == "jamaah.updated" and entry.actor == DOC_ADMIN.name
    assert entry.changes["occupation"] == {"old": None, "new": "PNS"}
    assert entry.changes["phone"] == {"old": "+6281234567890", "new": "+6281211112222"}
    assert "7654321" not in str(entry.changes) and "C1234567" not in str(entry.changes)

    again = update_jamaah(
        session=session, workspace=workspace, actor=DOC_ADMIN, jamaah_id=jamaah.id, now=NOW,
        changes={"occupation": "pns"},
    )  # fmt: skip
    assert again.changed == {}
    assert len(activity_entries(session, workspace)) == 2

    with pytest.raises(InvalidInput) as refused:
        update_jamaah(
            session=session, workspace=workspace, actor=DOC_ADMIN, jamaah_id=jamaah.id, now=NOW,
            changes={"birth_date": date(1971, 5, 1)},
        )  # fmt: skip
    assert refused.value.field == "nik"  # the NIK encodes 1970


def test_only_the_document_desk_and_managers_edit(session: Session, workspace: Workspace) -> None:
    from pipeline_core.domain.errors import PermissionDenied

    jamaah = make_jamaah(session, workspace).jamaah
    with pytest.raises(PermissionDenied):
        update_jamaah(
            session=session, workspace=workspace, actor=VISA_ADMIN, jamaah_id=jamaah.id, now=NOW,
            changes={"occupation": "PNS"},
        )  # fmt: skip
