"""The task queue (kanban): one page of a column, the four column counts, search — in SQL.

The column of a task is `rules.kanban_column` written as SQL predicates over the agency's day
bounds (`rules.column_bounds`), first match wins: Blocked → Urgent → Today → Upcoming. Open tasks
of a role are read through the partial index `ix_tasks_queue` in queue order (priority, due, id),
so a page costs what it returns plus the offset walk along that index. Deep pages go by keyset
instead (`after`: the last task's `QueueKey`, read as a row comparison on the same index), which
costs what the page returns however deep it is, and neither repeats nor skips a task when tasks
before it leave the queue meanwhile.

Search understands what staff type: 16 digits → NIK, a phone in any common form → phone, a
passport number (letter + 7 digits) → passport, anything else → name words (each a prefix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain import rules, validation
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import KanbanColumn, Priority, Role, Workspace, WorkStatus
from pipeline_core.domain.validation import parse_role
from pipeline_core.reads.queries import check_paging, page_count
from pipeline_core.reads.stage_versions import HEAD_JOIN, ROW_VERSION_SQL
from pipeline_core.store import jamaah_identity

COLUMN_SQL = {
    KanbanColumn.BLOCKED: "t.status = 'blocked'",
    KanbanColumn.URGENT: "t.status <> 'blocked' AND (t.due_at < :today_start OR t.priority = 'urgent')",
    KanbanColumn.TODAY: (
        "t.status <> 'blocked' AND t.priority <> 'urgent' AND t.due_at >= :today_start"
        " AND t.due_at < :tomorrow_start"
    ),
    KanbanColumn.UPCOMING: "t.status <> 'blocked' AND t.priority <> 'urgent' AND t.due_at >= :tomorrow_start",
}

SEARCH_MAX = 200  # longer than any name, NIK, passport or phone a member of staff types
_NIK = re.compile(r"^\d{16}$")
_PASSPORT = re.compile(r"^[A-Z]\d{7,8}$")
_PHONE = re.compile(r"^(?:\+?62|0)8\d{7,11}$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class TaskCard:
    id: int
    version: int
    title: str
    task_type: str
    stage_code: str
    stage_name_id: str
    stage_name_en: str
    jamaah_id: int
    jamaah_name: str
    phone: str
    departure_date: date
    priority: Priority
    status: WorkStatus
    due_at: datetime
    assigned_role: Role
    assignee_id: int | None
    assignee_name: str | None
    notes: str | None
    block_reason: str | None
    column: KanbanColumn
    # the stage's words above are those of the jamaah's own version; these say which one it is
    pipeline_version_no: int = 0
    head_version_no: int = 0
    stage_in_head: bool = True  # False: the newest version has no such stage ("hanya v1")

    @property
    def on_older_version(self) -> bool:
        return self.pipeline_version_no < self.head_version_no


@dataclass(frozen=True, slots=True)
class ColumnCounts:
    blocked: int
    urgent: int
    today: int
    upcoming: int

    def of(self, column: KanbanColumn) -> int:
        return int(getattr(self, column.value))


@dataclass(frozen=True, slots=True)
class QueueKey:
    """A task's place in queue order (`ix_tasks_queue*`): priority rank, due, id."""

    priority_rank: int
    due_at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class TaskPage:
    items: list[TaskCard]
    total: int
    page: int
    pages: int
    counts: ColumnCounts
    next_key: QueueKey | None = None  # the last item's place when more tasks follow it


def queue_key(card: TaskCard) -> QueueKey:
    return QueueKey(priority_rank=card.priority.rank, due_at=card.due_at, id=card.id)


def searches_identity(search: str | None) -> bool:
    """Whether a search is a full NIK or passport number: an exact lookup of a personal number, for
    the roles that may reveal personal data only (`app` checks; docs/permissions.md)."""
    if search is None or not search.strip():
        return False
    compact = re.sub(r"[\s\-().]", "", search)
    return bool(_NIK.match(compact) or (not _PHONE.match(compact) and _PASSPORT.match(compact.upper())))


