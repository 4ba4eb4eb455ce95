"""Log aktivitas: a manager sees the workspace's entries and filters them (in the URL); an admin
role is not offered the page."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from pipeline_core.app.activity import activity_page
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import open_page, viewer


def table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def test_a_manager_sees_the_newest_entries(demo13: Workspace) -> None:
    at = open_page("activity")
    assert at.title[0].value == "Log aktivitas"
    expected = activity_page(viewer(demo13), limit=50)
    assert expected.total > 13  # the story's enrolments, completions and blocks, and sign-ins
    shown = table(at)
    assert len(shown) == len(expected.items) == 50
    assert shown["who"].tolist()[:5] == [entry.actor for entry in expected.items[:5]]
    assert any("→" in words for words in shown["changes"]), "changes read old → new"


def test_filters_by_action_and_person(demo13: Workspace) -> None:
    at = open_page("activity")
    at.selectbox(key="what").set_value("task.blocked").run()
    blocked = activity_page(viewer(demo13), action="task.blocked")
    shown = table(at)
    assert len(shown) == blocked.total > 0
    assert set(shown["what"]) == {"Tugas diblokir"}

    person = blocked.items[0].actor
    at.selectbox(key="who").set_value(person).run()
    assert set(table(at)["who"]) == {person}


def test_a_shared_link_restores_the_filters(demo13: Workspace) -> None:
    completed = activity_page(viewer(demo13), action="task.completed")
    person = completed.items[0].actor
    # A bound select box keeps its option's label in the URL (like the queue's ?role=Admin+Visa).
    at = open_page("activity", what="Tugas selesai", who=person, size="20")
    assert at.selectbox(key="what").value == "task.completed"
    assert at.selectbox(key="who").value == person
    expected = activity_page(viewer(demo13), action="task.completed", actor=person, limit=20)
    shown = table(at)
    assert len(shown) == len(expected.items) <= 20
    assert set(shown["what"]) == {"Tugas selesai"}


def test_empty_and_impossible_date_ranges_say_so(demo13: Workspace) -> None:
    at = open_page("activity", **{"from": "2020-01-01", "to": "2020-01-31"})
    assert "Tidak ada aktivitas yang cocok" in at.info[0].value
    assert not at.dataframe
    at = open_page("activity", **{"from": "2026-02-10", "to": "2026-02-01"})
    assert "Tanggal akhir lebih awal" in at.warning[0].value


def test_in_english(demo13: Workspace) -> None:
    at = open_page("activity", lang="English", what="Task completed")
    assert at.title[0].value == "Activity log"
    assert set(table(at)["what"]) == {"Task completed"}


def test_an_admin_role_is_not_offered_the_page(demo13: Workspace) -> None:
    at = open_page("activity", user="visa-admin")
    assert "Log aktivitas" not in [title.value for title in at.title]
    assert not at.dataframe or "changes" not in table(at).columns
    assert [title.value for title in at.title][:1] == ["Ringkasan pipeline"]  # the fallback: overview
