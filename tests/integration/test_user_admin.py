"""The user-management page's calls on real PostgreSQL: bound to the signed-in super-admin and their
workspace. The rules themselves (password policy, last super-admin, sessions) are tested with
`accounts` in test_auth.py; here, that each call reaches them with the viewer's identity."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.app import user_admin
from pipeline_core.app.viewer import Viewer
from pipeline_core.commands import accounts, auth
from pipeline_core.commands.accounts import SYSTEM
from pipeline_core.domain.errors import InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace, WorkspaceKind
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import NOW

PASSWORD = "kurma-ajwa-2026"


def member(session: Session, ws: Workspace, username: str, role: Role) -> Viewer:
    user_id = accounts.create_user(
        session,
        actor=SYSTEM,
        workspace_id=ws.id,
        username=username,
        full_name=f"Staf {username.split('@')[0].title()}",
        role=role,
        password=PASSWORD,
        now=NOW,
    )
    return Viewer(workspace=ws, actor=Actor(user_id=user_id, name=f"Staf {username}", role=role))


@pytest.fixture
def boss(session: Session, workspace: Workspace) -> Viewer:
    return member(session, workspace, "boss@test-agency", Role.SUPER_ADMIN)


def entries(session: Session, ws: Workspace, action: str) -> list[t.ActivityLog]:
    query = select(t.ActivityLog).where(t.ActivityLog.workspace_id == ws.id, t.ActivityLog.action == action)
    return list(session.execute(query).scalars())


def test_a_super_admin_creates_someone_who_can_sign_in(session: Session, boss: Viewer) -> None:
    user_id = user_admin.create_user(
        boss,
        username="Dewi@Test-Agency",
        full_name="Dewi  Lestari",
        role="visa-admin",
        password=PASSWORD,
        email="dewi@agency.co.id",
        session=session,
    )
    [dewi] = [u for u in user_admin.users(boss, session=session) if u.id == user_id]
    assert (dewi.username, dewi.full_name, dewi.role, dewi.is_active) == (
        "dewi@test-agency",
        "Dewi Lestari",
        Role.VISA_ADMIN,
        True,
    )
    signed_in = auth.sign_in(
        username="dewi@test-agency", password=PASSWORD, workspace_slug=None, now=NOW, session=session
    )
    assert signed_in.user.role is Role.VISA_ADMIN
    [created] = [e for e in entries(session, boss.workspace, "auth.user_created") if e.entity_id == user_id]
    assert created.actor == boss.actor.name


def test_change_role_deactivate_and_reset_reach_the_user(session: Session, boss: Viewer) -> None:
    clerk = member(session, boss.workspace, "clerk@test-agency", Role.DOCUMENT_ADMIN)
    user_id = clerk.actor.user_id
    assert user_id is not None
    user_admin.change_role(boss, user_id=user_id, role=Role.LOGISTICS_ADMIN, session=session)
    user_admin.reset_password(boss, user_id=user_id, password="zamzam-water-77", session=session)
    user_admin.deactivate_user(boss, user_id=user_id, session=session)
    [row] = [u for u in user_admin.users(boss, session=session) if u.id == user_id]
    assert (row.role, row.is_active) == (Role.LOGISTICS_ADMIN, False)
    for action in ("auth.role_changed", "auth.password_reset", "auth.user_deactivated"):
        assert len(entries(session, boss.workspace, action)) == 1, action


def test_the_policy_message_comes_through(session: Session, boss: Viewer) -> None:
    with pytest.raises(InvalidInput) as refused:
        user_admin.create_user(
            boss,
            username="ani@test-agency",
            full_name="Ani",
            role="manager",
            password="short",
            session=session,
        )
    assert refused.value.field == "password" and "10 characters" in refused.value.message
    with pytest.raises(InvalidInput, match="last active super-admin"):
        user_admin.change_role(boss, user_id=boss.actor.user_id or 0, role=Role.MANAGER, session=session)


def test_a_manager_is_refused_and_the_refusal_is_logged(session: Session, workspace: Workspace) -> None:
    manager = member(session, workspace, "rina@test-agency", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        user_admin.users(manager, session=session)
    with pytest.raises(PermissionDenied):
        user_admin.create_user(
            manager,
            username="x@test-agency",
            full_name="X Y",
            role="manager",
            password=PASSWORD,
            session=session,
        )
    assert len(entries(session, workspace, "permission.denied")) == 2


def test_users_of_another_workspace_are_out_of_reach(session: Session, boss: Viewer) -> None:
    create_workspace(session, slug="other-agency", name="Other Agency", kind=WorkspaceKind.AGENCY)
    other = get_workspace(session, "other-agency")
    stranger = member(session, other, "stranger@other-agency", Role.MANAGER)
    assert stranger.actor.user_id not in {u.id for u in user_admin.users(boss, session=session)}
    with pytest.raises(NotFound):
        user_admin.deactivate_user(boss, user_id=stranger.actor.user_id or 0, session=session)
