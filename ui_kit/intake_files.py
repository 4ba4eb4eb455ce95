"""The Import & export page's pieces: the import report drawn, the mapping step, the export buttons.

Everything here draws what `pipeline_core.app.intake_files` answers; the checks, the transaction
and the activity log are the core's. An export runs only when its button is clicked (a callable
`data`), so opening the page logs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import streamlit as st

from pipeline_core.app import Viewer
from pipeline_core.app import intake_files as files
from ui_kit.i18n import t


def counts(report: files.ImportReport) -> None:
    """The four numbers of a dry run (or a commit)."""
    for column, (key, value) in zip(
        st.columns(4),
        (("files.new", report.new), ("files.updated", report.updated),
         ("files.unchanged", report.unchanged), ("files.errors", report.error_rows)),
        strict=True,
    ):  # fmt: skip
        column.metric(t(key), f"{value:,}".replace(",", "."))


def problems(report: files.ImportReport) -> None:
    """The errors (row, column, message) with their download, and the warnings."""
    if report.errors:
        st.markdown(t("files.error_table"))
        st.dataframe(_table(report.errors), hide_index=True, width="stretch")
        made = files.error_report(report)
        st.download_button(
            t("files.error_download"), made.content, file_name=made.file_name, mime=made.media_type,
            icon=":material/download:", on_click="ignore",
        )  # fmt: skip
    if report.warnings:
        with st.expander(f"{t('files.warnings')} ({len(report.warnings)})"):
            st.dataframe(_table(report.warnings), hide_index=True, width="stretch")


def _table(rows: tuple[files.RowError, ...]) -> list[dict[str, object]]:
    return [{t("files.row"): e.row, t("files.column"): e.column, t("files.message"): e.message} for e in rows]


def mapping_step(unknown: tuple[str, ...], key: str) -> dict[str, str]:
    """A select per unknown header: a field of the import, or '-' to skip the column."""
    st.warning(t("files.unknown"))
    options = ["-", *files.IMPORT_FIELDS]
    return {header: st.selectbox(header, options, key=f"{key}-{header}") for header in unknown}


class Group(Protocol):
    """A departure group as the Rombongan page or this page holds it (read-only fields)."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


def export_group_files(viewer: Viewer, groups: Sequence[Group]) -> None:
    """Pick a group, then its export buttons (the Rombongan page's export section)."""
    by_id = {g.id: g for g in groups}
    chosen = st.selectbox(
        t("files.group"), list(by_id), key="groups-export-pick",
        format_func=lambda i: f"{by_id[i].code} · {by_id[i].name}",
    )  # fmt: skip
    if chosen is not None:
        export_buttons(viewer, by_id[chosen])


def export_buttons(viewer: Viewer, group: Group) -> None:
    """One download per file; each builds (and logs) its file only when clicked."""
    st.caption(t("files.export_note"))
    for column, kind in zip(st.columns(len(files.EXPORT_KINDS)), files.EXPORT_KINDS, strict=True):
        column.download_button(
            t(f"files.kind.{kind}"), _maker(viewer, group.id, kind), file_name=f"{group.code}-{kind}",
            icon=":material/download:", on_click="ignore", key=f"export-{group.id}-{kind}",
        )  # fmt: skip
    gaps = files.siskopatuh_gaps(viewer, group.id)
    if not gaps:
        st.caption(t("files.no_gaps"))
        return
    with st.expander(t("files.gaps", count=len(gaps))):
        rows = [
            {t("files.gap_name"): g.full_name, t("files.gap_missing"): ", ".join(g.headers)} for g in gaps
        ]
        st.dataframe(rows, hide_index=True, width="stretch")


def _maker(viewer: Viewer, group_id: int, kind: str) -> Callable[[], bytes]:
    return lambda: files.export_group(viewer, group_id, kind).content