def search_filter(search: str | None) -> tuple[str, dict[str, Any]]:
    """SQL (over jamaah j) and parameters for what a member of staff typed into search. A NIK or
    passport number is looked up by its keyed hash (the numbers are stored encrypted), under every
    readable key while a key rotation is part-way."""
    if search is None or not search.strip():
        return "", {}
    raw = validation.clean_text("search", search, SEARCH_MAX)
    compact = re.sub(r"[\s\-().]", "", raw)
    if _NIK.match(compact):
        return "j.nik_hash = ANY(:q_nik)", {"q_nik": jamaah_identity.nik_hashes(compact)}
    if _PHONE.match(compact):
        digits = compact.lstrip("+")
        e164 = "+62" + digits[1:] if digits.startswith("0") else "+" + digits
        return "j.phone = :q_phone", {"q_phone": e164}
    if _PASSPORT.match(compact.upper()):
        return "j.passport_hash = ANY(:q_passport)", {
            "q_passport": jamaah_identity.passport_hashes(compact.upper())
        }
    words = _WORD.findall(raw.lower())
    if not words:
        raise InvalidInput("search", "type a name, NIK, passport number or phone number")
    query = " & ".join(f"{word}:*" for word in words[:6])
    return "to_tsvector('simple', j.full_name) @@ to_tsquery('simple', :q_name)", {"q_name": query}


def _column(column: KanbanColumn | str | None) -> KanbanColumn | None:
    if column is None or isinstance(column, KanbanColumn):
        return column
    try:
        return KanbanColumn(column)
    except ValueError:
        choices = ", ".join(c.value for c in KanbanColumn)
        raise InvalidInput("column", f"must be one of {choices}, got {column!r}") from None


def open_status(status: WorkStatus | str | None) -> WorkStatus | None:
    """A status the queue can filter by: an open one (completed tasks are not in the queue)."""
    if status is None or status == "":
        return None
    choices = ", ".join(s.value for s in WorkStatus if s is not WorkStatus.COMPLETED)
    try:
        wanted = WorkStatus(status)
    except ValueError:
        raise InvalidInput("status", f"must be one of {choices}, got {status!r}") from None
    if wanted is WorkStatus.COMPLETED:
        raise InvalidInput("status", f"the queue holds open tasks only: one of {choices}")
    return wanted


