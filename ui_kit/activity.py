"""Changes in plain words: a jamaah's activity feed, and the rows of the workspace's activity log
("field: old → new", stages by name, roles by title, dates in the agency's time zone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import streamlit as st

from pipeline_core.app import ActivityEntry, ActivityLine
from pipeline_core.domain import Workspace
from ui_kit import registry
from ui_kit.i18n import TEXT, day, day_time, role_title, t

#: Enrolment records every field; these few say what matters.
ENROLMENT_FIELDS = ("full_name", "package", "package_id", "current_stage")


def activity_feed(
    lines: list[ActivityLine], workspace: Workspace, stage_names: dict[str, str] | None = None
) -> None:
    """Newest first: when, who, what happened, and each change as old → new in plain words."""
    names = stage_names or {}
    if not lines:
        st.caption(t("activity.empty"))
    for line in lines:
        action = action_label(line.action)
        enrolled = line.action == "jamaah.enrolled"
        fields = [(f, v) for f, v in line.changes.items() if not enrolled or f in ENROLMENT_FIELDS]
        changes = [
            change_words(name, change, workspace, names)
            for name, change in fields
            if isinstance(change, dict)
        ]
        when = day_time(line.occurred_at, workspace.timezone)
        st.markdown(
            f"**{action}** · {line.actor} · :gray[{when}]"
            + (f"  \n:gray[{'; '.join(changes)}]" if changes else "")
        )


def change_words(name: str, change: dict[str, Any], workspace: Workspace, stages: dict[str, str]) -> str:
    old, new = (
        stages.get(str(value), _value(name, value, workspace))
        if name == "current_stage"
        else _value(name, value, workspace)
        for value in (change.get("old"), change.get("new"))
    )
    return f"{_field(name)}: {old} → {new}"


def _field(name: str) -> str:
    key = f"field.{name}"
    return t(key) if key in TEXT else name.replace("_", " ")


def _value(name: str, value: Any, workspace: Workspace) -> str:
    if value is None or value == "":
        return t("none")
    if name in ("status", "current_stage") or name == "priority":
        key = f"status.{value}" if name == "status" else f"priority.{value}" if name == "priority" else ""
        return t(key) if key in TEXT else str(value)
    if isinstance(value, datetime):  # the core types dates and instants (domain.activity)
        return day_time(value, workspace.timezone)
    if isinstance(value, date):
        return day(value)
    return str(value)


# --- the activity log's table -------------------------------------------------------------


def action_label(action: str) -> str:
    """What an entry's action means ("Tugas diselesaikan"), else the action as recorded."""
    return t(f"activity.{action}") if f"activity.{action}" in TEXT else action


def _changes(entry: ActivityEntry, workspace: Workspace, stages: dict[str, str]) -> str:
    """Each change as "field: old → new"; roles by their titles."""
    words = []
    for name, change in entry.changes.items():
        if not isinstance(change, dict) or (
            entry.action == "jamaah.enrolled" and name not in ENROLMENT_FIELDS
        ):
            continue
        if name == "role":
            change = {side: role_title(value) if value else None for side, value in change.items()}
        words.append(change_words(name, change, workspace, stages))
    return "; ".join(words)


def log_row(entry: ActivityEntry, workspace: Workspace, stages: dict[str, str]) -> dict[str, Any]:
    """One entry as a row of the log's table: when, who, what, about whom, the changes, a link."""
    return {
        "when": day_time(entry.occurred_at, workspace.timezone),
        "who": entry.actor,
        "what": action_label(entry.action),
        "about": entry.jamaah_name or entry.subject_name or "",
        "changes": _changes(entry, workspace, stages),
        "open": registry.JAMAAH.href(jamaah=entry.jamaah_id) if entry.jamaah_id else None,
    }
