"""UI test fixtures: the demo datasets in the test servers, and a page of the real app in AppTest.

The app opens its own sessions, so the data must be committed: the datasets are loaded (with
reset) once per session, and a test that changes data takes `fresh_demo13`, which loads demo-13
again afterwards so the next test sees the story as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core import dashboard
from pipeline_core.datasets import load_dataset
from pipeline_core.model import Workspace

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> Workspace:
    load_dataset(name, reset=True)
    return dashboard.workspace(name)


@pytest.fixture(scope="session")
def demo(servers: None) -> dict[str, Workspace]:
    return {name: load(name) for name in ("demo-13", "demo-2000")}


@pytest.fixture
def demo13(demo: dict[str, Workspace]) -> Workspace:
    return dashboard.workspace("demo-13")


@pytest.fixture
def demo2000(demo: dict[str, Workspace]) -> Workspace:
    return dashboard.workspace("demo-2000")


@pytest.fixture
def fresh_demo13(demo: dict[str, Workspace]) -> Iterator[Workspace]:
    """demo-13 for a test that changes it; reloaded afterwards."""
    yield dashboard.workspace("demo-13")
    load("demo-13")


def open_page(page_script: str, /, **params: str) -> AppTest:
    """The app (ui.py, sidebar included) on `app_pages/<page>.py`, as a browser opening that URL
    with these query parameters."""
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    at.switch_page(f"app_pages/{page_script}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at
