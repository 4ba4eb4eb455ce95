"""Our sign-in routes and Streamlit's `st.login` routes share the `/auth/` paths by method: POST is
ours (the password form), GET is Streamlit's (the redirect to the identity provider). Neither
shadows the other on the real server."""

from __future__ import annotations

import httpx

from pipeline_core.commands import auth
from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.commands.auth import SESSION_COOKIE
from pipeline_core.domain.model import Workspace


def test_post_is_our_sign_in_get_is_streamlits(app_server: str) -> None:
    ours = httpx.post(f"{app_server}/auth/login", data={"username": "x", "password": "y"})
    assert ours.status_code == 403  # no Origin: our cross-site guard answered
    assert ours.headers["content-type"] == "application/problem+json"
    streamlit = httpx.get(f"{app_server}/auth/login", follow_redirects=False)
    assert streamlit.status_code != 405  # Streamlit's route took it (without [auth]: its own error)
    assert streamlit.headers.get("content-type") != "application/problem+json"


def test_a_single_sign_on_ticket_becomes_the_session_cookie_once(app_server: str, demo13: Workspace) -> None:
    token = auth.sign_in(username="visa-admin@demo-13", password=DEMO_PASSWORD, workspace_slug=None).token
    ticket = auth.issue_ticket(token)
    url = f"{app_server}/auth/sso-session?ticket={ticket}"
    ours = {"Referer": f"{app_server}/"}
    assert httpx.get(url, headers={"Referer": "https://evil.example/"}).status_code == 403
    traded = httpx.get(url, headers=ours, follow_redirects=False)
    assert (traded.status_code, traded.headers["location"]) == (303, "/")
    cookie = traded.headers["set-cookie"]
    assert (
        cookie.startswith(f"{SESSION_COOKIE}={token};") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    )
    again = httpx.get(url, headers=ours, follow_redirects=False)
    assert again.headers["location"] == "/?login_error=1" and "set-cookie" not in again.headers
