"""Recording what was refused: `permission.denied` in the activity log, in a session of its own.

A refused command's transaction was rolled back and a refused read has none, so the record is
written and committed separately; it never raises (the refusal stands even if its record cannot be
written). Every other activity entry is written by its command, in the command's transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import PermissionDenied
from pipeline_core.domain.model import Actor, Workspace
from pipeline_core.store import db
from pipeline_core.store import repository as repo
from pipeline_core.store.db import translate_errors

__all__ = ["log_denial"]

log = logging.getLogger(__name__)


def log_denial(workspace: Workspace, actor: Actor, denied: PermissionDenied, *, bind: Any = None) -> None:
    """Record a refusal (`permission.denied`) in a session of its own: a refused command's
    transaction was rolled back, and a refused read has none. Never raises."""
    try:
        with translate_errors(), Session(bind if bind is not None else db.get_engine()) as own:
            repo.log_activity(
                own,
                workspace_id=workspace.id,
                actor=actor.name,
                action="permission.denied",
                entity_type="permission",
                entity_id=None,
                jamaah_id=None,
                changes={
                    "role": {"old": None, "new": str(actor.role)},
                    "refused": {"old": None, "new": str(denied)},
                },
                now=instant(),
            )
            own.commit()
    except Exception:  # the refusal stands even if its record cannot be written
        log.exception("could not record a permission denial")
