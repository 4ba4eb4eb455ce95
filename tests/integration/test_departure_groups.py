"""Departure groups on real PostgreSQL: create, edit, close, delete, and a new departure date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.commands.departure_groups import (
    create_group,
    delete_group,
    preview_departure_change,
    update_group,
)
from pipeline_core.domain.errors import Conflict, InvalidInput, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.reads.jamaah_detail import jamaah_detail
from pipeline_core.store import schema as t
from tests.builders import MANAGER, NOW, activity_entries, make_jamaah, make_package, snapshot_row

TRAVEL = Actor(user_id=None, name="Tono Travel", role=Role.TRAVEL_ADMIN)
VISA = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)


def _values(**overrides: object) -> dict[str, object]:
    return {
        "name": "Umroh Reguler 9 Hari Januari",
        "departure_date": date(2027, 1, 20),
        "return_date": date(2027, 1, 28),
        "airline": "Saudia",
        "flight_numbers": "SV 817 / SV 816",
        "quota": 45,
    } | overrides


def test_a_travel_admin_creates_a_group_with_a_code(session: Session, workspace: Workspace) -> None:
    group_id = create_group(session=session, workspace=workspace, actor=TRAVEL, values=_values(), now=NOW)
    row = session.get(t.Package, group_id)
    assert row is not None
    assert (row.code, row.status, row.flight_numbers, row.quota) == (
        "G-270120-1",
        "open",
        "SV 817 / SV 816",
        45,
    )
    assert activity_entries(session, workspace)[-1].action == "group.created"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"departure_date": NOW.date()}, "departure_date"),
        ({"return_date": date(2027, 1, 20)}, "return_date"),
        ({"quota": 0}, "quota"),
        ({"quota": "45"}, "quota"),
        ({"price_idr": -1}, "price_idr"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_group_values_are_named(
    session: Session, workspace: Workspace, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_group(
            session=session, workspace=workspace, actor=MANAGER, values=_values(**overrides), now=NOW
        )
    assert refused.value.field == field


def test_only_managers_travel_and_super_admins_manage_groups(session: Session, workspace: Workspace) -> None:
    with pytest.raises(PermissionDenied):
        create_group(session=session, workspace=workspace, actor=VISA, values=_values(), now=NOW)


def test_a_group_with_jamaah_is_closed_not_deleted(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace)
    make_jamaah(session, workspace, package_id=package_id)
    with pytest.raises(Conflict, match="close it instead"):
        delete_group(session=session, workspace=workspace, actor=MANAGER, group_id=package_id, now=NOW)
    update_group(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        group_id=package_id,
        changes={"status": "closed"},
        now=NOW,
    )
    assert session.get(t.Package, package_id).status == "closed"  # type: ignore[union-attr]
    empty = make_package(session, workspace)
    delete_group(session=session, workspace=workspace, actor=MANAGER, group_id=empty, now=NOW)
    assert session.get(t.Package, empty) is None


def test_the_quota_cannot_drop_below_the_seats_taken(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace, quota=5)
    make_jamaah(session, workspace, package_id=package_id)
    make_jamaah(session, workspace, package_id=package_id)
    with pytest.raises(InvalidInput, match="2 jamaah") as refused:
        update_group(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            group_id=package_id,
            changes={"quota": 1},
            now=NOW,
        )
    assert refused.value.field == "quota"


def test_a_new_departure_date_moves_deadlines_and_statuses_as_previewed(
    session: Session, workspace: Workspace
) -> None:
    # Departing in 60 days: document collection (72 h, done by H-45) is due 72 h after enrolment.
    package_id = make_package(session, workspace, departure_date=NOW.date() + timedelta(days=60))
    enrolled = [make_jamaah(session, workspace, package_id=package_id) for _ in range(3)]
    later = NOW + timedelta(days=1)
    new_departure = NOW.date() + timedelta(days=38)  # H-45 has passed: document collection is overdue

    preview = preview_departure_change(
        session=session, workspace=workspace, group_id=package_id, departure_date=new_departure, now=later
    )
    statuses_before = [jamaah_status(session, workspace, e.jamaah.id, later) for e in enrolled]
    moved = update_group(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        group_id=package_id,
        changes={"departure_date": new_departure, "return_date": new_departure + timedelta(days=8)},
        now=later,
    )
    statuses_after = [jamaah_status(session, workspace, e.jamaah.id, later) for e in enrolled]

    assert moved == preview
    assert preview.jamaah == 3 and preview.deadlines_moved == 3
    actual = sum(1 for b, a in zip(statuses_before, statuses_after, strict=True) if a != b)
    assert preview.status_changes == actual == 3
    assert preview.by_change == {"on-track → overdue": 3}
    snapshot = snapshot_row(session, enrolled[0].jamaah.id)
    assert snapshot.departure_date == new_departure
    first_task = enrolled[0].task
    assert first_task is not None
    task_due = session.execute(
        select(t.PipelineTask.due_at).where(t.PipelineTask.id == first_task.id)
    ).scalar_one()
    assert task_due == snapshot.current_due_at < first_task.due_at
    assert activity_entries(session, workspace)[-1].action == "group.updated"


def test_a_departure_date_change_is_all_or_nothing(session: Session, workspace: Workspace) -> None:
    package_id = make_package(session, workspace, departure_date=NOW.date() + timedelta(days=60))
    make_jamaah(session, workspace, package_id=package_id)
    with pytest.raises(InvalidInput):  # the return date is now before the departure
        update_group(
            session=session, workspace=workspace, actor=MANAGER, group_id=package_id,
            changes={"departure_date": NOW.date() + timedelta(days=200)}, now=NOW,
        )  # fmt: skip
    assert session.get(t.Package, package_id).departure_date == NOW.date() + timedelta(days=60)  # type: ignore[union-attr]


def jamaah_status(session: Session, workspace: Workspace, jamaah_id: int, now: object) -> str:
    return str(jamaah_detail(session, workspace, jamaah_id, now=now).status)  # type: ignore[arg-type]


def test_events_are_published_after_commit_only(session: Session, workspace: Workspace) -> None:
    from tests.builders import stream_entries

    before = len(stream_entries(workspace))
    package_id = make_package(session, workspace, departure_date=NOW.date() + timedelta(days=60))
    make_jamaah(session, workspace, package_id=package_id)
    with pytest.raises(InvalidInput):
        update_group(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            group_id=package_id,
            changes={"quota": 0},
            now=NOW,
        )
    update_group(
        session=session, workspace=workspace, actor=MANAGER, group_id=package_id,
        changes={"departure_date": NOW.date() + timedelta(days=47)}, now=NOW,
    )  # fmt: skip
    published = stream_entries(workspace)[before:]
    assert [e["type"] for e in published] == ["jamaah.enrolled", "group.changed"]
    assert published[-1]["package_id"] == package_id and published[-1]["moved"] == 1
