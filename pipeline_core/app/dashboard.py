"""What the pages ask: one function per question, cached in Redis, each with its own read session.

Pages never see a session, SQL or Redis: they call these and draw the typed answers. Every
function takes the viewer (`viewer.Viewer`: the signed-in user and their workspace; each function
checks the permission it needs) and an optional `now` (tests and benchmarks pass fixed instants).
Searches and single-jamaah reads are not cached: they are cheap, indexed and rarely repeated.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pipeline_core.app.viewer import Viewer
from pipeline_core.domain import rules
from pipeline_core.domain.clock import instant
from pipeline_core.domain.model import KanbanColumn, Role, Severity, View, Workspace, WorkStatus
from pipeline_core.domain.permissions import Action
from pipeline_core.domain.stage_versions import VersionedStage
from pipeline_core.reads import queries, stage_versions, task_queue, workspaces
from pipeline_core.reads.jamaah_detail import JamaahDetail
from pipeline_core.reads.jamaah_detail import jamaah_detail as read_jamaah_detail
from pipeline_core.reads.workspaces import WorkspaceChoice
from pipeline_core.store import cache, db
from pipeline_core.store.repository import Task, find_task
from pipeline_core.store.workspaces import get_workspace


def workspace(slug: str) -> Workspace:
    with db.read_session() as session:
        return get_workspace(session, slug)


def workspace_choices(kinds: tuple[str, ...] = ("demo", "scale")) -> list[WorkspaceChoice]:
    """Workspaces of the given kinds with their jamaah counts, for the sidebar switch (the scale
    datasets appear there once loaded with `python -m pipeline_core seed scale-100k`)."""
    with db.read_session() as session:
        return workspaces.workspace_choices(session, kinds)


def pipeline_health(viewer: Viewer, now: datetime | None = None) -> queries.PipelineHealth:
    ws, at = viewer.scope(Action.VIEW_OVERVIEW), instant(now)

    def compute() -> queries.PipelineHealth:
        with db.read_session() as session:
            return queries.pipeline_health(session, ws, at)

    return cache.cached(
        workspace_id=ws.id,
        family=View.HEALTH,
        scope="all",
        params="-",
        now=at,
        kind=queries.PipelineHealth,
        compute=compute,
    )


def stage_stats(viewer: Viewer, now: datetime | None = None) -> list[queries.StageStats]:
    ws, at = viewer.scope(Action.VIEW_OVERVIEW), instant(now)

    def compute() -> list[queries.StageStats]:
        with db.read_session() as session:
            return queries.stage_stats(session, ws, at)

    return cache.cached(
        workspace_id=ws.id,
        family=View.STAGES,
        scope="all",
        params="-",
        now=at,
        kind=list[queries.StageStats],
        compute=compute,
    )


def bottlenecks(
    viewer: Viewer, now: datetime | None = None, severity: Severity | str | None = None
) -> list[queries.Bottleneck]:
    """Alerts, most severe first. A recompute also records today's stuck counts (the trend)."""
    ws, at = viewer.scope(Action.VIEW_OVERVIEW), instant(now)
    wanted = queries.parse_severity(severity)

    def compute() -> list[queries.Bottleneck]:
        with db.transaction() as session:
            queries.record_bottleneck_day(session, ws, at)
            return queries.bottlenecks(session, ws, at, wanted)

    return cache.cached(
        workspace_id=ws.id,
        family=View.BOTTLENECKS,
        scope="all",
        params=wanted.value if wanted else "any",
        now=at,
        kind=list[queries.Bottleneck],
        compute=compute,
    )


def stuck_history(viewer: Viewer, now: datetime | None = None, days: int = 30) -> list[queries.StuckDay]:
    ws = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return queries.stuck_history(session, ws, instant(now), days)


def upcoming_departures(
    viewer: Viewer,
    now: datetime | None = None,
    *,
    days: int = 7,
    page: int = 1,
    limit: int = 20,
    sort: str = "departure",
) -> queries.DeparturePage:
    ws, at = viewer.scope(Action.VIEW_OVERVIEW), instant(now)

    def compute() -> queries.DeparturePage:
        with db.read_session() as session:
            return queries.upcoming_departures(session, ws, at, days=days, page=page, limit=limit, sort=sort)

    return cache.cached(
        workspace_id=ws.id,
        family=View.DEPARTURES,
        scope="soon" if days <= 30 else "long",
        params=f"{days}:{page}:{limit}:{sort}",
        now=at,
        kind=queries.DeparturePage,
        compute=compute,
        fresh_until=_midnight(ws, at),
    )


