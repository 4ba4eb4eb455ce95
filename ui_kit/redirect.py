"""`go_to(url)`: send the browser to another address of this site (a tiny `st.components.v2`
component; a Streamlit script cannot redirect by itself). Used once: after a single sign-on, to
exchange the one-time ticket for the session cookie (`GET /auth/sso-session`)."""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ data }) {
  if (data && typeof data.url === "string" && data.url.startsWith("/") && !data.url.startsWith("//")) {
    window.location.replace(data.url);
  }
}
"""

_REDIRECT = st.components.v2.component("umrah_redirect", js=_JS)


def go_to(path: str) -> None:
    """Replace the page with `path` (same site only: a path starting with one `/`)."""
    _REDIRECT(key="redirect", data={"url": path}, height=0)
