"""Sign-in through the app (AppTest; the browser walk posts the real form): who sees what, per role.

AppTest sends no cookies, so each test signs in for real (`auth.sign_in`, a server-side session)
and hands the token to the app's one seam (`session.session_token`, see conftest).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select, update
from streamlit.testing.v1 import AppTest

from pipeline_core.app import dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands import accounts, auth
from pipeline_core.commands.privacy import REVEALED_ACTION
from pipeline_core.domain import formatting
from pipeline_core.domain.model import ADMIN_ROLES, Role, Workspace, WorkspaceKind
from pipeline_core.domain.privacy import mask_nik
from pipeline_core.store import db
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.ui.conftest import ROOT, TOKEN_KEY, identity, open_page, sign_in

ALL_ROLES = [Role.MANAGER, *ADMIN_ROLES, Role.SUPER_ADMIN]
ACTIVITY_TITLE, USERS_TITLE = "Log aktivitas", "Pengguna"


def title(at: AppTest) -> str:
    return at.title[0].value if at.title else ""


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


# --- without a session ------------------------------------------------------------------------


def test_without_a_session_only_the_sign_in_page(demo13: Workspace) -> None:
    at = open_page("task_queue", user=None)
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert 'action="/auth/login"' in html and 'name="password"' in html
    assert "manager@demo-13" in html and accounts.DEMO_PASSWORD in html  # one-click demo sign-in
    assert not at.metric  # nothing of the pipeline
    assert [c.key for c in at.get("segmented_control")] == ["lang"]  # only the language switch
    assert "Akun demo" in [s.value for s in at.subheader]


@pytest.mark.parametrize(
    ("error", "message"),
    [("1", "Nama pengguna atau kata sandi salah"), ("unavailable", "Layanan masuk sedang tidak dapat")],
)
def test_a_refused_sign_in_says_so_without_telling_why(demo13: Workspace, error: str, message: str) -> None:
    at = open_page("overview", user=None, login_error=error)
    assert at.error[0].value.startswith(message)


def test_a_signed_out_session_is_gone_at_the_next_click(demo13: Workspace) -> None:
    at = open_page("overview")
    assert at.metric
    auth.sign_out(at.session_state[TOKEN_KEY])
    at.run()
    assert not at.metric
    assert 'action="/auth/login"' in "\n".join(str(h.proto.body) for h in at.get("html"))


# --- each role sees what it may ---------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.value)
def test_each_demo_role_sees_what_it_may(demo13: Workspace, role: Role) -> None:
    at = open_page("overview", user=role.value)
    assert "Masuk sebagai" in markdown(at) and f"({role_title(role)})" in markdown(at)
    health = dashboard.pipeline_health(system_viewer(demo13))
    assert {m.label: m.value for m in at.metric}["Total jamaah"] == formatting.number(health.total)

    queue = open_page("task_queue", user=role.value)
    offered = queue.segmented_control(key="role").options
    if role in ADMIN_ROLES:
        assert offered == [role_title(role)]  # their own queue only
    else:
        assert len(offered) == 1 + len(ADMIN_ROLES)

    activity = open_page("activity", user=role.value)
    assert (title(activity) == ACTIVITY_TITLE) == (role in (Role.MANAGER, Role.SUPER_ADMIN))
    users = open_page("users", user=role.value)
    assert (title(users) == USERS_TITLE) == (role is Role.SUPER_ADMIN)


def role_title(role: Role) -> str:
    from ui_kit.i18n import TEXT

    return TEXT[f"role.{role.value}"][0]


def test_an_admin_cannot_ask_for_another_roles_queue_by_url(demo13: Workspace) -> None:
    at = open_page("task_queue", user="visa-admin", role="Admin Dokumen")
    assert at.segmented_control(key="role").value == Role.VISA_ADMIN.value
    assert not at.exception


# --- personal data ------------------------------------------------------------------------------


def test_a_manager_reveals_nik_on_demand_and_it_is_logged(demo13: Workspace) -> None:
    jamaah_id = dashboard.task_queue_page(system_viewer(demo13)).items[0].jamaah_id
    nik, _ = identity(demo13, jamaah_id)
    at = open_page("jamaah", jamaah=str(jamaah_id))
    assert nik not in at.table[0].value.to_string()
    at.button(key="reveal").click().run()
    assert nik in at.table[0].value.to_string()
    with db.read_session() as session:
        logged = session.execute(
            select(t.ActivityLog.actor).where(
                t.ActivityLog.workspace_id == demo13.id,
                t.ActivityLog.jamaah_id == jamaah_id,
                t.ActivityLog.action == REVEALED_ACTION,
            )
        ).scalars().all()  # fmt: skip
    assert logged, "the reveal is on the jamaah's timeline"
    at.run()  # any next run: masked again
    assert nik not in at.table[0].value.to_string() and mask_nik(nik) in at.table[0].value.to_string()


@pytest.mark.parametrize("role", [*ADMIN_ROLES, Role.SUPER_ADMIN], ids=lambda r: r.value)
def test_other_roles_have_no_reveal(demo13: Workspace, role: Role) -> None:
    jamaah_id = dashboard.task_queue_page(system_viewer(demo13)).items[0].jamaah_id
    at = open_page("jamaah", user=role.value, jamaah=str(jamaah_id))
    assert "reveal" not in [b.key for b in at.button]


# --- workspaces -------------------------------------------------------------------------------


def test_the_demo_toggle_moves_the_session_to_the_other_dataset(demo13: Workspace) -> None:
    at = open_page("overview")
    token = at.session_state[TOKEN_KEY]
    at.segmented_control(key="dataset").set_value("demo-2000").run()
    user = auth.resolve_session(token)
    assert user is not None and (user.workspace_slug, user.role) == ("demo-2000", Role.MANAGER)
    assert {m.label: m.value for m in at.metric}["Total jamaah"] == "2.000"


def test_a_link_with_another_dataset_changes_nothing(demo13: Workspace) -> None:
    """A GET never changes state: `?dataset=demo-2000` in a link (from another site too) leaves the
    session in its dataset; only a click on the toggle moves it."""
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = token = sign_in("manager", "demo-13")
    at.query_params["dataset"] = "demo-2000"  # a link someone sent
    at.run()
    assert not at.exception
    user = auth.resolve_session(token)
    assert user is not None and user.workspace_slug == "demo-13"
    assert {m.label: m.value for m in at.metric}["Total jamaah"] == "13"
    assert at.segmented_control(key="dataset").value == "demo-13"


def test_another_workspaces_jamaah_is_not_found_by_url(demo13: Workspace, demo2000: Workspace) -> None:
    other = dashboard.task_queue_page(system_viewer(demo2000)).items[0].jamaah_id
    at = open_page("jamaah", jamaah=str(other))
    assert [w.value for w in at.warning] == [f"Jamaah {other} tidak ada di dataset ini."]


@pytest.fixture
def agency_manager(servers: None) -> Iterator[str]:
    """A real agency's manager (no demo toggle); the workspace is removed afterwards."""
    with db.transaction() as session:
        create_workspace(session, slug="agen-uji", name="Agen Uji", kind=WorkspaceKind.AGENCY)
        workspace = get_workspace(session, "agen-uji")
        accounts.create_user(
            session,
            actor=accounts.SYSTEM,
            workspace_id=workspace.id,
            username="rina@agen-uji",
            full_name="Rina Wulandari",
            role=Role.MANAGER,
            password="kurma-ajwa-2026",
        )
    yield auth.sign_in(username="rina@agen-uji", password="kurma-ajwa-2026", workspace_slug=None).token
    with db.transaction() as session:
        session.execute(delete(t.Workspace).where(t.Workspace.slug == "agen-uji"))


