"""Signing in and out, and who the current user is: what the HTTP routes and the pages call.

The rules live in `pipeline_core.commands.auth` (passwords, lockout, server-side sessions, the
single sign-on match, one-time tickets) and `pipeline_core.commands.accounts` (the demo accounts);
this module is the app's door to them, so the routes and pages import nothing below the app layer.
"""

from __future__ import annotations

from pipeline_core.commands.accounts import (
    DEMO_PASSWORD,
    PASSWORD_MIN,
    DemoAccount,
    DemoWorkspace,
    UserAccount,
    demo_sign_ins,
)
from pipeline_core.commands.auth import (
    SESSION_COOKIE,
    CurrentUser,
    SignedIn,
    SignInRefused,
    demo_username,
    issue_ticket,
    redeem_ticket,
    resolve_session,
    sign_in,
    sign_in_sso,
    sign_out,
    switch_demo_workspace,
)

__all__ = [
    "DEMO_PASSWORD",
    "PASSWORD_MIN",
    "SESSION_COOKIE",
    "CurrentUser",
    "DemoAccount",
    "DemoWorkspace",
    "SignInRefused",
    "SignedIn",
    "UserAccount",
    "demo_sign_ins",
    "demo_username",
    "issue_ticket",
    "redeem_ticket",
    "resolve_session",
    "sign_in",
    "sign_in_sso",
    "sign_out",
    "switch_demo_workspace",
]
