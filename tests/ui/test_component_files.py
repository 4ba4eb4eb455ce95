"""Our `st.components.v2` elements carry their data only: the scripts and styles are files the tab
loads once (ui_kit/component_files.py), not copies inside every element of every run (issue 21:
five copies of the live listener's 8 KB script were 42 of the overview's 66 KB a run). Streamlit
serves the files; the browser tests (test_live_browser.py, test_live_two_tabs.py, test_kanban_browser
and the charts') show them loaded and running under the app's Content-Security-Policy."""

from __future__ import annotations

import re

from pipeline_core.domain.model import Workspace
from tests.ui.conftest import component_data, components, open_page
from ui_kit import live
from ui_kit.component_files import FOLDER


def test_each_listener_names_its_files_and_carries_only_its_data(demo13: Workspace) -> None:
    at = open_page("overview")
    listeners = components(at, "umrah.live_listener")
    assert len(listeners) == 5  # the indicator line and four sections
    for listener in listeners:
        assert listener.proto.js_source_path == "listener.js"
        assert listener.proto.css_source_path == "listener.css"
        assert not listener.proto.js_content and not listener.proto.css_content
        assert listener.proto.ByteSize() < 1024
    drawn = [component_data(listener) for listener in listeners]
    # the indicator's words go to the one listener that draws the indicator
    assert [bool(data.get("words")) for data in drawn] == [data["show_status"] for data in drawn]
    assert sum(data["show_status"] for data in drawn) == 1


def test_the_kanban_and_the_chart_name_their_files(demo13: Workspace) -> None:
    (board,) = components(open_page("task_queue"), "umrah.task_board")
    assert (board.proto.js_source_path, board.proto.css_source_path) == ("board.js", "board.css")
    assert not board.proto.js_content and not board.proto.css_content
    (chart,) = components(open_page("overview"), "umrah.plotly_figure")
    assert (chart.proto.js_source_path, chart.proto.css_source_path) == ("figure.js", "figure.css")
    assert not chart.proto.js_content and not chart.proto.css_content


def test_the_script_throttles_as_the_module_says() -> None:
    script = (FOLDER / "live_listener" / "listener.js").read_text(encoding="utf-8")
    (throttle,) = re.findall(r"^const THROTTLE = (\d+);$", script, flags=re.MULTILINE)
    assert int(throttle) == live.THROTTLE_MS
