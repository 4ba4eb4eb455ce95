"""The manager's activity log: every change in the workspace, newest first, filtered by who, what
and when, one page at a time.

The app layer (`pipeline_core.app.activity`) lets only roles with `view_activity_log` (managers and
super-admins) ask, for their own workspace. NIK and passport values inside `changes` leave
this module masked (`privacy.mask_changes`), like the jamaah timeline.

Choices:
- A date range is whole days in the agency's time zone, both ends included: 29 Nov means
  00:00–24:00 in Jakarta, whatever the server's clock zone.
- Paging is LIMIT/OFFSET with an exact count; a page past the end shows the last page (a shared
  link stays useful after entries move). Deep walks go by keyset instead (`after`: the last
  entry's `ActivityKey`, a row comparison along `ix_activity_occurred`): each page costs what it
  returns, and new entries arriving meanwhile do not shift the walk.
- Filters by person or action read their own indexes (`ix_activity_actor`, `ix_activity_action`,
  revision 0005), so a rare name does not walk the whole log.
- The filter lists (`activity_filters`) are the distinct people and actions of the workspace,
  read by a skip scan over those indexes: one index probe per distinct value, however long the
  log is.
- Not cached: a manager's filtered page is rarely asked twice, and each read is a few index probes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain import validation
from pipeline_core.domain.activity import typed_changes
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Workspace
from pipeline_core.domain.privacy import mask_changes
from pipeline_core.reads import queries
from pipeline_core.store import db

__all__ = [
    "ActivityEntry",
    "ActivityFilters",
    "ActivityKey",
    "ActivityPage",
    "SignInAttempt",
    "activity_filters",
    "activity_page",
    "sign_in_attempts",
]

#: Longest actor name or action word a filter accepts (names are at most 200 characters).
FILTER_MAX = 200
#: At most this many choices per filter list (a workspace has tens of staff and actions).
CHOICES_MAX = 500


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    jamaah_id: int | None
    jamaah_name: str | None
    subject_name: str | None  # the member of staff an account entry (entity "user") is about
    changes: dict[str, Any]  # {field: {"old": …, "new": …}}, NIK and passport masked


@dataclass(frozen=True, slots=True)
class ActivityKey:
    """An entry's place in the log's order (newest first): when, then id."""

    occurred_at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class ActivityPage:
    items: list[ActivityEntry]
    total: int
    page: int
    pages: int
    next_key: ActivityKey | None = None  # the last item's place when older entries follow


@dataclass(frozen=True, slots=True)
class ActivityFilters:
    actors: list[str]
    actions: list[str]


def activity_page(
    workspace: Workspace,
    *,
    actor: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    limit: int = 50,
    after: ActivityKey | None = None,
    session: Session | None = None,
) -> ActivityPage:
    """One page of the workspace's log, newest first; `after`: the entries older than that place
    (keyset paging, `page` not used). `session`: a caller's (tests); else a read session of its own."""
    page, limit = queries.check_paging(page, limit)
    where, params = _filters(workspace, actor=actor, action=action, date_from=date_from, date_to=date_to)
    with _reading(session) as s:
        total = s.execute(text(f"SELECT count(*) FROM activity_log a WHERE {where}"), params).scalar_one()
        pages = queries.page_count(total, limit)
        page = min(page, pages)
        offset = (page - 1) * limit
        if after is not None:
            where += " AND (a.occurred_at, a.id) < (:after_at, :after_id)"
            params.update(after_at=after.occurred_at, after_id=after.id)
            offset = 0
        rows = s.execute(
            text(
                f"""
                SELECT a.id, a.occurred_at, a.actor, a.action, a.entity_type, a.entity_id, a.jamaah_id,
                       j.full_name AS jamaah_name, u.full_name AS subject_name, a.changes
                FROM activity_log a
                LEFT JOIN jamaah j ON j.workspace_id = a.workspace_id AND j.id = a.jamaah_id
                LEFT JOIN users u
                       ON a.entity_type = 'user' AND u.workspace_id = a.workspace_id AND u.id = a.entity_id
                WHERE {where}
                ORDER BY a.occurred_at DESC, a.id DESC
                LIMIT :limit OFFSET :offset
                """
            ),
            {**params, "limit": limit + 1, "offset": offset},  # one more: does another page follow?
        ).mappings()
        items = [
            ActivityEntry(**{**row, "changes": typed_changes(mask_changes(row["changes"] or {}))})
            for row in rows
        ]
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if more else None
    return ActivityPage(
        items=items,
        total=total,
        page=page,
        pages=pages,
        next_key=ActivityKey(occurred_at=last.occurred_at, id=last.id) if last else None,
    )


