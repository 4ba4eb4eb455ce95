"""Intake (issue 19): departure groups and enrolment, for the pages, the API and the import.

Each action is one transaction (`db.transaction()`) over `commands.departure_groups` and
`commands.enrolment`, which check the permission; reads go through `Viewer.scope`. The edit form
never receives a full NIK or passport number: `jamaah_form` hands them masked, and a blank NIK or
passport in an edit means "unchanged".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import departure_groups as groups
from pipeline_core.commands import enrolment
from pipeline_core.commands.departure_groups import DepartureChange
from pipeline_core.commands.enrolment import Enrolment, JamaahRejected, JamaahUpdate
from pipeline_core.domain import privacy
from pipeline_core.domain.clock import instant
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import departure_groups as group_reads
from pipeline_core.reads.departure_groups import GroupRecord
from pipeline_core.store import db

__all__ = [
    "DepartureChange",
    "Enrolment",
    "GroupRecord",
    "JamaahRejected",
    "JamaahUpdate",
    "create_departure_group",
    "delete_departure_group",
    "departure_group",
    "departure_groups",
    "enrol_jamaah",
    "jamaah_form",
    "preview_departure_change",
    "update_departure_group",
    "update_jamaah_data",
]

_SECRET = ("nik", "passport_number")


def departure_groups(viewer: Viewer, *, include_closed: bool = True) -> list[GroupRecord]:
    ws = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return group_reads.departure_groups(session, ws.id, include_closed=include_closed)


def departure_group(viewer: Viewer, group_id: int) -> GroupRecord:
    ws = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return group_reads.departure_group(session, ws.id, group_id)


def create_departure_group(
    viewer: Viewer, values: Mapping[str, Any], *, now: datetime | None = None
) -> GroupRecord:
    with db.transaction() as session:
        group_id = groups.create_group(
            session=session, workspace=viewer.workspace, actor=viewer.actor, values=dict(values), now=now
        )
    return departure_group(viewer, group_id)


def update_departure_group(
    viewer: Viewer, group_id: int, changes: Mapping[str, Any], *, now: datetime | None = None
) -> DepartureChange | None:
    """Save the changes; with a new departure date, what it did to the group's jamaah."""
    with db.transaction() as session:
        return groups.update_group(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            group_id=group_id,
            changes=dict(changes),
            now=now,
        )


def preview_departure_change(
    viewer: Viewer, group_id: int, departure_date: date, *, now: datetime | None = None
) -> DepartureChange:
    ws = viewer.scope(Action.MANAGE_GROUPS)
    with db.read_session() as session:
        return groups.preview_departure_change(
            session=session, workspace=ws, group_id=group_id, departure_date=departure_date, now=instant(now)
        )


def delete_departure_group(viewer: Viewer, group_id: int, *, now: datetime | None = None) -> None:
    with db.transaction() as session:
        groups.delete_group(
            session=session, workspace=viewer.workspace, actor=viewer.actor, group_id=group_id, now=now
        )


def enrol_jamaah(
    viewer: Viewer, fields: Mapping[str, Any], package_id: int, *, now: datetime | None = None
) -> Enrolment:
    """Register one jamaah into a group; `JamaahRejected` lists every field problem."""
    values = {k: v for k, v in fields.items() if k not in ("package_id", "companion_id")}
    required = {
        name: values.pop(name, None) for name in ("full_name", "gender", "birth_date", "nik", "phone")
    }
    with db.transaction() as session:
        return enrolment.enroll_jamaah(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            package_id=package_id,
            companion_id=fields.get("companion_id"),
            now=now,
            full_name=required["full_name"] or "",
            gender=required["gender"] or "",
            birth_date=required["birth_date"] or "",
            nik=required["nik"] or "",
            phone=required["phone"] or "",
            **values,
        )


def jamaah_form(viewer: Viewer, jamaah_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """(the fields as stored, with NIK and passport number left blank; the group; their masks)."""
    ws = viewer.scope(Action.ENROL_JAMAAH)
    with db.read_session() as session:
        values, package_id, _departure = enrolment.jamaah_fields(session, ws.id, jamaah_id)
    masks = {
        "nik": privacy.mask_nik(values.get("nik")),
        "passport_number": privacy.mask_passport(values.get("passport_number")),
    }
    return {k: (None if k in _SECRET else v) for k, v in values.items()}, package_id, masks


def update_jamaah_data(
    viewer: Viewer, jamaah_id: int, changes: Mapping[str, Any], *, now: datetime | None = None
) -> JamaahUpdate:
    """Edit a jamaah: a blank NIK or passport number means unchanged (the form never shows them)."""
    kept = {k: v for k, v in changes.items() if not (k in _SECRET and v in (None, ""))}
    with db.transaction() as session:
        return enrolment.update_jamaah(
            session=session,
            workspace=viewer.workspace,
            actor=viewer.actor,
            jamaah_id=jamaah_id,
            changes=kept,
            now=now,
        )
