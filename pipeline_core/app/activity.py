"""The activity log as a signed-in person may read it: managers and super-admins, their own workspace.

The SQL lives in `pipeline_core.reads.activity_log`; this module checks `view_activity_log`
(a refusal is recorded like any other) and hands the viewer's workspace to it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from pipeline_core.app.viewer import Viewer
from pipeline_core.domain.permissions import Action
from pipeline_core.reads import activity_log
from pipeline_core.reads.activity_log import ActivityEntry, ActivityFilters, ActivityKey, ActivityPage

__all__ = [
    "ActivityEntry",
    "ActivityFilters",
    "ActivityKey",
    "ActivityPage",
    "activity_filters",
    "activity_page",
]


def activity_page(
    viewer: Viewer,
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
    """One page of the viewer's workspace log, newest first (`after`: the entries older than that
    one, keyset paging; `session`: a caller's, for tests)."""
    return activity_log.activity_page(
        viewer.scope(Action.VIEW_ACTIVITY_LOG),
        actor=actor,
        action=action,
        date_from=date_from,
        date_to=date_to,
        page=page,
        limit=limit,
        after=after,
        session=session,
    )


def activity_filters(viewer: Viewer, *, session: Session | None = None) -> ActivityFilters:
    """The people and actions in the viewer's workspace log, for the filter widgets."""
    return activity_log.activity_filters(viewer.scope(Action.VIEW_ACTIVITY_LOG), session=session)
