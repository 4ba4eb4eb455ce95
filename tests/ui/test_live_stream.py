"""`GET /live/events` of the real app process (`streamlit run app.py`), spoken to as a browser would.

Sign-in is the real form POST (with an Origin header); the stream is read with httpx. Changes
are made by the core commands in this test process, which publish to the Redis the app processes
share, exactly as a page's button does in another process. Absence is shown without waiting on a
clock: after the change a stream must not see, a change it must see is made, and that one must be
its next event.
"""

from __future__ import annotations

import contextlib
import json
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pipeline_core.commands import accounts, auth
from pipeline_core.commands import tasks as services
from pipeline_core.commands.auth import SESSION_COOKIE
from pipeline_core.domain.model import Role, Workspace, WorkspaceKind
from pipeline_core.store import db, events, repository
from pipeline_core.store.repository import Task
from pipeline_core.store.workspaces import create_workspace, delete_workspace, get_workspace
from tests.builders import MANAGER, make_jamaah
from tests.conftest import start_app

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = httpx.Timeout(30.0)  # generous: nothing here asserts on time


@dataclass
class Agency:
    workspace: Workspace
    document_task: Task  # a document-admin task
    visa_task: Task  # a task moved to the visa-admin desk

    @property
    def slug(self) -> str:
        return self.workspace.slug


def _make_agency(engine: Engine) -> Agency:
    slug = f"live-{uuid.uuid4().hex[:8]}"
    with Session(engine, expire_on_commit=False) as s:
        create_workspace(s, slug=slug, name="Live Test", kind=WorkspaceKind.DEMO)
        s.commit()
        workspace = get_workspace(s, slug)
        accounts.ensure_demo_accounts(s, workspace.id, slug)
        s.commit()
        first = make_jamaah(s, workspace, full_name="Ahmad Hidayat").task
        second = make_jamaah(s, workspace, full_name="Siti Rahmah").task
    assert first is not None and second is not None
    with db.transaction() as s:
        visa = services.reassign(
            session=s,
            workspace=workspace,
            actor=MANAGER,
            task_id=second.id,
            version=second.version,
            assignee_id=None,
            role=Role.VISA_ADMIN,
        )
    return Agency(workspace, first, visa)


@pytest.fixture(scope="module")
def agencies(engine: Engine) -> Iterator[tuple[Agency, Agency]]:
    made = (_make_agency(engine), _make_agency(engine))
    yield made
    with Session(engine) as s:
        for agency in made:
            delete_workspace(s, agency.slug)
        s.commit()


def _fresh(agency: Agency) -> Agency:
    """The agency with its tasks at their current versions."""
    with db.read_session() as s:
        document = repository.find_task(s, agency.workspace.id, agency.document_task.id)
        visa = repository.find_task(s, agency.workspace.id, agency.visa_task.id)
    return Agency(agency.workspace, document, visa)


def _touch(agency: Agency, which: str) -> int:
    """A change to one of the agency's tasks (notes edit, by the manager); returns its task id."""
    agency = _fresh(agency)
    task = agency.document_task if which == "document" else agency.visa_task
    with db.transaction() as s:
        services.update_task(
            session=s,
            workspace=agency.workspace,
            actor=MANAGER,
            task_id=task.id,
            version=task.version,
            notes=f"note {uuid.uuid4().hex[:6]}",
        )
    return task.id


@contextlib.contextmanager
def sign_in(base: str, role: Role, agency: Agency) -> Iterator[httpx.Client]:
    """A browser of `role`'s demo account of the agency, signed in through the form."""
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        yield _signed_in(client, role, agency)


