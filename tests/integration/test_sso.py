"""Single sign-on (`st.login`, OIDC): the identity provider vouches for an e-mail; the one active
local account with that e-mail gets a server-side session like a password sign-in."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.commands import accounts, auth
from pipeline_core.commands.accounts import SYSTEM
from pipeline_core.domain.model import Role, Workspace, WorkspaceKind
from pipeline_core.store import cache
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import NOW

PASSWORD = "kurma-ajwa-2026"


def account(session: Session, ws: Workspace, username: str, email: str | None) -> int:
    return accounts.create_user(
        session,
        actor=SYSTEM,
        workspace_id=ws.id,
        username=username,
        full_name="Rina Wulandari",
        role=Role.VISA_ADMIN,
        password=PASSWORD,
        email=email,
        now=NOW,
    )


def test_the_account_with_that_email_signs_in_with_a_logged_revocable_session(
    session: Session, workspace: Workspace
) -> None:
    user_id = account(session, workspace, "rina@test-agency", "Rina@Agency.example")
    signed_in = auth.sign_in_sso(" rina@agency.EXAMPLE ", now=NOW, session=session)
    assert (signed_in.user.user_id, signed_in.user.role) == (user_id, Role.VISA_ADMIN)
    assert auth.resolve_session(signed_in.token, NOW, session=session) == signed_in.user
    changes = session.execute(
        select(t.ActivityLog.changes).where(
            t.ActivityLog.workspace_id == workspace.id, t.ActivityLog.action == "auth.signed_in"
        )
    ).scalar_one()
    assert changes["method"]["new"] == "sso"
    assert auth.sign_out(signed_in.token, NOW, session=session)
    assert auth.resolve_session(signed_in.token, NOW, session=session) is None


def test_no_account_a_deactivated_one_or_an_ambiguous_email_is_refused(
    session: Session, workspace: Workspace
) -> None:
    with pytest.raises(auth.SignInRefused):
        auth.sign_in_sso("nobody@agency.example", now=NOW, session=session)
    with pytest.raises(auth.SignInRefused):
        auth.sign_in_sso("not an address", now=NOW, session=session)

    gone = account(session, workspace, "gone@test-agency", "gone@agency.example")
    accounts.deactivate_user(session, actor=SYSTEM, workspace_id=workspace.id, user_id=gone, now=NOW)
    with pytest.raises(auth.SignInRefused):
        auth.sign_in_sso("gone@agency.example", now=NOW, session=session)

    create_workspace(session, slug="second-agency", name="Second", kind=WorkspaceKind.AGENCY)
    account(session, workspace, "dua@test-agency", "dua@agency.example")
    account(session, get_workspace(session, "second-agency"), "dua@second-agency", "dua@agency.example")
    with pytest.raises(auth.SignInRefused):  # which workspace? neither: ask for distinct e-mails
        auth.sign_in_sso("dua@agency.example", now=NOW, session=session)


def test_a_ticket_trades_for_the_session_once_and_soon(servers: None) -> None:
    ticket = auth.issue_ticket("a-session-token-of-forty-characters-xxxxx")
    assert ticket is not None
    key = f"pl:ticket:{auth.hash_token(ticket)}"
    assert 0 < cache.get_redis().ttl(key) <= auth.TICKET_SECONDS
    assert auth.redeem_ticket(ticket) == "a-session-token-of-forty-characters-xxxxx"
    assert auth.redeem_ticket(ticket) is None  # once
    assert auth.redeem_ticket("not-a-ticket-of-ours-at-all-000000") is None
    assert auth.redeem_ticket(None) is None
