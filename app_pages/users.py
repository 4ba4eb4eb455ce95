"""Pengguna (super-admins): the workspace's staff, and what a super-admin does to their accounts —
create, change role, deactivate, reset password.

Each button is one call of the app interface (`core.create_user`, …; one transaction each), run in
the button's callback: a success is a toast, a refusal stays under that button and says what to fix
(ui_kit/accounts.py). Passwords typed here are cleared from the session after every attempt.
"""

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import Action
from ui_kit.accounts import (
    NEW_USER_FIELDS,
    ROLES,
    attempt,
    new_user_form,
    problem,
    sign_in_attempts_table,
    staff_table,
)
from ui_kit.i18n import role_title, t
from ui_kit.session import viewer_who_may
from ui_kit.widgets import section, show_flash

viewer = viewer_who_may(Action.MANAGE_USERS, "users.denied")
workspace = viewer.workspace
show_flash()
st.title(t("users.title"), anchor=False)
st.caption(t("users.caption", name=workspace.name))


def create() -> None:
    def call() -> str:
        state = st.session_state
        core.create_user(
            viewer,
            username=state["new_username"],
            full_name=state["new_full_name"],
            role=state["new_role"] or "",
            password=state["new_password"],
            email=state["new_email"],
        )
        done = t(
            "users.created", name=" ".join(state["new_full_name"].split()), role=role_title(state["new_role"])
        )
        for key in NEW_USER_FIELDS:
            state[key] = ""
        state["new_role"] = None
        return done

    attempt("create", call, secrets=("new_password",))


def change_role(person: core.UserAccount, key: str) -> None:
    def call() -> str:
        core.change_role(viewer, user_id=person.id, role=st.session_state[key])
        return t("users.role_changed", name=person.full_name, role=role_title(st.session_state[key]))

    attempt("role", call)


def deactivate(person: core.UserAccount) -> None:
    def call() -> str:
        core.deactivate_user(viewer, user_id=person.id)
        return t("users.deactivated", name=person.full_name)

    attempt("deactivate", call)


def reset(person: core.UserAccount, key: str) -> None:
    def call() -> str:
        core.reset_password(viewer, user_id=person.id, password=st.session_state[key])
        return t("users.reset_done", name=person.full_name)

    attempt("reset", call, secrets=(key,))


people: list[core.UserAccount] = []
with section("users"):
    people = core.users(viewer)
    staff_table(people, workspace)

left, right = st.columns(2, gap="large")
with left:
    st.subheader(t("users.create.title"), anchor=False)
    new_user_form(workspace, on_submit=create)
    problem("create")

with right:
    st.subheader(t("users.manage.title"), anchor=False)
    by_id = {p.id: p for p in people}
    chosen = st.selectbox(
        t("users.pick"),
        list(by_id),
        index=None,
        format_func=lambda i: f"{by_id[i].full_name} ({by_id[i].username})",
        placeholder=t("users.pick.placeholder"),
        key="pick",
        help=t("users.pick.help"),
    )
    person = by_id.get(chosen) if chosen is not None else None
    if person is not None:
        with st.container(border=True):
            role_key = f"user_role-{person.id}"
            st.selectbox(
                t("users.role"),
                ROLES,
                index=ROLES.index(person.role.value),
                format_func=role_title,
                key=role_key,
            )
            st.caption(t("users.role_changed.note"))
            st.button(
                t("users.change_role"),
                key="change-role",
                on_click=change_role,
                args=(person, role_key),
                icon=":material/badge:",
            )
            problem("role")
        with st.container(border=True):
            st.caption(t("users.deactivate.note"))
            if not person.is_active:
                st.info(t("users.inactive"), icon=":material/person_off:")
            sure = st.checkbox(
                t("users.deactivate.confirm"), key=f"sure-{person.id}", disabled=not person.is_active
            )
            st.button(
                t("users.deactivate"),
                key="deactivate",
                on_click=deactivate,
                args=(person,),
                disabled=not (sure and person.is_active),
                icon=":material/person_off:",
            )
            problem("deactivate")
        with st.container(border=True):
            reset_key = f"reset-{person.id}"
            st.text_input(
                t("users.reset.new"),
                type="password",
                key=reset_key,
                max_chars=1024,
                help=t("users.password.help", n=core.PASSWORD_MIN),
            )
            st.caption(t("users.reset.note"))
            st.button(
                t("users.reset"), key="reset", on_click=reset, args=(person, reset_key), icon=":material/key:"
            )
            problem("reset")

st.subheader(t("users.attempts.title"), anchor=False)
st.caption(t("users.attempts.note"))
with section("attempts"):
    sign_in_attempts_table(core.sign_in_attempts(viewer), workspace)