def _signed_in(client: httpx.Client, role: Role, agency: Agency) -> httpx.Client:
    base = str(client.base_url).rstrip("/")
    answer = client.post(
        "/auth/login",
        data={"username": accounts.demo_username(role, agency.slug), "password": accounts.DEMO_PASSWORD},
        headers={"Origin": base},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    assert client.cookies.get(SESSION_COOKIE)
    return client


class EventStream:
    """An open /live/events response, read frame by frame (comments skipped)."""

    def __init__(self, client: httpx.Client, headers: dict[str, str] | None = None) -> None:
        self._context = client.stream("GET", "/live/events", headers=headers or {})
        self.response = self._context.__enter__()
        self._lines = self.response.iter_lines()

    def next(self) -> tuple[str, Any, int | None]:
        fields: dict[str, str] = {}
        for line in self._lines:
            if line == "":
                if "event" in fields:
                    sequence = int(fields["id"]) if "id" in fields else None
                    return fields["event"], json.loads(fields["data"]), sequence
                fields.clear()
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
        raise AssertionError("the stream ended")

    def next_change(self) -> tuple[dict[str, Any], int]:
        while True:
            name, data, sequence = self.next()
            if name == "change":
                assert sequence is not None
                return data, sequence
            assert name == "status", (name, data)

    def close(self) -> None:
        self._context.__exit__(None, None, None)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open(client: httpx.Client, **headers: str) -> tuple[EventStream, int | None]:
    """Open the stream and read its hello: from then on every change reaches it."""
    stream = EventStream(client, headers)
    assert stream.response.status_code == 200, stream.response.read()
    name, hello, sequence = stream.next()
    assert name == "hello" and hello["status"] == "live", hello
    return stream, sequence


# --- the route ----------------------------------------------------------------------------------


def test_the_stream_is_an_event_stream_that_proxies_leave_alone(
    app_server: str, agencies: tuple[Agency, Agency]
) -> None:
    with sign_in(app_server, Role.MANAGER, agencies[0]) as client:
        stream, _ = _open(client)
        with stream:
            headers = stream.response.headers
            assert headers["content-type"].startswith("text/event-stream")
            assert headers["cache-control"] == "no-cache"
            assert headers["x-accel-buffering"] == "no"


def test_without_a_session_cookie_the_stream_is_refused(app_server: str) -> None:
    answer = httpx.get(f"{app_server}/live/events", timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 401
    forged = httpx.get(
        f"{app_server}/live/events?user_id=1&workspace_id=1",
        cookies={SESSION_COOKIE: "x" * 43},
        timeout=TIMEOUT,
    )
    assert forged.status_code == 401


def test_a_signed_out_session_no_longer_opens_the_stream(
    app_server: str, agencies: tuple[Agency, Agency]
) -> None:
    with sign_in(app_server, Role.MANAGER, agencies[0]) as client:
        assert auth.sign_out(client.cookies.get(SESSION_COOKIE))
        assert client.get("/live/events").status_code == 401


def test_a_completion_reaches_the_stream_with_its_sequence(
    app_server: str, engine: Engine, agencies: tuple[Agency, Agency]
) -> None:
    agency = agencies[0]
    with Session(engine, expire_on_commit=False) as s:
        task = make_jamaah(s, agency.workspace, full_name="Nur Aini").task
    assert task is not None
    with sign_in(app_server, Role.MANAGER, agency) as client:
        stream, _ = _open(client)
        with stream:
            with db.transaction() as s:
                completion = services.complete_task(
                    session=s,
                    workspace=agency.workspace,
                    actor=MANAGER,
                    task_id=task.id,
                    version=task.version,
                )
            change, sequence = stream.next_change()
    assert change["type"] == "task.completed"
    assert change["task_id"] == task.id and change["jamaah_id"] == task.jamaah_id
    assert change["workspace_id"] == agency.workspace.id
    assert change["sequence"] == sequence
    assert change["next_task_id"] == (completion.next_task.id if completion.next_task else None)
    assert "queue" in change["views"] and "manager" in change["roles"]


def test_another_workspace_s_changes_never_arrive(app_server: str, agencies: tuple[Agency, Agency]) -> None:
    ours, theirs = agencies
    with sign_in(app_server, Role.MANAGER, ours) as client:
        stream, _ = _open(client)
        with stream:
            _touch(theirs, "document")
            ours_task = _touch(ours, "document")
            change, _ = stream.next_change()
    assert change["workspace_id"] == ours.workspace.id and change["task_id"] == ours_task


def test_an_admin_gets_the_changes_of_their_role_only(
    app_server: str, agencies: tuple[Agency, Agency]
) -> None:
    agency = agencies[0]
    with (
        sign_in(app_server, Role.DOCUMENT_ADMIN, agency) as documents,
        sign_in(app_server, Role.VISA_ADMIN, agency) as visa,
    ):
        document_stream, _ = _open(documents)
        visa_stream, _ = _open(visa)
        with document_stream, visa_stream:
            visa_task = _touch(agency, "visa")
            document_task = _touch(agency, "document")
            seen_by_documents, _ = document_stream.next_change()
            seen_by_visa, _ = visa_stream.next_change()
    assert seen_by_documents["task_id"] == document_task  # not the visa desk's change before it
    assert seen_by_visa["task_id"] == visa_task
    assert seen_by_visa["roles"] == ["visa-admin", "manager"]


def test_reconnecting_with_last_event_id_replays_the_missed_changes(
    app_server: str, agencies: tuple[Agency, Agency]
) -> None:
    agency = agencies[0]
    with sign_in(app_server, Role.MANAGER, agency) as client:
        stream, seen = _open(client)
        stream.close()
        assert seen is not None
        missed = [_touch(agency, "document"), _touch(agency, "visa")]
        stream, _ = _open(client, **{"Last-Event-ID": str(seen)})
        with stream:
            replayed = [stream.next_change() for _ in missed]
    assert [change["task_id"] for change, _ in replayed] == missed
    assert [sequence for _, sequence in replayed] == [seen + 1, seen + 2]


# --- two app processes sharing one PostgreSQL and Redis -------------------------------------------


def test_two_app_processes_behave_as_one(
    app_server: str, second_app_server: str, agencies: tuple[Agency, Agency]
) -> None:
    agency = agencies[0]
    with (
        sign_in(app_server, Role.MANAGER, agency) as on_a,
        sign_in(second_app_server, Role.MANAGER, agency) as on_b,
    ):
        stream_a, _ = _open(on_a)
        stream_b, _ = _open(on_b)
        with stream_a, stream_b:
            task = _touch(agency, "document")
            from_a, sequence_a = stream_a.next_change()
            from_b, sequence_b = stream_b.next_change()
    assert from_a["task_id"] == from_b["task_id"] == task
    assert sequence_a == sequence_b


def test_shutdown_ends_open_streams_and_the_process_exits(
    servers: None, agencies: tuple[Agency, Agency], tmp_path: Path
) -> None:
    """uvicorn waits for open responses before the lifespan ends: SIGTERM must close the streams."""
    process, base = start_app(tmp_path / "app.log", PIPELINE_LIVE_HEARTBEAT_SECONDS="0.5")
    try:
        with sign_in(base, Role.MANAGER, agencies[0]) as client:
            stream, _ = _open(client)
            process.send_signal(signal.SIGTERM)
            with pytest.raises((AssertionError, httpx.RemoteProtocolError)):
                while True:
                    stream.next()  # keepalives, then the end of the stream
            stream.close()
        assert process.wait(timeout=60) is not None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- revocation reaches open streams -------------------------------------------------------------

STAFF_PASSWORD = "kurma-ajwa-lipat-tujuh"


def _staff(agency: Agency) -> tuple[int, str]:
    """A member of staff of the agency of their own (revoking them touches no other test)."""
    username = f"staf-{uuid.uuid4().hex[:6]}@{agency.slug}"
    with db.transaction() as s:
        user_id = accounts.create_user(
            s,
            actor=accounts.SYSTEM,
            workspace_id=agency.workspace.id,
            username=username,
            full_name="Staf Uji",
            role=Role.DOCUMENT_ADMIN,
            password=STAFF_PASSWORD,
        )
    return user_id, username


def _revoke(how: str, agency: Agency, user_id: int, token: str) -> None:
    workspace_id = agency.workspace.id
    with db.transaction() as s:
        if how == "sign-out":
            assert auth.sign_out(token, session=s)
        elif how == "deactivation":
            accounts.deactivate_user(s, actor=accounts.SYSTEM, workspace_id=workspace_id, user_id=user_id)
        elif how == "role change":
            accounts.change_role(
                s, actor=accounts.SYSTEM, workspace_id=workspace_id, user_id=user_id, role=Role.VISA_ADMIN
            )
        else:
            accounts.reset_password(
                s,
                actor=accounts.SYSTEM,
                workspace_id=workspace_id,
                user_id=user_id,
                password="zaitun-kurma-92",
            )
    if how == "sign-out":  # sign_out announces after its own commit; here the caller's commits
        events.announce_access_change([user_id])


@pytest.mark.parametrize("how", ["sign-out", "deactivation", "role change", "password reset"])
def test_a_revoked_session_s_open_stream_ends_and_hears_nothing_more(
    app_server: str, agencies: tuple[Agency, Agency], how: str
) -> None:
    """Before: a stream open across a sign-out kept receiving task events with jamaah names for up
    to its 10-minute life. Now the stream ends as soon as the session no longer stands as it was."""
    agency = agencies[0]
    user_id, username = _staff(agency)
    with httpx.Client(base_url=app_server, timeout=TIMEOUT) as client:
        answer = client.post(
            "/auth/login",
            data={"username": username, "password": STAFF_PASSWORD},
            headers={"Origin": app_server},
        )
        assert answer.status_code == 303, answer.text
        token = client.cookies.get(SESSION_COOKIE)
        assert token
        stream, _ = _open(client)
        with stream:
            touched = _touch(agency, "document")
            assert stream.next_change()[0]["task_id"] == touched  # the stream works
            _revoke(how, agency, user_id, token)
            _touch(agency, "document")  # a change the revoked session must not hear
            with pytest.raises(AssertionError, match="the stream ended"):
                stream.next()  # keepalives are skipped; a change would be returned
        reopened = (
            client.get("/live/events", headers={"Accept": "text/event-stream"})
            if how != "role change"
            else None
        )
    if reopened is not None:
        assert reopened.status_code == 401
