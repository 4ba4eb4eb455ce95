"""Jamaah detail: reachable by ?jamaah=<id>; profile with masked NIK and passport, passport check,
timeline, tasks, activity; search when no id is given."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element

from pipeline_core.app import actions, dashboard
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain import privacy
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import figures, identity, open_page


def page_text(at: AppTest) -> str:
    """Every text the page shows: Markdown, captions, alerts and the cells of every table."""
    texts = [
        str(e.value)
        for kind in ("markdown", "caption", "title", "success", "warning", "error")
        for e in at.get(kind)
        if isinstance(e, Element)  # every node of these kinds is an element (not a block)
    ]
    texts += [element.value.to_string() for element in (*at.table, *at.dataframe)]
    return "\n".join(texts)


def any_jamaah(ws: Workspace) -> int:
    return dashboard.task_queue_page(system_viewer(ws)).items[0].jamaah_id


def test_detail_by_url(demo13: Workspace) -> None:
    jamaah_id = any_jamaah(demo13)
    detail = dashboard.jamaah_detail(system_viewer(demo13), jamaah_id)
    at = open_page("jamaah", jamaah=str(jamaah_id))
    assert at.title[0].value == detail.full_name
    profile = at.table[0].value
    nik, _ = identity(demo13, jamaah_id)
    assert detail.nik == privacy.mask_nik(nik)
    assert detail.nik in profile.to_string()
    timeline = at.table[1].value  # after the profile
    assert list(timeline["Tahap"]) == [stage.name_id for stage in detail.timeline]
    assert len(at.table[2].value) == len(detail.tasks)
    bars = {trace["name"]: trace["y"] for trace in figures(at)["timeline-chart"]["data"]}
    planned = [
        s.name_id
        for s in detail.timeline
        if (s.planned_start or s.started_at) and (s.planned_due or s.due_at)
    ]
    assert bars["Rencana"] == planned
    assert bars["Realisasi"] == [s.name_id for s in detail.timeline if s.started_at]


def test_nik_and_passport_are_never_shown_in_full(demo13: Workspace) -> None:
    jamaah_ids = list(
        dict.fromkeys(t.jamaah_id for t in dashboard.task_queue_page(system_viewer(demo13)).items)
    )[:3]
    for jamaah_id in jamaah_ids:
        at = open_page("jamaah", jamaah=str(jamaah_id))
        everything = page_text(at)
        nik, passport = identity(demo13, jamaah_id)
        assert privacy.mask_nik(nik) in everything
        assert nik not in everything
        if passport:
            assert passport not in everything


def test_passport_validity_is_checked(demo13: Workspace) -> None:
    jamaah_id = any_jamaah(demo13)
    check = dashboard.jamaah_detail(system_viewer(demo13), jamaah_id).passport.value
    at = open_page("jamaah", jamaah=str(jamaah_id))
    messages = [a.value for a in (*at.success, *at.warning, *at.error)]
    assert any(
        m.startswith(
            {
                "ok": "Paspor berlaku cukup lama",
                "warning": "Paspor berlaku kurang",
                "too-short": "Paspor harus berlaku minimal 6 bulan",
                "missing": "Data paspor belum ada",
            }[check]
        )
        for m in messages
    )


def test_an_unknown_jamaah(demo13: Workspace) -> None:
    at = open_page("jamaah", jamaah="999999999")
    assert [w.value for w in at.warning] == ["Jamaah 999999999 tidak ada di dataset ini."]


def test_search_when_no_jamaah_is_chosen(demo13: Workspace) -> None:
    name = dashboard.task_queue_page(system_viewer(demo13)).items[0].jamaah_name
    at = open_page("jamaah", jq=name)
    found = actions.find_jamaah(system_viewer(demo13), name).items
    assert found and [link.value for link in at.page_link if link.value == name] == [name] * sum(
        1 for line in found if line.full_name == name
    )
