"""The document checklist's pieces shared by the task card, the jamaah detail and the desk's page."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from pipeline_core.app.documents import DocumentRow
from pipeline_core.domain.documents import (
    COLLECTION_STAGE,
    VERIFICATION_STAGE,
    DocStatus,
    DocumentKind,
    DocumentsNotReady,
)
from ui_kit.i18n import t

__all__ = ["DOC_STAGES", "card_line", "checklist_table", "kind_label", "refusal", "status_label"]

DOC_STAGES = (COLLECTION_STAGE, VERIFICATION_STAGE)
_MARK = {DocStatus.MISSING: "✗", DocStatus.RECEIVED: "•", DocStatus.VERIFIED: "✓", DocStatus.REJECTED: "⚠"}


def kind_label(kind: DocumentKind | str) -> str:
    return t(f"docs.kind.{DocumentKind(kind).value}")


def status_label(status: DocStatus | str) -> str:
    return t(f"docs.status.{DocStatus(status).value}")


def card_line(rows: Sequence[DocumentRow], stage_code: str) -> str:
    """One line for a task card of a document stage: each required document not yet where the stage
    needs it, with its status ("Documents: ✗ KTP (Missing) · ⚠ KK (Rejected)"), or all complete."""
    wanted = (
        {DocStatus.VERIFIED} if stage_code == VERIFICATION_STAGE else {DocStatus.RECEIVED, DocStatus.VERIFIED}
    )
    open_rows = [r for r in rows if r.required and r.status not in wanted]
    if not open_rows:
        return t("docs.card_all_ok")
    items = " · ".join(
        f"{_MARK[r.status]} {kind_label(r.kind)} ({status_label(r.status)})" for r in open_rows
    )
    return t("docs.card", items=items)


def refusal(error: DocumentsNotReady) -> str:
    """The core's refusal of a document stage, in the reader's language."""
    names = ", ".join(kind_label(k) for k in error.kinds)
    return t(f"docs.refused.{error.stage_code}", names=names)


def checklist_table(rows: Sequence[DocumentRow], timezone: str) -> None:
    """A read-only table of one jamaah's checklist (jamaah detail)."""
    frame = pd.DataFrame(
        {
            t("docs.col.document"): [
                kind_label(r.kind) + ("" if r.required else f" ({t('docs.not_required')})") for r in rows
            ],
            t("docs.col.status"): [_MARK[r.status] + " " + status_label(r.status) for r in rows],
            t("docs.col.reason"): [r.reason or "" for r in rows],
            t("docs.col.updated"): [
                f"{r.updated_by} · {r.updated_at.astimezone(ZoneInfo(timezone)):%d %b %Y %H:%M}"
                if r.updated_by and r.updated_at
                else ""
                for r in rows
            ],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
