"""The manager's activity log on real PostgreSQL: filters, paging, masking, who may read it, and
that another workspace's entries never appear. Every read joins the test's rolled-back
transaction (`session=`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from pipeline_core.app.activity import activity_filters, activity_page
from pipeline_core.app.viewer import Viewer, system_viewer
from pipeline_core.domain.errors import InvalidInput, PermissionDenied
from pipeline_core.domain.model import ADMIN_ROLES, Role, Workspace, WorkspaceKind
from pipeline_core.store import repository
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import NOW, make_jamaah

#: 29 Nov 2026 in Jakarta (UTC+7) runs from 28 Nov 17:00 UTC to 29 Nov 17:00 UTC.
DAY_START = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)


def log(
    session: Session, ws: Workspace, at: datetime, *, actor: str = "Rina", action: str = "task.updated"
) -> None:
    repository.log_activity(
        session,
        workspace_id=ws.id,
        actor=actor,
        action=action,
        entity_type="task",
        entity_id=None,
        jamaah_id=None,
        changes={"notes": {"old": None, "new": f"at {at:%H:%M}"}},
        now=at,
    )


@pytest.fixture
def manager(workspace: Workspace) -> Viewer:
    return system_viewer(workspace, Role.MANAGER)


@pytest.fixture
def busy(session: Session, workspace: Workspace) -> Workspace:
    """Three days of entries by two people: Rina edits every hour of 28–30 Nov (Jakarta), Budi
    completes a task at the first and last minute of 29 Nov (Jakarta)."""
    for hour in range(72):
        log(session, workspace, DAY_START - timedelta(days=1) + timedelta(hours=hour))
    log(session, workspace, DAY_START, actor="Budi", action="task.completed")
    last_minute = DAY_START + timedelta(hours=24, minutes=-1)
    log(session, workspace, last_minute, actor="Budi", action="task.completed")
    session.commit()
    return workspace


def test_newest_first_with_total_and_pages(session: Session, busy: Workspace, manager: Viewer) -> None:
    first = activity_page(manager, limit=20, session=session)
    assert (first.total, first.pages, first.page) == (74, 4, 1)
    times = [entry.occurred_at for entry in first.items]
    assert len(times) == 20 and times == sorted(times, reverse=True)
    last = activity_page(manager, page=4, limit=20, session=session)
    assert len(last.items) == 14
    assert last.items[-1].occurred_at == DAY_START - timedelta(days=1)
    pages = [activity_page(manager, page=p, limit=20, session=session) for p in range(1, 5)]
    seen = {entry.id for page in pages for entry in page.items}
    assert len(seen) == 74  # no entry twice, none skipped


def test_a_page_past_the_end_shows_the_last_page(session: Session, busy: Workspace, manager: Viewer) -> None:
    page = activity_page(manager, page=99, limit=50, session=session)
    assert (page.page, page.pages, len(page.items)) == (2, 2, 24)


def test_filter_by_person_and_by_action(session: Session, busy: Workspace, manager: Viewer) -> None:
    budi = activity_page(manager, actor="Budi", session=session)
    assert budi.total == 2 and {e.actor for e in budi.items} == {"Budi"}
    completed = activity_page(manager, action="task.completed", session=session)
    assert completed.total == 2 and {e.action for e in completed.items} == {"task.completed"}
    assert activity_page(manager, actor="Rina", action="task.completed", session=session).total == 0
    assert activity_page(manager, actor="  ", session=session).total == 74  # blank = no filter


def test_dates_are_whole_days_in_the_agency_time_zone(
    session: Session, busy: Workspace, manager: Viewer
) -> None:
    day = activity_page(manager, date_from=date(2026, 11, 29), date_to=date(2026, 11, 29), session=session)
    assert day.total == 26  # Rina's 24 hours and Budi's first and last minute of the day
    assert all(DAY_START <= e.occurred_at < DAY_START + timedelta(days=1) for e in day.items)
    since = activity_page(manager, date_from=date(2026, 11, 30), session=session)
    assert since.total == 24
    until = activity_page(manager, date_to=date(2026, 11, 28), session=session)
    assert until.total == 24
    budi = activity_page(
        manager, actor="Budi", date_from=date(2026, 11, 29), date_to=date(2026, 11, 29), session=session
    )
    assert budi.total == 2


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"date_from": date(2026, 11, 30), "date_to": date(2026, 11, 29)}, "date_to"),
        ({"date_from": "2026-11-29"}, "date_from"),
        ({"date_to": datetime(2026, 11, 29, tzinfo=UTC)}, "date_to"),
        ({"actor": "x" * 201}, "actor"),
        ({"action": 7}, "action"),
        ({"page": 0}, "page"),
        ({"limit": 500}, "limit"),
    ],
)
def test_bad_parameters_name_their_field(
    session: Session, workspace: Workspace, manager: Viewer, arguments: dict, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        activity_page(manager, session=session, **arguments)
    assert refused.value.field == field


def test_entries_about_a_jamaah_carry_the_name_and_masked_identity(
    session: Session, workspace: Workspace, manager: Viewer
) -> None:
    enrolled = make_jamaah(session, workspace, full_name="Siti Rahmawati", nik="3174010105700001")
    [entry] = activity_page(manager, action="jamaah.enrolled", session=session).items
    assert (entry.jamaah_id, entry.jamaah_name) == (enrolled.jamaah.id, "Siti Rahmawati")
    assert entry.changes["nik"]["new"] == "3174 •••• •••• 0001"
    assert entry.changes["passport_number"]["new"] == "C1•••••67"
    assert "3174010105700001" not in repr(entry) and "C1234567" not in repr(entry)


def test_filter_lists_are_the_distinct_people_and_actions(
    session: Session, busy: Workspace, manager: Viewer
) -> None:
    filters = activity_filters(manager, session=session)
    assert filters.actors == ["Budi", "Rina"]
    assert filters.actions == ["task.completed", "task.updated"]


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_roles_may_not_read_the_log(session: Session, busy: Workspace, role: Role) -> None:
    admin = system_viewer(busy, role)
    with pytest.raises(PermissionDenied):
        activity_page(admin, session=session)
    with pytest.raises(PermissionDenied):
        activity_filters(admin, session=session)


def test_a_super_admin_reads_the_log(session: Session, busy: Workspace) -> None:
    assert activity_page(system_viewer(busy, Role.SUPER_ADMIN), session=session).total == 74


def test_another_workspace_never_appears(session: Session, busy: Workspace, manager: Viewer) -> None:
    create_workspace(session, slug="other-agency", name="Other Agency", kind=WorkspaceKind.AGENCY)
    other = get_workspace(session, "other-agency")
    log(session, other, DAY_START + timedelta(hours=1), actor="Orang Lain", action="task.blocked")
    session.commit()
    mine = activity_page(manager, limit=100, session=session)
    assert mine.total == 74 and "Orang Lain" not in {e.actor for e in mine.items}
    assert activity_page(manager, actor="Orang Lain", session=session).total == 0
    assert "Orang Lain" not in activity_filters(manager, session=session).actors
    theirs = activity_page(system_viewer(other), session=session)
    assert [e.actor for e in theirs.items] == ["Orang Lain"]


def test_an_empty_log_is_one_empty_page(session: Session, workspace: Workspace, manager: Viewer) -> None:
    empty = activity_page(manager, session=session)
    assert (empty.items, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)
    assert activity_filters(manager, session=session).actors == []


def test_account_entries_name_the_member_of_staff(session: Session, workspace: Workspace) -> None:
    from pipeline_core.commands import accounts

    user_id = accounts.create_user(
        session,
        actor=accounts.SYSTEM,
        workspace_id=workspace.id,
        username="dewi@test-agency",
        full_name="Dewi Lestari",
        role=Role.VISA_ADMIN,
        password="kurma-ajwa-2026",
        now=NOW,
    )
    [entry] = activity_page(system_viewer(workspace), action="auth.user_created", session=session).items
    assert (entry.entity_type, entry.entity_id, entry.subject_name) == ("user", user_id, "Dewi Lestari")
    assert entry.jamaah_name is None and "password" not in entry.changes
