"""Changing the document checklist, and the gate the document stages put on completing a task.

`update_documents` takes many changes (the table editor saves many jamaah at once, the API one)
and applies them in one transaction: every change checked first (`domain.documents.check_change`),
the rows of each jamaah locked, one activity entry `document.updated` per changed row (kind,
old → new status, the reason), and one `JamaahUpdated` event per jamaah (view `queue`, the
document desk's role) published after commit so open pages update. A change to the status and
reason a row already has writes nothing.

The gate the document stages put on completing a task lives with `complete_task` (`tasks.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline_core.commands import tasks as services
from pipeline_core.domain import documents as docs
from pipeline_core.domain import permissions
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import InvalidInput, NotFound
from pipeline_core.domain.model import Actor, Role, View, Workspace
from pipeline_core.store import documents as store
from pipeline_core.store import events
from pipeline_core.store import repository as repo

__all__ = [
    "DocumentChange",
    "announce_documents",
    "required_documents",
    "set_required_documents",
    "update_documents",
]


@dataclass(frozen=True, slots=True)
class DocumentChange:
    jamaah_id: int
    kind: str
    status: str
    reason: str | None = None


def update_documents(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    changes: Sequence[DocumentChange],
    now: datetime | None = None,
) -> list[DocumentChange]:
    """Apply the changes (all or none); returns those that changed a row."""
    now = instant(now)
    checked = [(c.jamaah_id, *docs.check_change(c.kind, c.status, c.reason)) for c in changes]
    applied: list[DocumentChange] = []
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.UPDATE_DOCUMENTS)
        jamaah_ids = sorted({jamaah_id for jamaah_id, *_ in checked})  # a fixed lock order
        current = store.load_checklists(session, workspace.id, jamaah_ids, for_update=True)
        for jamaah_id in jamaah_ids:
            if jamaah_id not in current:
                raise NotFound("jamaah", jamaah_id)
        now_held = {(j, r.kind): (r.status, r.reason) for j, rows in current.items() for r in rows}
        for jamaah_id, kind, status, reason in checked:
            if (jamaah_id, kind) not in now_held:
                raise InvalidInput("kind", f"The {docs.LABELS[kind]} is not on this jamaah's checklist.")
            old_status, old_reason = now_held[(jamaah_id, kind)]
            if (old_status, old_reason) == (status, reason):
                continue
            now_held[(jamaah_id, kind)] = (status, reason)  # the same document twice in one save
            store.save_row(session, workspace.id, jamaah_id, kind, status, reason, actor=actor.name, now=now)
            change: dict[str, dict[str, Any]] = {
                "document": {"old": None, "new": kind.value},
                "status": {"old": old_status.value, "new": status.value},
            }
            if reason != old_reason:
                change["reason"] = {"old": old_reason, "new": reason}
            repo.log_activity(
                session,
                workspace_id=workspace.id,
                actor=actor.name,
                action="document.updated",
                entity_type="jamaah",
                entity_id=jamaah_id,
                jamaah_id=jamaah_id,
                changes=change,
                now=now,
            )
            applied.append(DocumentChange(jamaah_id, kind.value, status.value, reason))
        session.commit()
    announce_documents(workspace, actor, sorted({c.jamaah_id for c in applied}), now)
    return applied


def announce_documents(workspace: Workspace, actor: Actor, jamaah_ids: Sequence[int], now: datetime) -> None:
    """After the commit: these jamaah's documents changed (checklist or scans). The document desk
    and the task cards, which show the checklist, update."""
    if jamaah_ids:
        services.announce(
            [
                events.JamaahUpdated(
                    workspace_id=workspace.id,
                    jamaah_id=jamaah_id,
                    task_id=None,
                    actor=actor.name,
                    roles=events.affected_roles(Role.DOCUMENT_ADMIN),
                    occurred_at=now,
                    views=(View.QUEUE,),
                    actor_id=actor.user_id,
                )
                for jamaah_id in jamaah_ids
            ]
        )


def set_required_documents(
    *,
    session: Session,
    workspace: Workspace,
    actor: Actor,
    kinds: Sequence[str],
    now: datetime | None = None,
) -> tuple[docs.DocumentKind, ...]:
    """The agency's required document kinds (managers, super-admins: `manage_pipeline`, since the
    document stages' gates follow them). Logged old → new; existing checklists are not rewritten:
    a dropped kind reads as not required, an added one as missing until saved."""
    now = instant(now)
    chosen = docs.agency_kinds(kinds)
    with services.one_transaction(session, workspace=workspace, actor=actor):
        permissions.require(actor.role, permissions.Action.MANAGE_PIPELINE)
        before = store.enabled_kinds(session, workspace.id)
        old = [k.value for k in (before if before is not None else tuple(docs.DocumentKind))]
        if old != [k.value for k in chosen] or before is None:
            store.save_enabled_kinds(session, workspace.id, chosen)
            repo.log_activity(
                session,
                workspace_id=workspace.id,
                actor=actor.name,
                action="workspace.documents_changed",
                entity_type="workspace",
                entity_id=workspace.id,
                jamaah_id=None,
                changes={"required_documents": {"old": old, "new": [k.value for k in chosen]}},
                now=now,
            )
        session.commit()
    return chosen


def required_documents(session: Session, workspace_id: int) -> tuple[docs.DocumentKind, ...]:
    """The kinds the agency requires now (every kind when never set)."""
    found = store.enabled_kinds(session, workspace_id)
    return tuple(docs.DocumentKind) if found is None else found
