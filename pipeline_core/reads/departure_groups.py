"""Departure groups as the groups page and the API list them: dates, flights, seats used and left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_core.domain.errors import NotFound
from pipeline_core.store import schema as t

__all__ = ["GroupRecord", "departure_group", "departure_groups"]


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    code: str
    name: str
    departure_date: date
    return_date: date
    airline: str
    flight_numbers: str | None
    quota: int
    price_idr: int
    status: str
    seats_used: int

    @property
    def seats_left(self) -> int:
        return max(self.quota - self.seats_used, 0)


def _query(workspace_id: int) -> Any:
    used = (
        select(t.Jamaah.package_id, func.count().label("used"))
        .where(t.Jamaah.workspace_id == workspace_id)
        .group_by(t.Jamaah.package_id)
        .subquery()
    )
    p = t.Package
    return (
        select(
            p.id,
            p.code,
            p.name,
            p.departure_date,
            p.return_date,
            p.airline,
            p.flight_numbers,
            p.quota,
            p.price_idr,
            p.status,
            func.coalesce(used.c.used, 0).label("seats_used"),
        )
        .outerjoin(used, used.c.package_id == p.id)
        .where(p.workspace_id == workspace_id)
    )


def departure_groups(
    session: Session, workspace_id: int, *, include_closed: bool = True
) -> list[GroupRecord]:
    """Every group of the workspace, the next departure first, then those that have left."""
    query = _query(workspace_id)
    if not include_closed:
        query = query.where(t.Package.status == "open")
    rows = session.execute(query.order_by(t.Package.departure_date, t.Package.id)).all()
    return [GroupRecord(*row) for row in rows]


def departure_group(session: Session, workspace_id: int, group_id: int) -> GroupRecord:
    row = session.execute(_query(workspace_id).where(t.Package.id == group_id)).one_or_none()
    if row is None:
        raise NotFound("Departure group", group_id)
    return GroupRecord(*row)
