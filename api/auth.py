"""Sign-in routes served by the app process itself: POST /auth/login, POST /auth/logout, GET /auth/me,
GET /auth/sso-session (a single sign-on's one-time ticket for the cookie).

The sign-in page is a plain HTML form posting here (no JavaScript, works before Streamlit loads).
On success the route sets the session cookie and answers 303 to `/`; the Streamlit script then
reads the cookie from `st.context.cookies` and resolves it with `auth.resolve_session`.

- Cookie `umrah_session`: an opaque token of a server-side session (PostgreSQL), HttpOnly (no script
  reads it), SameSite=Lax, Path=/, Secure when the request came over HTTPS (scheme https; behind a
  proxy, its `X-Forwarded-Proto: https`, which uvicorn honours only from PIPELINE_TRUSTED_PROXIES).
  No Max-Age: it ends with the browser; the server ends it after the idle timeout whatever the
  browser keeps.
- Failure answers 303 to `/?login_error=1`, whatever the cause (the page shows one message);
  a database outage answers `/?login_error=unavailable`, which reveals nothing about accounts.
  The form's `lang` field (`id` or `en`) is carried over to the redirect, so the page keeps its
  language.
- Cross-site request forgery: a POST is accepted only when its `Origin` (or, without one, its
  `Referer`) names this host (`Host`: a proxy passes it on unchanged); otherwise 403. A cross-site
  form cannot forge either header; a POST with neither is refused too. `X-Forwarded-Host` is not
  read: any client can send it.
- Sign-in attempts are throttled by the client's address (pipeline_core/commands/sign_in_throttle.py):
  the address uvicorn reports, which is `X-Forwarded-For` only from a trusted proxy.
- Every answer carries `Cache-Control: no-store`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline_core.app import sessions as auth
from pipeline_core.app.sessions import SESSION_COOKIE, SignInRefused
from pipeline_core.domain.errors import PipelineError

__all__ = ["SESSION_COOKIE", "login", "logout", "me", "routes", "same_origin", "sso_session"]

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024
MAX_USERNAME, MAX_PASSWORD = 256, 1024
NO_STORE = {"Cache-Control": "no-store"}
LANGUAGES = ("id", "en")  # the UI's (ui_kit/i18n.py)


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=NO_STORE)


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=NO_STORE)


def is_https(request: Request) -> bool:
    """Served over HTTPS: the scheme uvicorn reports (a trusted proxy's X-Forwarded-Proto included)."""
    return request.url.scheme == "https"


def _authority(hostname: str | None, port: int | None) -> str | None:
    """`host[:port]`, lower-case, without the default ports 80/443 (browsers omit them in Origin)."""
    if not hostname:
        return None
    return hostname.lower() if port in (None, 80, 443) else f"{hostname.lower()}:{port}"


def _header_authority(value: str | None) -> str | None:
    if not value:
        return None
    try:
        parsed = urlsplit(f"//{value.split(',')[0].strip()}")
        return _authority(parsed.hostname, parsed.port)
    except ValueError:
        return None


def same_origin(request: Request) -> bool:
    """True when the request's Origin (else Referer) is this host: the form was posted from here."""
    source = request.headers.get("origin")
    if not source or source == "null":
        source = request.headers.get("referer")
    if not source:
        return False
    try:
        parsed = urlsplit(source)
        claimed = _authority(parsed.hostname, parsed.port) if parsed.scheme in ("http", "https") else None
    except ValueError:
        return False
    return claimed is not None and claimed == _header_authority(request.headers.get("host"))


def _forbidden() -> JSONResponse:
    return _problem(403, "Forbidden", "Cross-site request refused: post the form from this site.")


def client_address(request: Request) -> str | None:
    """The client's address as uvicorn reports it (a trusted proxy's X-Forwarded-For included)."""
    return request.client.host if request.client else None


def _browser(request: Request) -> str | None:
    return request.headers.get("user-agent", "")[:150] or None


def _home(form: Any = None, **params: str) -> str:
    """`/`, keeping the page's language (`lang`, only a known one) and adding `params`."""
    language = form.get("lang") if form is not None else None
    query = {**({"lang": language} if language in LANGUAGES else {}), **params}
    return "/?" + urlencode(query) if query else "/"


async def login(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    length = request.headers.get("content-length") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return _redirect(_home(login_error="1"))
    try:
        form = await request.form(max_files=0, max_fields=10)
    except Exception:
        return _redirect(_home(login_error="1"))
    username, password = form.get("username"), form.get("password")
    workspace = form.get("workspace") or None
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return _redirect(_home(form, login_error="1"))
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD or not isinstance(workspace, str | None):
        return _redirect(_home(form, login_error="1"))
    attempt = functools.partial(
        auth.sign_in,
        username=username,
        password=password,
        workspace_slug=workspace,
        client=_browser(request),
        address=client_address(request),
    )
    try:
        signed_in = await anyio.to_thread.run_sync(attempt)
    except SignInRefused:
        return _redirect(_home(form, login_error="1"))
    except PipelineError as error:
        log.error("sign-in unavailable: %s", error)
        return _redirect(_home(form, login_error="unavailable"))
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # signing in again in the same browser ends the earlier session
        await _sign_out_quietly(previous)
    return _signed_in_at(_home(form), signed_in.token, request)


def _signed_in_at(location: str, token: str, request: Request) -> Response:
    """303 to `location`, carrying the session cookie (HttpOnly, Lax, Secure over HTTPS)."""
    response = _redirect(location)
    secure = is_https(request)
    response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True, samesite="lax", secure=secure)
    return response


async def _sign_out_quietly(token: str) -> None:
    try:
        await anyio.to_thread.run_sync(auth.sign_out, token)
    except PipelineError as error:
        log.error("sign-out not recorded: %s", error)


async def logout(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await _sign_out_quietly(token)
    try:
        form = await request.form(max_files=0, max_fields=10)
    except Exception:
        form = None
    response = _redirect(_home(form))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))
    return response


async def sso_session(request: Request) -> Response:
    """`GET /auth/sso-session?ticket=…`: the browser exchanges a one-time ticket (`auth.issue_ticket`,
    made by the script after a single sign-on) for the session cookie, then goes home. Only from
    this site's own pages (`Referer`), so another site cannot sign a browser into its account."""
    if not same_origin(request):
        return _forbidden()
    ticket = request.query_params.get("ticket")
    try:
        token = await anyio.to_thread.run_sync(auth.redeem_ticket, ticket)
    except PipelineError as error:
        log.error("sign-in ticket unavailable: %s", error)
        token = None
    if token is None:
        return _redirect(_home(login_error="1"))
    return _signed_in_at("/", token, request)


async def me(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    try:
        user = await anyio.to_thread.run_sync(auth.resolve_session, token) if token else None
    except PipelineError as error:
        log.error("session check unavailable: %s", error)
        return _problem(503, "Service Unavailable", "The sign-in service cannot be reached right now.")
    if user is None:
        return _problem(401, "Unauthorized", "Not signed in, or the session has ended.")
    body = {
        "user_id": user.user_id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role.value,
        "workspace_id": user.workspace_id,
        "workspace_slug": user.workspace_slug,
    }
    return JSONResponse(body, headers=NO_STORE)


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/me", me, methods=["GET"]),
    Route("/auth/sso-session", sso_session, methods=["GET"]),
]