def activity_filters(workspace: Workspace, *, session: Session | None = None) -> ActivityFilters:
    """The people and actions that appear in the workspace's log, alphabetically, for the filter
    widgets."""
    with _reading(session) as s:
        actors, actions = (
            list(s.execute(text(_distinct(column)), {"ws": workspace.id, "cap": CHOICES_MAX}).scalars())
            for column in ("actor", "action")
        )
    return ActivityFilters(actors=actors, actions=actions)


# --- the pieces ---------------------------------------------------------------------------------


def _distinct(column: str) -> str:
    """Distinct values of one indexed column of a workspace's log by a loose index scan: each step
    asks the index for the next value greater than the last one."""
    return f"""
        WITH RECURSIVE found(value) AS (
            (SELECT {column} FROM activity_log WHERE workspace_id = :ws ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT a.{column} FROM activity_log a
                    WHERE a.workspace_id = :ws AND a.{column} > found.value
                    ORDER BY a.{column} LIMIT 1)
            FROM found WHERE found.value IS NOT NULL
        )
        SELECT value FROM found WHERE value IS NOT NULL LIMIT :cap
    """


def _filters(
    workspace: Workspace,
    *,
    actor: str | None,
    action: str | None,
    date_from: date | None,
    date_to: date | None,
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (fixed text, bound values) of a validated filter set."""
    clauses = ["a.workspace_id = :ws"]
    params: dict[str, Any] = {"ws": workspace.id}
    for name, value in (("actor", actor), ("action", action)):
        wanted = _word(name, value)
        if wanted is not None:
            clauses.append(f"a.{name} = :{name}")
            params[name] = wanted
    start, end = _day("date_from", date_from), _day("date_to", date_to)
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            "date_to",
            f"The end date ({end:%d %b %Y}) is before the start date ({start:%d %b %Y}): swap them.",
        )
    zone = ZoneInfo(workspace.timezone)
    if start is not None:
        clauses.append("a.occurred_at >= :since")
        params["since"] = datetime.combine(start, time.min, tzinfo=zone)
    if end is not None:
        clauses.append("a.occurred_at < :until")
        params["until"] = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return " AND ".join(clauses), params


def _word(field: str, value: object) -> str | None:
    if value is None:
        return None
    return validation.clean_text(field, value, FILTER_MAX) or None


def _day(field: str, value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(field, f"must be a calendar date such as 2026-11-29, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """A refused sign-in on one of the workspace's accounts, or the delay it started."""

    occurred_at: datetime
    account: str  # the account's sign-in name
    full_name: str
    address: str  # the client address the server saw ("?" when unknown)
    outcome: str  # wrong-password | locked | throttled | inactive | delayed
    until: datetime | None  # the end of the delay an entry "delayed" started


#: The activity entries of refused sign-ins and the delays they start (commands/auth.py).
_ATTEMPT_ACTIONS = ("auth.sign_in_failed", "auth.locked")


def sign_in_attempts(
    workspace: Workspace, *, since: datetime, limit: int = 200, session: Session | None = None
) -> list[SignInAttempt]:
    """The refused sign-ins on the workspace's accounts since `since`, newest first (for its
    super-admins: who is being guessed at, from where, and which delays are running)."""
    sql = text(
        """
        SELECT a.occurred_at, a.action, a.changes, u.username, u.full_name
        FROM activity_log a
        JOIN users u ON u.workspace_id = a.workspace_id AND u.id = a.entity_id
        WHERE a.workspace_id = :ws AND a.entity_type = 'user' AND a.action = ANY(:actions)
          AND a.occurred_at >= :since
        ORDER BY a.occurred_at DESC, a.id DESC
        LIMIT :limit
        """
    )
    params = {"ws": workspace.id, "actions": list(_ATTEMPT_ACTIONS), "since": since, "limit": limit}
    with _reading(session) as s:
        rows = s.execute(sql, params).all()
    return [_attempt(*row) for row in rows]


def _new(changes: dict[str, Any], field: str) -> Any:
    value = changes.get(field)
    return value.get("new") if isinstance(value, dict) else None


def _attempt(
    occurred_at: datetime, action: str, changes: dict[str, Any], username: str, name: str
) -> SignInAttempt:
    client, address = _new(changes, "client"), _new(changes, "address")
    if not isinstance(address, str):  # entries from before the address had its own field
        address = client.split(" ", 1)[0] if isinstance(client, str) and client else "?"
    until = None
    if action == "auth.locked":
        outcome = "delayed"
        raw = _new(changes, "locked_until")
        until = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    else:
        outcome = str(_new(changes, "reason") or "wrong-password")
    return SignInAttempt(occurred_at, username, name, address, outcome, until)


@contextlib.contextmanager
def _reading(session: Session | None) -> Iterator[Session]:
    """The caller's session as it is, or a read session of our own."""
    if session is not None:
        with db.translate_errors():
            yield session
        return
    with db.read_session() as own:
        yield own
