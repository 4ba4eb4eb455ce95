"""Security headers on every HTTP response (the page, /_stcore/*, our routes); websockets untouched.

The Content-Security-Policy is the one verified against Streamlit (../shared/PLATFORM.md): scripts
only from this origin (and blob: URLs the page makes for component code) plus the one inline
script of Streamlit's index.html, allowed by its hash,
computed at start-up so a Streamlit upgrade cannot silently break the page. Frames are allowed from
this origin only (custom components load in same-origin iframes; DENY would break them).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import streamlit
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _inline_script_hashes() -> list[str]:
    index = Path(streamlit.__file__).parent / "static" / "index.html"
    html = index.read_text(encoding="utf-8")
    hashes = []
    for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL):
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return hashes


def content_security_policy() -> str:
    # blob: the inline JavaScript of an `st.components.v2` component (the live listener) is loaded
    # as a module from a blob URL the page itself creates; only script already running here can
    # make one, so it opens no new way in.
    scripts = " ".join(["'self'", *_inline_script_hashes(), "'wasm-unsafe-eval'", "blob:"])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' data: blob:",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


class SecurityHeaders:
    """A plain ASGI middleware (not BaseHTTPMiddleware): it must not buffer streamed responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy().encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"SAMEORIGIN"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
