"""The sign-in routes over HTTP (Starlette's TestClient on a small app mounting them), real database.

The account lives in a workspace of its own, committed for the routes to see and deleted after.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from api.auth import routes
from pipeline_core.commands import accounts, auth
from pipeline_core.commands.accounts import SYSTEM
from pipeline_core.domain.model import Role, WorkspaceKind
from pipeline_core.store import db
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, delete_workspace

with warnings.catch_warnings():  # Starlette suggests httpx2 for its test client; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SLUG = "auth-routes"
USERNAME, PASSWORD = "rina@auth-routes", "kurma-ajwa-2026"
HOME = "http://testserver"


@pytest.fixture(scope="module")
def account(servers: None) -> Iterator[int]:
    with db.transaction() as session:
        delete_workspace(session, SLUG)
        workspace_id = create_workspace(session, slug=SLUG, name="Auth Routes", kind=WorkspaceKind.AGENCY)
    with db.transaction() as session:
        user_id = accounts.create_user(
            session,
            actor=SYSTEM,
            workspace_id=workspace_id,
            username=USERNAME,
            full_name="Rina Wulandari",
            role=Role.MANAGER,
            password=PASSWORD,
        )
    yield user_id
    with db.transaction() as session:
        delete_workspace(session, SLUG)


def client(base_url: str = HOME) -> TestClient:
    return TestClient(Starlette(routes=routes), base_url=base_url, follow_redirects=False)


def login(http: TestClient, password: str = PASSWORD, username: str = USERNAME, **headers: str) -> Any:
    headers = {"Origin": str(http.base_url).rstrip("/"), **headers}
    return http.post("/auth/login", data={"username": username, "password": password}, headers=headers)


def session_cookie(response: Any) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{auth.SESSION_COOKIE}=")]
    assert len(cookies) == 1, response.headers
    return str(cookies[0])


def attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def token_of(cookie: str) -> str:
    return cookie.split(";", 1)[0].split("=", 1)[1].strip('"')


def test_signing_in_sets_an_httponly_lax_session_cookie_and_goes_home(account: int) -> None:
    response = login(client())
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert response.headers["cache-control"] == "no-store"
    cookie = session_cookie(response)
    assert attributes(cookie) == {"httponly", "path=/", "samesite=lax"}  # not Secure over http, no expiry
    user = auth.resolve_session(token_of(cookie))
    assert user is not None and (user.user_id, user.workspace_slug) == (account, SLUG)


def test_the_cookie_is_secure_when_served_over_https(account: int) -> None:
    response = login(client("https://testserver"))
    assert response.status_code == 303
    assert "secure" in attributes(session_cookie(response))


def test_a_forwarded_proto_header_from_a_client_is_not_believed(account: int) -> None:
    # uvicorn applies X-Forwarded-Proto only from PIPELINE_TRUSTED_PROXIES; the route reads the scheme
    response = login(client(), **{"X-Forwarded-Proto": "https"})
    assert "secure" not in attributes(session_cookie(response))


def test_a_refused_sign_in_says_nothing_about_why(account: int) -> None:
    wrong = login(client(), password="bukan-sandinya")
    unknown = login(client(), username="nobody@nowhere")
    empty = client().post("/auth/login", data={}, headers={"Origin": HOME})
    for response in (wrong, unknown, empty):
        assert (response.status_code, response.headers["location"]) == (303, "/?login_error=1")
        assert "set-cookie" not in response.headers
    assert login(client()).status_code == 303  # a success clears the failure count


def _audit_count() -> int:
    with db.read_session() as session:
        return int(session.execute(select(func.count()).select_from(t.ActivityLog)).scalar_one())


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8443"},
        {"Origin": "null"},
        {"Origin": "null", "Referer": "http://evil.example/form"},
        {"Referer": "http://evil.example/testserver"},
        {"Origin": "https://app.example.co.id", "X-Forwarded-Host": "app.example.co.id"},
        {},
    ],
)
def test_a_cross_site_sign_in_post_is_refused(account: int, headers: dict[str, str]) -> None:
    before = _audit_count()
    response = client().post(
        "/auth/login", data={"username": USERNAME, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 403
    assert "set-cookie" not in response.headers
    assert _audit_count() == before  # refused before any sign-in was attempted


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "", "Referer": "http://testserver/?login_error=1"},
        {"Origin": "http://TESTSERVER:80"},
    ],
)
def test_same_site_posts_are_accepted(account: int, headers: dict[str, str]) -> None:
    assert login(client(), **headers).headers["location"] == "/"


def test_me_answers_the_signed_in_user_or_401(account: int) -> None:
    http = client()
    missing = http.get("/auth/me")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Unauthorized"
    token = token_of(session_cookie(login(http)))
    me = http.get("/auth/me", headers={"Cookie": f"{auth.SESSION_COOKIE}={token}"})
    assert me.status_code == 200
    assert me.json() == {
        "user_id": account,
        "username": USERNAME,
        "full_name": "Rina Wulandari",
        "role": "manager",
        "workspace_id": me.json()["workspace_id"],
        "workspace_slug": SLUG,
    }
    forged = http.get("/auth/me", headers={"Cookie": f"{auth.SESSION_COOKIE}={token[:-2]}xx"})
    assert forged.status_code == 401


def test_sign_out_clears_the_cookie_and_ends_the_session_on_the_server(account: int) -> None:
    http = client()
    token = token_of(session_cookie(login(http)))
    cookie = {"Cookie": f"{auth.SESSION_COOKIE}={token}"}
    response = http.post("/auth/logout", headers={"Origin": HOME, **cookie})
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cleared = session_cookie(response)
    assert token_of(cleared) == "" and "max-age=0" in attributes(cleared)
    assert {"httponly", "path=/", "samesite=lax"} <= attributes(cleared)
    assert auth.resolve_session(token) is None
    assert http.get("/auth/me", headers=cookie).status_code == 401  # the old cookie is worthless


def test_a_cross_site_sign_out_is_refused_and_the_session_stays(account: int) -> None:
    http = client()
    token = token_of(session_cookie(login(http)))
    response = http.post(
        "/auth/logout", headers={"Origin": "http://evil.example", "Cookie": f"{auth.SESSION_COOKIE}={token}"}
    )
    assert response.status_code == 403
    assert auth.resolve_session(token) is not None


def test_signing_in_again_in_the_same_browser_ends_the_earlier_session(account: int) -> None:
    http = client()
    first = token_of(session_cookie(login(http)))
    second = login(http, Cookie=f"{auth.SESSION_COOKIE}={first}")
    assert auth.resolve_session(first) is None
    assert auth.resolve_session(token_of(session_cookie(second))) is not None


def test_the_routes_take_only_their_methods(account: int) -> None:
    assert client().get("/auth/login").status_code == 405
    assert client().get("/auth/logout").status_code == 405
    assert client().post("/auth/me", headers={"Origin": HOME}).status_code == 405
