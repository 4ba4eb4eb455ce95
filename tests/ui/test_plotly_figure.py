"""The chart element (ui_kit/plotly_figure.py): what it sends to plotly.js basic."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from ui_kit.plotly_figure import figure_json


def test_the_figure_goes_as_built_without_the_default_template() -> None:
    figure = go.Figure(go.Bar(x=[1, 2], y=["Visa", "Hotel"], orientation="h", name="Terlambat"))
    sent = json.loads(figure_json(figure, "id"))
    assert sent["data"] == [
        {"type": "bar", "x": [1, 2], "y": ["Visa", "Hotel"], "orientation": "h", "name": "Terlambat"}
    ]
    assert "layout" not in sent["layout"]["template"]  # no colours or fonts that fight the theme


@pytest.mark.parametrize(("lang", "separators"), [("id", ",."), ("en", ".,")])
def test_numbers_are_written_the_reader_s_way(lang: str, separators: str) -> None:
    sent = json.loads(figure_json(go.Figure(go.Scatter(x=[1], y=[2000])), lang))
    assert sent["layout"]["separators"] == separators


def test_a_trace_the_basic_bundle_cannot_draw_is_refused() -> None:
    with pytest.raises(ValueError, match="scattergeo"):
        figure_json(go.Figure(go.Scattergeo(lat=[21.4], lon=[39.8])), "id")
