"""Departure groups (the `packages` table): create, edit, close, delete; a new date moves deadlines.

One transaction per action, like every command. Choices where the issue is silent:
- A group's code is optional: without one it gets `G-<yymmdd>-<n>` from its departure date.
- The departure must be after today when a group is created or its date changed; the return after
  the departure; the quota 1–1,000 and never below the seats already taken.
- A group with jamaah cannot be deleted (`Conflict`): close it instead (a closed group takes no new
  jamaah; its jamaah carry on). An empty group may be deleted.
- Changing the departure date recomputes, in the same transaction, the due date of every open
  stage instance of its jamaah that has a "done by H-n" deadline (the earlier of start + SLA and
  H-n, `rules.stage_due_at`), the due date of that stage's open task, and each jamaah's snapshot.
  `preview_departure_change` computes the same with the same rules and changes nothing: how many
  jamaah would change status (on-track / at-risk / overdue), which the form shows before saving.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.domain import permissions, rules, validation
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import Conflict, InvalidInput, NotFound
from pipeline_core.domain.model import ADMIN_ROLES, Actor, JamaahStatus, View, Workspace
from pipeline_core.store import events
from pipeline_core.store import repository as repo
from pipeline_core.store import schema as t

__all__ = [
    "DepartureChange",
    "create_group",
    "delete_group",
    "preview_departure_change",
    "update_group",
]

GROUP_FIELDS = (
    "code",
    "name",
    "departure_date",
    "return_date",
    "airline",
    "flight_numbers",
    "quota",
    "price_idr",
    "status",
)
QUOTA_MAX = 1000


@dataclass(frozen=True, slots=True)
class DepartureChange:
    """What a new departure date does to a group's jamaah, before (preview) or after saving."""

    jamaah: int  # jamaah in the group
    deadlines_moved: int  # open stages whose due date changes
    status_changes: int  # jamaah whose status changes
    by_change: dict[str, int]  # "on-track → at-risk": n


def _clean(values: dict[str, Any], today: date, *, creating: bool) -> dict[str, Any]:
    out = _texts(values) | _dates(values, today) | _numbers(values)
    if "status" in values:
        if values["status"] not in ("open", "closed"):
            raise InvalidInput("status", "The status is open or closed.")
        out["status"] = values["status"]
    if creating:
        for name in ("name", "departure_date", "return_date", "quota"):
            if name not in out:
                raise InvalidInput(name, "Required: fill it in.")
    return out


