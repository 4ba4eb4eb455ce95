"""Who is looking: the `Viewer` every read and UI command of `dashboard` and `actions` takes.

A viewer is a signed-in user together with *their* workspace, loaded from the session
(`ui_kit.session.current_viewer`): a page never picks the workspace, so no page or URL parameter
can reach another workspace's data. Each read names the permission it needs (`Viewer.scope`), which
refuses with `PermissionDenied` (deny by default, the matrix of `permissions.py`; the refusal is
recorded in the activity log as `permission.denied`, as for commands) and hands back the workspace
to read.

`system_viewer` is for the command line, benchmarks and tests: a viewer without a user account,
with the role it is given (a manager by default).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline_core.domain.errors import IdentitySearchRefused, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.domain.permissions import Action, allowed, require
from pipeline_core.domain.validation import parse_role
from pipeline_core.reads import task_queue
from pipeline_core.store.audit import log_denial

__all__ = ["Viewer", "system_viewer"]


@dataclass(frozen=True, slots=True)
class Viewer:
    workspace: Workspace
    actor: Actor

    @property
    def role(self) -> Role:
        return self.actor.role

    def may(self, action: Action) -> bool:
        return allowed(self.actor.role, action)

    def scope(self, action: Action) -> Workspace:
        """The workspace to read, once the role may take `action` (else `PermissionDenied`, recorded
        in the activity log like a refused command)."""
        with self._recorded():
            require(self.actor.role, action)
        return self.workspace

    @contextlib.contextmanager
    def _recorded(self) -> Iterator[None]:
        try:
            yield
        except PermissionDenied as denied:
            log_denial(self.workspace, self.actor, denied)
            raise

    def check_search(self, search: str | None) -> None:
        """A search by a full NIK or passport number is an exact lookup of a personal number: only
        the roles that may reveal personal data make it (`reveal_personal_data`, docs/permissions.md);
        anyone else gets `IdentitySearchRefused` (recorded like any refusal). Names, phones and
        anything shorter are for everyone."""
        if task_queue.searches_identity(search) and not self.may(Action.REVEAL_PERSONAL_DATA):
            with self._recorded():
                raise IdentitySearchRefused(self.actor.role.value)

    def queue_role(self, role: Role | str | None) -> Role | None:
        """The queue a viewer may open: anyone's with `view_queue_all`, else only their own role's
        (asking for all roles means their own)."""
        wanted = parse_role(role)
        if self.may(Action.VIEW_QUEUE_ALL):
            return wanted
        with self._recorded():
            require(self.actor.role, Action.VIEW_QUEUE_OWN)
            if wanted is not None and wanted is not self.actor.role:
                raise PermissionDenied(
                    f"The role '{self.actor.role.value}' sees only its own queue, not '{wanted.value}'."
                )
        return self.actor.role


def system_viewer(workspace: Workspace, role: Role = Role.MANAGER, name: str = "Sistem") -> Viewer:
    """A viewer without a user account (command line, benchmarks, tests)."""
    return Viewer(workspace=workspace, actor=Actor(user_id=None, name=name, role=role))
