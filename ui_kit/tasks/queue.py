"""The task queue's role filter, shared with the sidebar (a dataset switch lands on it anew)."""

from __future__ import annotations

from pipeline_core import app as core
from pipeline_core.domain import Action
from ui_kit.widgets import ALL


def home_role(viewer: core.Viewer) -> str:
    """The queue a viewer lands on: managers and super-admins all roles, an admin their own."""
    return ALL if viewer.may(Action.VIEW_QUEUE_ALL) else viewer.role.value
