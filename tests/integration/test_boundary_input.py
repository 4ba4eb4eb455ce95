"""A clumsy or hostile value in any text field of a command: a clear refusal naming the field, no
database error, nothing written (the NUL byte that once crashed a write with its SQL on the page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pipeline_core.app import activity, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands import accounts, auth
from pipeline_core.commands.accounts import SYSTEM
from pipeline_core.commands.tasks import block_task, complete_task, update_task
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Role, Workspace
from pipeline_core.store import schema as t
from tests.builders import MANAGER, NOW, activity_entries, count_rows, make_jamaah, make_package

NUL, RTL = "\x00", "\u202e"
BAD_TEXT = [f"KTP{NUL}buram", f"abc{RTL}gpj.exe", "\ud800", "x" * 5000]


def _task(session: Session, workspace: Workspace) -> Any:
    task = make_jamaah(session, workspace).task
    assert task is not None
    return task


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize(
    ("field", "act"),
    [
        (
            "notes",
            lambda s, ws, task, bad: complete_task(
                session=s, workspace=ws, actor=MANAGER, task_id=task.id, version=1, notes=bad, now=NOW
            ),
        ),
        (
            "reason",
            lambda s, ws, task, bad: block_task(
                session=s, workspace=ws, actor=MANAGER, task_id=task.id, version=1, reason=bad, now=NOW
            ),
        ),
        (
            "notes",
            lambda s, ws, task, bad: update_task(
                session=s, workspace=ws, actor=MANAGER, task_id=task.id, version=1, notes=bad, now=NOW
            ),
        ),
    ],
)
def test_task_text_is_checked_before_anything_is_written(
    session: Session, workspace: Workspace, field: str, act: Callable[..., Any], bad: str
) -> None:
    task = _task(session, workspace)
    before = len(activity_entries(session, workspace))
    with pytest.raises(InvalidInput) as refused:
        act(session, workspace, task, bad)
    assert refused.value.field == field
    assert count_rows(session, t.PipelineTask, id=task.id, version=1) == 1
    assert len(activity_entries(session, workspace)) == before


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize("field", ["full_name", "notes", "agent_name"])
def test_an_enrolment_refuses_bad_text_in_every_text_field(
    session: Session, workspace: Workspace, field: str, bad: str
) -> None:
    package_id = make_package(session, workspace)
    overrides: dict[str, Any] = {field: f"Ahmad {bad}" if field == "full_name" else bad}
    with pytest.raises(InvalidInput) as refused:
        make_jamaah(session, workspace, package_id=package_id, **overrides)
    assert refused.value.field == field
    assert count_rows(session, t.Jamaah, workspace_id=workspace.id) == 0


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        *(("full_name", bad) for bad in BAD_TEXT),
        *(("email", bad) for bad in BAD_TEXT),
        # a password is never shown, so a direction override in it is harmless and allowed
        *(("password", bad) for bad in BAD_TEXT if RTL not in bad),
    ],
)
def test_a_new_account_refuses_bad_text_in_every_field(
    session: Session, workspace: Workspace, field: str, bad: str
) -> None:
    value = bad if field != "email" else f"rina{bad}@agency.co.id"
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(
            session,
            actor=SYSTEM,
            workspace_id=workspace.id,
            username="rina@test-agency",
            role=Role.MANAGER,
            full_name=value if field == "full_name" else "Rina Wulandari",
            email=value if field == "email" else None,
            password=value if field == "password" else "kurma-ajwa-2026",
            now=NOW,
        )
    assert refused.value.field == field
    assert count_rows(session, t.User, workspace_id=workspace.id) == 0


@pytest.mark.parametrize("name", [f"manager@demo-13{NUL}", f"manager{NUL}", "x" * 5000])
def test_a_sign_in_name_with_hidden_characters_is_refused_like_any_wrong_name(
    session: Session, name: str
) -> None:
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(username=name, password="demo12345!", now=NOW, session=session)


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_searches_and_filters_refuse_bad_text(session: Session, workspace: Workspace, bad: str) -> None:
    viewer = system_viewer(workspace)
    with pytest.raises(InvalidInput) as refused:
        activity.activity_page(viewer, actor=bad, session=session)
    assert refused.value.field == "actor"
    with pytest.raises(InvalidInput) as refused:
        dashboard.check_search(bad)
    assert refused.value.field == "search"
