"""Every cell of the role × action matrix, against a table written out here by hand; and the doc."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline_core.domain import permissions
from pipeline_core.domain.errors import PermissionDenied
from pipeline_core.domain.model import Role
from pipeline_core.domain.permissions import Action, allowed, require, require_on_task

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"

COLUMNS = (
    Role.MANAGER,
    Role.DOCUMENT_ADMIN,
    Role.SISKOPATUH_ADMIN,
    Role.VISA_ADMIN,
    Role.LOGISTICS_ADMIN,
    Role.TRAVEL_ADMIN,
    Role.SUPER_ADMIN,
)

# The matrix as the agency expects it: Y may, . may not.
#                          mgr doc sis vis log trv super
EXPECTED_GRID = """
view_overview               Y   Y   Y   Y   Y   Y   Y
view_queue_all              Y   .   .   .   .   .   Y
view_queue_own              Y   Y   Y   Y   Y   Y   Y
view_jamaah_detail          Y   Y   Y   Y   Y   Y   Y
enrol_jamaah                Y   Y   .   .   .   .   Y
complete_task_own_role      Y   Y   Y   Y   Y   Y   Y
complete_task_any           Y   .   .   .   .   .   Y
block_task                  Y   Y   Y   Y   Y   Y   Y
unblock_task                Y   .   .   .   .   .   Y
update_task                 Y   Y   Y   Y   Y   Y   Y
reprioritise_task           Y   .   .   .   .   .   Y
reassign                    Y   .   .   .   .   .   Y
change_task_role            Y   .   .   .   .   .   Y
reveal_personal_data        Y   .   .   .   .   .   .
view_activity_log           Y   .   .   .   .   .   Y
manage_users                .   .   .   .   .   .   Y
manage_pipeline             Y   .   .   .   .   .   Y
manage_datasets             .   .   .   .   .   .   Y
view_system                 .   .   .   .   .   .   Y
manage_groups               Y   .   .   .   .   Y   Y
import_jamaah               Y   Y   .   .   .   .   Y
export_group                Y   Y   Y   Y   .   Y   .
update_documents            Y   Y   .   .   .   .   Y
upload_document_scan        Y   Y   .   .   .   .   Y
view_document_scan          Y   .   .   .   .   .   .
"""


def _expected() -> dict[tuple[str, Role], bool]:
    cells: dict[tuple[str, Role], bool] = {}
    for line in EXPECTED_GRID.strip().splitlines():
        action, *marks = line.split()
        assert len(marks) == len(COLUMNS), line
        for role, mark in zip(COLUMNS, marks, strict=True):
            cells[(action, role)] = mark == "Y"
    return cells


EXPECTED = _expected()


def test_the_grid_names_every_action_of_the_matrix_and_no_other() -> None:
    assert {action for action, _ in EXPECTED} == {action.value for action in Action}
    assert set(COLUMNS) == set(Role)


CELLS = sorted(EXPECTED, key=lambda cell: (cell[0], cell[1].value))


@pytest.mark.parametrize(("action", "role"), CELLS)
def test_matrix_cell(action: str, role: Role) -> None:
    assert allowed(role, action) is EXPECTED[(action, role)]
    if EXPECTED[(action, role)]:
        require(role, action)
        require(role.value, Action(action))
    else:
        with pytest.raises(PermissionDenied) as refused:
            require(role, action)
        assert role.value in str(refused.value) and action in str(refused.value)


@pytest.mark.parametrize("action", ["delete_everything", "", "VIEW_OVERVIEW", "view overview"])
def test_an_action_outside_the_matrix_is_denied_to_everyone(action: str) -> None:
    for role in Role:
        assert not allowed(role, action)
        with pytest.raises(PermissionDenied):
            require(role, action)


@pytest.mark.parametrize("role", ["owner", "", "Manager", "admin"])
def test_an_unknown_role_may_do_nothing(role: str) -> None:
    assert permissions.allowed_actions(role) == frozenset()
    with pytest.raises(PermissionDenied, match=f"'{role}'"):
        require(role, Action.VIEW_OVERVIEW)


def test_the_refusal_is_one_clear_sentence() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(Role.VISA_ADMIN, Action.MANAGE_USERS)
    assert str(refused.value) == "The role 'visa-admin' may not manage users ('manage_users')."


@pytest.mark.parametrize(
    ("actor", "task_role", "may"),
    [
        (Role.VISA_ADMIN, Role.VISA_ADMIN, True),
        (Role.VISA_ADMIN, Role.DOCUMENT_ADMIN, False),
        (Role.TRAVEL_ADMIN, Role.LOGISTICS_ADMIN, False),
        (Role.MANAGER, Role.DOCUMENT_ADMIN, True),
        (Role.SUPER_ADMIN, Role.TRAVEL_ADMIN, True),
    ],
)
def test_admins_act_only_on_their_own_roles_tasks(actor: Role, task_role: Role, may: bool) -> None:
    for action in (Action.COMPLETE_TASK_OWN_ROLE, Action.BLOCK_TASK, Action.UPDATE_TASK):
        if may:
            require_on_task(actor, action, task_role)
        else:
            with pytest.raises(PermissionDenied, match="own role"):
                require_on_task(actor, action, task_role)


def test_the_task_scope_does_not_widen_the_matrix() -> None:
    with pytest.raises(PermissionDenied, match="unblock"):
        require_on_task(Role.VISA_ADMIN, Action.UNBLOCK_TASK, Role.VISA_ADMIN)


def test_docs_permissions_md_shows_the_matrix_as_it_is_in_the_code() -> None:
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- matrix:start -->\n", "<!-- matrix:end -->"
    assert start in doc and end in doc, "docs/permissions.md lost its matrix markers"
    written = doc.split(start, 1)[1].split(end, 1)[0]
    assert written == permissions.markdown_table(), (
        "docs/permissions.md is out of date: paste the output of `python -m pipeline_core.domain.permissions`"
    )
