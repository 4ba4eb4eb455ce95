"""`python -m pipeline_core api-token create|list|revoke`: the token printed once on stdout, only
its hash stored, revoked by id; a bad request is one line and exit 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pipeline_core.store import db
from pipeline_core.store import schema as t
from tests.api.conftest import World, api_client, make_world
from tests.integration.test_cli import run_cli


@pytest.fixture(scope="module")
def world(servers: None) -> Iterator[World]:
    with api_client() as client:
        yield make_world(client)


@pytest.mark.slow
def test_the_command_line_creates_lists_and_revokes_a_token(world: World) -> None:
    made = run_cli(
        "api-token", "create", "--workspace", "demo-13", "--username", "manager@demo-13", "--name", "cli"
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("upt_") and "\n" not in token
    with db.read_session() as session:
        row = session.execute(select(t.ApiToken).where(t.ApiToken.prefix == token[:12])).scalar_one()
    assert row.token_hash != token and row.created_by == "sistem"
    listed = run_cli("api-token", "list", "--workspace", "demo-13", "--username", "manager@demo-13")
    assert token[:12] in listed.stdout and token not in listed.stdout
    revoked = run_cli("api-token", "revoke", "--workspace", "demo-13", "--id", str(row.id))
    assert revoked.returncode == 0, revoked.stderr
    with db.read_session() as session:
        assert session.get(t.ApiToken, row.id).revoked_at is not None  # type: ignore[union-attr]
    unknown = run_cli("api-token", "create", "--workspace", "demo-13", "--username", "nobody", "--name", "x")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