def _texts(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = validation.clean_text("name", values["name"] or "", 200)
        if not out["name"]:
            raise InvalidInput("name", "Give the group a name, e.g. Umroh Reguler 9 Hari Januari.")
    if values.get("code"):
        out["code"] = validation.clean_text("code", values["code"], 32).upper()
    for name in ("airline", "flight_numbers"):
        if name in values:
            out[name] = validation.text_field(name, values[name], 200) or ("" if name == "airline" else None)
    return out


def _dates(values: dict[str, Any], today: date) -> dict[str, date]:
    out: dict[str, date] = {}
    for name in ("departure_date", "return_date"):
        if name in values:
            value = values[name]
            if isinstance(value, datetime) or not isinstance(value, date):
                raise InvalidInput(name, "Must be a date (yyyy-mm-dd).")
            out[name] = value
    if "departure_date" in out and out["departure_date"] <= today:
        raise InvalidInput("departure_date", f"The departure must be after today ({today:%d %b %Y}).")
    return out


def _numbers(values: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    if "quota" in values:
        quota = values["quota"]
        if not isinstance(quota, int) or isinstance(quota, bool) or not 1 <= quota <= QUOTA_MAX:
            raise InvalidInput("quota", f"The quota is a whole number of seats from 1 to {QUOTA_MAX}.")
        out["quota"] = quota
    if "price_idr" in values:
        price = values["price_idr"] or 0
        if not isinstance(price, int) or isinstance(price, bool) or price < 0:
            raise InvalidInput("price_idr", "The price is a whole number of Rupiah, 0 or more.")
        out["price_idr"] = price
    return out


def create_group(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    values: dict[str, Any],
    now: datetime | None = None,
) -> int:
    """A new open departure group; its id."""
    now = instant(now)
    today = rules.agency_today(now, workspace.timezone)
    unknown = set(values) - set(GROUP_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "Not a field of a departure group.")
    with services.one_transaction(
        session, workspace=workspace, actor=actor, on_duplicate="Another group already has this code."
    ):
        permissions.require(actor.role, permissions.Action.MANAGE_GROUPS)
        clean: dict[str, Any] = {"airline": "", "price_idr": 0, "status": "open"}
        clean |= _clean(values, today, creating=True)
        if clean["return_date"] <= clean["departure_date"]:
            raise InvalidInput("return_date", "The return must be after the departure.")
        if "code" not in clean:
            clean["code"] = _new_code(session, workspace.id, clean["departure_date"])
        group_id = session.execute(
            insert(t.Package).values(workspace_id=workspace.id, **clean).returning(t.Package.id)
        ).scalar_one()
        _log(session, workspace, actor, group_id, repo.created(clean), now, "group.created")
        session.commit()
    services.announce([_event(workspace, actor, group_id, now, moved=0)])
    return group_id


def _new_code(session: Session, workspace_id: int, departure: date) -> str:
    prefix = f"G-{departure:%y%m%d}-"
    taken = session.execute(
        select(func.count()).where(t.Package.workspace_id == workspace_id, t.Package.code.startswith(prefix))
    ).scalar_one()
    return f"{prefix}{taken + 1}"


def _group_row(session: Session, workspace_id: int, group_id: int, *, lock: bool = False) -> Any:
    query = select(t.Package.__table__).where(
        t.Package.workspace_id == workspace_id, t.Package.id == group_id
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("Departure group", group_id)
    return row


def _seats_used(session: Session, workspace_id: int, group_id: int) -> int:
    return session.execute(
        select(func.count()).where(t.Jamaah.workspace_id == workspace_id, t.Jamaah.package_id == group_id)
    ).scalar_one()


def update_group(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    group_id: int,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> DepartureChange | None:
    """Edit a group; a new departure date moves its jamaah's deadlines (the change is returned)."""
    now = instant(now)
    today = rules.agency_today(now, workspace.timezone)
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "Not a field of a departure group.")
    moved: DepartureChange | None = None
    with services.one_transaction(
        session, workspace=workspace, actor=actor, on_duplicate="Another group already has this code."
    ):
        permissions.require(actor.role, permissions.Action.MANAGE_GROUPS)
        row = _group_row(session, workspace.id, group_id, lock=True)
        current = {name: getattr(row, name) for name in GROUP_FIELDS}
        if changes.get("departure_date") == row.departure_date:
            changes = {k: v for k, v in changes.items() if k != "departure_date"}  # unchanged: no date check
        clean = _clean(changes, today, creating=False)
        diff = {k: {"old": current[k], "new": v} for k, v in clean.items() if current[k] != v}
        after = current | clean
        if after["return_date"] <= after["departure_date"]:
            raise InvalidInput("return_date", "The return must be after the departure.")
        used = _seats_used(session, workspace.id, group_id)
        if after["quota"] < used:
            raise InvalidInput(
                "quota", f"{used} jamaah are already in this group: the quota cannot be below that."
            )
        if not diff:
            return None
        session.execute(
            update(t.Package)
            .where(t.Package.workspace_id == workspace.id, t.Package.id == group_id)
            .values({k: c["new"] for k, c in diff.items()})
        )
        if "departure_date" in diff:
            moved = _move_deadlines(session, workspace, group_id, after["departure_date"], now)
        changes_log = {
            k: {"old": repo.json_value(c["old"]), "new": repo.json_value(c["new"])} for k, c in diff.items()
        }
        _log(session, workspace, actor, group_id, changes_log, now, "group.updated")
        session.commit()
    services.announce([_event(workspace, actor, group_id, now, moved=moved.deadlines_moved if moved else 0)])
    return moved


def delete_group(
    *, session: Session, workspace: Workspace, actor: Actor, group_id: int, now: datetime | None = None
) -> None:
    """Delete an empty group; one with jamaah is refused (close it instead)."""
    now = instant(now)
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.MANAGE_GROUPS)
        row = _group_row(session, workspace.id, group_id, lock=True)
        used = _seats_used(session, workspace.id, group_id)
        if used:
            raise Conflict(f"The group has {used} jamaah and cannot be deleted: close it instead.")
        session.execute(
            delete(t.Package).where(t.Package.workspace_id == workspace.id, t.Package.id == group_id)
        )
        _log(
            session,
            workspace,
            actor,
            group_id,
            {"name": {"old": row.name, "new": None}},
            now,
            "group.deleted",
        )
        session.commit()
    services.announce([_event(workspace, actor, group_id, now, moved=0)])


# --- the departure date and its deadlines -------------------------------------------------------


def _open_stages(session: Session, workspace_id: int, group_id: int) -> list[Any]:
    """Each jamaah of the group with its snapshot and its open stage's SLA and H-n deadline."""
    s, st = t.JamaahPipelineStatus, t.PipelineStage
    return list(
        session.execute(
            select(
                s.jamaah_id,
                s.current_instance_id,
                s.current_started_at,
                s.current_due_at,
                s.current_stage_status,
                s.projected_finish_at,
                s.is_completed,
                st.sla_hours,
                st.done_by_days,
            )
            .outerjoin(st, st.id == s.current_stage_id)
            .where(s.workspace_id == workspace_id, s.package_id == group_id)
        )
    )


def _status(
    row: Any, due: datetime | None, departure: date, workspace: Workspace, now: datetime
) -> JamaahStatus:
    if row.is_completed or due is None:
        return JamaahStatus.COMPLETED
    later = (row.projected_finish_at - row.current_due_at) if row.projected_finish_at else timedelta(0)
    return rules.classify_jamaah(
        now=now,
        departure_date=departure,
        current=rules.CurrentStage(due_at=due, blocked=row.current_stage_status == "blocked"),
        later_sla_hours=int(later.total_seconds() // 3600),
        buffer_days=workspace.at_risk_buffer_days,
        tz=workspace.timezone,
    )


def _new_due(row: Any, departure: date, workspace: Workspace) -> datetime | None:
    if row.is_completed or row.current_started_at is None:
        return None
    return rules.stage_due_at(
        started_at=row.current_started_at,
        sla_hours=row.sla_hours,
        departure_date=departure,
        done_by_days=row.done_by_days,
        tz=workspace.timezone,
    )


def _plan(
    rows: list[Any], old: date, new: date, workspace: Workspace, now: datetime
) -> tuple[DepartureChange, list[tuple[Any, datetime]]]:
    changes: Counter[str] = Counter()
    moves: list[tuple[Any, datetime]] = []
    for row in rows:
        due = _new_due(row, new, workspace)
        if due is not None and due != row.current_due_at:
            moves.append((row, due))
        before = _status(row, row.current_due_at, old, workspace, now)
        after = _status(row, due if due is not None else row.current_due_at, new, workspace, now)
        if before is not after:
            changes[f"{before.value} → {after.value}"] += 1
    summary = DepartureChange(
        jamaah=len(rows),
        deadlines_moved=len(moves),
        status_changes=sum(changes.values()),
        by_change=dict(changes),
    )
    return summary, moves


def preview_departure_change(
    *,
    session: Session,
    workspace: Workspace,
    group_id: int,
    departure_date: date,
    now: datetime | None = None,
) -> DepartureChange:
    """What moving the group to `departure_date` would do; writes nothing."""
    now = instant(now)
    row = _group_row(session, workspace.id, group_id)
    summary, _ = _plan(
        _open_stages(session, workspace.id, group_id), row.departure_date, departure_date, workspace, now
    )
    return summary


def _move_deadlines(
    session: Session, workspace: Workspace, group_id: int, departure: date, now: datetime
) -> DepartureChange:
    rows = _open_stages(session, workspace.id, group_id)
    old = session.execute(
        select(t.JamaahPipelineStatus.departure_date)
        .where(
            t.JamaahPipelineStatus.workspace_id == workspace.id, t.JamaahPipelineStatus.package_id == group_id
        )
        .limit(1)
    ).scalar_one_or_none()
    summary, moves = _plan(rows, old or departure, departure, workspace, now)
    for row, due in moves:
        session.execute(
            update(t.StageInstance)
            .where(
                t.StageInstance.workspace_id == workspace.id, t.StageInstance.id == row.current_instance_id
            )
            .values(due_at=due)
        )
        session.execute(
            update(t.PipelineTask)
            .where(
                t.PipelineTask.workspace_id == workspace.id,
                t.PipelineTask.stage_instance_id == row.current_instance_id,
                t.PipelineTask.status != "completed",
            )
            .values(due_at=due, version=t.PipelineTask.version + 1)
        )
    for row in rows:
        pipeline = repo.load_jamaah_pipeline(session, workspace.id, row.jamaah_id)
        repo.refresh_snapshot(session, workspace_id=workspace.id, pipeline=pipeline, now=now)
    return summary


def _log(
    session: Session,
    workspace: Workspace,
    actor: Actor,
    group_id: int,
    changes: dict[str, Any],
    now: datetime,
    action: str,
) -> None:
    repo.log_activity(
        session,
        workspace_id=workspace.id,
        actor=actor.name,
        action=action,
        entity_type="package",
        entity_id=group_id,
        jamaah_id=None,
        changes=changes,
        now=now,
    )


def _event(
    workspace: Workspace, actor: Actor, group_id: int, now: datetime, *, moved: int
) -> events.GroupChanged:
    return events.GroupChanged(
        workspace_id=workspace.id,
        jamaah_id=None,
        task_id=None,
        actor=actor.name,
        roles=events.affected_roles(*ADMIN_ROLES),
        occurred_at=now,
        views=events.ALL_VIEWS if moved else (View.DEPARTURES,),
        package_id=group_id,
        moved=moved,
    )
