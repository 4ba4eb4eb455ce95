"""The capacity benchmark's client (benchmarks/capacity_client.py) against the real app process: a
few signed-in users over Streamlit's websocket protocol for a few seconds. A correctness test of
the tool (its runs finish, it sees errors when there are some, it hears the live push), not a
measurement: nothing here asserts on time.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from benchmarks import capacity_client
from benchmarks.capacity_client import SimUser, Tally, simulate
from pipeline_core.commands import accounts, auth
from pipeline_core.commands import tasks as services
from pipeline_core.domain.model import Role, Workspace, WorkspaceKind
from pipeline_core.store import db, repository
from pipeline_core.store.workspaces import create_workspace, delete_workspace, get_workspace
from tests.builders import MANAGER, make_jamaah

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def agency(engine: Engine) -> Iterator[tuple[Workspace, int]]:
    """A committed workspace (the app process must see it) with demo accounts and one open task."""
    slug = f"capacity-{uuid.uuid4().hex[:8]}"
    with Session(engine, expire_on_commit=False) as s:
        create_workspace(s, slug=slug, name="Capacity Test", kind=WorkspaceKind.DEMO)
        s.commit()
        workspace = get_workspace(s, slug)
        accounts.ensure_demo_accounts(s, workspace.id, slug)
        s.commit()
        task = make_jamaah(s, workspace, full_name="Ahmad Hidayat").task
    assert task is not None
    yield workspace, task.id
    with Session(engine) as s:
        delete_workspace(s, slug)
        s.commit()


def token(role: Role, workspace: Workspace) -> str:
    username = accounts.demo_username(role, workspace.slug)
    return auth.sign_in(username=username, password=accounts.DEMO_PASSWORD, client="test").token


def touch(workspace: Workspace, task_id: int) -> None:
    """A change to the task by the core command (it publishes to the Redis the app shares)."""
    with db.transaction() as s:
        task = repository.find_task(s, workspace.id, task_id)
        services.update_task(
            session=s,
            workspace=workspace,
            actor=MANAGER,
            task_id=task_id,
            version=task.version,
            notes="capacity",
        )


def run(users: list[SimUser], change: tuple[Workspace, int] | None = None) -> Tally:
    """The users for three seconds (a rerun a second each); with `change`, that task is edited once
    every listener is connected."""

    async def scenario() -> Tally:
        tally = Tally()
        simulation = asyncio.create_task(simulate(users, tally, seconds=3, interval=1, ramp=0.5))
        if change is not None:
            while tally.listeners_ready < sum(user.listens for user in users) and not simulation.done():
                await asyncio.sleep(0.05)
            await asyncio.to_thread(touch, *change)
        return await simulation

    return asyncio.run(scenario())


def test_signed_in_users_get_their_pages_run_with_no_errors(
    app_server: str, agency: tuple[Workspace, int]
) -> None:
    workspace, task_id = agency
    manager, staff = token(Role.MANAGER, workspace), token(Role.DOCUMENT_ADMIN, workspace)
    users = [
        SimUser(app_server, manager, ("", "bottlenecks"), listens=True),
        SimUser(app_server, manager, ("bottlenecks", "")),
        SimUser(app_server, staff, ("task_queue",)),
    ]

    tally = run(users, change=(workspace, task_id))

    assert dict(tally.errors) == {}, tally.error_samples
    assert len(tally.first_runs) == 3
    assert {run.page for run in tally.measured()} == {"", "bottlenecks", "task_queue"}
    assert all(run.kb > 0 and run.messages > 1 for run in tally.measured())
    assert tally.listeners_ready == 1
    assert list(tally.arrivals.get(task_id, {})) == [0]  # the one listening stream heard the edit


def test_errors_are_counted_not_hidden(app_server: str, agency: tuple[Workspace, int]) -> None:
    workspace, _ = agency
    users = [SimUser(app_server, token(Role.VISA_ADMIN, workspace), ("no_such_page",))]

    tally = run(users)

    assert tally.errors["page not found"] >= 2  # the first run and every rerun


def test_the_client_uses_the_apps_session_cookie() -> None:
    assert capacity_client.SESSION_COOKIE == auth.SESSION_COOKIE
