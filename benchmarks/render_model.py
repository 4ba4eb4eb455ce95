"""What the rendering benchmark measures and collects: a page to visit and its visits' figures.

Shared by `render_pages.py` (which measures) and `render_report.py` (which prints).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    title: str
    script: str  # app_pages/<script>.py
    ready: tuple[str, ...]  # CSS selectors of the main content; each must match

    @property
    def route(self) -> str:
        """The page's URL path after `/` (the overview is the default page)."""
        return "" if self.script == "overview" else self.script

    def link(self, base: str) -> str:
        """What a user clicks to reach this page inside the app (see `IN_APP_FROM`)."""
        if self.script == "jamaah":
            return "a[data-action=open]"  # a kanban card's link (ui_kit/tasks/board.py)
        return f'[data-testid=stSidebarNavLink][href="{base}/{self.route}"]'

    def path(self, dataset: str, jamaah_id: int) -> str:
        extra = f"&jamaah={jamaah_id}" if self.script == "jamaah" else ""
        return f"/{self.route}?dataset={dataset}{extra}"


@dataclass
class Visits:
    first_ms: list[float] = field(default_factory=list)
    repeat_ms: list[float] = field(default_factory=list)
    in_app_ms: list[float] = field(default_factory=list)
    heap_mb: list[float] = field(default_factory=list)
    heap_gc_mb: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)  # of the first visits
    cache_misses: int = 0
    shows: str = ""  # the sidebar's dataset badge, to check the page showed the dataset asked for
