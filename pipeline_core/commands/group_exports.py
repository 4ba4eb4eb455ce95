"""Exporting a group's data is a disclosure of personal data: checked and logged, like a reveal.

The caller checks `export_group` first (`Viewer.scope`, which logs a refusal; docs/permissions.md:
the roles whose work sends these files get the **full** NIK and passport numbers, as the Ministry
and the airline need them). `log_export` checks it again and writes one activity entry `group.exported`
(who, which group, which file, how many jamaah) and commits, once the file is built. The files
themselves are pure (`domain.group_files`) over a read (`reads.group_roster`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from pipeline_core.commands.tasks import one_transaction
from pipeline_core.domain import permissions
from pipeline_core.domain.model import Actor, Workspace
from pipeline_core.store import schema as t

__all__ = ["EXPORTED_ACTION", "log_export"]

EXPORTED_ACTION = "group.exported"


def log_export(
    session: Session,
    *,
    workspace: Workspace,
    actor: Actor,
    package_id: int,
    group_name: str,
    kind: str,
    jamaah: int,
    now: datetime,
) -> None:
    with one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.EXPORT_GROUP)
        session.execute(
            insert(t.ActivityLog).values(
                workspace_id=workspace.id,
                occurred_at=now,
                actor=actor.name,
                action=EXPORTED_ACTION,
                entity_type="package",
                entity_id=package_id,
                jamaah_id=None,
                changes={"file": {"new": kind}, "group": {"new": group_name}, "jamaah": {"new": jamaah}},
            )
        )
        session.commit()
