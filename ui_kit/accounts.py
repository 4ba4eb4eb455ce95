"""What the user-management page draws: the staff table, the new-user form, and how a button's
call reports back (a toast after the rerun, or its problem under that button)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st

from pipeline_core.app import PASSWORD_MIN, SignInAttempt, UserAccount
from pipeline_core.domain import ROLE_ORDER, InvalidInput, PipelineError, Workspace
from ui_kit.i18n import TEXT, day_time, num, role_title, t
from ui_kit.widgets import flash

#: The roles a super-admin may give, in the order the choices list them.
ROLES = [role.value for role in ROLE_ORDER]
#: The new-user form's text fields (its role is the selectbox "new_role").
NEW_USER_FIELDS = ("new_username", "new_full_name", "new_email", "new_password")


def attempt(action: str, call: Callable[[], str], *, secrets: tuple[str, ...] = ()) -> None:
    """A button's callback: the call, then its toast, or its problem kept for the next run."""
    st.session_state.pop(f"problem-{action}", None)
    try:
        done = call()
    except InvalidInput as error:
        title = f"users.fix.{error.field}"
        st.session_state[f"problem-{action}"] = (t(title) if title in TEXT else t("users.fix"), error.message)
    except PipelineError as error:  # not permitted, gone meanwhile, database unreachable
        st.session_state[f"problem-{action}"] = (t("users.refused"), str(error))
    else:
        flash(done)
    for key in secrets:
        st.session_state[key] = ""


def problem(action: str) -> None:
    """The problem the last call of `action` left, under its button."""
    found = st.session_state.get(f"problem-{action}")
    if found:
        title, message = found
        st.error(message, title=title, icon=":material/error:")


def staff_table(people: list[UserAccount], workspace: Workspace) -> None:
    """The workspace's staff: name, username, role, active, locked until, last sign-in, e-mail."""

    def shown(at: datetime | None) -> str:
        return day_time(at, workspace.timezone) if at else ""

    st.caption(t("users.count", n=num(len(people)), active=num(sum(p.is_active for p in people))))
    st.dataframe(
        [
            {
                "name": p.full_name,
                "username": p.username,
                "role": role_title(p.role),
                "active": p.is_active,
                "locked": shown(p.locked_until),
                "last": shown(p.last_sign_in_at),
                "email": p.email or "",
            }
            for p in people
        ],
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn(t("users.name")),
            "username": st.column_config.TextColumn(t("users.username")),
            "role": st.column_config.TextColumn(t("users.role")),
            "active": st.column_config.CheckboxColumn(t("users.active"), width="small"),
            "locked": st.column_config.TextColumn(t("users.locked")),
            "last": st.column_config.TextColumn(t("users.last_sign_in")),
            "email": st.column_config.TextColumn("E-mail"),
        },
        key="users-table",
        alt=t("users.alt"),
    )


def sign_in_attempts_table(attempts: list[SignInAttempt], workspace: Workspace) -> None:
    """Refused sign-ins of the last 7 days, newest first: when, which account, from which address,
    what happened (and until when a delay runs); a count of attempts per address above it."""
    if not attempts:
        st.caption(t("users.attempts.none"))
        return
    by_address: dict[str, int] = {}
    for one in attempts:
        if one.outcome != "delayed":
            by_address[one.address] = by_address.get(one.address, 0) + 1
    busiest = sorted(by_address.items(), key=lambda item: -item[1])[:3]
    st.caption(
        t(
            "users.attempts.summary",
            n=num(sum(by_address.values())),
            top=", ".join(f"{address} ({num(count)})" for address, count in busiest),
        )
    )
    st.dataframe(
        [
            {
                "at": day_time(one.occurred_at, workspace.timezone),
                "account": f"{one.full_name} ({one.account})",
                "address": one.address,
                "outcome": t(f"users.attempts.{one.outcome}"),
                "until": day_time(one.until, workspace.timezone) if one.until else "",
            }
            for one in attempts
        ],
        hide_index=True,
        column_config={
            "at": st.column_config.TextColumn(t("users.attempts.at")),
            "account": st.column_config.TextColumn(t("users.attempts.account")),
            "address": st.column_config.TextColumn(t("users.attempts.address")),
            "outcome": st.column_config.TextColumn(t("users.attempts.outcome")),
            "until": st.column_config.TextColumn(t("users.attempts.until")),
        },
        key="attempts-table",
        alt=t("users.attempts.title"),
    )


def new_user_form(workspace: Workspace, *, on_submit: Callable[[], None]) -> None:
    """Username, full name, role, e-mail and password; `on_submit` runs as the button's callback."""
    with st.form("new-user"):
        st.text_input(
            t("users.username"),
            key="new_username",
            max_chars=64,
            placeholder=f"rina@{workspace.slug}",
            help=t("users.username.help", slug=workspace.slug),
        )
        st.text_input(t("users.full_name"), key="new_full_name", max_chars=200)
        st.selectbox(
            t("users.role"),
            ROLES,
            index=None,
            format_func=role_title,
            placeholder=t("users.role.pick"),
            key="new_role",
            help=t("users.role.help"),
        )
        st.text_input(t("users.email"), key="new_email", help=t("users.email.help"))
        st.text_input(
            t("users.password"),
            type="password",
            key="new_password",
            max_chars=1024,
            help=t("users.password.help", n=PASSWORD_MIN),
        )
        st.form_submit_button(
            t("users.create"), on_click=on_submit, icon=":material/person_add:", type="primary", key="create"
        )
