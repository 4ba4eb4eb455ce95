"""One script run of a page, server side: `AppTest.run()` in this process, instrumented.

Used by benchmarks/render_pages.py (its docstring says what is measured). The pages' `section(...)`
blocks, every public read of `pipeline_core.app.dashboard` / `pipeline_core.app.actions` and the session
look-up are timed per run; AppTest sends no cookies, so the UI's seam for the session token
(`ui_kit.session.session_token`) answers with a real session of the account measured.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class ScriptRuns:
    cold_ms: float
    runs_ms: list[float]
    sections: dict[str, float]  # p50 ms per run
    calls: dict[str, float]  # p50 ms per run


class Spent:
    """Milliseconds spent per name during one run (sections of the page, calls into the core)."""

    def __init__(self) -> None:
        self.now: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def timing(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.now[name] += (time.perf_counter() - start) * 1000

    def take(self) -> dict[str, float]:
        taken, self.now = dict(self.now), defaultdict(float)
        return taken


def instrument(spent: Spent) -> None:
    """Time every `section(...)` of the pages, every public function of the core's read side, and
    the look-up of the signed-in user's session."""
    from pipeline_core import app as core
    from pipeline_core.app import actions, dashboard, sessions
    from ui_kit import widgets

    original_section = widgets.section

    @contextlib.contextmanager
    def section(name: str) -> Iterator[None]:
        with spent.timing(f"section {name}"), original_section(name):
            yield

    widgets.section = section  # pages import it on every run
    for module in (dashboard, actions):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                label = f"{module.__name__.rsplit('.', 1)[1]}.{name}"
                timed_function = timed(function, label, spent)
                setattr(module, name, timed_function)
                if getattr(core, name, None) is function:  # the pages call it as core.<name>
                    setattr(core, name, timed_function)
    sessions.resolve_session = timed(sessions.resolve_session, "auth.resolve_session", spent)


def timed(function: Callable[..., Any], label: str, spent: Spent) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        with spent.timing(label):
            return function(*args, **kwargs)

    return call


def signed_in_as(user: str | None) -> None:
    """AppTest sends no cookies: the UI's seam for the session token answers with a session of
    `user` (a real sign-in)."""
    from pipeline_core.commands import auth
    from pipeline_core.commands.accounts import DEMO_PASSWORD
    from ui_kit import session

    token = None
    if user is not None:
        signed_in = auth.sign_in(
            username=user, password=DEMO_PASSWORD, workspace_slug=None, client="benchmark"
        )
        token = signed_in.token
    session.session_token = lambda: token


def measure_script_runs(
    script: Path, page_script: str | None, params: dict[str, str], runs: int, spent: Spent, user: str | None
) -> ScriptRuns:
    """Runs of `script` (ui.py on `app_pages/<page_script>.py`, or a plain script) with these query
    parameters, signed in as `user`: the first run after the dataset's cache was dropped ("cold"),
    then `runs` repeat runs with where their time went."""
    from streamlit.testing.v1 import AppTest

    from pipeline_core.app import dashboard
    from pipeline_core.store import cache

    signed_in_as(user)
    at = AppTest.from_file(str(script), default_timeout=600)
    if page_script is not None:
        at.switch_page(f"app_pages/{page_script}.py")
    for key, value in params.items():
        at.query_params[key] = value

    def run() -> float:
        start = time.perf_counter()
        at.run()
        took = (time.perf_counter() - start) * 1000
        if at.exception:
            raise RuntimeError(f"{page_script or script}: {at.exception}")
        return took

    run()  # imports, the session's first run
    if "dataset" in params:
        cache.clear_workspace(dashboard.workspace(params["dataset"]).id)
    cold = run()
    spent.take()
    times, per_run = [], []
    for _ in range(runs):
        times.append(run())
        per_run.append(spent.take())
    names = {name for taken in per_run for name in taken}
    p50 = {name: statistics.median(taken.get(name, 0.0) for taken in per_run) for name in names}
    sections = {name.removeprefix("section "): ms for name, ms in p50.items() if name.startswith("section ")}
    calls = {name: ms for name, ms in p50.items() if not name.startswith("section ")}
    return ScriptRuns(cold, times, sections, calls)
