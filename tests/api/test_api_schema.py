"""The whole API tested from its own OpenAPI document (schemathesis, property-based): for every
role's token, every operation with generated parameters and bodies answers no 5xx, and every
answer matches the schema the document declares for it.

The document is the one the app serves (`/api/v1/openapi.json`); requests go in process to the
same mounted app, over the real PostgreSQL and Redis of the test session, at NOW.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from starlette.applications import Starlette
from starlette.routing import Mount

from api.v1 import create_api
from api.v1.auth import clock
from pipeline_core.domain.model import Role
from pipeline_core.domain.permissions import ROLE_ORDER
from tests.api.conftest import UNLIMITED, World, api_client, make_world
from tests.builders import NOW

_api = create_api(UNLIMITED)
_api.dependency_overrides[clock] = lambda: NOW
SITE = Starlette(routes=[Mount("/api", app=_api)])
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", SITE)


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda r: r.value)
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_schema(case: schemathesis.Case, role: Role, world: World) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world.tokens[role]}"},
        checks=[not_a_server_error, response_schema_conformance],
        excluded_checks=[],
    )