def task_queue_page(
    viewer: Viewer,
    now: datetime | None = None,
    *,
    role: Role | str | None = None,
    column: KanbanColumn | str | None = None,
    search: str | None = None,
    status: WorkStatus | str | None = None,
    page: int = 1,
    limit: int = 20,
    after: task_queue.QueueKey | None = None,
) -> task_queue.TaskPage:
    """A page of the queue: by number (cached per role, column and page), or the page after a
    task's place in queue order (`after`, keyset paging for deep walks: not cached, like searches).

    The column counts are cached apart, per role, and kept current on write (each change moves
    them by one); a page's tasks are recomputed only when a task left or entered its column. So
    the pages read only their own rows, not ~75,000 index entries at scale-100k."""
    ws, at = viewer.scope(Action.VIEW_QUEUE_OWN), instant(now)
    role = viewer.queue_role(role)
    viewer.check_search(search)
    wanted_status = task_queue.open_status(status)
    role_scope = str(Role(role).value) if role else "all"
    column_key = str(KanbanColumn(column).value) if column else "any"

    if search and search.strip():
        with db.read_session() as session:
            return task_queue.task_queue(
                session,
                ws,
                at,
                role=role,
                column=column,
                search=search,
                status=wanted_status,
                page=page,
                limit=limit,
            )
    counts = _column_counts(ws, at, role, role_scope, wanted_status)

    def compute() -> task_queue.TaskPage:
        with db.read_session() as session:
            return task_queue.task_queue(
                session,
                ws,
                at,
                role=role,
                column=column,
                status=wanted_status,
                page=page,
                limit=limit,
                after=after,
                counts=counts,
            )

    if after is not None:
        return compute()
    rows = cache.cached(
        workspace_id=ws.id,
        family=View.QUEUE,
        scope=f"{role_scope}:{column_key}",
        params=f"{page}:{limit}" + (f":{wanted_status.value}" if wanted_status else ""),
        now=at,
        kind=task_queue.TaskPage,
        compute=compute,
        fresh_until=_midnight(ws, at),
    )
    total = counts.of(KanbanColumn(column)) if column else sum(counts.of(c) for c in KanbanColumn)
    return replace(rows, counts=counts, total=total, pages=queries.page_count(total, limit))


def _column_counts(
    ws: Workspace, at: datetime, role: Role | str | None, role_scope: str, status: WorkStatus | None
) -> task_queue.ColumnCounts:
    """A role's column counts: those of every open task are patched on write (`cache.after_commit_call`);
    those of one status are recomputed after any change of the role's tasks."""

    def compute() -> task_queue.ColumnCounts:
        with db.read_session() as session:
            return task_queue.column_counts(session, ws, at, role=role, status=status)

    return cache.cached(
        workspace_id=ws.id,
        family=View.QUEUE,
        scope=f"{role_scope}:{'filtered' if status else 'counts'}",
        params=status.value if status else "-",
        now=at,
        kind=task_queue.ColumnCounts,
        compute=compute,  # counted again from PostgreSQL every minute, like every patched count
    )


def _midnight(ws: Workspace, at: datetime) -> datetime:
    """The next agency midnight: the queue's columns and the departure windows move only then
    (they compare dates, not instants), so their cached pages need no refresh by the minute."""
    return rules.column_bounds(now=at, tz=ws.timezone)[1]


def task(viewer: Viewer, task_id: int) -> Task:
    """One task as it is now (its version is what an edit must name). Anyone who may open a
    jamaah's detail may read its tasks, as the detail page lists them; acting on them is checked
    by each action."""
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        return find_task(session, ws.id, task_id)


def jamaah_detail(viewer: Viewer, jamaah_id: int, now: datetime | None = None) -> JamaahDetail:
    ws = viewer.scope(Action.VIEW_JAMAAH_DETAIL)
    with db.read_session() as session:
        return read_jamaah_detail(session, ws, jamaah_id, instant(now))


def stage_words(viewer: Viewer) -> list[VersionedStage]:
    """Every stage code any pipeline version has, in the merged order, under the newest version's
    words and marked when the newest version does not run it: the names of codes a page shows
    without counting jamaah (the activity log's stage changes). One small read, not cached."""
    ws = viewer.scope(Action.VIEW_OVERVIEW)
    with db.read_session() as session:
        return list(stage_versions.load_catalog(session, ws).every_code().values())


def check_search(search: str | None, viewer: Viewer | None = None) -> None:
    """Refuse what staff typed into a search before any read (`InvalidInput` saying what to type;
    with a viewer also `IdentitySearchRefused` for a full NIK/passport number they may not look up)."""
    task_queue.search_filter(search)
    if viewer is not None:
        viewer.check_search(search)
