"""Sign in (Masuk): the only page without a session.

The form is plain HTML posting to `/auth/login` (api/auth.py), so the password never passes
through a Streamlit widget or the websocket, and the route can set the HttpOnly cookie. A refused
sign-in comes back as `?login_error=1` (one message whatever the cause) or `=unavailable`.
Dataset workspaces list their demo accounts, one click each.
"""

from __future__ import annotations

import html

import streamlit as st

from pipeline_core.app import sessions
from ui_kit.i18n import lang, role_title, t
from ui_kit.session import sso_configured, sso_email, sso_sign_out


def _form(fields: str, submit: str, *, primary: bool) -> str:
    kind = "primary" if primary else "secondary"
    return (
        f'<form method="post" action="/auth/login" class="umrah-signin">{fields}'
        f'<input type="hidden" name="lang" value="{html.escape(lang())}">'
        f'<button type="submit" class="umrah-{kind}">{html.escape(submit)}</button></form>'
    )


_STYLE = """<style>
.umrah-signin{display:flex;flex-direction:column;gap:.5rem;margin:0}
.umrah-signin label{font-size:.875rem}
.umrah-signin input[type=text],.umrah-signin input[type=password]{font:inherit;padding:.5rem .75rem;
 border:1px solid rgba(49,51,63,.25);border-radius:.5rem}
.umrah-primary,.umrah-secondary{font:inherit;border-radius:.5rem;padding:.4rem .9rem;cursor:pointer}
.umrah-primary{background:#0F766E;color:#fff;border:1px solid #0F766E}
.umrah-secondary{background:none;border:1px solid rgba(49,51,63,.25)}
.umrah-secondary:hover{border-color:#0F766E;color:#0F766E}
</style>"""


def sign_in_form() -> None:
    fields = (
        f'<label for="username">{html.escape(t("signin.username"))}</label>'
        '<input id="username" name="username" type="text" autocomplete="username" required maxlength="256"'
        " autofocus>"
        f'<label for="password">{html.escape(t("signin.password"))}</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required'
        ' maxlength="1024">'
    )
    st.html(_STYLE + _form(fields, t("signin.submit"), primary=True))


def demo_accounts(workspaces: list[sessions.DemoWorkspace]) -> None:
    st.subheader(t("signin.demo.title"), anchor=False)
    st.caption(t("signin.demo.intro", password=sessions.DEMO_PASSWORD))
    tabs = st.tabs([workspace.name for workspace in workspaces])
    for tab, workspace in zip(tabs, workspaces, strict=True):
        with tab:
            for account in workspace.accounts:
                with st.container(horizontal=True, vertical_alignment="center"):
                    who = f"**{role_title(account.role)}** · {account.full_name}"
                    st.markdown(f"{who}  \n:gray[`{account.username}`]", width="stretch")
                    hidden = (
                        f'<input type="hidden" name="username" value="{html.escape(account.username)}">'
                        f'<input type="hidden" name="password" value="{html.escape(sessions.DEMO_PASSWORD)}">'
                    )
                    st.html(_STYLE + _form(hidden, t("signin.demo.as"), primary=False), width="content")


def single_sign_on() -> None:
    """With an `[auth]` section configured: sign in through the organisation's identity provider
    (`st.login`); the local account with that e-mail is the user (docs/accounts.md)."""
    if not sso_configured():
        return
    email = sso_email()
    if email is None:
        st.button(t("signin.sso"), icon=":material/badge:", on_click=st.login, key="sso-login")
        return
    st.error(t("signin.sso.no_account", email=email), icon=":material/person_off:")
    if st.button(t("account.sign_out"), key="sso-sign-out", icon=":material/logout:"):
        sso_sign_out()


st.title(f":material/mosque: {t('app.title')}", anchor=False)
left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader(t("signin.title"), anchor=False)
    st.caption(t("signin.intro"))
    error = st.query_params.get("login_error")
    if error == "unavailable":
        st.error(t("signin.unavailable"), icon=":material/cloud_off:")
    elif error:
        st.error(t("signin.refused"), icon=":material/lock:")
    sign_in_form()
    single_sign_on()
with right:
    demos = sessions.demo_sign_ins()
    if demos:
        demo_accounts(demos)
    else:
        st.info(t("signin.none"), icon=":material/person_add:")