def test_an_agency_user_stays_in_their_workspace_whatever_the_url(
    demo13: Workspace, agency_manager: str
) -> None:
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = agency_manager
    at.query_params["dataset"] = "demo-13"
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Total jamaah"] == "0"
    assert not [c for c in at.get("segmented_control") if c.key == "dataset"]  # no demo toggle
    with pytest.raises(Exception, match="demo"):
        auth.switch_demo_workspace(agency_manager, "demo-13")


def test_a_second_sign_in_token_is_its_own_session(demo13: Workspace) -> None:
    first, second = sign_in(), sign_in()
    auth.sign_out(first)
    assert auth.resolve_session(first) is None
    assert auth.resolve_session(second) is not None


# --- single sign-on (st.login) ------------------------------------------------------------------

SSO = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "umrah",
    "client_secret": "s",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def sso_page(page: str, email: str | None) -> AppTest:
    """The app with an `[auth]` section and, when `email` is given, a person the identity
    provider vouched for (AppTest's `user`)."""
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_single_sign_on_maps_the_email_to_the_local_account(demo13: Workspace, agency_manager: str) -> None:
    with db.transaction() as session:
        session.execute(
            update(t.User).where(t.User.username == "rina@agen-uji").values(email="rina@agen-uji.id")
        )
    at = sso_page("overview", "Rina@Agen-Uji.id")
    assert "Masuk sebagai **Rina Wulandari**" in markdown(at)
    assert "sso-sign-out" in [b.key for b in at.button]  # sign out ends both sessions


def test_single_sign_on_without_an_account_says_what_to_do(demo13: Workspace) -> None:
    at = sso_page("overview", "stranger@example.org")
    assert not at.metric
    assert "stranger@example.org" in at.error[0].value


def test_the_sso_button_shows_only_when_configured(demo13: Workspace) -> None:
    assert "sso-login" in [b.key for b in sso_page("overview", None).button]
    assert "sso-login" not in [b.key for b in open_page("overview", user=None).button]