def task_queue(
    session: Session,
    workspace: Workspace,
    now: datetime,
    *,
    role: Role | str | None = None,
    column: KanbanColumn | str | None = None,
    search: str | None = None,
    status: WorkStatus | str | None = None,
    page: int = 1,
    limit: int = 20,
    after: QueueKey | None = None,
    counts: ColumnCounts | None = None,
) -> TaskPage:
    """One page of open tasks (of a role, a column, a status, a search) plus the four column counts
    (of the same role, status and search). `after`: the tasks following that place in queue order
    (keyset paging; `page` is then not used). `counts`: the column counts of this same filter,
    known already (a cached first page): not counted again."""
    page, limit = check_paging(page, limit)
    wanted_role, wanted_column = parse_role(role), _column(column)
    where, params = _open_tasks(workspace, now, wanted_role, open_status(status))
    search_sql, search_params = search_filter(search)
    if search_sql:
        where.append(
            f"t.jamaah_id IN (SELECT j.id FROM jamaah j WHERE j.workspace_id = :ws AND {search_sql})"
        )
        params.update(search_params)
    scope = " AND ".join(where)

    if counts is None:
        counts = _counts(session, scope, params)

    if wanted_column is not None:
        scope += f" AND {COLUMN_SQL[wanted_column]}"
        total = counts.of(wanted_column)
    else:
        total = counts.blocked + counts.urgent + counts.today + counts.upcoming
    offset = (page - 1) * limit
    if after is not None:
        # With a role, the row starts at the role so that it is `ix_tasks_queue`'s columns after
        # the workspace: PostgreSQL otherwise walks the all-roles index filtering by role.
        keyset = "(t.priority_rank, t.due_at, t.id) > (:after_rank, :after_due, :after_id)"
        if wanted_role is not None:
            keyset = (
                "(t.assigned_role, t.priority_rank, t.due_at, t.id)"
                " > (:role, :after_rank, :after_due, :after_id)"
            )
        scope += f" AND {keyset}"
        params.update(after_rank=after.priority_rank, after_due=after.due_at, after_id=after.id)
        offset = 0
    rows = session.execute(
        text(
            f"""
            SELECT t.id, t.version, t.title, t.task_type, ps.code AS stage_code, ps.name_id AS stage_name_id,
                   ps.name_en AS stage_name_en, t.jamaah_id, j.full_name AS jamaah_name, j.phone,
                   s.departure_date, t.priority, t.status, t.due_at, t.assigned_role, t.assignee_id,
                   u.full_name AS assignee_name, t.notes, t.block_reason, {ROW_VERSION_SQL}
            FROM (SELECT t.* FROM pipeline_tasks t WHERE {scope}
                  ORDER BY t.priority_rank, t.due_at, t.id LIMIT :limit OFFSET :offset) t
            JOIN jamaah j ON j.id = t.jamaah_id
            JOIN jamaah_pipeline_status s ON s.jamaah_id = t.jamaah_id
            JOIN pipeline_stages ps ON ps.id = t.stage_id
            LEFT JOIN users u ON u.id = t.assignee_id
            {HEAD_JOIN}
            ORDER BY t.priority_rank, t.due_at, t.id
            """
        ),
        {**params, "limit": limit + 1, "offset": offset},  # one more: does another page follow?
    ).mappings()
    items = [_card(row, now, workspace.timezone) for row in rows]
    more = len(items) > limit
    items = items[:limit]
    return TaskPage(
        items=items,
        total=total,
        page=page,
        pages=page_count(total, limit),
        counts=counts,
        next_key=queue_key(items[-1]) if more else None,
    )


def column_counts(
    session: Session,
    workspace: Workspace,
    now: datetime,
    *,
    role: Role | str | None = None,
    status: WorkStatus | str | None = None,
) -> ColumnCounts:
    """The four column counts of a role's (None: every role's) open tasks, of one status or all:
    the counts the cache keeps current on write."""
    where, params = _open_tasks(workspace, now, parse_role(role), open_status(status))
    return _counts(session, " AND ".join(where), params)


def _open_tasks(
    workspace: Workspace, now: datetime, role: Role | None, status: WorkStatus | None
) -> tuple[list[str], dict[str, Any]]:
    """SQL predicates (over pipeline_tasks t) and parameters: the open tasks of a role and status."""
    today_start, tomorrow_start = rules.column_bounds(now=now, tz=workspace.timezone)
    where = ["t.workspace_id = :ws", "t.status <> 'completed'"]
    params: dict[str, Any] = {
        "ws": workspace.id,
        "today_start": today_start,
        "tomorrow_start": tomorrow_start,
    }
    if role is not None:
        where.append("t.assigned_role = :role")
        params["role"] = role.value
    if status is not None:
        where.append("t.status = :status")
        params["status"] = status.value
    return where, params


def _counts(session: Session, scope: str, params: dict[str, Any]) -> ColumnCounts:
    """The four column counts of the open tasks in `scope` (index-only, over the queue indexes)."""
    counts_row = (
        session.execute(
            text(
                "SELECT "
                + ", ".join(
                    f"count(*) FILTER (WHERE {sql}) AS {col.value}" for col, sql in COLUMN_SQL.items()
                )
                + f" FROM pipeline_tasks t WHERE {scope}"
            ),
            params,
        )
        .mappings()
        .one()
    )
    return ColumnCounts(**counts_row)


def _card(row: Any, now: datetime, tz: str) -> TaskCard:
    status, priority = WorkStatus(row["status"]), Priority(row["priority"])
    column = rules.kanban_column(status=status, priority=priority, due_at=row["due_at"], now=now, tz=tz)
    assert column is not None  # open tasks only
    values = dict(row)
    values.update(status=status, priority=priority, assigned_role=Role(row["assigned_role"]), column=column)
    return TaskCard(**values)
