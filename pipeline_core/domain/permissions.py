"""Who may do what: the role × action matrix as data, and `require`, the one check the core calls.

The matrix is the single source: `docs/permissions.md` is generated from it (`markdown_table()`,
a test keeps the two equal), and the tests check every cell against a table written out by hand.
Deny by default: an action or role that is not in the matrix is refused.

Two rules sit beside the matrix, because a role alone does not decide them:
- Task scope. An admin works on the tasks of their own role; acting on a task of another role needs
  `complete_task_any` (managers and super-admins). `require_on_task` applies both checks.
- Workspace scope. Every permission holds inside the user's own workspace only; the workspace comes
  from the signed-in session (`auth.CurrentUser`), never from a page or URL parameter.

Choices where DOMAIN.md and the issue are silent, written down in docs/permissions.md too:
- Admins have a read-only view of the whole pipeline (overview, jamaah detail with masked personal
  data) and act only on their own role's tasks; they block their tasks but do not unblock, reassign
  or reprioritise them (the issue gives those to managers). A blocked task may still be completed.
- A super-admin has every manager right except revealing personal data (least privilege: running
  the system does not need a pilgrim's NIK); only managers reveal, and each reveal is logged.
- Registering a jamaah belongs to the document desk (document-admin) and managers.
- The pipeline (issue 17) is edited by super-admins and managers (the operations manager owns the
  production line); every role may read it, its versions and a preview (`view_overview`).
- Departure groups (issue 19) are created and edited by managers, travel-admins (flights and dates
  are their work) and super-admins; everyone reads them. Importing jamaah goes with enrolment.
- Exporting a group (SISKOPATUH workbook, manifest, jamaah list) hands its full NIK and passport
  numbers to the Ministry or the airline, so it is given to the roles whose work sends those files
  (manager, document-, SISKOPATUH-, visa- and travel-admin) and every export is logged; not to
  logistics (no need) nor super-admins (least privilege, as for revealing).
- The document checklist (issue 19) is kept by the document desk: document-admins, managers and
  super-admins mark documents received, verified or rejected; every role reads it.
- A document's scan (issue 19) is uploaded, replaced or removed by the same roles as the checklist
  (`upload_document_scan`); it is opened only by the roles that may reveal personal data
  (`view_document_scan`, kept equal to `reveal_personal_data`: a scan shows the whole passport or
  KTP), and every opening is on the jamaah's timeline. Whoever uploads does not thereby read.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable

from pipeline_core.domain.errors import PermissionDenied
from pipeline_core.domain.model import ADMIN_ROLES, Role

__all__ = [
    "MATRIX",
    "ROLE_ORDER",
    "Action",
    "allowed",
    "allowed_actions",
    "markdown_table",
    "require",
    "require_on_task",
]

log = logging.getLogger(__name__)


class Action(enum.StrEnum):
    VIEW_OVERVIEW = "view_overview"
    VIEW_QUEUE_ALL = "view_queue_all"
    VIEW_QUEUE_OWN = "view_queue_own"
    VIEW_JAMAAH_DETAIL = "view_jamaah_detail"
    ENROL_JAMAAH = "enrol_jamaah"
    COMPLETE_TASK_OWN_ROLE = "complete_task_own_role"
    COMPLETE_TASK_ANY = "complete_task_any"
    BLOCK_TASK = "block_task"
    UNBLOCK_TASK = "unblock_task"
    UPDATE_TASK = "update_task"
    REPRIORITISE_TASK = "reprioritise_task"
    REASSIGN = "reassign"
    CHANGE_TASK_ROLE = "change_task_role"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    VIEW_ACTIVITY_LOG = "view_activity_log"
    MANAGE_USERS = "manage_users"
    MANAGE_PIPELINE = "manage_pipeline"
    MANAGE_DATASETS = "manage_datasets"
    VIEW_SYSTEM = "view_system"
    MANAGE_GROUPS = "manage_groups"
    IMPORT_JAMAAH = "import_jamaah"
    EXPORT_GROUP = "export_group"
    UPDATE_DOCUMENTS = "update_documents"
    UPLOAD_DOCUMENT_SCAN = "upload_document_scan"
    VIEW_DOCUMENT_SCAN = "view_document_scan"


#: What each action means, for the generated doc.
MEANING: dict[Action, str] = {
    Action.VIEW_OVERVIEW: "the overview: health, stage cards, bottlenecks, departures (read-only)",
    Action.VIEW_QUEUE_ALL: "the task queue of every role",
    Action.VIEW_QUEUE_OWN: "the task queue of one's own role",
    Action.VIEW_JAMAAH_DETAIL: "a jamaah's detail page and timeline (NIK and passport masked)",
    Action.ENROL_JAMAAH: "register a new jamaah",
    Action.COMPLETE_TASK_OWN_ROLE: "complete a task of one's own role",
    Action.COMPLETE_TASK_ANY: "complete (and act on) a task of any role",
    Action.BLOCK_TASK: "block a task with a reason",
    Action.UNBLOCK_TASK: "lift a block",
    Action.UPDATE_TASK: "edit a task's notes and its status (pending ↔ in progress)",
    Action.REPRIORITISE_TASK: "change a task's priority or due date",
    Action.REASSIGN: "give a task to another member of staff",
    Action.CHANGE_TASK_ROLE: "move a task to another role's queue",
    Action.REVEAL_PERSONAL_DATA: "show a jamaah's full NIK and passport number (logged)",
    Action.VIEW_ACTIVITY_LOG: "the activity log of the whole workspace, with filters",
    Action.MANAGE_USERS: "create users, change roles, deactivate, reset passwords",
    Action.MANAGE_PIPELINE: "edit the pipeline as drafts, publish, migrate jamaah, roll back versions",
    Action.MANAGE_DATASETS: "load and reset datasets",
    Action.VIEW_SYSTEM: "the System page: readiness, the last hour's figures, the alerts",
    Action.MANAGE_GROUPS: "create, edit and close departure groups (change a group's dates, quota)",
    Action.IMPORT_JAMAAH: "import jamaah from an Excel/CSV file (dry run, then commit)",
    Action.EXPORT_GROUP: "export a group's SISKOPATUH workbook, manifest, jamaah list (full NIK, logged)",
    Action.UPDATE_DOCUMENTS: "mark a jamaah's documents received, verified or rejected (the checklist)",
    Action.UPLOAD_DOCUMENT_SCAN: "upload, replace or remove the scan of a checklist document (logged)",
    Action.VIEW_DOCUMENT_SCAN: "open the scan of a checklist document (every view logged)",
}

#: Rows and columns of the doc, in DOMAIN.md's order.
ROLE_ORDER: tuple[Role, ...] = (Role.MANAGER, *ADMIN_ROLES, Role.SUPER_ADMIN)

_EVERYONE = frozenset(ROLE_ORDER)
_MANAGING = frozenset({Role.MANAGER, Role.SUPER_ADMIN})

#: action -> the roles that may take it. Anything absent is denied.
MATRIX: dict[Action, frozenset[Role]] = {
    Action.VIEW_OVERVIEW: _EVERYONE,
    Action.VIEW_QUEUE_ALL: _MANAGING,
    Action.VIEW_QUEUE_OWN: _EVERYONE,
    Action.VIEW_JAMAAH_DETAIL: _EVERYONE,
    Action.ENROL_JAMAAH: _MANAGING | {Role.DOCUMENT_ADMIN},
    Action.COMPLETE_TASK_OWN_ROLE: _EVERYONE,
    Action.COMPLETE_TASK_ANY: _MANAGING,
    Action.BLOCK_TASK: _EVERYONE,
    Action.UNBLOCK_TASK: _MANAGING,
    Action.UPDATE_TASK: _EVERYONE,
    Action.REPRIORITISE_TASK: _MANAGING,
    Action.REASSIGN: _MANAGING,
    Action.CHANGE_TASK_ROLE: _MANAGING,
    Action.REVEAL_PERSONAL_DATA: frozenset({Role.MANAGER}),
    Action.VIEW_ACTIVITY_LOG: _MANAGING,
    Action.MANAGE_USERS: frozenset({Role.SUPER_ADMIN}),
    Action.MANAGE_PIPELINE: _MANAGING,
    Action.MANAGE_DATASETS: frozenset({Role.SUPER_ADMIN}),
    Action.VIEW_SYSTEM: frozenset({Role.SUPER_ADMIN}),
    Action.MANAGE_GROUPS: _MANAGING | {Role.TRAVEL_ADMIN},
    Action.IMPORT_JAMAAH: _MANAGING | {Role.DOCUMENT_ADMIN},
    Action.UPDATE_DOCUMENTS: _MANAGING | {Role.DOCUMENT_ADMIN},
    Action.UPLOAD_DOCUMENT_SCAN: _MANAGING | {Role.DOCUMENT_ADMIN},
    Action.EXPORT_GROUP: frozenset(
        {Role.MANAGER, Role.DOCUMENT_ADMIN, Role.SISKOPATUH_ADMIN, Role.VISA_ADMIN, Role.TRAVEL_ADMIN}
    ),
}
#: A scan shows a passport or KTP whole: opened by exactly the roles that may reveal personal data.
MATRIX[Action.VIEW_DOCUMENT_SCAN] = MATRIX[Action.REVEAL_PERSONAL_DATA]


def _as_role(role: Role | str) -> Role | None:
    try:
        return Role(role)
    except ValueError:
        return None


def _as_action(action: Action | str) -> Action | None:
    try:
        return Action(action)
    except ValueError:
        return None


def allowed(role: Role | str, action: Action | str) -> bool:
    """True when the matrix grants `action` to `role`; unknown roles and actions are denied."""
    known_role, known_action = _as_role(role), _as_action(action)
    if known_role is None or known_action is None:
        return False
    return known_role in MATRIX.get(known_action, frozenset())


def allowed_actions(role: Role | str) -> frozenset[Action]:
    """Everything a role may do (the UI hides what is not in here)."""
    return frozenset(action for action in Action if allowed(role, action))


def require(actor_role: Role | str, action: Action | str) -> None:
    """Refuse with `PermissionDenied` unless the matrix grants the action to the role."""
    if not allowed(actor_role, action):
        role = getattr(actor_role, "value", actor_role)
        name = getattr(action, "value", action)
        log.warning("permission denied: role %s, action %s", role, name)
        raise PermissionDenied(f"The role '{role}' may not {name.replace('_', ' ')} ('{name}').")


def require_on_task(actor_role: Role | str, action: Action | str, task_role: Role | str) -> None:
    """`require`, plus the task scope: a task of another role needs `complete_task_any`."""
    require(actor_role, action)
    if _as_role(actor_role) is not _as_role(task_role) and not allowed(actor_role, Action.COMPLETE_TASK_ANY):
        role = getattr(actor_role, "value", actor_role)
        other = getattr(task_role, "value", task_role)
        log.warning("permission denied: role %s on a task of role %s", role, other)
        raise PermissionDenied(
            f"The role '{role}' works only on tasks of its own role, not on a '{other}' task."
        )


def markdown_table(roles: Iterable[Role] = ROLE_ORDER) -> str:
    """The matrix as the Markdown table of docs/permissions.md (✓ allowed, · denied)."""
    columns = list(roles)
    lines = [
        "| action | meaning | " + " | ".join(f"`{role.value}`" for role in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for action in Action:
        cells = " | ".join("✓" if allowed(role, action) else "·" for role in columns)
        lines.append(f"| `{action.value}` | {MEANING[action]} | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # `python -m pipeline_core.domain.permissions` prints the table for the doc
    print(markdown_table(), end="")
