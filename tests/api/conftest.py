"""The HTTP API in process: the FastAPI app of `api.v1` mounted at /api as app.py mounts it,
over the real test PostgreSQL and Redis, answering at the builders' NOW (the `clock` dependency).

`world` loads demo-13 (laid out at NOW, with its demo accounts) and makes one personal API token
per role, through the core as the command line does. Each test module gets a freshly loaded
dataset, so a module that changes tasks does not disturb another.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from api.v1 import create_api
from api.v1.auth import Limits, clock
from pipeline_core.app import Viewer, dashboard, sessions
from pipeline_core.app.api_access import create_token
from pipeline_core.domain.model import Role, Workspace
from pipeline_core.domain.permissions import ROLE_ORDER
from pipeline_core.seed.datasets import load_dataset
from tests.builders import NOW

#: High enough never to trip in a test that is not about them.
UNLIMITED = Limits(per_caller=1_000_000, per_address=1_000_000)


def api_client(limit: Limits = UNLIMITED, address: str = "testclient") -> TestClient:
    api = create_api(limit)
    api.dependency_overrides[clock] = lambda: NOW
    site = Starlette(routes=[Mount("/api", app=api)])
    return TestClient(
        site, base_url="http://testserver", raise_server_exceptions=False, client=(address, 50000)
    )


@dataclass
class World:
    workspace: Workspace
    client: TestClient
    tokens: dict[Role, str]
    user_ids: dict[Role, int]

    def auth(self, role: Role = Role.MANAGER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path: str, as_role: Role = Role.MANAGER, **params: Any) -> httpx.Response:
        return self.client.get(f"/api/v1{path}", headers=self.auth(as_role), params=params)


def demo_user(workspace: Workspace, role: Role) -> sessions.CurrentUser:
    signed_in = sessions.sign_in(username=sessions.demo_username(role, workspace.slug),
                                 password=sessions.DEMO_PASSWORD, now=NOW)  # fmt: skip
    return signed_in.user


def make_world(client: TestClient) -> World:
    load_dataset("demo-13", reset=True, now=NOW, demo_accounts=True)
    workspace = dashboard.workspace("demo-13")
    tokens, user_ids = {}, {}
    for role in ROLE_ORDER:
        user = demo_user(workspace, role)
        viewer = Viewer(workspace=workspace, actor=user.actor)
        tokens[role] = create_token(viewer, f"tests {role.value}", now=NOW).token
        user_ids[role] = user.user_id
    return World(workspace, client, tokens, user_ids)


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


def demo_session(workspace: Workspace, role: Role) -> str:
    """A signed-in browser session's cookie value for the role's demo account."""
    signed_in = sessions.sign_in(
        username=sessions.demo_username(role, workspace.slug), password=sessions.DEMO_PASSWORD, now=NOW
    )
    return signed_in.token
