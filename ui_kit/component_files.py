"""`st.components.v2` components whose JavaScript and CSS the browser fetches as files, once per tab,
instead of receiving them inside every element: `FileComponent`.

Why: an element of an inline component carries its whole script and style in its delta, on every
script run. The overview's five live listeners sent ui_kit/live.py's 8.4 KB script five times a run
(42 of its 66 KB), each serialised and hashed by the server (issue 21, docs/benchmarks.md
"The live listener served as a file"). A file-backed element carries the file's path instead
(~40 bytes); the browser loads the module once (`<script type="module">`, then the module map).

Streamlit serves a component's files from its `asset_dir` under
`/_stcore/bidi-components/<package>.<name>/<file>` (same origin, so the CSP's `script-src 'self'`
admits them; `Cache-Control: public`; gzipped like every Streamlit route). Normally the `asset_dir`
comes from the `pyproject.toml` manifest of an *installed* package, which Streamlit scans for when
its runtime starts. The project is not installed (`pythonpath = ["."]`, the README's commands), so
this module declares the same manifest itself — package `umrah`, one component per folder of
ui_kit/components/ — on the runtime's component manager, before each mount (a dictionary look-up
once declared). Per runtime, not once per process: AppTest makes a new runtime per test app.

A process serves a component's files only after one of its script runs mounted it; the browser
asks for them only after such a run sent it an element, from the same process (the deployment's
sticky sessions, docs/live-updates.md).

    _LISTENER = FileComponent("live_listener", html=_HTML, css="listener.css", js="listener.js")
    _LISTENER(key=..., data=..., on_event_change=...)   # as st.components.v2.component's mount
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

__all__ = ["FOLDER", "PACKAGE", "FileComponent"]

#: One folder per component, its files inside (the manifest's package root).
FOLDER = Path(__file__).with_name("components")
#: The manifest's package name: a component `name` is registered as "umrah.<name>".
PACKAGE = "umrah"

_LOCK = threading.Lock()


class FileComponent:
    """A component whose `css` / `js` are file names in ui_kit/components/<name>/; `html` is inline
    (Streamlit takes markup only inline). Called like the mount `st.components.v2.component`
    returns."""

    def __init__(
        self,
        name: str,
        *,
        html: str | None = None,
        css: str | None = None,
        js: str | None = None,
        isolate_styles: bool = True,
    ) -> None:
        for file in (css, js):
            if file is not None and not (FOLDER / name / file).is_file():
                raise FileNotFoundError(f"{name}: no file {file} in {FOLDER / name}")
        self.name = name
        self.key = f"{PACKAGE}.{name}"
        self.html, self.css, self.js, self.isolate_styles = html, css, js, isolate_styles
        self._mount: Any = None

    def __call__(self, **mount: Any) -> Any:
        self._declare(get_bidi_component_manager())
        if self._mount is None:
            with _LOCK:
                if self._mount is None:
                    self._mount = st.components.v2.component(
                        self.key, html=self.html, css=self.css, js=self.js, isolate_styles=self.isolate_styles
                    )
        return self._mount(**mount)

    def _declare(self, manager: BidiComponentManager) -> None:
        """Give `manager` this component's asset folder, as an installed package's manifest would."""
        if manager.get_component_asset_root(self.key) is not None:
            return
        with _LOCK:  # two sessions' first runs at once: declare once, never over a full definition
            if manager.get_component_asset_root(self.key) is None:
                config = ComponentConfig(name=self.name, asset_dir=self.name)
                manifest = ComponentManifest(name=PACKAGE, version="1", components=[config])
                manager.register_from_manifest(manifest, FOLDER)
