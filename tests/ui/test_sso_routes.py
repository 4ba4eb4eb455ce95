"""Our sign-in routes and Streamlit's `st.login` routes share the `/auth/` paths by method: POST is
ours (the password form), GET is Streamlit's (the redirect to the identity provider). Neither
shadows the other on the real server."""

from __future__ import annotations

import httpx


def test_post_is_our_sign_in_get_is_streamlits(app_server: str) -> None:
    ours = httpx.post(f"{app_server}/auth/login", data={"username": "x", "password": "y"})
    assert ours.status_code == 403  # no Origin: our cross-site guard answered
    assert ours.headers["content-type"] == "application/problem+json"
    streamlit = httpx.get(f"{app_server}/auth/login", follow_redirects=False)
    assert streamlit.status_code != 405  # Streamlit's route took it (without [auth]: its own error)
    assert streamlit.headers.get("content-type") != "application/problem+json"
