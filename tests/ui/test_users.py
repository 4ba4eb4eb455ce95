"""Pengguna: a super-admin creates, re-roles, deactivates and resets accounts of their workspace;
bad input says what to fix; a manager is not offered the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core.app import user_admin
from pipeline_core.commands import auth
from pipeline_core.commands.accounts import DEMO_PASSWORD, UserAccount
from pipeline_core.commands.auth import SignInRefused
from pipeline_core.domain.model import Role, Workspace
from tests.ui.conftest import open_page, sign_in, viewer

PASSWORD = "kurma-ajwa-2026"


def account(ws: Workspace, username: str) -> UserAccount:
    return next(u for u in user_admin.users(viewer(ws, Role.SUPER_ADMIN)) if u.username == username)


def open_users() -> AppTest:
    return open_page("users", user="super-admin")


def fill_new_user(at: AppTest, *, password: str) -> AppTest:
    at.text_input(key="new_username").input("dewi@demo-13")
    at.text_input(key="new_full_name").input("Dewi Lestari")
    at.selectbox(key="new_role").set_value("visa-admin")
    at.text_input(key="new_email").input("dewi@amanah.co.id")
    at.text_input(key="new_password").input(password)
    return at.button(key="create").click().run()


def test_the_list_shows_the_workspace_staff(demo13: Workspace) -> None:
    at = open_users()
    assert at.title[0].value == "Pengguna"
    shown = at.dataframe[0].value
    assert "super-admin@demo-13" in shown["username"].tolist()
    assert len(shown) == len(user_admin.users(viewer(demo13, Role.SUPER_ADMIN)))


def test_a_new_user_can_sign_in(fresh_demo13: Workspace) -> None:
    at = fill_new_user(open_users(), password=PASSWORD)
    assert not at.error, [e.value for e in at.error]
    assert [toast.value for toast in at.toast] == ["Dewi Lestari dibuat sebagai Admin Visa."]
    assert "dewi@demo-13" in at.dataframe[0].value["username"].tolist()
    assert at.text_input(key="new_username").value == "" and at.text_input(key="new_password").value == ""
    signed_in = auth.sign_in(username="dewi@demo-13", password=PASSWORD)
    assert (signed_in.user.role, signed_in.user.workspace_id) == (Role.VISA_ADMIN, fresh_demo13.id)


def test_a_short_password_says_what_to_fix(demo13: Workspace) -> None:
    at = fill_new_user(open_users(), password="pendek")
    [problem] = at.error
    assert "10 characters" in problem.value
    assert not at.toast
    assert "dewi@demo-13" not in at.dataframe[0].value["username"].tolist()
    assert at.text_input(key="new_username").value == "dewi@demo-13", "the rest of the form stays"
    assert at.text_input(key="new_password").value == "", "the password does not stay in the session"


def test_change_role(fresh_demo13: Workspace) -> None:
    clerk = account(fresh_demo13, "document-admin@demo-13")
    at = open_users()
    at.selectbox(key="pick").set_value(clerk.id).run()
    at.selectbox(key=f"user_role-{clerk.id}").set_value("logistics-admin")
    at.button(key="change-role").click().run()
    assert not at.error, [e.value for e in at.error]
    assert account(fresh_demo13, "document-admin@demo-13").role is Role.LOGISTICS_ADMIN
    assert "Admin Logistik" in at.toast[0].value


def test_the_last_super_admin_keeps_the_role(demo13: Workspace) -> None:
    me = account(demo13, "super-admin@demo-13")
    at = open_users()
    at.selectbox(key="pick").set_value(me.id).run()
    at.selectbox(key=f"user_role-{me.id}").set_value("manager")
    at.button(key="change-role").click().run()
    assert "last active super-admin" in at.error[0].value
    assert account(demo13, "super-admin@demo-13").role is Role.SUPER_ADMIN


def test_deactivating_ends_their_sessions(fresh_demo13: Workspace) -> None:
    token = sign_in("visa-admin")
    assert auth.resolve_session(token) is not None
    visa = account(fresh_demo13, "visa-admin@demo-13")
    at = open_users()
    at.selectbox(key="pick").set_value(visa.id).run()
    assert at.button(key="deactivate").disabled, "asks for the confirmation first"
    at.checkbox(key=f"sure-{visa.id}").check().run()
    at.button(key="deactivate").click().run()
    assert not at.error, [e.value for e in at.error]
    assert auth.resolve_session(token) is None
    assert account(fresh_demo13, "visa-admin@demo-13").is_active is False
    with pytest.raises(SignInRefused):
        auth.sign_in(username="visa-admin@demo-13", password=DEMO_PASSWORD)


def test_reset_password(fresh_demo13: Workspace) -> None:
    token = sign_in("visa-admin")
    visa = account(fresh_demo13, "visa-admin@demo-13")
    at = open_users()
    at.selectbox(key="pick").set_value(visa.id).run()
    at.text_input(key=f"reset-{visa.id}").input("zamzam-water-77")
    at.button(key="reset").click().run()
    assert not at.error, [e.value for e in at.error]
    assert auth.resolve_session(token) is None
    again = auth.sign_in(username="visa-admin@demo-13", password="zamzam-water-77")
    assert again.user.role is Role.VISA_ADMIN


def test_a_manager_is_not_offered_the_page(demo13: Workspace) -> None:
    at = open_page("users", user="manager")
    assert "Pengguna" not in [title.value for title in at.title]
    assert not any(button.key == "create" for button in at.button)
    assert [title.value for title in at.title][:1] == ["Ringkasan pipeline"]


def test_a_super_admin_sees_refused_sign_ins_and_where_they_came_from(fresh_demo13: Workspace) -> None:
    # the page lists the last 7 days before the server's clock, so the attempts happen at that clock
    now = datetime.now(UTC)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            auth.sign_in(
                username="visa-admin@demo-13", password="bukan-sandinya", now=now, address="192.0.2.50"
            )
    at = open_users()
    assert at.subheader[-1].value == "Percobaan masuk yang ditolak (7 hari)"
    shown = at.dataframe[-1].value
    mine = shown[shown["address"] == "192.0.2.50"]
    assert len(mine) == 3
    assert set(mine["outcome"]) == {"Kata sandi salah"}
    visa_admin = account(fresh_demo13, "visa-admin@demo-13")
    assert set(mine["account"]) == {f"{visa_admin.full_name} (visa-admin@demo-13)"}
    assert "192.0.2.50 (3)" in at.caption[-1].value
