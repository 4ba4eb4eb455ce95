"""Jamaah: everything about one jamaah (`?jamaah=<id>`, linked from every list) — profile, passport
validity, the stage timeline (planned vs actual), tasks, notes and activity. Without an id: search.
NIK and passport numbers come masked; a manager may show them for one run (logged). Under the
document checklist, its scans: the desk uploads them, a manager opens one with a logged click."""

from datetime import UTC, datetime

import streamlit as st

from pipeline_core import app as core
from pipeline_core.app.documents import document_checklist
from pipeline_core.domain import Action, IdentitySearchRefused, InvalidInput, NotFound
from ui_kit import charts, registry
from ui_kit.activity import activity_feed
from ui_kit.cards import (
    STATUS_COLOR,
    contact_links,
    jamaah_rows,
    passport_alert,
    task_lines_table,
    timeline_table,
)
from ui_kit.document_scans import scan_panel
from ui_kit.documents import checklist_table
from ui_kit.i18n import day, jamaah_status_label, pct, stage_name, t
from ui_kit.plotly_figure import plotly_figure
from ui_kit.session import current_viewer
from ui_kit.widgets import pager, search_box, section, show_flash

viewer = current_viewer()
workspace = viewer.workspace
show_flash()
raw_id = st.query_params.get("jamaah") or st.session_state.get("jamaah_id")


def search() -> None:
    st.title(t("jamaah.search"), anchor=False)
    query = search_box(t("jamaah.search"), "jq")
    if not query:
        st.caption(t("jamaah.pick"))
        return
    with section("jamaah-search"):
        try:
            found = core.find_jamaah(viewer, query, page=st.session_state.get("jq_page", 1))
        except InvalidInput:
            st.warning(t("queue.search.invalid"), icon=":material/search_off:")
            return
        except IdentitySearchRefused:
            st.warning(t("queue.search.identity_refused"), icon=":material/lock:")
            return
        if not found.items:
            st.info(t("jamaah.no_results"), icon=":material/person_off:")
        jamaah_rows(found.items, workspace, show=("stage", "departure"))
        pager(
            "jq",
            page=found.page,
            pages=found.pages,
            total=found.total,
            on_page=lambda n: st.session_state.update(jq_page=n),
        )


def profile(detail: core.JamaahDetail, revealed: core.RevealedIdentity | None) -> None:
    """The profile; NIK and passport masked unless a manager just asked to see them (logged)."""
    nik = revealed.nik if revealed else detail.nik
    passport = (revealed.passport_number if revealed else detail.passport_number) or None
    expiry = day(detail.passport_expiry_date) if detail.passport_expiry_date else t("none")
    rows = {
        t("jamaah.gender"): t(f"jamaah.gender.{detail.gender}"),
        t("jamaah.birth"): day(detail.birth_date),
        t("jamaah.nik"): nik,
        t("jamaah.phone"): contact_links(detail.phone, show_number=True),
        t("jamaah.passport"): t("jamaah.passport.value", number=passport, expiry=expiry)
        if passport
        else t("none"),
        t("jamaah.package"): detail.package_name,
        t("jamaah.departure"): day(detail.departure_date),
        t("jamaah.return"): day(detail.return_date),
        t("jamaah.airline"): detail.airline,
        t("jamaah.agent"): detail.agent_name or t("none"),
        t("jamaah.companion"): detail.companion_name or t("none"),
    }
    st.table(rows, border="horizontal")
    if revealed:
        st.caption(f":material/visibility: {t('jamaah.revealed')}")
    else:
        st.caption(f":material/visibility_off: {t('jamaah.masked')}")
    passport_alert(detail.passport)


def timeline(detail: core.JamaahDetail) -> None:
    st.subheader(t("timeline.title"), anchor=False)
    figure = charts.stage_timeline(detail.timeline, datetime.now(UTC))
    plotly_figure(figure, alt=t("timeline.chart.alt"), key="timeline-chart")


def work(detail: core.JamaahDetail) -> None:
    st.subheader(t("tasks.title"), anchor=False)
    task_lines_table(detail.tasks, workspace, detail.full_name)
    st.subheader(t("jamaah.notes"), anchor=False)
    st.markdown(detail.notes or f":gray[{t('jamaah.notes.none')}]")
    st.subheader(t("activity.title"), anchor=False)
    activity_feed(detail.activity, workspace, {stage.code: stage_name(stage) for stage in detail.timeline})


if not raw_id:
    search()
    st.stop()

with section("jamaah-detail"):
    try:
        detail = core.jamaah_detail(viewer, int(raw_id))
    except (NotFound, ValueError):
        st.warning(t("jamaah.not_found", id=raw_id), icon=":material/person_off:")
        st.page_link(registry.JAMAAH.page(), label=t("jamaah.back"), icon=":material/search:")
        st.stop()
    st.page_link(registry.JAMAAH.page(), label=t("jamaah.back"), icon=":material/arrow_back:")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title(detail.full_name, anchor=False)
        st.badge(jamaah_status_label(detail.status), color=STATUS_COLOR[detail.status])
    st.progress(detail.progress_percent / 100, text=t("jamaah.progress", p=pct(detail.progress_percent)))
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader(t("jamaah.profile"), anchor=False)
        revealed = None
        if viewer.may(Action.REVEAL_PERSONAL_DATA) and st.button(
            t("jamaah.reveal"), icon=":material/visibility:", key="reveal", help=t("jamaah.reveal.help")
        ):
            revealed = core.reveal_identity(viewer, detail.id)  # shown for this run only
        profile(detail, revealed)
        if viewer.may(Action.ENROL_JAMAAH):  # issue 19: the enrolment form edits the data
            st.page_link(
                registry.ENROL.page(), label=t("enrol.edit_link"), icon=":material/edit:",
                query_params={"jamaah": str(detail.id)},
            )  # fmt: skip
    with right:
        timeline(detail)
        st.subheader(t("docs.detail"), anchor=False)  # issue 19: the document checklist
        checklist = document_checklist(viewer, detail.id)
        checklist_table(checklist, workspace.timezone)
        scan_panel(viewer, detail.id, checklist, workspace.timezone)  # View is logged; uploads
        if viewer.may(Action.UPDATE_DOCUMENTS):
            st.page_link(registry.DOCUMENTS.page(), label=t("docs.edit_link"), icon=":material/fact_check:")
    timeline_table(detail.timeline, workspace)
    work(detail)
