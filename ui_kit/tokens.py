"""The token list of the API tokens page: one row per token, never the token itself."""

from __future__ import annotations

from datetime import datetime

from pipeline_core import app as core
from pipeline_core.domain import Workspace
from pipeline_core.domain.formatting import day_time
from ui_kit.i18n import lang, t


def token_rows(
    tokens: list[core.ApiTokenInfo], workspace: Workspace, now: datetime, *, show_owner: bool
) -> list[dict[str, str]]:
    def when(value: datetime | None) -> str:
        return day_time(value, workspace.timezone, lang()) if value else "—"

    rows = []
    for token in tokens:
        state = "revoked" if token.revoked_at else "active" if token.active_at(now) else "expired"
        row = {
            t("tokens.col.name"): token.name,
            t("tokens.col.prefix"): f"{token.prefix}…",
            t("tokens.col.created"): when(token.created_at),
            t("tokens.col.expires"): when(token.expires_at),
            t("tokens.col.used"): when(token.last_used_at),
            t("tokens.col.state"): t(f"tokens.state.{state}"),
        }
        if show_owner:
            row = {t("tokens.col.owner"): token.username, **row}
        rows.append(row)
    return rows
